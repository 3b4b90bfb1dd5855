"""Checks for the values a reader may set in a notebook's ``parameters`` cell.

Every chapter notebook has one cell tagged ``parameters`` (the papermill convention).
Its values go through these functions, so a value outside the allowed set stops the
notebook at once with one error that names the parameter and the allowed values,
instead of failing later in a chart or an empty table.
"""

from __future__ import annotations

from collections.abc import Iterable

from .aggregate import RECIPIENTS

#: Years the book's deal list covers.
LEDGER_YEARS = (2006, 2026)


class ParameterError(ValueError):
    """A notebook parameter outside its allowed values."""


def choice(name: str, value, allowed: Iterable):
    """``value`` if it is one of ``allowed``, else a :class:`ParameterError`."""
    allowed = list(allowed)
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise ParameterError(f"{name} must be one of {shown}; got {value!r}")
    return value


def recipient(value, name: str = "RECIPIENT", allow_all: bool = False) -> str:
    """One of the seven recipient codes (or ``"ALL"`` where the notebook allows it)."""
    return choice(name, value, (["ALL"] if allow_all else []) + RECIPIENTS)


def recipients(value, name: str = "RECIPIENTS") -> list[str]:
    """A non-empty list of distinct recipient codes."""
    if isinstance(value, str) or not isinstance(value, (list, tuple)) or not value:
        raise ParameterError(f"{name} must be a non-empty list drawn from {RECIPIENTS}; got {value!r}")
    for v in value:
        choice(name + " item", v, RECIPIENTS)
    if len(set(value)) != len(value):
        raise ParameterError(f"{name} lists a recipient twice: {value!r}")
    return list(value)


def window(value, lo: int, hi: int, name: str = "WINDOW") -> tuple[int, int]:
    """A (start, end) pair of whole years with ``lo <= start <= end <= hi``."""
    ok = (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    )
    if not ok or not (lo <= value[0] <= value[1] <= hi):
        raise ParameterError(f"{name} must be (start, end) with {lo} <= start <= end <= {hi}; got {value!r}")
    return (value[0], value[1])
