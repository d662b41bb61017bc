"""Fenced code blocks of Markdown pages: which run, which are shown only.

```python blocks run in order in one namespace per page; ```bash / ```console blocks contribute
their lines that start with ``seqpredict``; ```text and every other language are shown only. An
HTML comment ``<!-- not-run: reason -->`` on the line before a block keeps it from running
(for commands a test cannot run, e.g. torchrun across machines); the reason is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)")
NOT_RUN = re.compile(r"^\s*<!--\s*not-run:\s*(?P<reason>.*?)\s*-->\s*$")
SHELL_LANGS = {"bash", "sh", "shell", "console"}


@dataclass(frozen=True)
class Block:
    """One fenced block: its language, first code line (1-based) and text."""

    lang: str
    line: int
    code: str
    not_run: str | None = None  # the reason given by a not-run marker

    @property
    def runs(self) -> bool:
        return self.not_run is None and (
            self.lang == "python" or (self.lang in SHELL_LANGS and bool(self.commands()))
        )

    def commands(self) -> list[str]:
        """The ``seqpredict ...`` command lines of a shell block (continuations joined,
        a leading ``$ `` prompt dropped)."""
        if self.lang not in SHELL_LANGS:
            return []
        joined = re.sub(r"\s*\\\n\s*", " ", self.code)
        out = []
        for raw in joined.splitlines():
            line = raw.strip().removeprefix("$ ").strip()
            if line.startswith("seqpredict ") or line == "seqpredict":
                out.append(line)
        return out


def extract(text: str) -> list[Block]:
    """Every fenced block of a Markdown text, in order."""
    lines = text.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, lang = m["fence"], m["lang"].lower()
        prev = next((p for p in reversed(lines[:i]) if p.strip()), "")
        marker = NOT_RUN.match(prev)
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(fence):
            body.append(lines[j][len(m["indent"]) :] if m["indent"] else lines[j])
            j += 1
        blocks.append(
            Block(lang, i + 2, "\n".join(body) + "\n", marker["reason"] if marker else None)
        )
        i = j + 1
    return blocks


def needs_shared_data(blocks: list[Block]) -> bool:
    """Whether a page's runnable blocks read ../shared/data (through $SEQPREDICT_DATA or
    ``datasets get``, which the docs tests point at it)."""
    markers = ("SEQPREDICT_DATA", "datasets get", "datasets.get(", "datasets import get")
    return any(b.runs and any(m in b.code for m in markers) for b in blocks)


def pages(root: Path) -> list[Path]:
    """README.md and every docs/*.md of the repository at ``root``."""
    found = sorted((root / "docs").glob("*.md"))
    readme = root / "README.md"
    return ([readme] if readme.exists() else []) + found
