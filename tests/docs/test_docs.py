"""Run the code of README.md and every docs/*.md page: one test per page, named by its file.

Python blocks of a page run in order in one namespace; ``seqpredict ...`` lines of bash blocks
run through the installed console script (``python -m seqpredict`` when it is not on disk). The
working directory is a fresh temporary directory, ``SEQPREDICT_DATA`` points at ../shared/data
and ``seqpredict datasets get`` copies from there (``SEQPREDICT_DATASETS_FROM``), never the
network; a page that reads either is skipped, with the reason, when the data is absent.
Tracebacks name the page and the line of the failing statement.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from tests.conftest import shared_data_dir
from tests.docs.blocks import Block, extract, needs_shared_data, pages

ROOT = Path(__file__).resolve().parents[2]
PAGES = pages(ROOT)
COMMAND_TIMEOUT_S = 300


def _seqpredict_prefix() -> str:
    script = shutil.which("seqpredict", path=str(Path(sys.executable).parent))
    return shlex.quote(script) if script else f"{shlex.quote(sys.executable)} -m seqpredict"


def _run_python(block: Block, page: Path, namespace: dict) -> None:
    # Pad so that line numbers in tracebacks are the page's own lines.
    source = "\n" * (block.line - 1) + block.code
    exec(compile(source, str(page), "exec"), namespace)  # noqa: S102 - the docs are the test


def _run_commands(block: Block, page: Path, cwd: Path) -> None:
    prefix = _seqpredict_prefix()
    for line in block.commands():
        command = prefix + line[len("seqpredict") :]
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=cwd,
            env=os.environ.copy(),
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
        )
        if done.returncode != 0:
            pytest.fail(
                f"{page.name} line {block.line}: `{line}` exited {done.returncode}\n"
                f"--- stdout\n{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-3000:]}",
                pytrace=False,
            )


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_code_runs(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    blocks = extract(page.read_text(encoding="utf-8"))
    for block in blocks:
        if block.not_run is not None:
            request.node.user_properties.append(
                ("not-run", f"{page.name} line {block.line}: {block.not_run}")
            )
    runnable = [b for b in blocks if b.runs]
    if not runnable:
        pytest.skip(f"{page.name} has no python block and no `seqpredict` command")
    if needs_shared_data(blocks):
        data = request.getfixturevalue("shared_data")  # skips with the reason when absent
    else:
        data = shared_data_dir() or tmp_path / "no-shared-data"
    monkeypatch.setenv("SEQPREDICT_DATA", str(data))
    monkeypatch.setenv("SEQPREDICT_DATASETS_FROM", str(data))  # `datasets get`: the local copies
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("SEQPREDICT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # tiny nets: threads only add contention
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    request.addfinalizer(lambda: torch.set_num_threads(threads))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    namespace: dict = {"__name__": f"docs_{page.stem}"}
    for block in runnable:
        if block.lang == "python":
            _run_python(block, page, namespace)
        else:
            _run_commands(block, page, work)
