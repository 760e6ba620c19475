"""Units as the coding app shows them: one display record per post, comment or interview segment."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from ..errors import InputError

DEFAULT_TIMEZONE = "Asia/Jakarta"


def _get(obj: Any, *names: str, default: Any = None) -> Any:
    """The first of ``names`` found on ``obj`` as a key or attribute."""
    for name in names:
        if isinstance(obj, Mapping):
            if name in obj and obj[name] is not None:
                return obj[name]
        elif getattr(obj, name, None) is not None:
            return getattr(obj, name)
    return default


def _text(value: Any) -> str:
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return " ".join(str(value).split())


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    try:
        return [str(v) for v in value]
    except TypeError:
        return []


def _raw_text(value: Any) -> str:
    """Caption or segment text as written (line breaks kept), "" when missing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def _unstripped(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _local_times(df: pd.DataFrame, timezone: str, source: str) -> pd.Series:
    """Each unit's time in ``timezone``: ``posted_at`` (UTC), else ``interview_date``; NaT if neither."""
    ts = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns, UTC]")
    for col in ("posted_at", "interview_date"):
        if col not in df.columns:
            continue
        raw = df[col]
        given = raw.notna() & (raw.astype(str).str.strip() != "")
        parsed = pd.to_datetime(raw.where(given), utc=True, errors="coerce", format="mixed")
        bad = given & parsed.isna()
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise InputError(source, f"{col} {raw.iloc[i]!r} is not a date/time", record=i)
        ts = ts.fillna(parsed) if ts.isna().any() else ts
    return ts.dt.tz_convert(timezone)


def normalise_units(units: pd.DataFrame | Iterable[Mapping[str, Any]], timezone: str = DEFAULT_TIMEZONE,
                    source: str = "units") -> list[dict[str, Any]]:
    """One display record per unit: ids, type, text, local time and the fields the app shows.

    Takes the unit tables of :mod:`civicposts.units` and the coding sample (``unit_id``,
    ``unit_type``, ``caption`` or ``text`` ...; in ``order`` when the table has that column) and
    also raw post tables (``post_id``) or interview records (``segment_id``).
    Raises InputError naming ``source`` and the record for a missing or repeated unit id.
    """
    df = units if isinstance(units, pd.DataFrame) else pd.DataFrame(list(units))
    if df.empty:
        raise InputError(source, "there are no units to code")
    if "order" in df.columns:  # the sample's coding order (civicposts.sampling), as the store reads it
        df = df.sort_values("order", kind="mergesort")
    df = df.reset_index(drop=True)
    local = _local_times(df, timezone, source)
    local_str = local.dt.strftime("%Y-%m-%d %H:%M").fillna("").tolist()
    local_ts = local.tolist()  # Timestamps (NaT for none), boxed once rather than per .iloc
    records = df.to_dict("records")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, r in enumerate(records):
        uid = _text(_get(r, "unit_id", "post_id", "segment_id"))
        if not uid:
            raise InputError(source, "unit has no unit_id/post_id/segment_id", record=i)
        if uid in seen:
            raise InputError(source, f"unit id {uid!r} occurs more than once", record=i)
        seen.add(uid)
        utype = _text(r.get("unit_type")) or ("interview" if _text(r.get("segment_id")) else "post")
        text = _raw_text(r.get("caption") if utype == "post" else r.get("text"))
        when = local_ts[i]
        out.append({
            "unit_id": uid,
            "unit_type": utype,
            "text": text,
            # the text as the pipeline keeps it (not stripped): passage offsets count into this one
            "raw_text": _unstripped(r.get("caption") if utype == "post" else r.get("text")),
            "local": None if pd.isna(when) else when,
            "local_str": local_str[i],
            "search": f"{uid} {text}".lower(),
            "account": _text(r.get("account")),
            "likes": r.get("likes"),
            "comments": r.get("comments"),
            "url": _text(r.get("url")),
            "media_type": _text(r.get("media_type")),
            "media_files": _as_list(r.get("media_files")),
            "kind": _text(r.get("kind")).lower(),
            "speaker": _text(r.get("speaker")),
            "speaker_role": _text(r.get("speaker_role")),
            "language": _text(r.get("language")),
            "section": _text(r.get("paper_section")),
            "turn": _text(r.get("turn")),
            "start_time": _text(r.get("start_time")),
            "end_time": _text(r.get("end_time")),
            # a comment is shown under the post it answers
            "post_id": _text(r.get("post_id")) if utype == "comment" else "",
            "post_account": _text(r.get("post_account")),
            "post_text": _raw_text(r.get("post_caption")),
            "post_local_str": _text(r.get("post_local")),
            "reply_to": _text(r.get("reply_to")),
        })
    return out
