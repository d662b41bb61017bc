"""The parts a detector is composed of (scorers, thresholds, error streams) and their registries.

A part is a small object with its own parameters: ``params()`` returns them JSON-ready,
``to_dict()`` adds the registered ``name``, and the registry rebuilds it from that dict, so a
detector saves and loads any part the same way. A new part is one class with a ``name`` and
``@REGISTRY.register`` above it; nothing else needs to know about it.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from seqpredict.errors import SeqpredictError, check_choice

P = TypeVar("P", bound="Part")


class Part:
    """Base of scorers, thresholds and streams: named, parametrised, serialisable."""

    name: ClassVar[str] = "base"

    def params(self) -> dict[str, Any]:
        """The constructor's arguments, JSON-ready."""
        raise NotImplementedError

    @classmethod
    def from_params(cls: type[P], params: dict[str, Any]) -> P:
        return cls(**params)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, **self.params()}

    def clone(self: P) -> P:
        """An unfitted copy with the same parameters."""
        return type(self).from_params(self.params())

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.params() == other.params()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"{type(self).__name__}({args})"


class Registry(dict[str, type[P]], Generic[P]):
    """Name -> part class, for one argument of the detector (``what``: its name in messages)."""

    def __init__(self, what: str, base: type[P]) -> None:
        super().__init__()
        self.what, self.base = what, base

    def register(self, cls: type[P]) -> type[P]:
        self[cls.name] = cls
        return cls

    def build(self, value: P | str | dict[str, Any]) -> P:
        """A part from itself, its registered name (default parameters) or its ``to_dict()``."""
        if isinstance(value, self.base):
            return value
        if isinstance(value, str):
            return self[check_choice(self.what, value, self)]()
        if isinstance(value, dict) and isinstance(value.get("name"), str):
            params = {k: v for k, v in value.items() if k != "name"}
            cls = self[check_choice(self.what, value["name"], self)]
            try:
                return cls.from_params(params)
            except TypeError as exc:
                raise SeqpredictError(
                    f"`{self.what}` {value['name']!r}: {exc}. Accepted: see "
                    f"{cls.__module__}.{cls.__name__}."
                ) from None
        raise SeqpredictError(
            f"`{self.what}` must be a {self.base.__name__}, one of the names "
            f"{sorted(self)} or a dict with a 'name' key, got {value!r}."
        )


def positive_int(part: Part, name: str, value: object) -> int:
    """``value`` if it is an int >= 1, else an error naming the part and its argument."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SeqpredictError(
            f"{type(part).__name__}: `{name}` must be a positive integer, got {value!r}."
        )
    return value
