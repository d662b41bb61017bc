"""Text to token ids: a regex tokenizer and a vocabulary built from the training texts only.

Shape key: N texts, L the longest kept length, V vocabulary size, E embedding size.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from seqpredict.errors import SeqpredictError, check_positive_int

PAD, UNK = "<pad>", "<unk>"
PAD_ID, UNK_ID = 0, 1
# words (with inner apostrophes or hyphens: n't, re-imagining), numbers, or one other symbol
TOKEN_PATTERN = r"[^\W_]+(?:['\-][^\W_]+)*|[^\w\s]"


@dataclass(frozen=True)
class TextConfig:
    """Tokenizer and vocabulary settings (saved with the model)."""

    lower: bool = True  # lower-case before tokenizing
    min_freq: int = 1  # a word seen fewer times in training becomes <unk>
    max_size: int = 50000  # most frequent words kept, <pad> and <unk> included
    max_len: int = 0  # keep the first max_len tokens of a text; 0: keep all

    def validate(self) -> TextConfig:
        check_positive_int("min_freq", self.min_freq)
        check_positive_int("max_size", self.max_size)
        if self.max_size < 3:
            raise SeqpredictError(
                f"`max_size` must be >= 3 (<pad>, <unk>, one word), got {self.max_size}."
            )
        if isinstance(self.max_len, bool) or not isinstance(self.max_len, int) or self.max_len < 0:
            raise SeqpredictError(f"`max_len` must be an integer >= 0, got {self.max_len!r}.")
        return self


def tokenize(text: str, lower: bool = True) -> list[str]:
    """``"Wasn't it GREAT?!"`` -> ``["wasn't", "it", "great", "?", "!"]``."""
    return re.findall(TOKEN_PATTERN, text.lower() if lower else text)


def as_texts(texts: Iterable[Any], name: str = "texts") -> list[str]:
    """A list of strings; rejects missing values and non-strings by position."""
    out = []
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            kind = "a missing value" if t is None or t != t else f"a {type(t).__name__}"
            raise SeqpredictError(
                f"`{name}`: entry {i} is {kind} ({t!r}), expected a string. Drop or fill missing "
                "texts before fitting or predicting."
            )
        out.append(t)
    return out


@dataclass
class Vocabulary:
    """Token <-> id; id 0 is ``<pad>``, id 1 is ``<unk>``, then words by falling frequency."""

    tokens: list[str]

    def __post_init__(self) -> None:
        self.index = {t: i for i, t in enumerate(self.tokens)}

    def __len__(self) -> int:
        return len(self.tokens)

    @classmethod
    def build(cls, tokenized: Iterable[Sequence[str]], min_freq: int, max_size: int) -> Vocabulary:
        """From tokenized TRAINING texts only; ties in frequency break alphabetically."""
        counts = Counter(t for tokens in tokenized for t in tokens)
        kept = sorted(
            (t for t, c in counts.items() if c >= min_freq), key=lambda t: (-counts[t], t)
        )
        return cls([PAD, UNK, *kept[: max_size - 2]])

    def encode(self, tokens: Sequence[str]) -> list[int]:
        get = self.index.get
        return [get(t, UNK_ID) for t in tokens]

    def to_dict(self) -> dict[str, Any]:
        return {"tokens": self.tokens}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Vocabulary:
        tokens = list(d["tokens"])
        if tokens[:2] != [PAD, UNK]:
            raise SeqpredictError("saved vocabulary must start with <pad>, <unk>; it is damaged.")
        return cls(tokens)


def empty_rows(tokenized: Sequence[Sequence[str]]) -> list[int]:
    return [i for i, t in enumerate(tokenized) if not t]


def check_not_empty(tokenized: Sequence[Sequence[str]], name: str) -> None:
    """Texts without a single token cannot be classified: name them instead of guessing."""
    empty = empty_rows(tokenized)
    if empty:
        raise SeqpredictError(
            f"`{name}`: {len(empty)} text(s) have no tokens (empty or whitespace only), first at "
            f"row(s) {empty[:5]}. Drop them, or replace them with a placeholder word."
        )


def encode_texts(
    tokenized: Sequence[Sequence[str]], vocab: Vocabulary, max_len: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Token lists -> ids (N, L) int64 right-padded with 0, and lengths (N,) int64."""
    ids = [vocab.encode(t[:max_len] if max_len else t) for t in tokenized]
    lengths = np.array([len(i) for i in ids], dtype=np.int64)
    out = np.zeros((len(ids), int(lengths.max(initial=1))), dtype=np.int64)  # (N, L)
    for row, seq in enumerate(ids):
        out[row, : len(seq)] = seq
    return torch.from_numpy(out), torch.from_numpy(lengths)


def load_word_vectors(path: str | Path, vocab: Vocabulary) -> tuple[torch.Tensor, int]:
    """Rows of a word-vector text file (GloVe format: ``word v1 v2 ... vE`` per line) for the
    words of ``vocab``. Returns (vectors (V, E), words found); missing words get small random
    rows (N(0, 0.1), drawn from the torch generator) and ``<pad>`` a zero row."""
    file = Path(path)
    if not file.is_file():
        raise SeqpredictError(f"`word_vectors`: file not found: {str(file)!r}.")
    found: dict[int, np.ndarray] = {}
    dim = None
    with file.open(encoding="utf-8", errors="replace") as handle:
        for line_no, line in enumerate(handle, start=1):
            parts = line.rstrip("\n").rstrip().split(" ")
            if len(parts) < 2 or (line_no == 1 and len(parts) == 2):  # word2vec header "V E"
                continue
            dim = dim or len(parts) - 1
            if len(parts) - 1 != dim:
                raise SeqpredictError(
                    f"`word_vectors`: {file} line {line_no} has {len(parts) - 1} numbers, earlier "
                    f"lines {dim}. Expected GloVe format: a word and E numbers per line."
                )
            i = vocab.index.get(parts[0])
            if i is not None and i not in found:
                try:
                    found[i] = np.asarray(parts[1:], dtype=np.float32)
                except ValueError:
                    raise SeqpredictError(
                        f"`word_vectors`: {file} line {line_no} holds a value that is not a "
                        "number. Expected GloVe format: a word and E numbers per line."
                    ) from None
    if dim is None:
        raise SeqpredictError(f"`word_vectors`: {file} holds no vectors.")
    vectors = torch.randn(len(vocab), dim) * 0.1  # (V, E)
    for i, v in found.items():
        vectors[i] = torch.from_numpy(v)
    vectors[PAD_ID] = 0.0
    return vectors, len(found)
