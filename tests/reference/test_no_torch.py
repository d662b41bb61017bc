"""The NumPy core of seqpredict.reference never imports torch."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import seqpredict

PKG_DIR = Path(seqpredict.__file__).parent
REF_DIR = PKG_DIR / "reference"
TORCH_ALLOWED = {"convert.py"}  # imports torch lazily, inside functions


def _top_level_imports(path: Path) -> set[str]:
    """Root names imported at module level (not inside functions or TYPE_CHECKING)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_core_modules_import_no_torch_at_all() -> None:
    core = [p for p in REF_DIR.glob("*.py") if p.name not in TORCH_ALLOWED]
    assert len(core) >= 5
    for path in core:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                assert all(a.name.split(".")[0] != "torch" for a in node.names), path.name
            if isinstance(node, ast.ImportFrom):
                assert (node.module or "").split(".")[0] != "torch", path.name


def test_convert_imports_torch_only_lazily() -> None:
    assert "torch" not in _top_level_imports(REF_DIR / "convert.py")


def test_importing_the_package_loads_no_torch() -> None:
    """Import seqpredict.reference with the parent package's __init__ (which loads torch for the
    Forecaster) bypassed, so the check sees only what the reference itself pulls in."""
    code = (
        "import sys, types\n"
        f"pkg = types.ModuleType('seqpredict'); pkg.__path__ = [{str(PKG_DIR)!r}]\n"
        "sys.modules['seqpredict'] = pkg\n"
        "import seqpredict.reference, seqpredict.reference.worked_example\n"
        "assert 'numpy' in sys.modules\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
