"""Compiled CPU kernels, built on this machine from C++ sources shipped in this package.

The GRU training path (``seqpredict.models.fast_gru``) runs its recurrence in C++ when the
kernel is built, and in Python (the same algorithm, slower by the per-step operator dispatch)
when it is not. Building needs a C++ compiler, the Python headers and ``ninja``; ``make setup``
does it once (``python -m seqpredict.native build``, under a minute), and the result is cached
per torch version and source hash, so importing seqpredict never compiles anything.

    python -m seqpredict.native status   # is the kernel built, where, or why not
    python -m seqpredict.native build    # build it now

``SEQPREDICT_NATIVE=0`` turns the compiled path off; ``SEQPREDICT_NATIVE_DIR`` moves the cache
(default ``~/.cache/seqpredict/native``).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.machinery
import importlib.util
import os
import platform
import sys
import time
from pathlib import Path
from types import ModuleType

import torch

SOURCE = Path(__file__).with_name("gru.cpp")
# -ffast-math lets gcc vectorise exp/tanh through glibc's libmvec; -march=native builds for this
# CPU, so the cache tag below includes the CPU's identity.
CFLAGS = ["-O3", "-ffast-math", "-fopenmp-simd", "-march=native"]
_loaded: ModuleType | None = None
_reason = "not built yet: run `python -m seqpredict.native build` (make setup does)"


def enabled() -> bool:
    """False when the environment variable SEQPREDICT_NATIVE is 0/false/no/off."""
    return os.environ.get("SEQPREDICT_NATIVE", "1").strip().lower() not in {
        "0",
        "false",
        "no",
        "off",
    }


KEYS = ("model name", "flags")  # what identifies the CPU the kernel was built for


def _cpu() -> str:
    try:
        info = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.machine() + platform.processor()
    first = {key: next((line for line in info if line.startswith(key)), "") for key in KEYS}
    return "".join(first.values())


@functools.cache
def _tag() -> str:
    key = SOURCE.read_bytes() + " ".join(CFLAGS).encode() + _cpu().encode()
    digest = hashlib.sha256(key).hexdigest()[:12]
    py = f"py{sys.version_info.major}{sys.version_info.minor}"
    return f"{torch.__version__.replace('+', '_')}-{py}-{digest}"


def name() -> str:
    """Module name of the built extension (changes with the source, so old builds never load)."""
    return "seqpredict_gru_" + _tag().rsplit("-", 1)[1]


def build_dir() -> Path:
    root = (
        os.environ.get("SEQPREDICT_NATIVE_DIR") or Path.home() / ".cache" / "seqpredict" / "native"
    )
    return Path(root) / _tag()


def library_path() -> Path:
    return build_dir() / f"{name()}.so"  # the name torch.utils.cpp_extension.load gives it


def _import(path: Path) -> ModuleType:
    loader = importlib.machinery.ExtensionFileLoader(name(), str(path))
    spec = importlib.util.spec_from_file_location(name(), path, loader=loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def get() -> ModuleType | None:
    """The built kernel module, or None (never compiles; see :func:`reason`)."""
    global _loaded, _reason
    if not enabled():
        return None
    if _loaded is None and library_path().exists():
        try:
            _loaded = _import(library_path())
        except (ImportError, OSError) as err:  # built for another torch/python: rebuild
            _reason = f"could not load {library_path()}: {err}"
    return _loaded


def reason() -> str:
    """Why :func:`get` returns None (or where the loaded kernel lives)."""
    if not enabled():
        return "turned off by SEQPREDICT_NATIVE=0"
    return f"loaded from {library_path()}" if _loaded is not None else _reason


def build(verbose: bool = False) -> ModuleType | None:
    """Compile the kernel into :func:`build_dir` unless it is there already; None on failure."""
    global _loaded, _reason
    if get() is not None:
        return _loaded
    from torch.utils import cpp_extension

    bin_dir = str(Path(sys.executable).parent)  # pip's ninja lives beside the interpreter
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    try:
        build_dir().mkdir(parents=True, exist_ok=True)
        _loaded = cpp_extension.load(
            name=name(),
            sources=[str(SOURCE)],
            extra_cflags=CFLAGS,
            build_directory=str(build_dir()),
            verbose=verbose,
        )
    except (RuntimeError, OSError, ImportError, SystemExit) as err:
        _reason = f"build failed ({type(err).__name__}): {str(err).strip()[-800:]}"
        return None
    return _loaded


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else "status"
    if command not in {"build", "status"}:
        print(f"usage: python -m seqpredict.native [build|status]; got {command!r}")
        return 2
    if command == "build":
        start = time.perf_counter()
        module = build(verbose="-v" in args)
        took = time.perf_counter() - start
        print(f"seqpredict native GRU kernel: {'ready' if module else 'NOT built'} ({took:.1f} s)")
    get()  # status: load a built kernel so that reason() can say where it is
    print(f"seqpredict native GRU kernel: {reason()}")
    return 0 if get() is not None or command == "status" else 1


if __name__ == "__main__":
    raise SystemExit(main())
