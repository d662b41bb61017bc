"""Classifier options for accuracy: patch embedding, convolutional front-end, word dropout,
jitter and scaling (AugmentConfig), label smoothing, cosine learning rate
(ClassifierTrainConfig); old saved models (without these settings, or with them inside the
network's config as before the split) still load."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from seqpredict import ClassifierConfig, SequenceClassifier, TextConfig, TrainConfig
from seqpredict.data.augment import AugmentConfig
from seqpredict.errors import SeqpredictError
from seqpredict.models.classifier import ClassifierNet
from seqpredict.tasks.classifier import ClassifierTrainConfig
from tests.conftest import run_cli

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tiny nets: one thread

FAST = TrainConfig(epochs=3, batch_size=16, quiet=True, seed=1, patience=0)


def series(n: int = 30) -> tuple[list[np.ndarray], list[int]]:
    rng = np.random.default_rng(2)
    labels = [i % 2 for i in range(n)]
    return [rng.standard_normal((5 + i % 6, 2)) + 2 * y for i, y in enumerate(labels)], labels


def assert_padding_invariant(net: ClassifierNet) -> None:
    """A 4-step sequence alone and padded to 7 with garbage inside a batch: same output."""
    seq = torch.randn(1, 4, 3)
    padded = torch.cat([seq, torch.full((1, 3, 3), 1e3)], dim=1)  # garbage padding
    batch = torch.cat([padded, torch.randn(1, 7, 3)])
    alone = net(seq, torch.tensor([4]))
    together = net(batch, torch.tensor([4, 7]))[:1]
    torch.testing.assert_close(alone, together, atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_patch_embedding_is_padding_invariant(cell: str) -> None:
    torch.manual_seed(0)
    config = ClassifierConfig(cell=cell, hidden_size=5, bidirectional=True, patch_embed=True)
    net = ClassifierNet(config, n_classes=2, n_features=3).eval()
    assert net.patch_embed is not None and net.encoder.layers[0][0].input_size == 5
    assert_padding_invariant(net)


def conv_net(cell: str, **extra: object) -> ClassifierNet:
    config = ClassifierConfig(
        cell=cell,
        hidden_size=5,
        bidirectional=True,
        pooling="mean",
        conv_embed=2,
        conv_channels=6,
        conv_kernel=3,
        fcn="off",
        **extra,  # type: ignore[arg-type]
    )
    return ClassifierNet(config, n_classes=3, n_features=3)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_conv_embed_shapes(cell: str) -> None:
    net = conv_net(cell, patch=2)
    assert net.conv_embed is not None and len(net.conv_embed.convs) == 2
    assert net.conv_embed.convs[0].in_channels == 6  # patch 2 x 3 features
    assert net.encoder.layers[0][0].input_size == 6  # conv_channels
    out = net(torch.randn(4, 9, 6), torch.tensor([9, 5, 1, 7]))
    assert out.shape == (4, 3)
    text = ClassifierNet(
        ClassifierConfig(embedding_dim=8, hidden_size=4, conv_embed=1, conv_channels=10),
        n_classes=2,
        vocab_size=30,
    )
    assert text(torch.randint(2, 30, (2, 6)), torch.tensor([6, 4])).shape == (2, 2)


@pytest.mark.parametrize(("cell", "skip"), [("lstm", False), ("gru", False), ("lstm", True)])
def test_conv_embed_is_padding_invariant(cell: str, skip: bool) -> None:
    torch.manual_seed(0)
    net = conv_net(cell, conv_skip=skip)
    assert net.head.in_features == 10 + 6 * skip  # 2 directions x 5, plus 6 channels
    for _ in range(3):  # move the running statistics away from (0, 1)
        net(torch.randn(8, 9, 3) * 3 + 1, torch.tensor([9, 5, 3, 9, 1, 2, 8, 9])).sum().backward()
    net.eval()
    assert_padding_invariant(net)


def test_conv_embed_batch_statistics_skip_padding() -> None:
    """In training too, extra padding leaves outputs and running statistics unchanged."""
    torch.manual_seed(1)
    net = conv_net("lstm")
    x, lengths = torch.randn(3, 6, 3), torch.tensor([6, 2, 4])
    wide = torch.cat([x, torch.full((3, 5, 3), -7.0)], dim=1)  # 5 more padded steps
    out = net(x, lengths)
    stats = [b.clone() for b in net.conv_embed.norms[0].buffers()]  # type: ignore[union-attr]
    net.conv_embed.norms[0].reset_running_stats()  # type: ignore[union-attr]
    torch.testing.assert_close(net(wide, lengths), out, atol=1e-5, rtol=1e-5)
    for before, after in zip(stats, net.conv_embed.norms[0].buffers(), strict=True):  # type: ignore[union-attr]
        torch.testing.assert_close(after, before)


def test_word_dropout_replaces_words_with_unk_in_training_only() -> None:
    config = ClassifierConfig(hidden_size=4, embedding_dim=4)
    net = ClassifierNet(config, n_classes=2, vocab_size=50, augment=AugmentConfig(word_dropout=0.5))
    ids = torch.randint(2, 50, (8, 40))
    ids[:, 30:] = 0  # padding
    torch.manual_seed(0)
    out = net.augment(ids)
    dropped = out != ids
    assert (out[dropped] == 1).all() and (out[:, 30:] == 0).all()
    assert 0.35 < dropped[:, :30].float().mean() < 0.65
    net.eval()
    x, lengths = ids[:2], torch.tensor([30, 30])
    torch.testing.assert_close(net(x, lengths), net(x, lengths))  # eval: no noise


def test_jitter_and_scaling_change_training_inputs_only() -> None:
    config = ClassifierConfig(hidden_size=4)
    augment = AugmentConfig(jitter=0.1, scaling=0.2)
    net = ClassifierNet(config, n_classes=2, n_features=1, augment=augment)
    x = torch.ones(64, 20, 1)
    torch.manual_seed(0)
    out = net.augment(x)
    per_sequence = out.mean(dim=(1, 2))  # (N,): mostly the scaling
    assert 0.1 < float(per_sequence.std()) < 0.3
    assert 0.05 < float((out - per_sequence[:, None, None]).std()) < 0.15  # the jitter
    plain = ClassifierNet(ClassifierConfig(hidden_size=4), n_classes=2, n_features=1)
    assert torch.equal(plain.augment(x), x)


def test_options_train_save_and_load(tmp_path) -> None:
    X, y = series()
    model = ClassifierConfig(cell="gru", hidden_size=6, patch=2, patch_embed=True)
    augment = AugmentConfig(jitter=0.05, scaling=0.1)
    extra = ClassifierTrainConfig(label_smoothing=0.1, lr_schedule="cosine")
    clf = SequenceClassifier(model, FAST, augment=augment, classifier_training=extra).fit(X, y)
    lrs = [e["lr"] for e in clf.history_.epochs]
    assert lrs[0] == pytest.approx(extra.numeric_lr)  # FAST.lr holds its default, 1e-3
    assert lrs[1] < lrs[0] and lrs[2] < lrs[1]
    clf.save(tmp_path / "m")
    again = SequenceClassifier.load(tmp_path / "m")
    longest = max(len(x) for x in X)
    unequal = any(len(x) != longest for x in X)
    assert again.model_config == clf.model_config == model.resolve(True, longest, unequal)
    assert again.model_config.fcn == "on" and again.augment == augment
    assert again.classifier_training == extra
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_conv_embed_trains_saves_and_loads(tmp_path, cell: str) -> None:
    X, y = series()
    model = ClassifierConfig(
        cell=cell,
        hidden_size=6,
        pooling="attention",
        conv_embed=2,
        conv_channels=8,
        conv_kernel=3,
        conv_skip=cell == "gru",
    )
    one = ClassifierTrainConfig(members=1)  # one network, to read its BatchNorm state
    clf = SequenceClassifier(model, FAST, classifier_training=one).fit(X, y)
    clf.save(tmp_path / "m")
    again = SequenceClassifier.load(tmp_path / "m")
    assert (
        again.model_config
        == clf.model_config
        == model.resolve(True, max(map(len, X)), unequal=True)
    )
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    running = again.net_.conv_embed.norms[0].running_var  # type: ignore[union-attr]
    assert not torch.allclose(running, torch.ones_like(running))  # BatchNorm state was saved


def test_models_saved_before_these_options_still_load(tmp_path) -> None:
    X, y = series()
    old = ClassifierConfig(hidden_size=4, patch=2, fcn="off")  # as before the FCN branch
    one = ClassifierTrainConfig(members=1)  # and before seed ensembles
    clf = SequenceClassifier(old, FAST, normalize="features", classifier_training=one).fit(X, y)
    clf.save(tmp_path / "m")
    path = tmp_path / "m" / "config.json"
    config = json.loads(path.read_text())
    del config["augment"], config["classifier_training"], config["model"]["patch_embed"]
    del config["normalize"], config["auto_search"]
    for key in ("conv_embed", "conv_channels", "conv_kernel", "conv_skip"):
        del config["model"][key]
    for key in ("fcn", "fcn_channels", "fcn_dilation", "fcn_rnn_dropout", "rnn_stride"):
        del config["model"][key]
    path.write_text(json.dumps(config))
    again = SequenceClassifier.load(tmp_path / "m")
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    assert again.augment == AugmentConfig()
    assert again.classifier_training == ClassifierTrainConfig(
        numeric_lr=0.0,
        numeric_label_smoothing=0.0,
        members=1,
        member_fcn_dilations="",
    )  # trained at lr, without smoothing, one network
    assert again.model_config.fcn == "off" and again.normalize == "features"


def test_models_saved_with_the_flat_config_load_into_the_split_configs(tmp_path) -> None:
    X, y = series()
    one = ClassifierTrainConfig(members=1)  # as before seed ensembles
    clf = SequenceClassifier(ClassifierConfig(hidden_size=4), FAST, classifier_training=one)
    clf.fit(X, y).save(tmp_path / "m")
    path = tmp_path / "m" / "config.json"
    config = json.loads(path.read_text())
    del config["augment"], config["classifier_training"]
    flat = {"word_dropout": 0.1, "jitter": 0.05, "scaling": 0.2}
    flat |= {"label_smoothing": 0.1, "lr_schedule": "cosine"}
    config["model"] |= flat  # as ClassifierConfig saved them before the split
    path.write_text(json.dumps(config))
    again = SequenceClassifier.load(tmp_path / "m")
    assert again.augment == AugmentConfig(word_dropout=0.1, jitter=0.05, scaling=0.2)
    assert again.classifier_training == ClassifierTrainConfig(
        0.1,
        "cosine",
        numeric_lr=0.0,
        numeric_label_smoothing=0.0,
        members=1,
        member_fcn_dilations="",
    )
    assert again.model_config == ClassifierConfig(hidden_size=4).resolve(
        True, max(map(len, X)), unequal=True
    )
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    config["model"]["jitter"] = -1.0
    path.write_text(json.dumps(config))
    with pytest.raises(SeqpredictError, match="`jitter` and `scaling` must be >= 0"):
        SequenceClassifier.load(tmp_path / "m")


def test_text_options_train() -> None:
    texts = ["good fine film", "bad poor film", "great film", "awful film"] * 8
    labels = ["pos", "neg", "pos", "neg"] * 8
    model = ClassifierConfig(hidden_size=4, embedding_dim=4)
    clf = SequenceClassifier(
        model,
        FAST,
        TextConfig(min_freq=1),
        augment=AugmentConfig(word_dropout=0.2),
        classifier_training=ClassifierTrainConfig(label_smoothing=0.1),
    ).fit(texts, labels)
    assert clf.predict_proba(texts).shape == (32, 2)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"patch_embed": "yes"}, "`patch_embed` must be True or False"),
        ({"conv_embed": -1}, "`conv_embed` must be a whole number of convolution layers >= 0"),
        ({"conv_embed": True}, "`conv_embed` must be a whole number .* got True"),
        ({"conv_kernel": 4}, "`conv_kernel` must be odd .* got 4; try 3 or 5"),
        ({"conv_channels": 0}, "`conv_channels` must be a positive integer, got 0"),
        ({"conv_skip": True}, "`conv_skip` .* needs `conv_embed` >= 1, got conv_skip=True, conv_e"),
        ({"fcn": "yes"}, "`fcn` must be one of .*'auto'"),
        ({"patch": -1}, "`patch` must be a whole number of steps >= 1, or 0 for auto, got -1"),
        ({"rnn_stride": 1.5}, "`rnn_stride` must be a whole number .* got 1.5"),
        ({"fcn_channels": 0}, "`fcn_channels` must be a positive integer, got 0"),
        ({"fcn_dilation": 0}, "`fcn_dilation` must be a positive integer, got 0"),
        ({"fcn_rnn_dropout": 1.0}, "`fcn_rnn_dropout` must be .*in \\[0, 1\\).* got 1.0"),
    ],
)
def test_bad_option_values_are_named(setting: dict, message: str) -> None:
    with pytest.raises(SeqpredictError, match=message):
        ClassifierConfig(**setting).validate()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (AugmentConfig(word_dropout=1.5), "`word_dropout`"),
        (AugmentConfig(jitter=-1.0), "`jitter` and `scaling` must be >= 0"),
        (ClassifierTrainConfig(label_smoothing=-0.1), "`label_smoothing`"),
        (ClassifierTrainConfig(lr_schedule="cosin"), "`lr_schedule` must be one of .*'cosine'"),
        (ClassifierTrainConfig(min_steps=-5), "`min_steps` must be a whole number >= 0 .* -5"),
        (ClassifierTrainConfig(numeric_lr=-1e-3), "`numeric_lr` must be a learning rate >= 0"),
        (ClassifierTrainConfig(min_epochs=2.5), "`min_epochs` must be a whole number >= 0 .* 2.5"),
        (ClassifierTrainConfig(numeric_label_smoothing=1.5), "`numeric_label_smoothing`"),
    ],
)
def test_bad_augment_and_training_values_are_named(config, message: str) -> None:
    with pytest.raises(SeqpredictError, match=message):
        config.validate()
    field = "augment" if isinstance(config, AugmentConfig) else "classifier_training"
    with pytest.raises(SeqpredictError, match=message):
        SequenceClassifier(**{field: config}).fit(*series())


def test_cli_passes_the_options_on(tmp_path, capsys) -> None:
    X, y = series(20)
    frame = pd.DataFrame(
        [
            {"id": i, "t": t, "x": float(v[t, 0]), "label": y[i]}
            for i, v in enumerate(X)
            for t in range(len(v))
        ]
    )
    frame.to_csv(tmp_path / "train.csv", index=False)
    out = tmp_path / "run"
    args = ["classify", tmp_path / "train.csv", "--series", "--id-col", "id", "--time-col", "t"]
    args += ["--value-col", "x", "--label-col", "label", "--epochs", "2", "--hidden-size", "4"]
    args += ["--patch", "2", "--patch-embed", "--jitter", "0.05", "--lr-schedule", "cosine"]
    args += ["--conv-embed", "1", "--conv-channels", "4", "--conv-kernel", "3"]
    code, _, err = run_cli([*args, "--quiet", "--out", out], capsys)
    assert code == 0, err
    config = json.loads((out / "models" / "gru" / "config.json").read_text())
    saved = config["model"]
    assert saved["patch_embed"] and config["augment"]["jitter"] == 0.05
    assert config["classifier_training"]["lr_schedule"] == "cosine"
    assert (saved["conv_embed"], saved["conv_channels"], saved["conv_kernel"]) == (1, 4, 3)


def test_shipped_classifier_from_before_the_split_loads() -> None:
    from pathlib import Path

    import seqpredict.pretrained

    path = Path(seqpredict.pretrained.__file__).parent / "models" / "sst2-gru"
    assert "augment" not in json.loads((path / "config.json").read_text())  # saved before
    clf = SequenceClassifier.load(path, device="cpu")
    assert clf.augment == AugmentConfig() and clf.classifier_training == ClassifierTrainConfig(
        numeric_lr=0.0,
        numeric_label_smoothing=0.0,
        members=1,
        member_fcn_dilations="",
    )
    assert clf.model_config.cell == "gru" and clf.predict(["a fine , moving film"]).shape == (1,)
