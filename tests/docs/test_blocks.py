"""The docs harness' parser: which blocks run, where they start, why some do not."""

from __future__ import annotations

from tests.docs.blocks import extract, needs_shared_data

PAGE = """# Title

```python
x = 1
```

```text
not code
```

```bash
make demo
seqpredict forecast a.csv --target y \\
    --horizon 3   # comment
$ seqpredict datasets
```

<!-- not-run: needs two machines -->
```bash
seqpredict forecast big.csv --target y
```

```python
y = "$SEQPREDICT_DATA"
```
"""


def test_extract_languages_lines_and_markers() -> None:
    blocks = extract(PAGE)
    assert [b.lang for b in blocks] == ["python", "text", "bash", "bash", "python"]
    assert blocks[0].line == 4 and blocks[0].code == "x = 1\n"
    assert [b.runs for b in blocks] == [True, False, True, False, True]
    assert blocks[3].not_run == "needs two machines"
    assert blocks[0].not_run is None


def test_shell_commands_join_continuations_and_drop_prompts() -> None:
    commands = extract(PAGE)[2].commands()
    assert commands == [
        "seqpredict forecast a.csv --target y --horizon 3   # comment",
        "seqpredict datasets",
    ]


def test_shared_data_need_is_seen_only_in_blocks_that_run() -> None:
    blocks = extract(PAGE)
    assert needs_shared_data(blocks)
    assert not needs_shared_data(blocks[:4])


def test_datasets_get_counts_as_reading_the_shared_data() -> None:
    shell = extract("```bash\nseqpredict datasets get ett --to data\n```\n")
    python = extract("```python\nfrom seqpredict.datasets import get\n```\n")
    listing = extract("```bash\nseqpredict datasets list\n```\n")
    assert needs_shared_data(shell) and needs_shared_data(python)
    assert not needs_shared_data(listing)
