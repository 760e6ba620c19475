"""How a table's numbers read: per-column formats declared beside each table, applied to the HTML and the PDF.

A table's ``formats`` (saved in its sidecar by :func:`civicposts.artefacts.save_table`) map a column to a kind:

- ``coef``: a coefficient that cannot exceed 1, to 3 decimals without the leading zero (".650", "-.002", "1.000");
- ``share``: a share of 1 as a percentage ("96.3%");
- ``pct``: a number that is a percentage already ("16.1%");
- ``int``: a count ("1,200");
- ``num``: any other number, to at most 3 decimals.

``intervals`` map a new column name to its (low, high) columns, shown as "[.57, .79]" in place of the two.
The CSV keeps every value at full precision: formats are for reading, never for the data.
A missing value reads "–"; the table's note says why cells can be missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

KINDS = ("coef", "share", "pct", "int", "num")
MISSING = "–"


def _number(v: Any) -> float | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return None if x != x else x  # NaN: missing


def _coef(x: float, decimals: int = 3) -> str:
    s = f"{x:.{decimals}f}"
    if float(s) == 0:
        s = s.lstrip("-")  # -0.001 to 2 decimals reads ".00", not "−.00"
    if abs(x) < 1:
        s = s.replace("0.", ".", 1)
    return s.replace("-", "−")


def format_value(v: Any, kind: str) -> str:
    """``v`` as text of format ``kind`` (see the module docstring); text that is no number stays as it is."""
    if kind not in KINDS:
        raise ValueError(f"unknown format {kind!r}; known: {', '.join(KINDS)}")
    x = _number(v)
    if x is None:
        return MISSING if v is None or str(v).strip() in ("", "nan", "NaN", "None") else str(v)
    if kind == "coef":
        return _coef(x)
    if kind == "share":
        return f"{100 * x:.1f}%"
    if kind == "pct":
        return f"{x:.1f}%"
    if kind == "int":
        return f"{x:,.0f}"
    return f"{x:,.3f}".rstrip("0").rstrip(".")


def format_interval(low: Any, high: Any) -> str:
    """An interval as "[.57, .79]" (2 decimals; "–" when either end is missing)."""
    lo, hi = _number(low), _number(high)
    if lo is None or hi is None:
        return MISSING
    return f"[{_coef(lo, 2)},\u00a0{_coef(hi, 2)}]"  # a no-break space: an interval never wraps


def apply(columns: Sequence[str], rows: Sequence[Sequence[Any]], formats: Mapping[str, str] | None,
          intervals: Mapping[str, Sequence[str]] | None = None) -> tuple[list[str], list[list[str]]]:
    """``columns`` and ``rows`` formatted for reading: each declared column in its format, each interval's two
    columns replaced (at the low one's place) by one "[low, high]" column."""
    formats = dict(formats or {})
    index = {c: i for i, c in enumerate(columns)}
    complete = {name: tuple(pair) for name, pair in (intervals or {}).items() if all(e in index for e in pair)}
    ends = {e for pair in complete.values() for e in pair}
    out_cols: list[str] = []
    plan: list[tuple[str, Any]] = []
    for c in columns:
        name = next((n for n, (lo, _hi) in complete.items() if lo == c), None)
        if name is not None:
            out_cols.append(name)
            plan.append(("interval", (index[complete[name][0]], index[complete[name][1]])))
        elif c not in ends:
            out_cols.append(c)
            plan.append((formats.get(c, ""), index[c]))
    out_rows = []
    for row in rows:
        cells = []
        for kind, where in plan:
            if kind == "interval":
                cells.append(format_interval(row[where[0]], row[where[1]]))
            elif kind:
                cells.append(format_value(row[where], kind))
            else:
                cells.append(row[where])
        out_rows.append(cells)
    return out_cols, out_rows
