"""From disagreement to the final coded data set: the reconciliation sheet, reconcilers' decisions.

- ``disagreements`` / ``write_disagreement_sheet``: every unit and variable on which coders differ,
  as CSV and xlsx for a reconciler to fill in.
- ``read_adjudications`` / ``read_all_adjudications``: reconcilers' decisions (JSONL or the filled-in
  sheet), validated against the codebook's codes.
- ``apply_adjudications`` / ``final_status``: the final coded data set, saying how each decision
  was reached.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from ..iorw import write_csv, write_xlsx
from ..tables.views import view

log = logging.getLogger(__name__)

from .agreement import NO_CODE, NOT_CODED, _check_decisions, _restrict

log = logging.getLogger("civicposts.reliability")

ADJUDICATION_COLUMNS = ("unit_id", "variable", "codes", "reconciler", "reason", "timestamp")


def _fmt(codes: tuple[str, ...] | None) -> str:
    if codes is None:
        return NOT_CODED
    return "|".join(codes) if codes else NO_CODE


def disagreements(decisions: pd.DataFrame, kinds: Mapping[str, str], *,
                  units: Iterable[str] | None = None) -> pd.DataFrame:
    """The reconciliation sheet: every (unit, variable) on which the coders who coded it differ.

    Columns: unit_id, unit_type, variable, kind, one ``codes_<coder>`` column per coder ("a|b",
    "(none)" for an empty answer, "(not coded)"), and empty ``decision``, ``reason`` and
    ``reconciler`` columns for the reconciler. Sorted by variable then unit. Memos are left out:
    they may quote citizens.
    """
    df = _restrict(_check_decisions(decisions), units)
    df = df[df["variable"].isin(list(kinds))]
    coders = sorted(df["coder"].unique())
    rows = []
    for (variable, unit), g in df.groupby(["variable", "unit_id"], sort=True):
        answers = dict(zip(g["coder"], g["codes"]))
        if len(answers) < 2 or len(set(answers.values())) < 2:
            continue
        row = {"unit_id": unit, "unit_type": g["unit_type"].iloc[0], "variable": variable, "kind": kinds[variable]}
        for c in coders:
            row[f"codes_{c}"] = _fmt(answers.get(c))
        row.update(decision="", reason="", reconciler="")
        rows.append(row)
    cols = (["unit_id", "unit_type", "variable", "kind"] + [f"codes_{c}" for c in coders]
            + ["decision", "reason", "reconciler"])
    return pd.DataFrame(rows, columns=cols)


def write_disagreement_sheet(df: pd.DataFrame, csv_path: str | Path, xlsx_path: str | Path) -> tuple[Path, Path]:
    """Write the reconciliation sheet as CSV (UTF-8 with BOM, for spreadsheets) and xlsx.

    Both are written atomically through civicposts.iorw and are byte-identical for the same data.
    """
    p1 = write_csv(csv_path, df, bom=True)
    p2 = write_xlsx(xlsx_path, df, sheet="disagreements")
    log.info("wrote disagreement sheet (%d rows) to %s and %s", len(df), p1, p2)
    return p1, p2


# ---------------------------------------------------------------------------------------------
# Adjudication
# ---------------------------------------------------------------------------------------------

def _parse_codes(value: Any, path: str, record: str) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)):
        if any(not isinstance(v, str) or not v.strip() for v in value):
            raise InputError(path, f"codes must be a list of non-empty strings; got {value!r}", record=record)
        return tuple(sorted(v.strip() for v in value))
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise InputError(path, "codes are missing", record=record)
    if isinstance(value, str):
        text = value.strip()
        if text in ("", ):
            raise InputError(path, "codes are empty (write (none) for an empty answer)", record=record)
        if text == NO_CODE:
            return ()
        parts = [p.strip() for p in text.split("|")]
        if any(not p for p in parts):
            raise InputError(path, f"codes {value!r} contain an empty code", record=record)
        return tuple(sorted(parts))
    raise InputError(path, f"codes must be a list or a '|'-joined string; got {value!r}", record=record)


def read_adjudications(path: str | Path, *, codes: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """Read reconcilers' decisions from JSON Lines or CSV.

    Fields: unit_id, variable, codes (JSON list, or "|"-joined in CSV; "(none)" for an empty
    answer), reconciler, reason, timestamp (ISO-8601; optional in CSV). A filled-in
    reconciliation sheet also reads: its ``decision`` column stands for ``codes`` and rows with an
    empty decision are skipped. ``codes`` (variable -> code ids) checks every code. Returns those
    columns plus source_file and record (1-based line or row) for later messages.
    """
    path = Path(path)
    name = str(path)
    rows: list[dict[str, Any]] = []
    if not path.exists():
        raise InputError(name, "file not found")
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        for i, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(name, f"not valid JSON ({exc.msg} at column {exc.colno})", record=i) from None
            if not isinstance(obj, dict):
                raise InputError(name, "each line must be a JSON object", record=i)
            obj["record"] = i
            rows.append(obj)
    elif path.suffix.lower() == ".csv":
        try:
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except pd.errors.EmptyDataError:  # a sheet saved before anything was filled in: no decisions yet
            raw = pd.DataFrame(columns=["unit_id", "variable", "codes", "reconciler", "reason"])
        if "codes" not in raw.columns and "decision" in raw.columns:
            raw = raw.rename(columns={"decision": "codes"})
            raw = raw[raw["codes"].str.strip() != ""]
        for i, rec in zip(raw.index, raw.to_dict("records")):
            rec["record"] = int(i) + 2  # header is line 1
            if rec.get("timestamp", "") == "":
                rec["timestamp"] = None
            rows.append(rec)
    else:
        raise InputError(name, f"unknown adjudication file type {path.suffix!r}; use .jsonl or .csv")
    required = ("unit_id", "variable", "codes", "reconciler", "reason")
    out = []
    for rec in rows:
        record = rec["record"]
        for field in required:
            if field not in rec:
                raise InputError(name, f"missing field {field!r}", record=record)
        for field in ("unit_id", "variable", "reconciler"):
            if not isinstance(rec[field], str) or not rec[field].strip():
                raise InputError(name, f"field {field!r} must be a non-empty string; got {rec[field]!r}", record=record)
        where = f"{record} (unit {rec['unit_id']!r}, variable {rec['variable']!r})"
        parsed = _parse_codes(rec["codes"], name, where)
        if codes is not None:
            if rec["variable"] not in codes:
                raise InputError(name, f"unknown variable {rec['variable']!r}", record=where)
            unknown = [c for c in parsed if c not in codes[rec["variable"]]]
            if unknown:
                raise InputError(name, f"unknown code(s) {unknown} for {rec['variable']!r}", record=where)
        ts = rec.get("timestamp")
        if ts is not None and not (isinstance(ts, float) and math.isnan(ts)):
            try:
                ts = pd.Timestamp(ts)
            except (ValueError, TypeError):
                raise InputError(name, f"timestamp {rec.get('timestamp')!r} is not ISO-8601", record=where) from None
            ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
        else:
            ts = pd.NaT
        reason = rec["reason"]
        out.append({"unit_id": rec["unit_id"].strip(), "variable": rec["variable"].strip(), "codes": parsed,
                    "reconciler": rec["reconciler"].strip(), "reason": "" if reason is None else str(reason),
                    "timestamp": ts, "source_file": name, "record": record})
    df = pd.DataFrame(out, columns=list(ADJUDICATION_COLUMNS) + ["source_file", "record"])
    df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True)
    return df


def read_all_adjudications(paths: Iterable[str | Path], *,
                           codes: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame | None:
    """The reconcilers' decisions from those of ``paths`` that exist, in order; None if none exists."""
    found = [Path(p) for p in paths if Path(p).exists()]
    if not found:
        return None
    return pd.concat([read_adjudications(p, codes=codes) for p in found], ignore_index=True)


@view(formats={"units": "int"}, names={"unit_type": "unit type"})
def final_status(final: pd.DataFrame) -> pd.DataFrame:
    """Units per unit type, variable and status (agreed, adjudicated, single coder, unresolved)
    in the final coded data set from ``apply_adjudications``."""
    return final.groupby(["unit_type", "variable", "status"]).size().rename("units").reset_index()


def apply_adjudications(decisions: pd.DataFrame, adjudications: pd.DataFrame | None) -> pd.DataFrame:
    """The final coded data set: one row per (unit, variable).

    ``status`` is "adjudicated" (a reconciler's codes; the latest by timestamp, then file order,
    wins), "agreed" (all coders gave the same codes), "single_coder" (one coder only) or
    "unresolved" (coders differ and nobody adjudicated; codes None). Columns: unit_id, unit_type,
    variable, codes, status, n_coders, reconciler, reason, relation_target (kept when all coders
    gave the same target), coder_files (the coder files the unit's decisions came from, "; "-joined,
    so every final coding says where it came from).
    """
    df = _check_decisions(decisions)
    has_src = "source_file" in df.columns
    adj = pd.DataFrame() if adjudications is None else adjudications.copy()
    if len(adj):
        adj["_order"] = range(len(adj))
        adj = adj.sort_values(["timestamp", "_order"], kind="stable", na_position="first")
        adj = adj.drop_duplicates(["unit_id", "variable"], keep="last").set_index(["unit_id", "variable"])
    has_rel = "relation_target" in df.columns
    rows = []
    seen = set()
    for (unit, variable), g in df.groupby(["unit_id", "variable"], sort=True):
        seen.add((unit, variable))
        answers = list(g["codes"])
        targets = set(g["relation_target"].dropna()) if has_rel else set()
        row = {"unit_id": unit, "unit_type": g["unit_type"].iloc[0], "variable": variable,
               "n_coders": len(answers), "reconciler": None, "reason": None,
               "relation_target": next(iter(targets)) if len(targets) == 1 and
               g["relation_target"].notna().all() else None,
               "coder_files": "; ".join(sorted(set(g["source_file"].astype(str)))) if has_src else ""}
        if len(adj) and (unit, variable) in adj.index:
            a = adj.loc[(unit, variable)]
            row.update(codes=tuple(a["codes"]), status="adjudicated", reconciler=a["reconciler"], reason=a["reason"])
        elif len(set(answers)) == 1:
            row.update(codes=answers[0], status="agreed" if len(answers) > 1 else "single_coder")
        else:
            row.update(codes=None, status="unresolved")
        rows.append(row)
    if len(adj):
        stray = [k for k in adj.index if k not in seen]
        if stray:
            u, v = stray[0]
            a = adj.loc[(u, v)]
            raise InputError(a.get("source_file", "adjudications"),
                             f"adjudication for unit {u!r}, variable {v!r} matches no coded unit",
                             record=a.get("record"))
    cols = ["unit_id", "unit_type", "variable", "codes", "status", "n_coders", "reconciler", "reason",
            "relation_target", "coder_files"]
    final = pd.DataFrame(rows, columns=cols)
    n_open = int((final["status"] == "unresolved").sum())
    if n_open:
        log.info("%d coded (unit, variable) pairs are unresolved", n_open)
    return final
