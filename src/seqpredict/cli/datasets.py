"""`seqpredict datasets get NAME` / `datasets list`: public data sets, checksum-verified."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer

from seqpredict.cli import forecast as _forecast
from seqpredict.cli.app import app, console, print_table
from seqpredict.datasets.public import SOURCE_ENV, RemoteFile, datasets_dir, get, registry

datasets_app = typer.Typer(
    help="Public data sets: list them, or download one into the cache (checksum-verified).",
    invoke_without_command=True,
)
app.add_typer(datasets_app, name="datasets")


@datasets_app.callback()
def _default(ctx: typer.Context) -> None:
    """Without a subcommand: the same as `datasets list`."""
    if ctx.invoked_subcommand is None:
        list_sets()


@datasets_app.command("list")
def list_sets() -> None:
    """The bundled demo data and the public sets `datasets get` downloads."""
    _forecast.list_datasets()
    rows = [
        {
            "name": d.name,
            "description": d.description,
            "files": len(d.files),
            "MB": round(sum(f.bytes for f in d.files) / 1e6, 1),
            "licence": d.licence,
        }
        for d in registry().values()
    ]
    print_table(
        pd.DataFrame(rows), f"Public data sets (seqpredict datasets get NAME -> {datasets_dir()})"
    )


@datasets_app.command("get")
def get_set(
    name: str = typer.Argument(..., help="data set name (see `seqpredict datasets list`)"),
    source: str | None = typer.Option(
        None,
        "--from",
        help=f"a local mirror (folder or file:// URL, same layout) instead of the original "
        f"location; default ${SOURCE_ENV} if set",
    ),
    to: Path | None = typer.Option(
        None, help="also copy the files here (same layout, e.g. DIR/ett/ETTh1.csv)"
    ),
) -> None:
    """Download a public data set into the cache, verify its sha256 checksums, print its
    licence and citation."""

    def report(file: RemoteFile, status: str) -> None:
        console.print(f"{status:>7}  {file.path}  ({file.bytes:,} bytes, sha256 ok)")

    folder = get(name, source=source, to=to, on_file=report)
    info = registry()[name.lower()]
    console.print(f"[bold]{info.name}[/bold]: {info.description}")
    console.print(f"licence: {info.licence}")
    console.print(f"cite: {info.citation}")
    console.print(f"files in [bold]{folder}[/bold]", soft_wrap=True)
