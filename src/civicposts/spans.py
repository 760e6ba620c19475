"""Spans: coded passages of a unit's text, as the coding store keeps them.

A span line in a coder's file is a coding record with ``"span": {"start", "end", "text_sha256"}``
(offsets into the unit's text as the coder read it, end exclusive, and the SHA-256 of the passage;
:mod:`civicposts.coding`). Here: building a span (:func:`make_span`), each coder's current spans from
the history (:func:`span_decisions`: the latest line per coder, unit, variable and offsets; a line
with no codes removes the span), spans that no longer fit their unit (:func:`span_orphans`) and the
table the pipeline keeps (:func:`span_table`). A span is never moved to new offsets.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError

log = logging.getLogger("civicposts.coding")


def span_hash(passage: str) -> str:
    """The SHA-256 (hex) of a span's passage, as stored in its ``text_sha256``."""
    return hashlib.sha256(passage.encode("utf-8")).hexdigest()


def make_span(text: str, start: int, end: int, *, where: str | Path = "<span>", record: Any = None) -> dict[str, Any]:
    """The ``span`` value of a record coding ``text[start:end]``; InputError when the offsets do not
    select a non-empty passage of ``text``."""
    if not isinstance(text, str):
        raise InputError(where, f"a span needs the unit's text, got {type(text).__name__}", record)
    if type(start) is not int or type(end) is not int or not 0 <= start < end <= len(text):
        raise InputError(where, f"span [{start!r}, {end!r}) is not a passage of a text of {len(text)} "
                         "characters (need 0 <= start < end <= length)", record)
    return {"start": start, "end": end, "text_sha256": span_hash(text[start:end])}



SPAN_COLUMNS = ["unit_id", "unit_type", "variable", "coder", "start", "end", "codes", "memo", "text_sha256",
                "timestamp", "codebook_version", "source_file", "line"]


def span_decisions(history: pd.DataFrame, *, keep_removed: bool = False) -> pd.DataFrame:
    """Each coder's spans: the latest span line per (coder, unit_id, variable, start, end).

    A span whose latest line has no codes was removed and is left out (kept with ``keep_removed``,
    e.g. to know which units a coder worked on). Columns :data:`SPAN_COLUMNS`, sorted by coder,
    unit_id, variable, start, end."""
    if "span_start" not in history.columns or not history["span_start"].notna().any():
        return pd.DataFrame({c: pd.Series(dtype=("int64" if c in ("start", "end", "line") else object))
                             for c in SPAN_COLUMNS})
    sp = history.loc[history["span_start"].notna()].copy()
    sp["start"] = sp["span_start"].astype("int64")
    sp["end"] = sp["span_end"].astype("int64")
    sp["text_sha256"] = sp["span_sha256"]
    files = pd.factorize(sp["source_file"], sort=True)[0]
    # oldest first (time, then file, then line, as latest() breaks ties), so the last line per key wins
    sp = sp.iloc[np.lexsort((sp["line"].to_numpy(), files, sp["timestamp"].to_numpy(dtype="datetime64[us]")))]
    out = sp.drop_duplicates(["coder", "unit_id", "variable", "start", "end"], keep="last")
    if not keep_removed:
        out = out.loc[out["codes"].map(len) > 0]
    out = out.sort_values(["coder", "unit_id", "variable", "start", "end"], kind="mergesort")
    return out[SPAN_COLUMNS].reset_index(drop=True)


def span_orphans(spans: pd.DataFrame, texts: Mapping[str, str]) -> pd.DataFrame:
    """Spans that no longer fit their unit: the unit is gone, or its text at the span's offsets is
    not the passage that was coded (its SHA-256 differs). Returns those rows with a ``problem``
    column; the spans themselves are never moved to new offsets or dropped from the coder files."""
    problems = []
    for uid, start, end, sha in zip(spans["unit_id"], spans["start"], spans["end"], spans["text_sha256"],
                                    strict=True):
        text = texts.get(uid)
        if text is None:
            problems.append("unit no longer in the unit table (removed or renamed by re-cleaning?)")
        elif end > len(text) or span_hash(text[start:end]) != sha:
            problems.append(f"the unit's text at [{start}, {end}) is not the coded passage any more "
                            "(text changed by re-cleaning?); recode the passage")
        else:
            problems.append(None)
    out = spans.assign(problem=problems)
    out = out.loc[out["problem"].notna()].reset_index(drop=True)
    if len(out):
        log.warning("%d span(s) on %d unit(s) no longer match their unit's text", len(out), out["unit_id"].nunique())
    return out


def span_table(history: pd.DataFrame, texts: Mapping[str, str]) -> pd.DataFrame:
    """Every coder's spans in ``history`` (filter it to the unit types at hand) as the pipeline keeps
    them, checked against ``texts`` (``{unit_id: text}``): the latest line per
    span including removed ones (``removed`` True: the coder worked on the unit and took the
    passage back), the ``passage`` it reads, the ``unit_text`` it points into, and ``problem`` (None, or why the span no longer fits
    its unit: :func:`span_orphans`). Orphans stay in the table, flagged, never dropped."""
    sp = span_decisions(history, keep_removed=True)
    bad = span_orphans(sp, texts) if len(sp) else sp.assign(problem=[])
    why = {(r.coder, r.unit_id, r.variable, r.start, r.end): r.problem for r in bad.itertuples()}
    keys = list(zip(sp["coder"], sp["unit_id"], sp["variable"], sp["start"], sp["end"], strict=True))
    out = sp.assign(removed=[len(c) == 0 for c in sp["codes"]],
                    passage=[texts[u][s:e] if (c, u, v, s, e) not in why else None for c, u, v, s, e in keys],
                    problem=[why.get(k) for k in keys],
                    unit_text=[texts.get(u) for u in sp["unit_id"]])
    out["codes"] = out["codes"].map(list)
    return out.reset_index(drop=True)
