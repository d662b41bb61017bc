"""Sequence classification network: input layer -> recurrent encoder -> pooling -> linear head.

Text enters as token ids through an embedding (id 0 is padding); numeric sequences enter as they
are (features already scaled by the task). Shape key: N batch, L padded length, C features,
V vocabulary, E embedding size, D encoder output size, K classes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import torch
from torch import nn

from seqpredict.data.augment import AugmentConfig
from seqpredict.data.augment import augment as augment_inputs
from seqpredict.errors import SeqpredictError, check_choice, check_fraction, check_positive_int
from seqpredict.models.conv_embed import ConvEmbed, masked_mean, pool_steps
from seqpredict.models.segments import segment_embedding
from seqpredict.models.varlen import POOLINGS, Pooling, VarLenEncoder, valid_mask


@dataclass(frozen=True)
class ClassifierConfig:
    """The classification network. (Augmentation: ``seqpredict.data.augment.AugmentConfig``;
    loss and schedule: ``seqpredict.tasks.classifier.ClassifierTrainConfig``.)"""

    cell: str = "lstm"  # recurrent cell from the registry: lstm, gru or rnn
    hidden_size: int = 64  # units per recurrent layer and direction
    num_layers: int = 1  # stacked recurrent layers
    bidirectional: bool = False  # also read each sequence backwards (within its own length)
    pooling: str = "auto"  # last state, mean or max over valid steps, or attention over them;
    # auto: mean with the FCN branch (the last state memorised the training series), else last
    dropout: float = 0.0  # on word vectors, between layers and before the head
    embedding_dim: int = 64  # text only: size of the word vectors
    patch: int = 0  # numeric only: read P consecutive steps as one step of P*C features; 0: auto,
    # the fewest P that leaves the longest training series at most 512 steps
    patch_embed: bool = False  # numeric only: embed each patch by Linear + ReLU (SegRNN-style)
    conv_embed: int = 0  # Conv1d + BatchNorm + ReLU layers before the recurrence (0: off)
    conv_channels: int = 64  # conv_embed: channels of each convolution layer
    conv_kernel: int = 5  # conv_embed: odd kernel width in (patched) steps, "same" padding
    conv_skip: bool = False  # conv_embed: the head also reads the conv features' mean over valid
    # steps, beside the pooled recurrent output (LSTM-FCN's parallel convolution branch)
    fcn: str = "auto"  # FCN branch beside the recurrence (LSTM-FCN, Karim et al. 2018): 3 conv
    # blocks of widths 8, 5, 3 + BatchNorm + ReLU, global average pooling, concatenated with the
    # pooled recurrent output; auto: on for numeric input, off for text; on; off
    fcn_channels: int = 64  # fcn: channels of its first and last block, the middle one twice that
    fcn_dilation: int = 1  # fcn: block b (0, 1, 2) dilates its kernel by this ** b (1: off)
    # 2: 1, 2, 4 as in TCNs/WaveNet, the branch reads 24 steps, not 14, at the same cost
    fcn_rnn_dropout: float = 0.8  # fcn: dropout on the pooled recurrent output before the head
    # (LSTM-FCN's 0.8), so the head leans on the convolution branch's features
    rnn_stride: int = 0  # fcn: the recurrence reads the input averaged over windows of this
    # many steps; 0: auto, the fewest that leave the longest training series at most 128 steps
    length_input: str = "off"  # the head also reads each series' log length, standardised over
    # the training series (pooling over valid steps hides the length, which a network on
    # zero-padded series sees); auto: on for numeric series of unequal lengths; on; off
    resample: int = -1  # numeric only: stretch or shrink every series to this many steps by
    # linear interpolation (uniform scaling) before normalisation; 0: off (pad and mask);
    # -1: auto, the longest training length when the training lengths differ, else off

    def validate(self) -> ClassifierConfig:
        from seqpredict.models.registry import CELLS

        check_choice("cell", self.cell, CELLS)
        check_positive_int("hidden_size", self.hidden_size)
        check_positive_int("num_layers", self.num_layers)
        check_choice("pooling", self.pooling, ("auto", *POOLINGS))
        check_fraction("dropout", self.dropout)
        check_fraction("fcn_rnn_dropout", self.fcn_rnn_dropout)
        check_positive_int("embedding_dim", self.embedding_dim)
        for name in ("patch", "rnn_stride"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise SeqpredictError(
                    f"`{name}` must be a whole number of steps >= 1, or 0 for auto, got {value!r}."
                )
        if (
            isinstance(self.resample, bool)
            or not isinstance(self.resample, int)
            or self.resample < -1
        ):
            raise SeqpredictError(
                f"`resample` must be a whole number of steps >= 1, 0 (off) or -1 (auto), got "
                f"{self.resample!r}."
            )
        check_choice("fcn", self.fcn, FCN_CHOICES)
        check_choice("length_input", self.length_input, FCN_CHOICES)
        check_positive_int("fcn_channels", self.fcn_channels)
        check_positive_int("fcn_dilation", self.fcn_dilation)
        if (
            isinstance(self.conv_embed, bool)
            or not isinstance(self.conv_embed, int)
            or (self.conv_embed < 0)
        ):
            raise SeqpredictError(
                f"`conv_embed` must be a whole number of convolution layers >= 0 (0: off), got "
                f"{self.conv_embed!r}."
            )
        check_positive_int("conv_channels", self.conv_channels)
        check_positive_int("conv_kernel", self.conv_kernel)
        if self.conv_kernel % 2 == 0:
            raise SeqpredictError(
                f'`conv_kernel` must be odd (symmetric "same" padding), got {self.conv_kernel}; '
                f"try {self.conv_kernel - 1} or {self.conv_kernel + 1}."
            )
        if not isinstance(self.conv_skip, bool) or (self.conv_skip and not self.conv_embed):
            raise SeqpredictError(
                f"`conv_skip` must be True or False and needs `conv_embed` >= 1, got "
                f"conv_skip={self.conv_skip!r}, conv_embed={self.conv_embed!r}."
            )
        if not isinstance(self.patch_embed, bool):
            raise SeqpredictError(f"`patch_embed` must be True or False, got {self.patch_embed!r}.")
        if not isinstance(self.bidirectional, bool):
            raise SeqpredictError(
                f"`bidirectional` must be True or False, got {self.bidirectional!r}."
            )
        return self

    def resolve(self, numeric: bool, longest: int, unequal: bool = False) -> ClassifierConfig:
        """The ``auto`` settings made concrete for one training set: numeric input (or text)
        whose longest series has ``longest`` steps, and whose lengths differ (``unequal``).
        Resolved settings stay as they are."""
        fcn = self.fcn if self.fcn != "auto" else ("on" if numeric else "off")
        resample = self.resample
        if resample == -1:
            resample = longest if numeric and unequal else 0
        elif resample and not numeric:
            raise SeqpredictError(
                f"`resample`={resample} stretches numeric series; text input has tokens, not "
                "steps. Leave `resample` at -1 (auto) or 0 for text."
            )
        if resample:
            longest, unequal = resample, False
        length_input = self.length_input
        if length_input == "auto":
            length_input = "on" if numeric and unequal else "off"
        elif length_input == "on" and resample:
            raise SeqpredictError(
                f"`length_input`='on' reads each series' length, which `resample`={resample} "
                "makes equal; set `resample`=0 to pad series instead, or `length_input`='off'."
            )
        patch = self.patch or (-(-longest // MAX_STEPS) if numeric else 1)
        steps = -(-longest // patch)
        stride = self.rnn_stride or (-(-steps // RNN_STEPS) if fcn == "on" and numeric else 1)
        pooling = self.pooling if self.pooling != "auto" else ("mean" if fcn == "on" else "last")
        return replace(
            self,
            fcn=fcn,
            patch=patch,
            rnn_stride=stride,
            pooling=pooling,
            length_input=length_input,
            resample=resample,
        )


FCN_CHOICES = ("auto", "on", "off")
FCN_KERNELS = (8, 5, 3)  # LSTM-FCN's (and FCN's, Wang et al. 2017) block widths
MAX_STEPS = 512  # patch=0: numeric series are patched down to at most this many steps
RNN_STEPS = 128  # rnn_stride=0 with the FCN branch: the recurrence reads at most this many


class ClassifierNet(nn.Module):
    """``forward(x, lengths)`` -> logits (N, K).

    x: token ids (N, L) int64 when ``vocab_size`` is given, else features (N, L, C) float32;
    lengths: (N,) int64, each >= 1. Steps at or beyond a row's length are ignored. In training
    mode the inputs are first augmented by ``augment`` (None: not at all). A batch in which no
    row is padded skips the masking of the convolutions (the same up to float rounding) and of
    the pooling (bit for bit the same), which is faster; ``mask_unpadded = True`` masks it
    anyway, for benchmarks and tests.
    """

    mask_unpadded: bool = False

    def __init__(
        self,
        config: ClassifierConfig,
        n_classes: int,
        *,
        n_features: int | None = None,
        vocab_size: int | None = None,
        augment: AugmentConfig | None = None,
    ) -> None:
        super().__init__()
        self.augment_config = augment or AugmentConfig()
        self.embedding = (
            nn.Embedding(vocab_size, config.embedding_dim, padding_idx=0) if vocab_size else None
        )
        config = config.resolve(not vocab_size, 1)  # auto fields not resolved by the task
        self.config = config
        input_size = config.embedding_dim if vocab_size else int(n_features or 0) * config.patch
        self.patch_embed = None
        if config.patch_embed and not vocab_size:
            self.patch_embed = segment_embedding(input_size, config.hidden_size)
            input_size = config.hidden_size
        self.fcn = None
        self.rnn_dropout = nn.Identity()
        if config.fcn == "on":
            c = config.fcn_channels
            growth = config.fcn_dilation
            dilations = [growth**b for b in range(len(FCN_KERNELS))]
            self.fcn = ConvEmbed(input_size, (c, 2 * c, c), FCN_KERNELS, dilations)
            self.rnn_dropout = nn.Dropout(config.fcn_rnn_dropout)
        self.conv_embed = None
        if config.conv_embed:
            self.conv_embed = ConvEmbed.uniform(
                input_size, config.conv_channels, config.conv_embed, config.conv_kernel
            )
            input_size = config.conv_channels
        self.encoder = VarLenEncoder(
            config.cell,
            input_size,
            config.hidden_size,
            config.num_layers,
            config.bidirectional,
            config.dropout,
        )
        self.pooling = Pooling(config.pooling, self.encoder.output_size)
        self.dropout = nn.Dropout(config.dropout)
        skip = config.conv_channels if config.conv_skip else 0
        fcn = self.fcn.output_size if self.fcn is not None else 0
        self.length_input = config.length_input == "on"
        if self.length_input:  # mean and std of log(length) over the training series
            self.register_buffer("length_stats", torch.tensor([0.0, 1.0]))
        size = self.encoder.output_size + skip + fcn + int(self.length_input)
        self.head = nn.Linear(size, n_classes)

    def fit_length_stats(self, lengths: torch.Tensor) -> None:
        """Standardise the head's log-length input by the training series' ``lengths`` (N,)
        (a std of 0, equal lengths, counts as 1); without ``length_input``, nothing."""
        if not self.length_input:
            return
        logs = torch.log(lengths.double())  # (N,)
        std = float(logs.std(correction=0))
        self.length_stats.copy_(torch.tensor([float(logs.mean()), std if std > 0 else 1.0]))

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        length = int(lengths.max())
        x = x[:, :length]  # drop columns that are padding in every row
        if self.training:
            x = self.augment(x)
        if self.embedding is not None:
            x = self.dropout(self.embedding(x))  # (N, L) -> (N, L, E)
        elif self.patch_embed is not None:
            x = self.patch_embed(x)  # (N, L, P*C) -> (N, L, H)
        padded = self.mask_unpadded or bool((lengths < length).any())
        # (N, L), True at valid steps; None when no row is padded: the convolutions and the
        # pooling then skip the masking
        mask = valid_mask(lengths, length) if padded else None
        branches = []
        if self.length_input:
            mean, std = self.length_stats
            size = (torch.log(lengths.to(mean.dtype)) - mean) / std  # (N,)
            branches.append(size[:, None].to(x.dtype))  # (N, 1)
        if self.fcn is not None:
            branches.append(masked_mean(self.fcn(x, mask), lengths))  # (N, L, C') -> (N, F')
        if self.conv_embed is not None:
            x = self.conv_embed(x, mask)  # (N, L, E | H | P*C) -> (N, L, F)
            if self.config.conv_skip:
                branches.append(masked_mean(x, lengths))  # (N, F); padded steps are 0
        if self.config.rnn_stride > 1:
            if mask is not None:
                x = x.masked_fill(~mask[:, :, None], 0.0)
            x, lengths = pool_steps(x, lengths, self.config.rnn_stride)  # (N, L/S, C')
            mask = None if mask is None else valid_mask(lengths, x.shape[1])
        h, final = self.encoder(x, lengths)  # (N, L, D), (N, D)
        pooled = self.rnn_dropout(self.pooling(h, final, mask))  # (N, D)
        pooled = torch.cat([pooled, *branches], dim=1)  # (N, D [+ 1] [+ F'] [+ F])
        return self.head(self.dropout(pooled))  # (N, K)

    def augment(self, x: torch.Tensor) -> torch.Tensor:
        """Training-time noise (``seqpredict.data.augment``): word dropout on ids (N, L), or
        jitter and per-sequence scaling on features (N, L, C)."""
        return augment_inputs(x, self.augment_config, tokens=self.embedding is not None)


class SeedEnsemble(nn.Module):
    """``forward(x, lengths)`` -> the log of the members' mean class probabilities (N, K), so
    that its softmax is that mean: an ensemble of ClassifierNets trained from different seeds
    (``ClassifierTrainConfig.members``)."""

    def __init__(self, members: list[ClassifierNet]) -> None:
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        probs = torch.stack([torch.softmax(m(x, lengths), dim=1) for m in self.members])
        return torch.log(probs.mean(dim=0))  # (M, N, K) -> (N, K)
