"""CLI options generated from the config dataclasses: one source of truth for names, types,
defaults and help (the field's trailing comment)."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import re
import typing
from collections.abc import Callable
from typing import Any

import typer

_FIELD = re.compile(r"^\s+(\w+)\s*:\s*[^=#]+=\s*[^#]*#\s*(.+)$")


def field_help(cls: type) -> dict[str, str]:
    """Field name -> its trailing comment in the class source."""
    try:
        source = inspect.getsource(cls)
    except (OSError, TypeError):
        return {}
    return {m.group(1): m.group(2).strip() for m in map(_FIELD.match, source.splitlines()) if m}


def _off_by_zero(annotation: Any, default: Any) -> type | None:
    """For a field ``T | None`` whose default is not None (a setting on by default that None
    turns off, e.g. ``ForecastSpec.coverage``): T, the option's type, where the command line
    writes 0 for None (a flag cannot hold None). None for every other field."""
    args = typing.get_args(annotation)
    if default is None or type(None) not in args or len(args) != 2:
        return None
    return next(a for a in args if a is not type(None))


def config_options(
    *configs: Any, exclude: tuple[str, ...] = ()
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a command taking ``configs: dict[type, instance]``: every field of ``configs``
    (except ``exclude``) becomes an option ``--field-name`` with the field's default and help;
    a field that None turns off (``_off_by_zero``) reads 0 as None (``--coverage 0``).
    Each of ``configs`` is a dataclass, or an instance of one whose values are the defaults
    (a task whose defaults differ, e.g. the detector's small ``ModelConfig``)."""
    classes = [c if isinstance(c, type) else type(c) for c in configs]
    bases = {type(c): c for c in configs if not isinstance(c, type)}

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        sig = inspect.signature(func)
        resolved = typing.get_type_hints(func)
        params = [
            p.replace(annotation=resolved.get(p.name, p.annotation))
            for p in sig.parameters.values()
            if p.name != "configs"
        ]
        owned: dict[str, type] = {}
        zero_is_off: set[str] = set()
        for cls in classes:
            hints = typing.get_type_hints(cls)
            helps = field_help(cls)
            for f in dataclasses.fields(cls):
                if f.name in exclude:
                    continue
                owned[f.name] = cls
                default = getattr(bases[cls], f.name) if cls in bases else f.default
                annotation, help_text = hints[f.name], helps.get(f.name, "")
                plain = _off_by_zero(annotation, default)
                if plain is not None:
                    zero_is_off.add(f.name)
                    annotation, help_text = plain, f"{help_text}; on the command line 0"
                params.append(
                    inspect.Parameter(
                        f.name,
                        inspect.Parameter.KEYWORD_ONLY,
                        default=typer.Option(default, help=help_text, rich_help_panel=cls.__name__),
                        annotation=annotation,
                    )
                )

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            values: dict[type, dict[str, Any]] = {cls: {} for cls in classes}
            for name in list(kwargs):
                if name in owned:
                    value = kwargs.pop(name)
                    off = name in zero_is_off and value == 0
                    values[owned[name]][name] = None if off else value
            built = {
                cls: dataclasses.replace(bases[cls], **v) if cls in bases else cls(**v)
                for cls, v in values.items()
            }
            return func(*args, configs=built, **kwargs)

        wrapper.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in params}
        return wrapper

    return decorate
