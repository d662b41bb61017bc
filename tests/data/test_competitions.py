"""M4 and Tourism file loaders: layout, long table, and errors naming file and column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from seqpredict.data.competitions import load_competition, load_m4, load_tourism
from seqpredict.errors import SeqpredictError


def _m4(tmp_path: Path, train: str, test: str) -> tuple[Path, Path]:
    (tmp_path / "tr.csv").write_text(train)
    (tmp_path / "te.csv").write_text(test)
    return tmp_path / "tr.csv", tmp_path / "te.csv"


TEST_ROW = ",".join(f'"{v}"' for v in range(13))


def test_m4_rows_are_cut_at_their_padding(tmp_path: Path) -> None:
    tr, te = _m4(
        tmp_path,
        '"V1","V2","V3","V4"\n"W1","1","2","3"\n"W2","5","6",\n',
        '"V1",'
        + ",".join(f'"V{i}"' for i in range(2, 15))
        + f'\n"W1",{TEST_ROW}\n"W2",{TEST_ROW}\n',
    )
    s = load_m4(tr, te, frequency="Weekly")
    assert s.ids == ("W1", "W2") and s.season == 1 and s.horizon == 13
    assert [x.tolist() for x in s.train] == [[1, 2, 3], [5, 6]]
    long = s.long_frame("test")
    assert long.columns.tolist() == ["id", "time", "value"] and len(long) == 26
    assert long.time.iloc[0] == 3 and long.time.iloc[13] == 2  # continues each series' count


def test_m4_errors_name_file_and_series(tmp_path: Path) -> None:
    header = '"V1",' + ",".join(f'"V{i}"' for i in range(2, 15))
    tr, te = _m4(tmp_path, '"V1","V2","V3"\n"W1","1",\n', f'{header}\n"W1",{TEST_ROW}\n')
    assert len(load_m4(tr, te).train[0]) == 1
    tr, te = _m4(tmp_path, '"V1","V2","V3","V4"\n"W1",,"2","3"\n', f'{header}\n"W1",{TEST_ROW}\n')
    with pytest.raises(SeqpredictError, match=r"tr.csv, series 'W1': values must be contiguous"):
        load_m4(tr, te)
    tr, te = _m4(tmp_path, '"V1","V2"\n"W1","x"\n', f'{header}\n"W1",{TEST_ROW}\n')
    with pytest.raises(SeqpredictError, match="tr.csv: expected numbers"):
        load_m4(tr, te)
    tr, te = _m4(tmp_path, '"V1","V2"\n"W1","1"\n', '"V1","V2"\n"W1","1"\n')
    with pytest.raises(SeqpredictError, match="te.csv, series 'W1': expected 13 test values"):
        load_m4(tr, te)
    tr, te = _m4(tmp_path, '"V1","V2"\n"W1","1"\n', f'{header}\n"W9",{TEST_ROW}\n')
    with pytest.raises(SeqpredictError, match="te.csv: series ids differ"):
        load_m4(tr, te)
    with pytest.raises(SeqpredictError, match="`frequency` must be one of"):
        load_m4(tr, te, frequency="weekly")
    with pytest.raises(SeqpredictError, match="competition file .*nowhere.csv not found"):
        load_m4(tmp_path / "nowhere.csv", te)


def _tourism(tmp_path: Path, columns: dict[str, list[float]], name: str) -> Path:
    width = max(len(v) for v in columns.values())
    lines = [",".join(columns)]
    for i in range(width):
        lines.append(",".join(str(v[i]) if i < len(v) else "" for v in columns.values()))
    (tmp_path / name).write_text("\n".join(lines) + "\n")
    return tmp_path / name


def test_tourism_columns_with_header_rows(tmp_path: Path) -> None:
    oos = {"q1": [8, 2001, 1, *range(8)], "q2": [8, 2001, 3, *range(8)]}
    ins = _tourism(tmp_path, {"q1": [3, 2000, 2, 5, 6, 7], "q2": [2, 2000, 4, 1, 2]}, "in.csv")
    s = load_tourism(ins, _tourism(tmp_path, oos, "oos.csv"), frequency="quarterly")
    assert s.season == 4 and s.horizon == 8 and s.ids == ("q1", "q2")
    assert [x.tolist() for x in s.train] == [[5, 6, 7], [1, 2]]
    assert np.array_equal(s.test[1], np.arange(8))
    bad = _tourism(tmp_path, {"q1": [4, 2000, 2, 5, 6, 7], "q2": [2, 2000, 4, 1, 2]}, "bad.csv")
    with pytest.raises(SeqpredictError, match="bad.csv, column 'q1': its first row says 4 values"):
        load_tourism(bad, tmp_path / "oos.csv", frequency="quarterly")
    with pytest.raises(SeqpredictError, match="oos.csv, column 'q1': expected 24 test values"):
        load_tourism(ins, tmp_path / "oos.csv", frequency="monthly")
    with pytest.raises(SeqpredictError, match="unknown competition set 'm5'"):
        load_competition("m5", tmp_path)


def test_real_sets_load(shared_data: Path) -> None:
    sizes = {"m4-weekly": (359, 13), "tourism-monthly": (366, 24), "tourism-quarterly": (427, 8)}
    for name, (count, horizon) in sizes.items():
        s = load_competition(name, shared_data)
        assert (len(s), s.horizon) == (count, horizon)
        assert all(len(y) == horizon for y in s.test)
