"""Tokenizer, vocabulary (training data only), encoding and word-vector files."""

from __future__ import annotations

import pytest
import torch

from seqpredict.data.text import (
    PAD_ID,
    UNK_ID,
    TextConfig,
    Vocabulary,
    encode_texts,
    load_word_vectors,
    tokenize,
)
from seqpredict.errors import SeqpredictError

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tiny nets: one thread


def test_tokenize_lowercases_and_splits_punctuation() -> None:
    assert tokenize("Wasn't it GREAT?! re-imagining, 1930s") == [
        "wasn't", "it", "great", "?", "!", "re-imagining", ",", "1930s",
    ]  # fmt: skip
    assert tokenize("Hi", lower=False) == ["Hi"]
    assert tokenize("   ") == []


def test_vocabulary_min_freq_max_size_and_reserved_ids() -> None:
    texts = [["a", "b", "a"], ["c", "a", "b"], ["d"]]
    vocab = Vocabulary.build(texts, min_freq=2, max_size=10)
    assert vocab.tokens == ["<pad>", "<unk>", "a", "b"]
    assert vocab.encode(["a", "zzz", "b"]) == [2, UNK_ID, 3]
    small = Vocabulary.build(texts, min_freq=1, max_size=3)
    assert small.tokens == ["<pad>", "<unk>", "a"]  # most frequent first
    assert Vocabulary.from_dict(vocab.to_dict()).tokens == vocab.tokens


def test_vocabulary_from_dict_rejects_a_damaged_one() -> None:
    with pytest.raises(SeqpredictError, match="must start with <pad>, <unk>"):
        Vocabulary.from_dict({"tokens": ["a", "b"]})


def test_encode_texts_pads_with_zero_and_truncates() -> None:
    vocab = Vocabulary(["<pad>", "<unk>", "x", "y"])
    ids, lengths = encode_texts([["x"], ["y", "x", "q"]], vocab)
    assert ids.tolist() == [[2, PAD_ID, PAD_ID], [3, 2, UNK_ID]]
    assert lengths.tolist() == [1, 3]
    ids, lengths = encode_texts([["y", "x", "q"]], vocab, max_len=2)
    assert ids.tolist() == [[3, 2]] and lengths.tolist() == [2]


def test_text_config_validation() -> None:
    with pytest.raises(SeqpredictError, match="`max_size` must be >= 3"):
        TextConfig(max_size=2).validate()
    with pytest.raises(SeqpredictError, match="`max_len`"):
        TextConfig(max_len=-1).validate()


def test_word_vectors_fill_known_words(tmp_path) -> None:
    path = tmp_path / "vec.txt"
    path.write_text("good 1 2 3\nbad -1 -2 -3\nother 9 9 9\n")
    vocab = Vocabulary(["<pad>", "<unk>", "good", "bad", "meh"])
    vectors, hits = load_word_vectors(path, vocab)
    assert hits == 2 and vectors.shape == (5, 3)
    assert torch.equal(vectors[2], torch.tensor([1.0, 2.0, 3.0]))
    assert torch.equal(vectors[PAD_ID], torch.zeros(3))


def test_word_vectors_bad_file(tmp_path) -> None:
    vocab = Vocabulary(["<pad>", "<unk>", "good"])
    with pytest.raises(SeqpredictError, match="file not found"):
        load_word_vectors(tmp_path / "none.txt", vocab)
    bad = tmp_path / "bad.txt"
    bad.write_text("good 1 2 3\nbad 1 2\n")
    with pytest.raises(SeqpredictError, match="line 2 has 2 numbers, earlier lines 3"):
        load_word_vectors(bad, vocab)
