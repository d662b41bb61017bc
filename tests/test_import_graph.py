"""The import graph of the library: layers point one way, no cycles, no private names across
modules (docs/architecture.md). Read from the source with ``ast``; nothing is imported."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import seqpredict

SRC = Path(seqpredict.__file__).parent

# A package may import from the ones listed, never from those above it (cli is the top floor).
LOWER_FLOORS = ("data", "models", "reference", "metrics")
NOT_BELOW = ("tasks", "training", "runs", "report", "cli", "anomaly", "explain", "tune")


@dataclass
class Module:
    name: str  # dotted, e.g. seqpredict.tasks.forecaster
    path: Path
    tree: ast.Module
    imports: list[tuple[str, int, bool]] = field(default_factory=list)  # (module, line, top)
    names: list[tuple[str, str, int]] = field(default_factory=list)  # (module, name, line)


def _module_name(path: Path) -> str:
    parts = ("seqpredict", *path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(module: Module, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.name.split(".")
    if module.path.name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _modules() -> dict[str, Module]:
    found: dict[str, Module] = {}
    for path in sorted(SRC.rglob("*.py")):
        mod = Module(_module_name(path), path, ast.parse(path.read_text(), str(path)))
        top_level = {id(n) for n in mod.tree.body}
        for node in ast.walk(mod.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    mod.imports.append((alias.name, node.lineno, id(node) in top_level))
            elif isinstance(node, ast.ImportFrom):
                target = _resolve(mod, node)
                mod.imports.append((target, node.lineno, id(node) in top_level))
                for alias in node.names:
                    mod.names.append((target, alias.name, node.lineno))
        found[mod.name] = mod
    return found


MODULES = _modules()


def _floor(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


def _where(mod: Module, line: int) -> str:
    return f"{mod.path.relative_to(SRC.parent)}:{line}"


def test_the_graph_was_read() -> None:
    assert "seqpredict.tasks.forecaster" in MODULES
    imports = MODULES["seqpredict.tasks.forecaster"].imports
    assert any(target.startswith("seqpredict.data") for target, _, _ in imports)


def test_no_library_module_imports_the_cli() -> None:
    bad = [
        f"{_where(m, line)} imports {target}"
        for m in MODULES.values()
        if _floor(m.name) != "cli" and m.name != "seqpredict.__main__"  # the entry point
        for target, line, _ in m.imports
        if target == "seqpredict.cli" or target.startswith("seqpredict.cli.")
    ]
    assert not bad, "the library imports the CLI:\n" + "\n".join(bad)


@pytest.mark.parametrize("floor", LOWER_FLOORS)
def test_lower_floors_know_nothing_of_the_upper_ones(floor: str) -> None:
    bad = [
        f"{_where(m, line)} imports {target}"
        for m in MODULES.values()
        if _floor(m.name) == floor
        for target, line, _ in m.imports
        if target.startswith("seqpredict.") and _floor(target) in NOT_BELOW
    ]
    assert not bad, f"{floor}/ imports an upper floor:\n" + "\n".join(bad)


def _private_definitions() -> dict[str, set[str]]:
    """Private names (one leading underscore) each module defines: functions, classes,
    methods, module globals and ``self._x`` attributes."""
    out: dict[str, set[str]] = {}
    for m in MODULES.values():
        names: set[str] = set()
        for node in ast.walk(m.tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
        out[m.name] = {n for n in names if n.startswith("_") and not n.startswith("__")}
    return out


def test_no_private_name_is_used_across_modules() -> None:
    defined = _private_definitions()
    elsewhere: dict[str, set[str]] = {}
    for name, privs in defined.items():
        for p in privs:
            elsewhere.setdefault(p, set()).add(name)
    bad = []
    for m in MODULES.values():
        for target, name, line in m.names:  # from seqpredict.x import _y
            private = name.startswith("_") and not name.startswith("__")
            if target.startswith("seqpredict") and private and target != m.name:
                bad.append(f"{_where(m, line)} imports {target}.{name}")
        for node in ast.walk(m.tree):  # obj._y where _y is another module's private name
            if not (isinstance(node, ast.Attribute) and node.attr in elsewhere):
                continue
            if node.attr.startswith("__") or node.attr in defined[m.name]:
                continue
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                continue
            owners = ", ".join(sorted(elsewhere[node.attr]))
            bad.append(f"{_where(m, node.lineno)} uses {node.attr} (private to {owners})")
    assert not bad, "private names used across modules:\n" + "\n".join(bad)


def test_no_import_cycle() -> None:
    """Module-level imports between library modules form no cycle (a function-level import
    that breaks one would still be a cycle of meaning, so they count too; a package's
    __init__ re-exporting its own modules does not)."""
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for m in MODULES.values():
        for target, _, _ in m.imports:
            while target and target not in MODULES:  # seqpredict.x.Name -> seqpredict.x
                target = target.rpartition(".")[0]
            if not target or target == m.name:
                continue
            if m.path.name == "__init__.py" and target.startswith(m.name + "."):
                continue  # a package re-exports its own modules
            if MODULES[target].path.name == "__init__.py" and m.name.startswith(target + "."):
                continue  # a module imports a name from its own package's __init__
            graph[m.name].add(target)
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)
