"""How a table reads in the reports: one print view per table-making function, declared beside that function.

A view says, for the tables a function returns:

- ``formats``: column -> kind (see :mod:`civicposts.tables.formats`); ``default`` is the kind of every column not
  named (a confusion matrix's code columns, which differ per study);
- ``intervals``: a new column -> its (low, high) columns, shown as one "[.57, .79]" column;
- ``columns``: the columns the PDF prints, in this order (the HTML and the CSV keep every column);
- ``names``: column -> the header a reader sees ("cohen_kappa" -> "Cohen's κ"); others read with spaces for ``_``;
- ``landscape``: the PDF prints the table on landscape pages (a wide table).

It is declared with the decorator beside the function, so the function and how its table reads stay together::

    @views.view(formats={"alpha": "coef"}, columns=("variable", "alpha"))
    def agreement_table(...): ...

:func:`civicposts.artefacts.save_table` looks the view up by the function it is given and writes it into the
table's sidecar, where the PDF and the HTML read it; a notebook's ``extra`` may still override a part for one
table. The CSV is never formatted: formats are for reading, never for the data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .formats import KINDS

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class View:
    """How one table-making function's tables read (see the module docstring)."""

    formats: Mapping[str, str] = field(default_factory=dict)
    intervals: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    columns: tuple[str, ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)
    default: str | None = None
    landscape: bool = False

    def __post_init__(self) -> None:
        for col, kind in [*self.formats.items(), ("(default)", self.default or "num")]:
            if kind not in KINDS:
                raise ValueError(f"view: column {col!r} has unknown format {kind!r}; known: {', '.join(KINDS)}")
        for name, pair in self.intervals.items():
            if len(pair) != 2:
                raise ValueError(f"view: interval {name!r} needs (low, high) columns, got {pair!r}")

    def sidecar(self) -> dict[str, Any]:
        """The view as the sidecar keys the reports read (only what is declared)."""
        out: dict[str, Any] = {}
        if self.formats:
            out["formats"] = dict(self.formats)
        if self.default:
            out["default_format"] = self.default
        if self.intervals:
            out["intervals"] = {k: list(v) for k, v in self.intervals.items()}
        if self.columns:
            out["pdf_columns"] = list(self.columns)
        if self.names:
            out["names"] = dict(self.names)
        if self.landscape:
            out["landscape"] = True
        return out


_VIEWS: dict[str, View] = {}


def qualname(function: Callable[..., Any] | str) -> str:
    """The name a function is registered and recorded under: ``module.qualname``."""
    return function if isinstance(function, str) else f"{function.__module__}.{function.__qualname__}"


def view(*, formats: Mapping[str, str] | None = None, intervals: Mapping[str, Sequence[str]] | None = None,
         columns: Sequence[str] = (), names: Mapping[str, str] | None = None, default: str | None = None,
         landscape: bool = False) -> Callable[[F], F]:
    """Declare how the tables of the decorated function read (see the module docstring); the function is
    returned unchanged."""
    declared = View(formats=dict(formats or {}), intervals={k: (v[0], v[1]) for k, v in (intervals or {}).items()},
                    columns=tuple(columns), names=dict(names or {}), default=default, landscape=landscape)

    def register(function: F) -> F:
        _VIEWS[qualname(function)] = declared
        return function

    return register


def for_function(function: Callable[..., Any] | str) -> View:
    """The view declared for ``function`` (an empty view when none is)."""
    return _VIEWS.get(qualname(function), View())


def registered() -> dict[str, View]:
    """Every declared view, by function name."""
    return dict(_VIEWS)


def header(column: str, names: Mapping[str, str] | None) -> str:
    """The header a reader sees for ``column``: its declared name, else the name with spaces for ``_``."""
    return (names or {}).get(column) or column.replace("_", " ")
