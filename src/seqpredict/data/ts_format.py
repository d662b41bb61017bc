"""The ``.ts`` format of the UCR/UEA archives (the sktime/aeon format): a header, then one case
per line.

    # comment (also %)
    @problemName BasicMotions
    @timeStamps false
    @missing false
    @univariate false
    @dimensions 6
    @equalLength true
    @seriesLength 100
    @classLabel true Standing Running Walking Badminton
    @data
    0.07,0.08,...:0.03,0.03,...:...:Standing

A case is its dimensions separated by ``:`` (values separated by ``,``, ``?`` for a missing
value), then its class label. Cases may differ in length (``@equalLength false``), and the
dimensions of one case have one length. Missing steps at the end of a case (in every dimension)
are padding and dropped; a missing value anywhere else is an error naming the line, as in
``seqpredict.data.sequences``. Time-stamped (``@timeStamps true``) and regression
(``@targetLabel``) files are refused with a message.

Shape key: C dimensions (features), L_i the length of case i.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seqpredict.errors import SeqpredictError

BOOL_TAGS = ("timestamps", "missing", "univariate", "equallength")
INT_TAGS = ("dimensions", "serieslength")


@dataclass(frozen=True)
class TSFile:
    """A parsed ``.ts`` file: cases (L_i, C) float32, their labels, and the declared classes."""

    problem_name: str | None
    X: list[np.ndarray]
    y: np.ndarray
    class_labels: tuple[str, ...]


def _flag(word: str, tag: str, where: str) -> bool:
    value = word.strip().lower()
    if value not in ("true", "false"):
        raise SeqpredictError(f"{where}: @{tag} must be true or false, found {word.strip()!r}.")
    return value == "true"


def _header(lines: list[tuple[int, str]], name: str) -> tuple[dict[str, object], int]:
    """The header's tags (lower-case names) and the index in ``lines`` of the first data line."""
    tags: dict[str, object] = {}
    for k, (number, line) in enumerate(lines):
        where = f"{name}, line {number}"
        if not line.startswith("@"):
            raise SeqpredictError(
                f"{where}: expected a header line (@tag) or @data before the data, found "
                f"{line[:40]!r}."
            )
        written, _, rest = line[1:].partition(" ")
        tag, rest = written.lower(), rest.strip()
        if tag == "data":
            return tags, k + 1
        if tag in BOOL_TAGS:
            tags[tag] = _flag(rest, written, where)
        elif tag in INT_TAGS:
            if not rest.isdigit() or int(rest) < 1:
                raise SeqpredictError(
                    f"{where}: @{written} must be a positive integer, found {rest!r}."
                )
            tags[tag] = int(rest)
        elif tag == "classlabel":
            words = rest.split()
            if not words:
                raise SeqpredictError(f"{where}: @classLabel needs true (and the labels) or false.")
            has_labels = _flag(words[0], "classLabel", where)
            if has_labels and len(words) < 2:
                raise SeqpredictError(f"{where}: @classLabel true lists no class labels.")
            tags[tag] = tuple(words[1:]) if has_labels else None
        elif tag == "targetlabel":
            raise SeqpredictError(
                f"{where}: @targetLabel marks a regression file; only classification files "
                "(@classLabel true) are read."
            )
        else:
            tags[tag] = rest  # @problemName and tags this reader does not need
    raise SeqpredictError(f"{name}: no @data line after the header; is this a .ts file?")


def _values(text: str, where: str, dim: int) -> np.ndarray:
    try:
        return np.array(
            [np.nan if v.strip() == "?" else float(v) for v in text.split(",")], np.float32
        )
    except ValueError:
        bad = next(v for v in text.split(",") if v.strip() != "?" and not _is_float(v))
        raise SeqpredictError(
            f"{where}, dimension {dim}: {bad.strip()[:30]!r} is not a number ('?' marks a "
            "missing value)."
        ) from None


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _case(parts: list[str], where: str) -> np.ndarray:
    """The dimensions of one case -> (L, C), trailing steps missing in every dimension dropped."""
    dims = [_values(p, where, d) for d, p in enumerate(parts)]
    lengths = [len(v) for v in dims]
    if len(set(lengths)) > 1:
        raise SeqpredictError(
            f"{where}: the dimensions of one case must have one length, found {lengths}."
        )
    case = np.stack(dims, axis=1)  # (L, C)
    valid = ~np.isnan(case).all(axis=1)
    case = case[: int(np.flatnonzero(valid)[-1]) + 1] if valid.any() else case[:0]
    if len(case) == 0:
        raise SeqpredictError(f"{where}: the case has no values.")
    missing = np.argwhere(np.isnan(case))
    if len(missing):
        step, dim = (int(v) for v in missing[0])
        raise SeqpredictError(
            f"{where}: missing value ('?') at step {step} of dimension {dim}. Only missing steps "
            "at the end of a case are read (as padding); fill or interpolate the others first."
        )
    return case


def parse_ts(text: str, name: str = "<text>") -> TSFile:
    """Parse the text of a ``.ts`` file (see the module docstring)."""
    lines = [
        (number, stripped)
        for number, line in enumerate(text.splitlines(), start=1)
        if (stripped := line.strip()) and not stripped.startswith(("#", "%"))
    ]
    tags, start = _header(lines, name)
    if tags.get("timestamps"):
        raise SeqpredictError(
            f"{name}: @timeStamps true is not supported; the reader takes series of values "
            "without time stamps."
        )
    labels = tags.get("classlabel")
    if not isinstance(labels, tuple):
        raise SeqpredictError(
            f"{name}: @classLabel true with the class labels is needed to read a classification "
            "file; the header has none."
        )
    width = 1 if tags.get("univariate") else tags.get("dimensions")
    X: list[np.ndarray] = []
    y: list[str] = []
    for number, line in lines[start:]:
        where = f"{name}, line {number}"
        *parts, label = line.split(":")
        if width is None:
            width = len(parts)
        if len(parts) != width:
            raise SeqpredictError(
                f"{where}: expected {width} dimension(s) and a class label separated by ':', "
                f"found {len(parts)} dimension(s)."
            )
        label = label.strip()
        if label not in labels:
            raise SeqpredictError(
                f"{where}: class label {label!r} is not among the header's @classLabel "
                f"{list(labels)}."
            )
        X.append(_case(parts, where))
        y.append(label)
    if not X:
        raise SeqpredictError(f"{name}: no cases after @data.")
    expected = tags.get("serieslength") if tags.get("equallength") else None
    if tags.get("equallength"):
        expected = expected or len(X[0])
        odd = next((i for i, case in enumerate(X) if len(case) != expected), None)
        if odd is not None:
            raise SeqpredictError(
                f"{name}: @equalLength true, but case {odd} has {len(X[odd])} steps, not "
                f"{expected}."
            )
    name_tag = tags.get("problemname")
    return TSFile(
        name_tag if isinstance(name_tag, str) else None, X, _labels(y), tuple(map(str, labels))
    )


def _labels(y: list[str]) -> np.ndarray:
    """Integer labels as int64 (as the .tsv reader gives them), any other as strings."""
    try:
        return np.array([int(v) for v in y], dtype=np.int64)
    except ValueError:
        return np.array(y, dtype=object)
