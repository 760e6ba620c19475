"""The append-only coding store: one JSON Lines file per coder, never rewritten.

Each line is one coding decision::

    {"unit_id": "B1x", "unit_type": "post", "variable": "topic", "codes": ["roads"],
     "coder": "ana", "timestamp": "2021-03-01T02:03:04.000005Z", "memo": "",
     "relation": null, "codebook_version": "1.0.0"}

The latest line per (coder, unit_id, variable) is the coder's decision (:func:`latest`);
earlier lines stay as history. A line may instead code a passage of the unit's text: it then
carries ``"span": {"start", "end", "text_sha256"}`` (character offsets, end exclusive, and the
SHA-256 of the passage), and the latest line per (coder, unit_id, variable, start, end) is the
coder's span (:func:`span_decisions`); a span line with no codes removes that span. Spans whose
passage no longer reads the same after re-cleaning are listed by :func:`span_orphans`. Human coders' files live in ``coding/<coder>.jsonl`` and are
written only by :class:`CodingStore` (through the coding app); the pipeline only reads them.

Why an append is atomic
-----------------------
:meth:`CodingStore.append` opens the file with ``O_APPEND``, takes an exclusive ``fcntl.flock``
on it, writes the complete encoded line (ending in ``\\n``) with ``os.write``, ``fsync``s and
unlocks. With ``O_APPEND`` the kernel moves the offset to the end of the file and writes in
one step, so a write can never land over bytes another writer put there; the lock makes every
other cooperating writer (another process, another browser session of the same coder) wait
until the whole line is written, so lines never interleave even if a write were split
(``os.write`` may in principle write fewer bytes than asked; the loop finishing it runs under
the lock). ``fsync`` before unlocking makes the line durable before the call returns. Nothing
ever truncates or rewrites the file, so earlier bytes never change. If a previous writer died
mid-line (power loss), the next append first ends that torn line with ``\\n`` so the new line
stays whole; :func:`read_coder_file` then reports the torn line with its number.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

from . import schema
from .codebook import Codebook
from .errors import InputError
# spans (passages) have their own module; their names are re-exported here, the store's home
from .spans import (  # noqa: F401
    SPAN_COLUMNS, make_span, span_decisions, span_hash, span_orphans, span_table,
)

log = logging.getLogger(__name__)

RECORD_FIELDS = schema.CODING_RECORD_FIELDS
HISTORY_COLUMNS = schema.CODING_HISTORY.columns
DECISION_COLUMNS = schema.DECISIONS.columns
CODER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MULTI_SEP = "|"


# -- records ------------------------------------------------------------------------------------

def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _norm_timestamp(value: Any, path: str | Path, record: Any) -> str:
    """ISO-8601 UTC with microseconds and a Z, so string order equals time order."""
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        ts = pd.Timestamp(value)
    elif isinstance(value, str):
        try:
            ts = pd.Timestamp(value)
        except (ValueError, TypeError) as exc:
            raise InputError(path, f"timestamp {value!r} is not ISO-8601 ({exc})", record) from None
    else:
        raise InputError(path, f"timestamp must be an ISO-8601 string, got {value!r}", record)
    if ts.tzinfo is None:
        raise InputError(path, f"timestamp {value!r} has no time zone; write UTC with a trailing Z", record)
    return ts.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def check_coder(coder: str) -> str:
    """Return ``coder`` if it is a valid coder name (letters, digits, ``_.-``; used as a file name)."""
    if not isinstance(coder, str) or not CODER_RE.match(coder):
        raise ValueError(f"coder name {coder!r} must be 1-64 letters, digits, '_', '.' or '-', "
                         "starting with a letter or digit")
    return coder


def make_record(codebook: Codebook, coder: str, unit_id: str, unit_type: str, variable: str,
                codes: Sequence[str] | str, memo: str = "", relation: dict[str, str] | None = None,
                timestamp: str | dt.datetime | None = None, *, span: dict[str, Any] | None = None,
                where: str | Path | None = None, record: Any = None) -> dict[str, Any]:
    """Build and validate one coding record (the dict that becomes one JSON line).

    With ``span`` (from :func:`make_span`) the record codes that passage; empty ``codes`` then
    removes the coder's span at those offsets."""
    where = str(where or codebook.path)
    check_coder(coder)
    if not isinstance(unit_id, str) or not unit_id.strip():
        raise InputError(where, f"unit_id must be a non-empty string, got {unit_id!r}", record)
    if not isinstance(memo, str):
        raise InputError(where, f"memo must be a string, got {memo!r}", record)
    if span is not None:
        problem = schema.span_problem(span)
        if problem is not None:
            raise InputError(where, problem, record)
        if relation is not None:
            raise InputError(where, "a span carries codes only; relations are made on whole units", record)
    if span is not None and not list([codes] if isinstance(codes, str) else codes):
        codebook.variable(variable)  # a removal: the variable must exist and apply to the unit type
        checked: tuple[str, ...] = ()
        if codebook.variables[variable].unit_type != unit_type:
            raise InputError(where, f"variable {variable!r} applies to {codebook.variables[variable].unit_type} "
                             f"units, not {unit_type!r} units (codebook {codebook.path})", record)
    else:
        checked = codebook.check(variable, codes, unit_type=unit_type, relation=relation, where=where,
                                 record=record)
    if relation is not None and relation["target"] == unit_id:
        raise InputError(where, f"unit {unit_id!r} cannot follow up itself", record)
    rec = {
        "unit_id": unit_id,
        "unit_type": unit_type,
        "variable": variable,
        "codes": list(checked),
        "coder": coder,
        "timestamp": _now_iso() if timestamp is None else _norm_timestamp(timestamp, where, record),
        "memo": memo,
        "relation": None if relation is None else {"type": relation["type"], "target": relation["target"]},
        "codebook_version": codebook.version,
    }
    if span is not None:
        rec["span"] = {k: span[k] for k in schema.SPAN_FIELDS}
    # The same check every reader applies: nothing is written that a reader would refuse.
    problem = schema.coding_record_problem(rec)
    if problem is not None:
        raise InputError(where, problem, record)
    return rec


def encode_record(rec: dict[str, Any]) -> bytes:
    """One JSON line (fixed key order, UTF-8, ending in a newline); ``span`` last, only when present."""
    out = {k: rec[k] for k in RECORD_FIELDS}
    if rec.get("span") is not None:
        out["span"] = {k: rec["span"][k] for k in schema.SPAN_FIELDS}
    return orjson.dumps(out) + b"\n"


def append_line(path: str | Path, line: bytes) -> None:
    """Append one complete line to ``path`` atomically (see the module docstring for why)."""
    if not line.endswith(b"\n") or b"\n" in line[:-1]:
        raise ValueError("append_line takes exactly one line ending in a newline")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            size = os.fstat(fd).st_size
            if size:
                with open(path, "rb") as fh:
                    fh.seek(size - 1)
                    if fh.read(1) != b"\n":
                        log.warning("%s: last line was incomplete (torn write); ending it before appending", path)
                        line = b"\n" + line
            view = memoryview(line)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            os.fsync(fd)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
    if created:  # make the new directory entry durable too
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


# -- reading ------------------------------------------------------------------------------------

def _empty_history() -> pd.DataFrame:
    return schema.empty(schema.CODING_HISTORY)


_TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def _check_obj(path: str, lineno: int, obj: Any) -> None:
    """Raise InputError naming the file and line if ``obj`` is not a well-formed coding record."""
    problem = schema.coding_record_problem(obj)
    if problem is not None:
        raise InputError(path, problem, f"line {lineno}")


def _load_objects(path: str, data: bytes) -> tuple[list[int], list[Any]]:
    """(line numbers, parsed objects) of the non-blank lines; InputError names a line that is not JSON."""
    linenos, chunks = [], []
    for i, raw in enumerate(data.split(b"\n"), start=1):
        if raw.strip():
            linenos.append(i)
            chunks.append(raw)
    try:  # one parser call for the whole file; fall back to line by line to name a bad line
        objs = orjson.loads(b"[" + b",".join(chunks) + b"]")
        if len(objs) == len(chunks):
            return linenos, objs
    except orjson.JSONDecodeError:
        pass
    objs = []
    for lineno, raw in zip(linenos, chunks, strict=True):
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise InputError(path, f"not valid JSON ({exc})", f"line {lineno}") from None
        objs.append(obj)
    return linenos, objs


def read_coder_file(path: str | Path) -> pd.DataFrame:
    """The full history in one coder file, one row per line, in file order.

    Columns: unit_id, unit_type, variable, coder, codes (sorted tuple), memo, relation_type,
    relation_target (None when no relation), timestamp (datetime64 UTC), codebook_version,
    source_file, line (1-based). A malformed line raises InputError naming the file and the
    line, as does a line of another coder than the file's first line (one file per coder);
    blank lines are skipped. Codes are not checked against a codebook here (use
    ``Codebook.validate_codings``).
    """
    path_s = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(path_s, "coder file not found") from None
    if not data.strip():
        return _empty_history()
    fast = _read_fast(path_s, data)
    df = fast if fast is not None else _read_checked(path_s, data)
    coders = df["coder"].to_numpy()
    if len(coders) and (coders != coders[0]).any():
        i = int(np.flatnonzero(coders != coders[0])[0])
        raise InputError(path_s, f"coder {coders[i]!r} in a file of coder {coders[0]!r}: one file per coder",
                         f"line {df['line'].iat[i]}")
    return df


def _timestamps(stamps: list[str], path_s: str, linenos: Sequence[int]) -> pd.Series:
    for i, ts in enumerate(stamps):  # anything but the canonical form is normalised (or named) here
        if len(ts) != 27 or ts[-1] != "Z" or ts[10] != "T":
            stamps[i] = _norm_timestamp(ts, path_s, f"line {linenos[i]}")
    try:
        return pd.to_datetime(pd.Series(stamps, dtype=object), utc=True, format=_TS_FORMAT)
    except (ValueError, TypeError):
        for i, ts in enumerate(stamps):
            try:
                pd.to_datetime(ts, utc=True, format=_TS_FORMAT)
            except (ValueError, TypeError) as exc:
                raise InputError(path_s, f"timestamp {ts!r} is not a valid time ({exc})",
                                 f"line {linenos[i]}") from None
        raise


def _frame(path_s: str, linenos: Sequence[int], cols: dict[str, Any]) -> pd.DataFrame:
    df = pd.DataFrame({
        **{k: cols[k] for k in ("unit_id", "unit_type", "variable", "coder")},
        "codes": pd.Series(cols["codes"], dtype=object),
        "memo": cols["memo"],
        # object dtype keeps None (not NaN) for "no relation"
        "relation_type": pd.Series(cols["relation_type"], dtype=object),
        "relation_target": pd.Series(cols["relation_target"], dtype=object),
        "timestamp": _timestamps(cols["timestamp"], path_s, linenos),
        "codebook_version": cols["codebook_version"],
        "source_file": path_s,
        "line": np.asarray(linenos, dtype="int64"),
        **_span_columns(cols["span"]),
    })
    return df[HISTORY_COLUMNS]


def _span_columns(spans: Sequence[dict[str, Any] | None]) -> dict[str, pd.Series]:
    """span_start, span_end, span_sha256 as object columns (None for a whole-unit line)."""
    return {
        "span_start": pd.Series([None if s is None else int(s["start"]) for s in spans], dtype=object),
        "span_end": pd.Series([None if s is None else int(s["end"]) for s in spans], dtype=object),
        "span_sha256": pd.Series([None if s is None else s["text_sha256"] for s in spans], dtype=object),
    }


def _sorted_codes(lists: list[list[str]]) -> list[tuple[str, ...]]:
    return [tuple(c) if len(c) < 2 else tuple(sorted(c)) for c in lists]


def _read_checked(path_s: str, data: bytes) -> pd.DataFrame:
    """Line-by-line parsing with a precise error for the first bad line."""
    linenos, objs = _load_objects(path_s, data)
    if not objs:
        return _empty_history()
    for lineno, obj in zip(linenos, objs, strict=True):
        _check_obj(path_s, lineno, obj)
    rels = [o["relation"] for o in objs]
    cols = {k: [o[k] for o in objs] for k in ("unit_id", "unit_type", "variable", "coder", "memo", "timestamp",
                                               "codebook_version")}
    cols["codes"] = _sorted_codes([o["codes"] for o in objs])
    cols["relation_type"] = [None if r is None else r["type"] for r in rels]
    cols["relation_target"] = [None if r is None else r["target"] for r in rels]
    cols["span"] = [o.get("span") for o in objs]
    return _frame(path_s, linenos, cols)


def _read_fast(path_s: str, data: bytes) -> pd.DataFrame | None:
    """Parse a well-formed file with pyarrow's JSON reader (C++); None if anything looks wrong, so
    the caller re-reads it line by line and names the bad line."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.json as pj

    if not data.endswith(b"\n"):
        return None  # torn last line
    linenos = [i for i, raw in enumerate(data.split(b"\n"), start=1) if raw.strip()]
    try:
        tbl = pj.read_json(pa.BufferReader(data), read_options=pj.ReadOptions(use_threads=False,
                                                                               block_size=max(1 << 20, len(data) + 1)),
                           parse_options=pj.ParseOptions(explicit_schema=schema.coding_arrow_schema(),
                                                         unexpected_field_behavior="ignore"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    if tbl.num_rows != len(linenos):
        return None
    if not schema.coding_table_ok(tbl):
        return None
    rel = tbl.column("relation").combine_chunks()
    rtype, rtarget = pc.struct_field(rel, [0]), pc.struct_field(rel, [1])
    present = pc.is_valid(rel)
    stamps = tbl.column("timestamp")
    if not (pc.all(pc.equal(pc.utf8_length(stamps), 27)).as_py()
            and pc.all(pc.ends_with(stamps, "Z")).as_py()):
        return None  # non-canonical timestamps: normalised line by line
    try:
        when = pc.cast(stamps, pa.timestamp("us", tz="UTC")).to_pandas()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    df = pd.DataFrame({
        **{k: tbl.column(k).to_pandas() for k in ("unit_id", "unit_type", "variable", "coder", "memo")},
        "codes": pd.Series(_sorted_codes(tbl.column("codes").to_pylist()), dtype=object),
        "relation_type": pd.Series(pc.if_else(present, rtype, None).to_pylist(), dtype=object),
        "relation_target": pd.Series(pc.if_else(present, rtarget, None).to_pylist(), dtype=object),
        "timestamp": when,
        "codebook_version": tbl.column("codebook_version").to_pandas(),
        "source_file": path_s,
        "line": np.asarray(linenos, dtype="int64"),
        **_span_columns(tbl.column("span").to_pylist()),
    })
    return df[HISTORY_COLUMNS]


def _coder_files(items: Iterable[str | Path], missing_ok: bool = False) -> list[Path]:
    files: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            files.extend(sorted(p.glob("*.jsonl")))
        elif p.exists():
            files.append(p)
        elif missing_ok and not p.suffix:
            log.info("%s: no coder folder yet (nobody has coded in it)", p)
        else:
            raise InputError(p, "coder file or folder not found")
    return files


def load_history(*dirs_or_files: str | Path, missing_ok: bool = False) -> pd.DataFrame:
    """All coding lines from coder files and folders of ``*.jsonl`` files (sorted by file name),
    concatenated in file and line order. Same columns as :func:`read_coder_file`. With
    ``missing_ok`` a folder that does not exist yet is a folder with no coder file (a named file
    that does not exist is still an error)."""
    frames = [read_coder_file(f) for f in _coder_files(dirs_or_files, missing_ok)]
    frames = [f for f in frames if len(f)]
    if not frames:
        return _empty_history()
    return pd.concat(frames, ignore_index=True)


def _whole_unit(history: pd.DataFrame) -> pd.DataFrame:
    if "span_start" not in history.columns:
        return history
    spans = history["span_start"].notna().to_numpy()
    return history.loc[~spans] if spans.any() else history


def latest(history: pd.DataFrame) -> pd.DataFrame:
    """The decisions: the latest whole-unit line per (coder, unit_id, variable); ``history`` is not
    changed. Span lines are not decisions on the unit (see :func:`span_decisions`).

    Latest means greatest timestamp; equal timestamps are broken by file order, then line order.
    Columns: unit_id, unit_type, variable, coder, codes (sorted tuple), memo, relation_target,
    timestamp, then relation_type, codebook_version, source_file, line (where the decision came
    from). Rows sorted by coder, unit_id, variable.
    """
    history = _whole_unit(history)
    if history.empty:
        out = _empty_history()
        return out[DECISION_COLUMNS]
    ts = history["timestamp"].to_numpy(dtype="datetime64[us]").astype("int64")
    files = pd.factorize(history["source_file"], sort=True)[0]
    lines = history["line"].to_numpy(dtype="int64")
    c_code, c_uni = pd.factorize(history["coder"], sort=True)
    u_code, u_uni = pd.factorize(history["unit_id"], sort=True)
    v_code, v_uni = pd.factorize(history["variable"], sort=True)
    key = (c_code.astype("int64") * len(u_uni) + u_code) * len(v_uni) + v_code  # sorts like (coder, unit, var)
    order = np.lexsort((lines, files, ts))  # oldest first; the last key is the primary one
    rev = order[::-1]
    _, first_in_rev = np.unique(key[rev], return_index=True)  # unique() sorts by key: coder, unit, variable
    keep = rev[first_in_rev]
    return history.iloc[keep][DECISION_COLUMNS].reset_index(drop=True)


def orphans(decisions: pd.DataFrame, unit_ids: Iterable[str]) -> pd.DataFrame:
    """Decisions whose unit is not among ``unit_ids`` (e.g. a post removed by re-cleaning).

    Returns those rows with a ``problem`` column; ``decisions`` itself is not changed, so orphaned
    codings are listed, never silently dropped.
    """
    known = set(unit_ids)
    mask = ~decisions["unit_id"].isin(known)
    out = decisions.loc[mask].copy()
    out["problem"] = "unit no longer in the unit table (removed or renamed by re-cleaning?)"
    if len(out):
        log.warning("%d coding decision(s) on %d unit(s) not in the current unit table", len(out),
                    out["unit_id"].nunique())
    return out.reset_index(drop=True)


# -- the store ----------------------------------------------------------------------------------

class CodingStore:
    """Coder files ``<directory>/<coder>.jsonl``, validated against ``codebook`` on every append."""

    def __init__(self, directory: str | Path, codebook: Codebook):
        self.directory = Path(directory)
        self.codebook = codebook

    def path_for(self, coder: str) -> Path:
        """The JSON Lines file of ``coder``."""
        return self.directory / f"{check_coder(coder)}.jsonl"

    def append(self, coder: str, unit_id: str, unit_type: str, variable: str, codes: Sequence[str] | str,
               memo: str = "", relation: dict[str, str] | None = None,
               timestamp: str | dt.datetime | None = None) -> dict[str, Any]:
        """Validate one coding against the codebook and append it to the coder's file atomically.

        ``codes`` is a list of code ids (a single-choice variable takes exactly one; a bare string
        counts as one code). Unknown codes, variables or relations raise InputError naming the
        codebook file. ``timestamp`` defaults to now (UTC). Returns the record written.
        """
        rec = make_record(self.codebook, coder, unit_id, unit_type, variable, codes, memo, relation, timestamp)
        append_line(self.path_for(coder), encode_record(rec))
        return rec

    def append_span(self, coder: str, unit_id: str, unit_type: str, variable: str, codes: Sequence[str] | str,
                    text: str, start: int, end: int, memo: str = "",
                    timestamp: str | dt.datetime | None = None) -> dict[str, Any]:
        """Code the passage ``text[start:end]`` of a unit (``text`` is the unit's text as the coder
        saw it) and append the record atomically; empty ``codes`` removes the span. Returns the record."""
        span = make_span(text, start, end, where=self.codebook.path, record=unit_id)
        rec = make_record(self.codebook, coder, unit_id, unit_type, variable, codes, memo, None, timestamp,
                          span=span)
        append_line(self.path_for(coder), encode_record(rec))
        return rec

    def spans(self, coder: str | None = None, *, keep_removed: bool = False) -> pd.DataFrame:
        """The current spans of one coder (or of every coder); see :func:`span_decisions`."""
        return span_decisions(self.history(coder), keep_removed=keep_removed)

    def append_many(self, records: Iterable[dict[str, Any]], *, skip_unchanged: bool = True) -> list[dict[str, Any]]:
        """Append records (e.g. from :func:`import_sheet`); all are validated before any is written.

        With ``skip_unchanged`` a record equal to the coder's current decision (same codes, memo
        and relation) is not appended again. Returns the records written.
        """
        built = [make_record(self.codebook, r["coder"], r["unit_id"], r["unit_type"], r["variable"], r["codes"],
                             r.get("memo", ""), r.get("relation"), r.get("timestamp"), span=r.get("span"))
                 for r in records]
        current: dict[tuple, tuple] = {}
        if skip_unchanged:
            for coder in sorted({r["coder"] for r in built}):
                hist = self.history(coder)
                for row in latest(hist).itertuples(index=False):
                    target = None if row.relation_target is None or pd.isna(row.relation_target) else row.relation_target
                    current[(row.coder, row.unit_id, row.variable)] = (tuple(row.codes), row.memo, target)
                for row in span_decisions(hist, keep_removed=True).itertuples(index=False):
                    current[(row.coder, row.unit_id, row.variable, row.start, row.end)] = (
                        tuple(row.codes), row.memo, row.text_sha256)
        written = []
        for rec in built:
            span = rec.get("span")
            if span is None:
                key: tuple = (rec["coder"], rec["unit_id"], rec["variable"])
                state = (tuple(rec["codes"]), rec["memo"], rec["relation"]["target"] if rec["relation"] else None)
            else:
                key = (rec["coder"], rec["unit_id"], rec["variable"], span["start"], span["end"])
                state = (tuple(rec["codes"]), rec["memo"], span["text_sha256"])
            if skip_unchanged and current.get(key) == state:
                continue
            append_line(self.path_for(rec["coder"]), encode_record(rec))
            current[key] = state
            written.append(rec)
        return written

    def read_since(self, coder: str, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        """Records appended to ``coder``'s file after byte ``offset``, and the offset to ask from next.

        Only complete lines are read (a line still being written waits for the next call). Each
        record is checked with :func:`civicposts.schema.coding_record_problem`; a bad line is logged
        and skipped here (the pipeline's reader, :func:`read_coder_file`, names it and stops).
        This is how a coding app takes in what another session of the same coder wrote.
        """
        path = self.path_for(coder)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return [], offset
        if size <= offset:
            return [], offset
        with open(path, "rb") as fh:
            fh.seek(offset)
            data = fh.read(size - offset)
        end = data.rfind(b"\n")
        if end < 0:
            return [], offset
        records = []
        for raw in data[: end + 1].splitlines():
            if not raw.strip():
                continue
            try:
                rec = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                log.warning("%s: skipping a line that is not JSON (%s)", path, exc)
                continue
            problem = schema.coding_record_problem(rec)
            if problem is not None:
                log.warning("%s: skipping a malformed coding line (%s)", path, problem)
                continue
            records.append(rec)
        return records, offset + end + 1

    def coders(self) -> list[str]:
        """Coders with a file in the store, sorted."""
        return sorted(p.stem for p in self.directory.glob("*.jsonl")) if self.directory.exists() else []

    def history(self, coder: str | None = None) -> pd.DataFrame:
        """All lines of one coder (or of every coder in the store)."""
        if coder is not None:
            path = self.path_for(coder)
            return read_coder_file(path) if path.exists() else _empty_history()
        return load_history(self.directory) if self.directory.exists() else _empty_history()

    def decisions(self, coder: str | None = None) -> pd.DataFrame:
        """The latest decisions of one coder (or of every coder)."""
        return latest(self.history(coder))

    def coded_units(self, coder: str) -> set[str]:
        """Units ``coder`` has finished: a decision exists for every codebook variable of the unit's type."""
        dec = self.decisions(coder)
        if dec.empty:
            return set()
        needed = {ut: set(self.codebook.variables_for(ut)) for ut in schema.UNIT_TYPES}
        done = dec.groupby(["unit_id", "unit_type"])["variable"].agg(set)
        return {uid for (uid, ut), have in done.items() if needed[ut] <= have}

    def next_uncoded(self, coder: str, units: pd.DataFrame) -> str | None:
        """The first unit (by ``order`` column if present, else row order) ``coder`` has not finished."""
        done = self.coded_units(coder)
        ordered = units.sort_values("order", kind="mergesort") if "order" in units.columns else units
        for uid in ordered["unit_id"]:
            if uid not in done:
                return uid
        return None
