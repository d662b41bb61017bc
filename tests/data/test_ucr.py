"""UCR files: the local format, unequal lengths, and the cached downloader (local files only)."""

from __future__ import annotations

import zipfile

import pytest

from seqpredict.data.ucr import load_ucr, parse_ucr
from seqpredict.errors import SeqpredictError

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tiny nets: one thread

TSV = "1\t0.5\t0.25\t1.0\n-1\t2.0\t3.0\tNaN\n"


def test_parse_tab_separated_with_nan_padding() -> None:
    split = parse_ucr(TSV)
    assert split.y.tolist() == [1, -1]
    assert [s.shape for s in split.X] == [(3, 1), (2, 1)]


def test_parse_2015_format_with_float_labels() -> None:
    split = parse_ucr("  1.0000000e+00  2.5e-01  3.0e-01\n  2.0000000e+00  1.0e+00  2.0e+00\n")
    assert split.y.tolist() == [1, 2] and split.X[0][:, 0].tolist() == [0.25, 0.30000001192092896]


def test_bad_ucr_text_is_named() -> None:
    with pytest.raises(SeqpredictError, match="label and at least one value"):
        parse_ucr("1\n2\n", "x.tsv")
    with pytest.raises(SeqpredictError, match="sequence 0 has a missing"):
        parse_ucr("1\t0.5\tNaN\t1.0\n2\t1\t2\t3\n", "x.tsv")


def test_read_the_shared_ecg200_files(shared_data) -> None:
    train, test = load_ucr("ECG200", shared_data / "ucr")
    assert len(train.X) == 100 and len(test.X) == 100
    assert train.X[0].shape == (96, 1) and set(train.y.tolist()) == {1, 2}


def test_download_caches_and_reads(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SEQPREDICT_CACHE", str(tmp_path / "cache"))
    archive = tmp_path / "Toy.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("Toy/Toy_TRAIN.txt", TSV)
        zf.writestr("Toy/Toy_TEST.txt", TSV)
        zf.writestr("Toy/Toy_TRAIN.arff", "@relation toy")
    with pytest.raises(SeqpredictError, match="not in the cache"):
        load_ucr("Toy", url=archive.as_uri())
    train, test = load_ucr("Toy", download=True, url=archive.as_uri())
    assert len(train.X) == 2 and test.y.tolist() == [1, -1]
    archive.unlink()  # the second load reads the cache only
    again, _ = load_ucr("Toy")
    assert again.y.tolist() == [1, -1]
    assert sorted(p.name for p in (tmp_path / "cache" / "ucr" / "Toy").iterdir()) == [
        "Toy_TEST.txt",
        "Toy_TRAIN.txt",
    ]


def test_missing_local_set_is_named(tmp_path) -> None:
    with pytest.raises(
        SeqpredictError,
        match=r"no Nope_TRAIN and Nope_TEST file ending in .tsv, .txt, \(nothing\), .ts in",
    ):
        load_ucr("Nope", tmp_path)
