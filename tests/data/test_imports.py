"""The data floor's import rules, by an AST scan of the modules this floor's redesign touched:
no private name imported across modules, no library module importing the CLI, and the
forecaster and its backtest do not import each other both ways."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "seqpredict"
MODULES = [
    "data/series.py",
    "data/io.py",
    "data/labelled.py",
    "data/augment.py",
    "configfile.py",
    "evaluation/forecasts.py",
    "tasks/forecaster.py",
    "tasks/backtest.py",
    "tasks/classifier.py",
    "models/classifier.py",
    "explain/run.py",
    "tune/search.py",
    "analysis/compare.py",
]


def imports(path: Path) -> list[tuple[str, str | None]]:
    """(module, name) for every import in the file, nested ones included."""
    out: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            out += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            out += [(alias.name, None) for alias in node.names]
    return out


@pytest.mark.parametrize("module", MODULES)
def test_no_private_name_across_modules_and_no_cli_import(module: str) -> None:
    found = imports(SRC / module)
    private = [f"{m}.{n}" for m, n in found if m.startswith("seqpredict") and n and n[0] == "_"]
    assert not private, f"{module} imports private names {private}"
    cli = [m for m, _ in found if m.startswith("seqpredict.cli")]
    assert not cli, f"{module} (library) imports the CLI: {cli}"


def test_backtest_does_not_import_the_forecaster() -> None:
    assert all(
        not m.startswith("seqpredict.tasks.forecaster")
        for m, _ in imports(SRC / "tasks" / "backtest.py")
    )


def test_explain_uses_no_private_forecaster_attribute() -> None:
    tree = ast.parse((SRC / "explain" / "run.py").read_text())
    private = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "forecaster"
        and node.attr.startswith("_")
    }
    assert not private
