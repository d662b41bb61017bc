"""Errors raised for bad user input.

Every message names the argument or column, says what was expected and what was found, and how to
fix it. The CLI turns these into a one-paragraph message and exit code 2; anything else escaping
is a bug.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class SeqpredictError(ValueError):
    """Bad input: a value, column, file or saved model that cannot be used as given."""


class SeqpredictTypeError(SeqpredictError, TypeError):
    """Bad input of the wrong type (also a ``TypeError``)."""


def closest(name: str, choices: Iterable[str], n: int = 3) -> str:
    """A ' Did you mean ...?' hint listing the closest of ``choices`` to ``name``, or ''."""
    matches = difflib.get_close_matches(name, [str(c) for c in choices], n=n, cutoff=0.5)
    if not matches:
        return ""
    return " Did you mean " + " or ".join(repr(m) for m in matches) + "?"


def check_positive_int(name: str, value: object) -> int:
    """Return ``value`` if it is a positive int, else raise naming the argument."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise SeqpredictError(f"`{name}` must be a positive integer, got {value!r}.")
    return value


def check_fraction(name: str, value: object, *, allow_zero: bool = True) -> float:
    """Return ``value`` if it is a float in [0, 1) (or (0, 1)), else raise naming the argument."""
    low_ok = allow_zero and value == 0
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not (low_ok or 0 < value < 1)
    ):
        lo = "[0, 1)" if allow_zero else "(0, 1)"
        raise SeqpredictError(f"`{name}` must be a fraction in {lo}, got {value!r}.")
    return float(value)


def check_choice(name: str, value: object, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise listing them."""
    options = list(choices)
    if value not in options:
        hint = closest(str(value), options)
        raise SeqpredictError(
            f"`{name}` must be one of {', '.join(map(repr, options))}, got {value!r}.{hint}"
        )
    return str(value)
