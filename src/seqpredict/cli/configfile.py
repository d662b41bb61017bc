"""``--config FILE``: option values from a JSON file (e.g. the best trial of ``seqpredict tune``).

The file format and its reading are the library's (``seqpredict.configfile``). A flag given on
the command line wins over the file; the file wins over the defaults.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from seqpredict.configfile import read_config_file
from seqpredict.errors import SeqpredictError, closest


def _is_path(annotation: Any) -> bool:
    return annotation is Path or Path in typing.get_args(annotation)


def config_file_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--config FILE`` to a typer command (apply above ``config_options``)."""
    sig = inspect.signature(func)
    params = list(sig.parameters.values())
    annotations = {p.name: p.annotation for p in params}
    option = inspect.Parameter(
        "config",
        inspect.Parameter.KEYWORD_ONLY,
        default=typer.Option(
            None, help="JSON file of option values (e.g. from `seqpredict tune`); flags win"
        ),
        annotation=Path | None,
    )

    @functools.wraps(func)
    def wrapper(*args: Any, _ctx: typer.Context, config: Path | None = None, **kwargs: Any) -> Any:
        if config is not None:
            for key, value in read_config_file(config).items():
                if key not in kwargs:
                    raise SeqpredictError(
                        f"`config`: {str(config)!r} sets {key!r}, which is not an option of "
                        f"this command.{closest(key, kwargs)}"
                    )
                source = _ctx.get_parameter_source(key)
                if source is not None and source.name in ("COMMANDLINE", "ENVIRONMENT"):
                    continue
                if value is not None and _is_path(annotations.get(key)):
                    value = Path(value)
                kwargs[key] = value
        return func(*args, **kwargs)

    # typer injects the click context into the parameter annotated typer.Context
    context = inspect.Parameter("_ctx", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)
    new = [*params, option, context]  # keyword-only parameters follow the others
    wrapper.__signature__ = sig.replace(parameters=new)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in new}
    return wrapper
