"""Pretrained models shipped with the package: ``list()``, ``info(name)``, ``load(name)``,
``evaluate(name, data_root)``.

Each model is a directory ``seqpredict/pretrained/models/<name>/`` holding the saved model
(``config.json`` + ``model.safetensors``, as the task's ``save`` writes it) and ``manifest.json``:

- ``name``, ``kind`` (forecaster, classifier, detector, ...), ``description``;
- ``loader``: ``"module:Attr.method"`` that rebuilds the model from the directory (default per
  kind in :data:`LOADERS`); ``evaluator``: ``"module:function"`` taking (model, manifest,
  data_root) and returning the metric (default per kind in :data:`EVALUATORS`);
- ``data``: the public data set (file relative to a data root, source, licence, split rows);
- ``metric``: ``{"name", "value", "split", ...}`` measured by the training script on held-out
  rows, which ``evaluate`` reproduces;
- ``training``: the command of ``scripts/train_pretrained.py`` that wrote it.

Loaders and evaluators are imported only when used, so a kind's task module (say a classifier)
is needed only to load that kind. To add a model, write its directory (the training script does)
and, for a new kind, name its loader and evaluator in the manifest.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seqpredict.errors import SeqpredictError, closest

MODELS_DIR = Path(__file__).parent / "models"
MANIFEST = "manifest.json"
MAX_BYTES = 2_000_000  # each shipped model stays under 2 MB

LOADERS = {
    "forecaster": "seqpredict.tasks.forecaster:Forecaster.load",
    "classifier": "seqpredict.tasks.classifier:SequenceClassifier.load",
    "detector": "seqpredict.pretrained.evaluators:load_detector",
}
EVALUATORS = {
    "forecaster": "seqpredict.pretrained.evaluators:evaluate_forecaster",
    "classifier": "seqpredict.pretrained.evaluators:evaluate_classifier",
    "detector": "seqpredict.pretrained.evaluators:evaluate_detector",
}


@dataclass(frozen=True)
class ModelInfo:
    name: str
    kind: str
    description: str
    path: Path
    manifest: dict[str, Any]

    @property
    def metric(self) -> dict[str, Any]:
        return self.manifest["metric"]


def list_models() -> list[ModelInfo]:
    """Every shipped model, sorted by name."""
    if not MODELS_DIR.is_dir():
        return []
    return [info(p.name) for p in sorted(MODELS_DIR.iterdir()) if (p / MANIFEST).is_file()]


list = list_models  # noqa: A001  (the registry's public name: seqpredict.pretrained.list())


def names() -> tuple[str, ...]:
    if not MODELS_DIR.is_dir():
        return ()
    return tuple(sorted(p.name for p in MODELS_DIR.iterdir() if (p / MANIFEST).is_file()))


def info(name: str) -> ModelInfo:
    """The manifest of one shipped model."""
    path = MODELS_DIR / name
    if not (path / MANIFEST).is_file():
        known = names()
        raise SeqpredictError(
            f"`name`: no pretrained model {name!r}; available: {', '.join(known) or 'none'}."
            + closest(name, known)
        )
    manifest = json.loads((path / MANIFEST).read_text())
    return ModelInfo(name, manifest["kind"], manifest.get("description", ""), path, manifest)


def resolve(spec: str) -> Any:
    """``"package.module:Attr.attr"`` -> the object (imported now, not before)."""
    module_name, _, attrs = spec.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in attrs.split("."):
        obj = getattr(obj, part)
    return obj


def _spec(model: ModelInfo, key: str, defaults: dict[str, str]) -> str:
    spec = model.manifest.get(key) or defaults.get(model.kind)
    if spec is None:
        raise SeqpredictError(
            f"pretrained model {model.name!r} of kind {model.kind!r} names no {key!r} in its "
            f"manifest and there is no default for that kind (defaults: {sorted(defaults)})."
        )
    return spec


def load(name: str, device: str = "cpu") -> Any:
    """Load a shipped model with its kind's loader (e.g. a fitted ``Forecaster``)."""
    model = info(name)
    return resolve(_spec(model, "loader", LOADERS))(model.path, device=device)


def evaluate(name: str, data_root: str | Path) -> float:
    """Recompute the recorded metric of ``name`` on its data under ``data_root`` (a folder
    holding the manifest's ``data.file``)."""
    model = info(name)
    evaluator = resolve(_spec(model, "evaluator", EVALUATORS))
    return float(evaluator(load(name), model.manifest, Path(data_root)))


__all__ = ["ModelInfo", "evaluate", "info", "list", "list_models", "load", "names"]
