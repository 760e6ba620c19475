"""The kit's tables, named once: columns and dtypes of posts, comments, profiles, units and codings.

Every module that builds or checks one of these tables uses the
:class:`Table` here (ingest's frames, the coding store's readers, the
spreadsheet import, the app's change feed), so a column is added in one
place. :func:`frame` builds a typed DataFrame from row dicts; :func:`empty`
gives the typed table with no rows.

Dtypes: ``str`` (pandas string), ``Int64`` (nullable integer), ``int64``,
``boolean`` (nullable), ``utc`` (``datetime64[ns, UTC]``), ``list``
(Python lists in an object column), ``object`` (anything, e.g. tuples).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError


@dataclass(frozen=True)
class Table:
    """A table's name and its columns in order, each with its dtype."""

    name: str
    dtypes: tuple[tuple[str, str], ...]

    @property
    def columns(self) -> list[str]:
        return [c for c, _ in self.dtypes]

    def dtype(self, column: str) -> str:
        return dict(self.dtypes)[column]


def _table(name: str, spec: str) -> Table:
    """A Table from ``"column:dtype column:dtype ..."`` (dtype ``str`` when omitted)."""
    pairs = []
    for item in spec.split():
        col, _, dtype = item.partition(":")
        pairs.append((col, dtype or "str"))
    return Table(name, tuple(pairs))


# --------------------------------------------------------------------------- collected data (ingest)

POSTS = _table("posts", "post_id account owner_id posted_at:utc caption likes:Int64 comments:Int64 media_type "
                        "n_media:Int64 location_name url media_files:list missing_fields:list source_format "
                        "source_file")
COMMENTS = _table("comments", "comment_id post_id parent_id author posted_at:utc text likes:Int64 source_file")
PROFILES = _table("profiles", "account owner_id full_name followers:Int64 following:Int64 posts:Int64 biography "
                              "is_verified:boolean is_private:boolean source_file")
INGEST_REPORT = _table("ingest_report", "source_file source_format read:int64 kept:int64 duplicates:int64 "
                                        "quarantined:int64")
QUARANTINE = _table("quarantine", "source_file record problem")

# --------------------------------------------------------------------------- coding

# The unit types a coder can code; a new type (a transcript segment, say) is added here.
UNIT_TYPES: tuple[str, ...] = ("post", "comment", "interview")

# One line of a coder's file, as the coding store writes it (see civicposts.coding):
#   {"unit_id", "unit_type", "variable", "codes": [..], "coder", "timestamp", "memo",
#    "relation": null | {"type", "target"}, "codebook_version"}
# and, for a passage rather than the whole unit, an optional
#    "span": {"start": int, "end": int, "text_sha256": str}
# (character offsets into the unit's text, end exclusive, and the SHA-256 of that text, so a span
# whose text changed after re-cleaning is reported as an orphan, never shifted). A span line with
# no codes removes the coder's span at those offsets.
CODING_RECORD_FIELDS = ("unit_id", "unit_type", "variable", "codes", "coder", "timestamp", "memo",
                        "relation", "codebook_version")
CODING_STR_FIELDS = ("unit_id", "unit_type", "variable", "coder", "timestamp", "codebook_version")
_RECORD_SET = frozenset(CODING_RECORD_FIELDS)
SPAN_FIELDS = ("start", "end", "text_sha256")
_HEX = frozenset("0123456789abcdef")

# Tables of coding lines (history) and of each coder's latest line per unit and variable (decisions).
# Strings stay object columns: None (not NaN) marks "no relation".
CODING_HISTORY = _table("coding_history", "unit_id:object unit_type:object variable:object coder:object "
                                          "codes:object memo:object relation_type:object relation_target:object "
                                          "timestamp:utc codebook_version:object source_file:object line:int64 "
                                          "span_start:object span_end:object span_sha256:object")
DECISIONS = _table("decisions", "unit_id:object unit_type:object variable:object coder:object codes:object "
                                "memo:object relation_target:object timestamp:utc relation_type:object "
                                "codebook_version:object source_file:object line:int64")


def coding_record_problem(obj: Any) -> str | None:
    """What is wrong with one coding record (a decoded line of a coder's file), or None when it is
    well formed. The one check every reader and writer of coding records uses."""
    if type(obj) is not dict:
        return "expected a JSON object"
    if not _RECORD_SET <= obj.keys():
        return f"missing field(s) {', '.join(k for k in CODING_RECORD_FIELDS if k not in obj)}"
    for key in CODING_STR_FIELDS:
        value = obj[key]
        if type(value) is not str or not value:
            return f"field {key!r} must be a non-empty string, got {value!r}"
    if obj["unit_type"] not in UNIT_TYPES:
        return f"unit_type must be {' or '.join(map(repr, UNIT_TYPES))}, got {obj['unit_type']!r}"
    codes = obj["codes"]
    if type(codes) is not list or not all(type(c) is str for c in codes):
        return f"'codes' must be a list of strings, got {codes!r}"
    if type(obj["memo"]) is not str:
        return f"'memo' must be a string, got {obj['memo']!r}"
    rel = obj["relation"]
    if rel is not None and not (type(rel) is dict and type(rel.get("type")) is str
                                and type(rel.get("target")) is str and rel["target"]):
        return f"'relation' must be null or {{\"type\": str, \"target\": str}}, got {rel!r}"
    span = obj.get("span")
    if span is not None:
        return span_problem(span)
    return None


def span_problem(span: Any) -> str | None:
    """What is wrong with a record's ``span`` value, or None when it is well formed."""
    if type(span) is not dict or set(span) != set(SPAN_FIELDS):
        return f"'span' must be null or {{\"start\": int, \"end\": int, \"text_sha256\": str}}, got {span!r}"
    start, end, sha = span["start"], span["end"], span["text_sha256"]
    if type(start) is not int or type(end) is not int or not 0 <= start < end:
        return f"span offsets must be integers with 0 <= start < end, got start={start!r} end={end!r}"
    if type(sha) is not str or len(sha) != 64 or not set(sha) <= _HEX:
        return f"span text_sha256 must be 64 lower-case hex digits, got {sha!r}"
    return None


def coding_arrow_schema() -> Any:
    """The pyarrow schema of a coding record, for reading a whole coder file at once."""
    import pyarrow as pa

    string = pa.string()
    types = {"codes": pa.list_(string), "relation": pa.struct([("type", string), ("target", string)])}
    span = pa.struct([("start", pa.int64()), ("end", pa.int64()), ("text_sha256", string)])
    return pa.schema([(name, types.get(name, string)) for name in CODING_RECORD_FIELDS] + [("span", span)])


def coding_table_ok(tbl: Any) -> bool:
    """:func:`coding_record_problem` on every row of a pyarrow table at once: True when no row has a
    problem (the caller then re-reads line by line to name the first bad one)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for name in CODING_STR_FIELDS:
        col = tbl.column(name)
        if col.null_count or pc.any(pc.equal(pc.utf8_length(col), 0)).as_py():
            return False
    if tbl.column("memo").null_count or tbl.column("codes").null_count:
        return False
    if not pc.all(pc.is_in(tbl.column("unit_type"), value_set=pa.array(list(UNIT_TYPES)))).as_py():
        return False
    if pc.list_flatten(tbl.column("codes")).null_count:
        return False
    span = tbl.column("span").combine_chunks()
    if span.null_count < len(span):  # spans are rare: the exact check runs on those rows only
        for value in span.filter(pc.is_valid(span)).to_pylist():
            if span_problem(value) is not None:
                return False
    rel = tbl.column("relation").combine_chunks()
    rtype, rtarget = pc.struct_field(rel, [0]), pc.struct_field(rel, [1])
    present = pc.is_valid(rel)
    return not (pc.any(pc.and_(present, pc.or_(pc.is_null(rtype), pc.is_null(rtarget)))).as_py()
                or pc.any(pc.and_(present, pc.equal(pc.utf8_length(rtarget), 0))).as_py())


def _column(values: Sequence[Any], dtype: str) -> Any:
    if dtype == "utc":
        if any(v is None for v in values):  # e.g. a table with no time column: NaT, not an error
            return pd.to_datetime(pd.array(list(values), dtype="Int64"), unit="ns", utc=True).as_unit("ns")
        return pd.to_datetime(np.array(values, dtype="int64"), unit="ns", utc=True).as_unit("ns")
    if dtype in ("list", "object"):
        return list_column(values)
    return pd.array(list(values), dtype=dtype)


def list_column(values: Sequence[Any]) -> np.ndarray:
    """An object column holding ``values`` as they are (lists stay lists; numpy would make a 2-D array)."""
    arr = np.empty(len(values), dtype=object)
    arr[:] = list(values)
    return arr


def frame(rows: Iterable[Mapping[str, Any]], table: Table) -> pd.DataFrame:
    """The typed DataFrame of ``rows`` (dicts; a missing key is null); ``utc`` values are ns since the epoch."""
    rows = list(rows)
    data = {col: _column([r.get(col) for r in rows], dtype) for col, dtype in table.dtypes}
    return pd.DataFrame(data, columns=table.columns)


def empty(table: Table) -> pd.DataFrame:
    """The table with its columns and dtypes and no rows."""
    return frame([], table)


def require(df: pd.DataFrame, cols: Iterable[str], what: str) -> None:
    """InputError naming the table's source file when ``df`` lacks any of ``cols`` (``what`` needs them)."""
    missing = [c for c in cols if c not in df.columns]
    if missing:
        src = df["source_file"].iloc[0] if "source_file" in df.columns and len(df) else "<post table>"
        raise InputError(src, f"{what}: post table lacks column(s) {', '.join(missing)}")


def take_id(value: Any, seen: set[str], path: Any, where: Any, what: str = "unit_id") -> str:
    """``value`` as an id (stripped), added to ``seen``; InputError naming ``path`` and ``where`` when it
    is empty or was seen before (ids of units, segments and sheet rows are unique)."""
    uid = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value).strip()
    if not uid:
        raise InputError(path, f"empty {what}", where)
    if uid in seen:
        raise InputError(path, f"{what} {uid!r} appears more than once", where)
    seen.add(uid)
    return uid
