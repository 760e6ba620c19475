"""The final coding as one wide table for R, SPSS and Stata: one row per unit, one 0/1 column per code.

Each (variable, code) is a column ``<variable>_<code>``: 1 when the unit's final codes (agreed or
adjudicated, :func:`civicposts.reliability.apply_adjudications`) include the code, 0 when they do
not, empty (missing) when the variable has no final codes for the unit (unresolved, or a variable
of another unit type). ``<variable>_status`` says which. Spans add ``n_spans_<variable>_<code>``,
the passages coded with the code by any coder (orphaned and removed spans not counted). Column names
are valid in Stata and SPSS (letters, digits, underscores, at most 32 characters, unique); the
dictionary (:func:`dictionary`) maps each back to its variable, code and labels.
"""

from __future__ import annotations

import hashlib
import re

import pandas as pd

from .codebook import Codebook

MAX_NAME = 32


def _name(raw: str, taken: set[str]) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", raw)
    if not name[:1].isalpha():
        name = "v_" + name
    if len(name) > MAX_NAME or name.lower() in taken:
        name = f"{name[:MAX_NAME - 7]}_{hashlib.sha256(raw.encode()).hexdigest()[:6]}"
    taken.add(name.lower())
    return name


def _columns(book: Codebook, with_spans: bool) -> list[dict[str, str]]:
    taken = {"unit_id", "unit_type"}
    cols = []
    for v in book.variables.values():
        for c in v.codes:
            cols.append({"column": _name(f"{v.id}_{c.id}", taken), "kind": "code", "variable": v.id, "code": c.id,
                         "label": c.label_en, "unit_type": v.unit_type})
        cols.append({"column": _name(f"{v.id}_status", taken), "kind": "status", "variable": v.id, "code": "",
                     "label": f"{v.label_en}: agreed, adjudicated, single_coder or unresolved",
                     "unit_type": v.unit_type})
    if with_spans:
        for v in book.variables.values():
            for c in v.codes:
                cols.append({"column": _name(f"n_spans_{v.id}_{c.id}", taken), "kind": "spans", "variable": v.id,
                             "code": c.id, "label": f"passages coded {c.label_en}", "unit_type": v.unit_type})
    return cols


def dictionary(book: Codebook, *, with_spans: bool = True) -> pd.DataFrame:
    """One row per column of :func:`codes_wide`: column, kind (code, status, spans), variable, code, label."""
    head = [{"column": "unit_id", "kind": "id", "variable": "", "code": "", "label": "the unit's id", "unit_type": ""},
            {"column": "unit_type", "kind": "id", "variable": "", "code": "", "label": "post, comment or interview",
             "unit_type": ""}]
    return pd.DataFrame(head + _columns(book, with_spans))


def codes_wide(final: pd.DataFrame, book: Codebook, spans: pd.DataFrame | None = None) -> pd.DataFrame:
    """The wide table (see the module docstring) from the final codings and, optionally, the span
    table (:func:`civicposts.coding.span_table`). Rows sorted by unit_type, unit_id."""
    with_spans = spans is not None
    cols = _columns(book, with_spans)
    units = final[["unit_id", "unit_type"]].drop_duplicates()
    if with_spans and len(spans):
        units = pd.concat([units, spans[["unit_id", "unit_type"]].drop_duplicates()]).drop_duplicates()
    units = units.sort_values(["unit_type", "unit_id"], kind="mergesort").reset_index(drop=True)
    index = {u: i for i, u in enumerate(units["unit_id"])}
    n = len(units)
    data: dict[str, list] = {}
    final_codes = {(r.unit_id, r.variable): (r.status, r.codes) for r in final.itertuples(index=False)}
    counts: dict[tuple[str, str, str], int] = {}
    if with_spans and len(spans):
        live = spans.loc[~spans["removed"] & spans["problem"].isna()]
        for r in live.itertuples(index=False):
            for c in r.codes:
                counts[(r.unit_id, r.variable, c)] = counts.get((r.unit_id, r.variable, c), 0) + 1
    for col in cols:
        values: list = [pd.NA] * n
        for uid, i in index.items():
            status, codes = final_codes.get((uid, col["variable"]), (None, None))
            if col["kind"] == "status":
                values[i] = status if status is not None else pd.NA
            elif col["kind"] == "code":
                if codes is not None and len(codes) and status != "unresolved":
                    values[i] = int(col["code"] in set(codes))
            elif units["unit_type"].iat[i] == col["unit_type"]:
                values[i] = counts.get((uid, col["variable"], col["code"]), 0)
        data[col["column"]] = values
    out = pd.DataFrame({"unit_id": units["unit_id"], "unit_type": units["unit_type"]})
    for col in cols:
        dtype = "string" if col["kind"] == "status" else "Int64"
        out[col["column"]] = pd.array(data[col["column"]], dtype=dtype)
    return out
