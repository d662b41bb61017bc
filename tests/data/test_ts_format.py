""".ts files (UCR/UEA's sktime format): equal and unequal lengths, several dimensions, missing
values, and malformed headers named by line; the real files aeon ships when it is installed."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from seqpredict.data.ts_format import parse_ts
from seqpredict.data.ucr import load_ucr, parse_ucr, read_ucr
from seqpredict.errors import SeqpredictError

EQUAL = """# a comment
@problemName Toy
@timeStamps false
@missing false
@univariate true
@equalLength true
@seriesLength 3
@classLabel true a b
@data
1.0,2.0,3.0:a
4,5,6:b
"""

UNEQUAL_MULTI = """@problemName Vowels
@timeStamps false
@univariate false
@dimensions 2
@equalLength false
@classLabel true 1 2 3
@data

1,2,3:10,20,30:3
% a comment between cases
4,5:40,50:1
"""


def test_equal_length_univariate() -> None:
    parsed = parse_ts(EQUAL)
    assert parsed.problem_name == "Toy" and parsed.class_labels == ("a", "b")
    assert [x.shape for x in parsed.X] == [(3, 1), (3, 1)]
    assert parsed.X[1][:, 0].tolist() == [4.0, 5.0, 6.0] and parsed.X[0].dtype == np.float32
    assert parsed.y.tolist() == ["a", "b"]


def test_unequal_lengths_and_dimensions_become_steps_by_features() -> None:
    parsed = parse_ts(UNEQUAL_MULTI)
    assert [x.shape for x in parsed.X] == [(3, 2), (2, 2)]
    assert parsed.X[0].tolist() == [[1, 10], [2, 20], [3, 30]]
    assert parsed.y.tolist() == [3, 1] and parsed.y.dtype == np.int64  # integer labels as ints


def test_missing_values_at_the_end_are_padding_elsewhere_an_error() -> None:
    text = EQUAL.replace("@equalLength true", "@equalLength false")
    parsed = parse_ts(text.replace("4,5,6:b", "4,5,?:b"))
    assert [len(x) for x in parsed.X] == [3, 2]
    with pytest.raises(SeqpredictError, match=r"line 11: missing value \('\?'\) at step 1 of"):
        parse_ts(text.replace("4,5,6:b", "4,?,6:b"))
    multi = UNEQUAL_MULTI.replace("4,5:40,50:1", "4,?:40,?:1")  # missing in every dimension
    assert [len(x) for x in parse_ts(multi).X] == [3, 1]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("@univariate true", "@univariate maybe", r"line 5: @univariate must be true or false"),
        ("@seriesLength 3", "@seriesLength -3", r"line 7: @seriesLength must be a positive"),
        ("@classLabel true a b", "@classLabel true", r"line 8: @classLabel true lists no class"),
        ("@classLabel true a b", "@classLabel false", r"@classLabel true with the class labels"),
        ("4,5,6:b", "4,5,6:c", r"line 11: class label 'c' is not among .*\['a', 'b'\]"),
        ("4,5,6:b", "4,x,6:b", r"line 11, dimension 0: 'x' is not a number"),
        ("4,5,6:b", "4,5,6:7,8,9:b", r"line 11: expected 1 dimension\(s\) .* found 2"),
        ("4,5,6:b", "4,5:b", r"@equalLength true, but case 1 has 2 steps, not 3"),
        ("@problemName Toy", "1,2:a\n@problemName Toy", r"line 2: expected a header line"),
        ("@timeStamps false", "@timeStamps true", r"@timeStamps true is not supported"),
        ("@classLabel true a b", "@targetLabel true", r"line 8: @targetLabel marks a regression"),
    ],
)
def test_malformed_files_are_named_with_the_line(old: str, new: str, message: str) -> None:
    assert old in EQUAL
    with pytest.raises(SeqpredictError, match=message):
        parse_ts(EQUAL.replace(old, new), "toy.ts")


def test_dimensions_of_one_case_must_have_one_length() -> None:
    with pytest.raises(SeqpredictError, match=r"line 9: .* one length, found \[3, 2\]"):
        parse_ts(UNEQUAL_MULTI.replace("1,2,3:10,20,30:3", "1,2,3:10,20:3"), "v.ts")


def test_no_data_or_no_cases_is_an_error() -> None:
    header = EQUAL.split("@data")[0]
    with pytest.raises(SeqpredictError, match="no @data line after the header"):
        parse_ts(header)
    with pytest.raises(SeqpredictError, match="no cases after @data"):
        parse_ts(header + "@data\n")


def test_read_ucr_takes_ts_files_and_names_unsupported_formats(tmp_path: Path) -> None:
    (tmp_path / "Toy").mkdir()
    for part in ("TRAIN", "TEST"):
        (tmp_path / "Toy" / f"Toy_{part}.ts").write_text(UNEQUAL_MULTI)
    train, test = load_ucr("Toy", tmp_path)
    assert [x.shape for x in train.X] == [(3, 2), (2, 2)] and test.y.tolist() == [3, 1]
    renamed = tmp_path / "toy.txt"  # a .ts file under another name is told by its header
    renamed.write_text(UNEQUAL_MULTI)
    assert read_ucr(renamed).y.tolist() == [3, 1]
    arff = tmp_path / "Toy_TRAIN.arff"
    arff.write_text("@relation Toy\n@attribute att0 numeric\n@data\n1,2\n")
    with pytest.raises(SeqpredictError, match=r"the \.arff format is not supported; supported: "):
        read_ucr(arff)
    with pytest.raises(SeqpredictError, match=r"\.arff format \(Weka\) is not supported"):
        parse_ucr(arff.read_text(), "Toy_TRAIN.arff")
    other = tmp_path / "Toy.json"
    other.write_text('{"x": 1}')
    with pytest.raises(SeqpredictError, match=r"the \.json format is not supported; .*\.ts "):
        read_ucr(other)


AEON = importlib.util.find_spec("aeon")
SHIPPED = [  # (set, train cases, test cases, dimensions, lengths of the train cases, classes)
    ("BasicMotions", 40, 40, 6, {100}, 4),
    ("JapaneseVowels", 270, 370, 12, set(range(7, 27)), 9),
    ("PickupGestureWiimoteZ", 50, 50, 1, None, 10),
    ("ItalyPowerDemand", 67, 1029, 1, {24}, 2),
]


@pytest.mark.skipif(AEON is None, reason="aeon (the optional bench extra) is not installed")
@pytest.mark.parametrize(("name", "n_train", "n_test", "dims", "lengths", "classes"), SHIPPED)
def test_real_ts_files_shipped_by_aeon(name, n_train, n_test, dims, lengths, classes) -> None:
    root = Path(AEON.origin).parent / "datasets" / "data"
    train, test = load_ucr(name, root)
    assert (len(train.X), len(test.X)) == (n_train, n_test)
    assert {x.shape[1] for x in train.X + test.X} == {dims}
    if lengths is not None:
        assert {len(x) for x in train.X} <= lengths
    else:  # unequal lengths
        assert len({len(x) for x in train.X}) > 1
    assert len(set(train.y.tolist())) == classes
