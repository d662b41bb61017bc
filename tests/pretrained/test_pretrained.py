"""Shipped pretrained models: each loads, stays under 2 MB and reproduces its recorded metric."""

from __future__ import annotations

import json

import pytest

from seqpredict import pretrained
from seqpredict.cli import main
from seqpredict.errors import SeqpredictError

SHIPPED = pretrained.names()


def test_registry_lists_the_shipped_models() -> None:
    assert "etth1-ot-gru" in SHIPPED
    for model in pretrained.list():
        assert model.kind in ("forecaster", "classifier", "detector")
        assert {"name", "value", "split"} <= set(model.metric)
        assert model.manifest["data"]["file"] and model.manifest["training"]["command"]
        size = sum(p.stat().st_size for p in model.path.iterdir())
        assert size < pretrained.MAX_BYTES, (model.name, size)


@pytest.mark.parametrize("name", SHIPPED)
def test_model_reproduces_its_recorded_metric(name: str, shared_data) -> None:
    recorded = pretrained.info(name).metric["value"]
    assert pretrained.evaluate(name, shared_data) == pytest.approx(recorded, rel=1e-4)


def test_forecasters_beat_naive_as_recorded() -> None:
    forecasters = [m for m in pretrained.list() if m.kind == "forecaster"]
    assert forecasters
    for model in forecasters:
        assert model.metric["value"] < model.metric["baselines_mse"]["naive"], model.name


def test_unknown_name_and_missing_loader(tmp_path, monkeypatch) -> None:
    with pytest.raises(SeqpredictError, match="no pretrained model 'etth1-ot-gr'.*Did you mean"):
        pretrained.load("etth1-ot-gr")
    fake = tmp_path / "models" / "nab-x"
    fake.mkdir(parents=True)
    (fake / "manifest.json").write_text(json.dumps({"name": "nab-x", "kind": "segmenter"}))
    monkeypatch.setattr(pretrained, "MODELS_DIR", tmp_path / "models")
    assert pretrained.names() == ("nab-x",)
    with pytest.raises(SeqpredictError, match="kind 'segmenter' names no 'loader'"):
        pretrained.load("nab-x")


def test_cli_list_and_predict(shared_data, tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["pretrained", "list"])
    assert exc.value.code == 0 and "etth1-ot-gru" in capsys.readouterr().out
    data = tmp_path / "recent.csv"
    lines = (shared_data / "ett" / "ETTh1.csv").read_text().splitlines()
    data.write_text("\n".join(lines[:1] + lines[1000:1200]) + "\n")
    out = tmp_path / "f.csv"
    with pytest.raises(SystemExit) as exc:
        main(["pretrained", "predict", "etth1-ot-gru", str(data), "--out", str(out)])
    assert exc.value.code == 0
    rows = out.read_text().splitlines()
    assert rows[0] == "date,OT" and len(rows) == 25


def test_models_saved_before_the_loss_setting_load_with_mse() -> None:
    from seqpredict.config import TrainConfig

    assert TrainConfig().loss == "mae"  # the default since the competition benchmarks
    saved = json.loads((pretrained.info("etth1-ot-gru").path / "config.json").read_text())
    assert "loss" not in saved["training"]  # written before the setting existed
    assert pretrained.load("etth1-ot-gru").training.loss == "mse"  # what it was trained on
