"""How a table's numbers read: the one place a cell is formatted, for the PDF and for the HTML alike.

A table's view (:mod:`civicposts.tables.views`, saved in its sidecar) maps a column to a kind:

- ``coef``: a coefficient that cannot exceed 1, to 3 decimals without the leading zero (".650", "−.002", "1.000");
- ``share``: a share of 1 as a percentage ("96.3%");
- ``pct``: a number that is a percentage already ("16.1%");
- ``int``: a count ("1,200");
- ``num``: any other number, to at most 3 decimals ("2.5", "1,234.568");
- ``date``: a date or time, as its date ("2021-02-27").

Intervals (a new column -> its low and high columns) read "[.57, .79]" in place of the two columns.
Columns without a kind: numbers printed with long decimals are cut to 3, everything else stays as written.
A missing value reads "–"; the report's note says why cells can be missing.

The PDF gets text (:func:`apply`). The HTML stays sortable: it gets each number rounded as it is shown
(:func:`sort_value`) and draws it with the JavaScript renderer of its kind (:data:`JS_RENDER`), which writes
the same text as :func:`format_value` for every number so rounded. The CSV keeps every value at full precision.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

KINDS = ("coef", "share", "pct", "int", "num", "date")
MISSING = "–"
_LONG_DECIMAL = re.compile(r"-?\d+\.\d{4,}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _number(v: Any) -> float | None:
    if v is None or isinstance(v, bool) or (isinstance(v, str) and not v.strip()):
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return None if x != x else x  # NaN: missing


def _is_missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v) or str(v).strip() in ("", "nan", "NaN", "None", "NaT")


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
    if _is_missing(v):
        return MISSING
    if kind == "date":
        found = _DATE.match(str(v).strip())
        return found.group(0) if found else str(v)
    x = _number(v)
    if x is None:
        return str(v)
    if kind == "coef":
        return _coef(x)
    if kind == "share":
        return _signed(f"{100 * x:.1f}") + "%"
    if kind == "pct":
        return _signed(f"{x:.1f}") + "%"
    if kind == "int":
        return _signed(f"{x:,.0f}")
    return _signed(f"{x:,.3f}".rstrip("0").rstrip("."))


def _signed(s: str) -> str:
    """A formatted number with a typographic minus, and none on a value that rounds to zero ("0.0", not "-0.0")."""
    if s.startswith("-") and not s.strip("-0.,"):
        return s[1:]
    return s.replace("-", "−")


def plain(v: Any) -> str:
    """A cell of a column without a declared kind: a float (or a CSV's long decimal) to at most 3 decimals,
    a missing or empty value as "–", anything else as written."""
    if isinstance(v, str) and _LONG_DECIMAL.fullmatch(v):
        v = float(v)
    if isinstance(v, float):
        if v != v:
            return MISSING
        return _signed(f"{v:,.3f}".rstrip("0").rstrip(".") if abs(v) < 1e6 else f"{v:,.0f}")
    if v is None or not str(v).strip():  # an empty cell reads "–" in the PDF as in the HTML
        return MISSING
    return str(v)


def format_interval(low: Any, high: Any, kind: str = "coef") -> str:
    """An interval as "[.57, .79]" (a coefficient's, 2 decimals) or "[70.2%, 79.2%]" (a share's or a
    percentage's); "–" when either end is missing."""
    lo, hi = _number(low), _number(high)
    if lo is None or hi is None:
        return MISSING
    if kind in ("share", "pct"):
        a, b = (format_value(x, kind) for x in (lo, hi))
    else:
        a, b = _coef(lo, 2), _coef(hi, 2)
    return f"[{a},\u00a0{b}]"  # a no-break space: an interval never wraps


def sort_value(v: Any, kind: str) -> Any:
    """``v`` for a sortable HTML cell of ``kind``: the number rounded exactly as :func:`format_value` shows it
    (a share already as a percentage), so the browser's renderer writes the same text; text stays text and a
    missing value is None."""
    if _is_missing(v):
        return None
    x = _number(v)
    if x is None or kind == "date":
        return format_value(v, kind)
    if kind == "share":
        return float(f"{100 * x:.1f}")
    if kind == "pct":
        return float(f"{x:.1f}")
    if kind == "int":
        return int(float(f"{x:.0f}"))
    return float(f"{x:.3f}")


# DataTables' column renderers, one per kind: display and search use the text, sorting the number.
_JS_HEAD = ("function (d, type) { if (type !== 'display' && type !== 'filter') { return d; } "
            "if (d === null || d === undefined || (typeof d === 'number' && isNaN(d))) { return '–'; } "
            "if (typeof d !== 'number') { return d; } "
            # as _signed: a typographic minus, and none on a value that rounds to zero
            "function m(s) { return /^-[0.,]*$/.test(s) ? s.slice(1) : s.replace('-', '−'); } ")
_JS_GROUP = "function g(s) { return s.replace(/\\B(?=(\\d{3})+(?!\\d))/g, ','); } "
JS_RENDER: dict[str, str] = {
    "coef": _JS_HEAD + "var s = d.toFixed(3); if (Math.abs(d) < 1) { s = s.replace('0.', '.'); } return m(s); }",
    "share": _JS_HEAD + "return m(d.toFixed(1)) + '%'; }",
    "pct": _JS_HEAD + "return m(d.toFixed(1)) + '%'; }",
    "int": _JS_HEAD + _JS_GROUP + "return m(g(d.toFixed(0))); }",
    "num": _JS_HEAD + _JS_GROUP + "var p = d.toFixed(3).split('.'); var f = p[1].replace(/0+$/, ''); "
                      "return m(g(p[0]) + (f ? '.' + f : '')); }",
}


def kinds_of(columns: Sequence[str], meta: Mapping[str, Any] | None) -> dict[str, str]:
    """Column -> kind for ``columns`` under the sidecar ``meta`` (declared kinds, else its default kind)."""
    meta = meta or {}
    declared = dict(meta.get("formats") or {})
    default = meta.get("default_format")
    ends = {e for pair in (meta.get("intervals") or {}).values() for e in pair}
    return {c: declared.get(c) or default for c in columns if (declared.get(c) or default) and c not in ends}


def _plan(columns: Sequence[str], meta: Mapping[str, Any] | None) -> list[tuple[str, str, tuple[int, ...]]]:
    """(output column, kind or "interval:<kind>" or "", source indexes) for each column a reader sees; an
    interval reads in the kind declared for its name (a coefficient's when none is)."""
    meta = meta or {}
    index = {c: i for i, c in enumerate(columns)}
    complete = {name: tuple(pair) for name, pair in (meta.get("intervals") or {}).items()
                if all(e in index for e in pair)}
    ends = {e for pair in complete.values() for e in pair}
    kinds = kinds_of(columns, meta)
    plan = []
    for c in columns:
        name = next((n for n, (lo, _hi) in complete.items() if lo == c), None)
        if name is not None:
            kind = (meta.get("formats") or {}).get(name, "coef")
            plan.append((name, f"interval:{kind}", (index[complete[name][0]], index[complete[name][1]])))
        elif c not in ends:
            plan.append((c, kinds.get(c, ""), (index[c],)))
    return plan


def _cell(row: Sequence[Any], kind: str, where: tuple[int, ...], sortable: bool) -> Any:
    """One output cell of ``row`` by its plan entry: text for print, or for a sortable table the number
    (:func:`sort_value`) of a kind the browser renders and the raw value of an undeclared column."""
    if kind.startswith("interval:"):
        return format_interval(row[where[0]], row[where[1]], kind.split(":", 1)[1])
    if not kind:
        return row[where[0]] if sortable else plain(row[where[0]])
    if sortable and kind in JS_RENDER:
        return sort_value(row[where[0]], kind)
    return format_value(row[where[0]], kind)


def apply(columns: Sequence[str], rows: Sequence[Sequence[Any]], meta: Mapping[str, Any] | None
          ) -> tuple[list[str], list[list[str]]]:
    """``columns`` and ``rows`` as text for print, by the sidecar ``meta``'s view: each column in its kind, each
    interval's two columns replaced (at the low one's place) by one "[low, high]" column, other cells
    :func:`plain`. Column names stay the data's (:func:`civicposts.tables.views.header` names them)."""
    plan = _plan(columns, meta)
    return [name for name, _k, _w in plan], [[_cell(row, k, w, False) for _n, k, w in plan] for row in rows]


def for_sorting(columns: Sequence[str], rows: Sequence[Sequence[Any]], meta: Mapping[str, Any] | None
                ) -> tuple[list[str], list[list[Any]], dict[str, str]]:
    """Like :func:`apply`, for a sortable HTML table: numbers of a declared kind as :func:`sort_value` (drawn by
    ``JS_RENDER[kind]``); returns the columns, the rows and column -> kind of the columns to render."""
    plan = _plan(columns, meta)
    rows = [list(r) for r in rows]
    out_rows = [[_cell(row, k, w, True) for _n, k, w in plan] for row in rows]
    rendered = {}
    for j, (name, kind, where) in enumerate(plan):
        if kind not in JS_RENDER:
            continue
        if all(r[j] is None or isinstance(r[j], (int, float)) for r in out_rows):
            rendered[name] = kind
        else:  # a column mixing numbers and text (a status row) is text throughout, written here as in the PDF
            for r, row in zip(out_rows, rows):
                r[j] = format_value(row[where[0]], kind)
    return [name for name, _k, _w in plan], out_rows, rendered
