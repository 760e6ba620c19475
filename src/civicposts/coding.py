"""The append-only coding store: one JSON Lines file per coder, never rewritten.

Each line is one coding decision::

    {"unit_id": "B1x", "unit_type": "post", "variable": "topic", "codes": ["roads"],
     "coder": "ana", "timestamp": "2021-03-01T02:03:04.000005Z", "memo": "",
     "relation": null, "codebook_version": "1.0.0"}

The latest line per (coder, unit_id, variable) is the coder's decision (:func:`latest`);
earlier lines stay as history. Human coders' files live in ``coding/<coder>.jsonl`` and are
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

import csv
import datetime as dt
import fcntl
import io
import logging
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

from .codebook import Codebook
from .errors import InputError
from .iorw import source_date_epoch, write_bytes, write_csv

log = logging.getLogger(__name__)

RECORD_FIELDS = ("unit_id", "unit_type", "variable", "codes", "coder", "timestamp", "memo",
                 "relation", "codebook_version")
HISTORY_COLUMNS = ["unit_id", "unit_type", "variable", "coder", "codes", "memo", "relation_type",
                   "relation_target", "timestamp", "codebook_version", "source_file", "line"]
DECISION_COLUMNS = ["unit_id", "unit_type", "variable", "coder", "codes", "memo", "relation_target",
                    "timestamp", "relation_type", "codebook_version", "source_file", "line"]
CODER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MULTI_SEP = "|"
SHEET_NAME = "coding"
CODEBOOK_SHEET = "codebook"
LISTS_SHEET = "lists"
RELATION_COLUMN = "follows_up"
MEMO_PREFIX = "memo_"
TEXT_COLUMNS = ("caption", "text")


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
                timestamp: str | dt.datetime | None = None, *, where: str | Path | None = None,
                record: Any = None) -> dict[str, Any]:
    """Build and validate one coding record (the dict that becomes one JSON line)."""
    where = str(where or codebook.path)
    check_coder(coder)
    if not isinstance(unit_id, str) or not unit_id.strip():
        raise InputError(where, f"unit_id must be a non-empty string, got {unit_id!r}", record)
    if not isinstance(memo, str):
        raise InputError(where, f"memo must be a string, got {memo!r}", record)
    checked = codebook.check(variable, codes, unit_type=unit_type, relation=relation, where=where,
                             record=record)
    if relation is not None and relation["target"] == unit_id:
        raise InputError(where, f"unit {unit_id!r} cannot follow up itself", record)
    return {
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


def encode_record(rec: dict[str, Any]) -> bytes:
    """One JSON line (fixed key order, UTF-8, ending in a newline)."""
    return orjson.dumps({k: rec[k] for k in RECORD_FIELDS}) + b"\n"


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
    df = pd.DataFrame({c: pd.Series(dtype="object") for c in HISTORY_COLUMNS})
    df["timestamp"] = pd.Series(dtype="datetime64[ns, UTC]")
    df["line"] = pd.Series(dtype="int64")
    return df


_TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_STR_FIELDS = ("unit_id", "unit_type", "variable", "coder", "timestamp", "codebook_version")
_FIELD_SET = frozenset(RECORD_FIELDS)


def _check_obj(path: str, lineno: int, obj: Any) -> None:
    """Raise InputError naming the file and line if ``obj`` is not a well-formed coding record."""
    where = f"line {lineno}"
    if not isinstance(obj, dict):
        raise InputError(path, "expected a JSON object", where)
    missing = [k for k in RECORD_FIELDS if k not in obj]
    if missing:
        raise InputError(path, f"missing field(s) {', '.join(missing)}", where)
    for key in _STR_FIELDS:
        if not isinstance(obj[key], str) or not obj[key]:
            raise InputError(path, f"field {key!r} must be a non-empty string, got {obj[key]!r}", where)
    if obj["unit_type"] not in ("post", "interview"):
        raise InputError(path, f"unit_type must be 'post' or 'interview', got {obj['unit_type']!r}", where)
    codes = obj["codes"]
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise InputError(path, f"'codes' must be a list of strings, got {codes!r}", where)
    if not isinstance(obj["memo"], str):
        raise InputError(path, f"'memo' must be a string, got {obj['memo']!r}", where)
    rel = obj["relation"]
    if rel is not None and not (isinstance(rel, dict) and isinstance(rel.get("type"), str)
                                and isinstance(rel.get("target"), str) and rel["target"]):
        raise InputError(path, f"'relation' must be null or {{\"type\": str, \"target\": str}}, got {rel!r}",
                         where)


def _ok(obj: Any) -> bool:
    """Fast path of _check_obj for the common, well-formed line."""
    if type(obj) is not dict or not _FIELD_SET <= obj.keys():
        return False
    for key in _STR_FIELDS:
        v = obj[key]
        if type(v) is not str or not v:
            return False
    codes, rel = obj["codes"], obj["relation"]
    return (obj["unit_type"] in ("post", "interview") and type(codes) is list
            and all(type(c) is str for c in codes) and type(obj["memo"]) is str
            and (rel is None or (type(rel) is dict and type(rel.get("type")) is str
                                 and type(rel.get("target")) is str and bool(rel["target"]))))


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
    })
    return df[HISTORY_COLUMNS]


def _sorted_codes(lists: list[list[str]]) -> list[tuple[str, ...]]:
    return [tuple(c) if len(c) < 2 else tuple(sorted(c)) for c in lists]


def _read_checked(path_s: str, data: bytes) -> pd.DataFrame:
    """Line-by-line parsing with a precise error for the first bad line."""
    linenos, objs = _load_objects(path_s, data)
    if not objs:
        return _empty_history()
    for lineno, obj in zip(linenos, objs, strict=True):
        if not _ok(obj):
            _check_obj(path_s, lineno, obj)
    rels = [o["relation"] for o in objs]
    cols = {k: [o[k] for o in objs] for k in ("unit_id", "unit_type", "variable", "coder", "memo", "timestamp",
                                               "codebook_version")}
    cols["codes"] = _sorted_codes([o["codes"] for o in objs])
    cols["relation_type"] = [None if r is None else r["type"] for r in rels]
    cols["relation_target"] = [None if r is None else r["target"] for r in rels]
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
    string = pa.string()
    schema = pa.schema([("unit_id", string), ("unit_type", string), ("variable", string),
                        ("codes", pa.list_(string)), ("coder", string), ("timestamp", string), ("memo", string),
                        ("relation", pa.struct([("type", string), ("target", string)])),
                        ("codebook_version", string)])
    try:
        tbl = pj.read_json(pa.BufferReader(data), read_options=pj.ReadOptions(use_threads=False,
                                                                               block_size=max(1 << 20, len(data) + 1)),
                           parse_options=pj.ParseOptions(explicit_schema=schema,
                                                         unexpected_field_behavior="ignore"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    if tbl.num_rows != len(linenos):
        return None
    for name in _STR_FIELDS:
        col = tbl.column(name)
        if col.null_count or pc.any(pc.equal(pc.utf8_length(col), 0)).as_py():
            return None
    if tbl.column("memo").null_count or tbl.column("codes").null_count:
        return None
    if not pc.all(pc.is_in(tbl.column("unit_type"), value_set=pa.array(["post", "interview"]))).as_py():
        return None
    if pc.list_flatten(tbl.column("codes")).null_count:
        return None
    rel = tbl.column("relation").combine_chunks()
    rtype, rtarget = pc.struct_field(rel, [0]), pc.struct_field(rel, [1])
    present = pc.is_valid(rel)
    if pc.any(pc.and_(present, pc.or_(pc.is_null(rtype), pc.is_null(rtarget)))).as_py() or \
            pc.any(pc.and_(present, pc.equal(pc.utf8_length(rtarget), 0))).as_py():
        return None
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
    })
    return df[HISTORY_COLUMNS]


def _coder_files(items: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            files.extend(sorted(p.glob("*.jsonl")))
        elif p.exists():
            files.append(p)
        else:
            raise InputError(p, "coder file or folder not found")
    return files


def load_history(*dirs_or_files: str | Path) -> pd.DataFrame:
    """All coding lines from coder files and folders of ``*.jsonl`` files (sorted by file name),
    concatenated in file and line order. Same columns as :func:`read_coder_file`."""
    frames = [read_coder_file(f) for f in _coder_files(dirs_or_files)]
    frames = [f for f in frames if len(f)]
    if not frames:
        return _empty_history()
    return pd.concat(frames, ignore_index=True)


def latest(history: pd.DataFrame) -> pd.DataFrame:
    """The decisions: the latest line per (coder, unit_id, variable); ``history`` is not changed.

    Latest means greatest timestamp; equal timestamps are broken by file order, then line order.
    Columns: unit_id, unit_type, variable, coder, codes (sorted tuple), memo, relation_target,
    timestamp, then relation_type, codebook_version, source_file, line (where the decision came
    from). Rows sorted by coder, unit_id, variable.
    """
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

    def append_many(self, records: Iterable[dict[str, Any]], *, skip_unchanged: bool = True) -> list[dict[str, Any]]:
        """Append records (e.g. from :func:`import_sheet`); all are validated before any is written.

        With ``skip_unchanged`` a record equal to the coder's current decision (same codes, memo
        and relation) is not appended again. Returns the records written.
        """
        built = [make_record(self.codebook, r["coder"], r["unit_id"], r["unit_type"], r["variable"], r["codes"],
                             r.get("memo", ""), r.get("relation"), r.get("timestamp")) for r in records]
        current: dict[tuple[str, str, str], tuple] = {}
        if skip_unchanged:
            for coder in sorted({r["coder"] for r in built}):
                dec = self.decisions(coder)
                for row in dec.itertuples(index=False):
                    target = None if row.relation_target is None or pd.isna(row.relation_target) else row.relation_target
                    current[(row.coder, row.unit_id, row.variable)] = (tuple(row.codes), row.memo, target)
        written = []
        for rec in built:
            key = (rec["coder"], rec["unit_id"], rec["variable"])
            state = (tuple(rec["codes"]), rec["memo"], rec["relation"]["target"] if rec["relation"] else None)
            if skip_unchanged and current.get(key) == state:
                continue
            append_line(self.path_for(rec["coder"]), encode_record(rec))
            current[key] = state
            written.append(rec)
        return written

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
        needed = {ut: set(self.codebook.variables_for(ut)) for ut in ("post", "interview")}
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


# -- spreadsheets -------------------------------------------------------------------------------

def _sheet_variables(units: pd.DataFrame, codebook: Codebook) -> list[str]:
    types = set(units["unit_type"]) if "unit_type" in units.columns else {"post"}
    return [v for v in codebook.variables if codebook.variables[v].unit_type in types]


def _relation_variable(codebook: Codebook, variables: list[str]) -> str | None:
    for v in variables:
        if any(c.relation for c in codebook.variables[v].codes):
            return v
    return None


def sheet_frame(units: pd.DataFrame, codebook: Codebook, coder: str,
                decisions: pd.DataFrame | None = None) -> pd.DataFrame:
    """The coding sheet as a DataFrame: coder, unit_id, unit_type, the unit's url, local_date,
    kind (verbatim/paraphrase), caption/text when present, then one column per variable
    (multi-choice codes joined with ``|``), a ``memo_<variable>`` column per variable and a
    ``follows_up`` column (target post id), pre-filled with ``coder``'s current ``decisions``
    when given."""
    check_coder(coder)
    variables = _sheet_variables(units, codebook)
    rel_var = _relation_variable(codebook, variables)
    base = pd.DataFrame({"unit_id": units["unit_id"].astype(str).to_numpy()})
    base["unit_type"] = units["unit_type"].to_numpy() if "unit_type" in units.columns else "post"
    for col in ("url", "local_date", "kind", *TEXT_COLUMNS):
        if col in units.columns:
            base[col] = units[col].fillna("").astype(str).to_numpy()
    current: dict[tuple[str, str], Any] = {}
    if decisions is not None and len(decisions):
        mine = decisions[decisions["coder"] == coder]
        for row in mine.itertuples(index=False):
            current[(row.unit_id, row.variable)] = row
    for v in variables:
        vals, memos = [], []
        for uid in base["unit_id"]:
            row = current.get((uid, v))
            vals.append(MULTI_SEP.join(row.codes) if row is not None else "")
            memos.append(row.memo if row is not None else "")
        base[v] = vals
        base[MEMO_PREFIX + v] = memos
    if rel_var is not None:
        targets = []
        for uid in base["unit_id"]:
            row = current.get((uid, rel_var))
            t = None if row is None else row.relation_target
            targets.append("" if t is None or (isinstance(t, float) and pd.isna(t)) else t)
        base[RELATION_COLUMN] = targets
    base.insert(0, "coder", coder)
    return base


def _fixed_datetime() -> dt.datetime:
    return dt.datetime.fromtimestamp(source_date_epoch(), dt.UTC).replace(tzinfo=None)


def _deterministic_xlsx(wb: "openpyxl.Workbook") -> bytes:  # noqa: F821
    """Save ``wb`` with fixed document properties and fixed zip member timestamps."""
    from openpyxl.xml.functions import tostring

    fixed = _fixed_datetime()
    wb.properties.creator = "civicposts"
    wb.properties.lastModifiedBy = "civicposts"
    wb.properties.created = fixed
    buf = io.BytesIO()
    wb.save(buf)  # openpyxl stamps `modified` with the current time: core.xml is rewritten below
    wb.properties.modified = fixed
    core_xml = tostring(wb.properties.to_tree())
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zin, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = core_xml if info.filename == "docProps/core.xml" else zin.read(info.filename)
            zi = zipfile.ZipInfo(info.filename, date_time=fixed.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zout.writestr(zi, data)
    return out.getvalue()


def export_sheet(units: pd.DataFrame, codebook: Codebook, coder: str, csv_path: str | Path | None,
                 xlsx_path: str | Path | None, *, decisions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Write a coding sheet for ``coder`` as CSV (UTF-8 with BOM) and/or XLSX; return the sheet.

    One row per unit, one column per variable (see :func:`sheet_frame`). The XLSX has the
    ``coding`` sheet with dropdowns (data validation) for single-choice variables and an input
    hint listing the codes of multi-choice ones, a ``codebook`` sheet (codes with labels and
    definitions) and a hidden ``lists`` sheet feeding the dropdowns. File bytes are
    deterministic (fixed workbook properties and zip timestamps, from SOURCE_DATE_EPOCH).
    """
    sheet = sheet_frame(units, codebook, coder, decisions)
    if csv_path is not None:
        write_csv(csv_path, sheet, bom=True)
    if xlsx_path is not None:
        write_bytes(xlsx_path, _xlsx_bytes(sheet, codebook))
    return sheet


def _xlsx_bytes(sheet: pd.DataFrame, codebook: Codebook) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_NAME
    cols = list(sheet.columns)
    ws.append(cols)
    for row in sheet.itertuples(index=False):
        ws.append([("" if v is None else str(v)) for v in row])
    _as_text(ws)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "C2"
    n = len(sheet)
    last = max(n + 1, 2)

    lists = wb.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    variables = [c for c in cols if c in codebook.variables]
    for j, v in enumerate(variables, start=1):
        var = codebook.variables[v]
        letter = get_column_letter(j)
        lists.cell(row=1, column=j, value=v)
        for i, code in enumerate(var.code_ids(), start=2):
            lists.cell(row=i, column=j, value=code)
        col_letter = get_column_letter(cols.index(v) + 1)
        rng = f"{col_letter}2:{col_letter}{last}"
        if var.kind == "single":
            dv = DataValidation(type="list", formula1=f"={LISTS_SHEET}!${letter}$2:${letter}${len(var.codes) + 1}",
                                allow_blank=True, showErrorMessage=True, errorTitle="Unknown code",
                                error=f"Choose one code of {v} from the list (codebook {codebook.version}).",
                                promptTitle=v[:32], prompt="Choose one code.")
        else:
            codes = ", ".join(var.code_ids())
            dv = DataValidation(type="custom", formula1="TRUE", allow_blank=True, showErrorMessage=False,
                                promptTitle=v[:32], prompt=f"One or more, joined with |: {codes}"[:255])
        dv.showInputMessage = True
        ws.add_data_validation(dv)
        dv.add(rng)
    for j, col in enumerate(cols, start=1):
        width = 60 if col in TEXT_COLUMNS else (30 if col.startswith(MEMO_PREFIX) or col == "url" else 18)
        ws.column_dimensions[get_column_letter(j)].width = width
        if col in TEXT_COLUMNS:
            for r in range(2, n + 2):
                ws.cell(row=r, column=j).alignment = Alignment(wrap_text=True, vertical="top")

    cb = wb.create_sheet(CODEBOOK_SHEET)
    table = codebook.table()
    kinds = codebook.kinds()
    table.insert(1, "kind", table["variable"].map(kinds))
    cb.append([f"{codebook.title} — version {codebook.version}"])
    cb.append(list(table.columns))
    for row in table.itertuples(index=False):
        cb.append(list(row))
    for cell in cb[2]:
        cell.font = Font(bold=True)
    _as_text(cb)
    return _deterministic_xlsx(wb)


def _as_text(ws: "openpyxl.worksheet.worksheet.Worksheet") -> None:  # noqa: F821
    """Store every string as text: openpyxl turns strings starting with '=' into formulas, so a
    caption or memo like '=HYPERLINK(...)' would otherwise run in the coder's spreadsheet."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def _read_sheet_rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and (spreadsheet row number, {column: text}) from a CSV or XLSX coding sheet."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            try:
                header = next(reader)
            except StopIteration:
                raise InputError(path, "empty sheet (no header row)") from None
            rows = [(i, dict(zip(header, (c.strip() for c in rec), strict=False)))
                    for i, rec in enumerate(reader, start=2) if any(c.strip() for c in rec)]
        return header, rows
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for broken files
            raise InputError(path, f"cannot open as a workbook ({exc})") from exc
        try:
            if SHEET_NAME not in wb.sheetnames:
                raise InputError(path, f"no sheet named {SHEET_NAME!r} (found {', '.join(wb.sheetnames)})")
            it = wb[SHEET_NAME].iter_rows(values_only=True)
            header = [("" if h is None else str(h)) for h in next(it, ())]
            rows = []
            for i, rec in enumerate(it, start=2):
                vals = ["" if v is None else str(v).strip() for v in rec]
                if any(vals):
                    rows.append((i, dict(zip(header, vals, strict=False))))
        finally:
            wb.close()
        return header, rows
    raise InputError(path, f"unsupported sheet type {suffix!r}; expected .csv or .xlsx")


def import_sheet(path: str | Path, codebook: Codebook, coder: str) -> list[dict[str, Any]]:
    """Read a filled-in coding sheet and return validated records for ``CodingStore.append_many``.

    Blank cells mean "not coded" and give no record. Every non-blank cell is validated against
    the codebook; a bad cell raises InputError naming the file, the row and column and the bad
    code. Rows belonging to another coder (``coder`` column) are rejected.
    """
    path = Path(path)
    check_coder(coder)
    header, rows = _read_sheet_rows(path)
    for need in ("unit_id", "unit_type"):
        if need not in header:
            raise InputError(path, f"missing column {need!r}; found {', '.join(header)}")
    variables = [c for c in header if c in codebook.variables]
    if not variables:
        raise InputError(path, f"no column names a codebook variable ({', '.join(codebook.variables)}; "
                         f"codebook {codebook.path})")
    rel_var = _relation_variable(codebook, variables)
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    for rowno, row in rows:
        uid = row.get("unit_id", "")
        where = f"row {rowno}"
        if not uid:
            raise InputError(path, "empty unit_id", where)
        if uid in seen:
            raise InputError(path, f"unit {uid!r} appears twice", where)
        seen.add(uid)
        if row.get("coder") and row["coder"] != coder:
            raise InputError(path, f"row belongs to coder {row['coder']!r}, not {coder!r}", where)
        unit_type = row.get("unit_type", "")
        target = row.get(RELATION_COLUMN, "")
        for v in variables:
            cell = row.get(v, "")
            memo = row.get(MEMO_PREFIX + v, "")
            if not cell:
                if memo or (v == rel_var and target):
                    raise InputError(path, f"column {v!r} is empty but its memo or follows_up is filled", where)
                continue
            if codebook.variables[v].unit_type != unit_type:
                raise InputError(path, f"column {v!r} is filled but applies to {codebook.variables[v].unit_type} "
                                 f"units, not {unit_type!r}", where)
            codes = [c.strip() for c in cell.split(MULTI_SEP) if c.strip()]
            relation = {"type": "follows_up", "target": target} if (v == rel_var and target) else None
            try:
                rec = make_record(codebook, coder, uid, unit_type, v, codes, memo, relation,
                                  timestamp=dt.datetime(2000, 1, 1, tzinfo=dt.UTC), where=path,
                                  record=f"{where}, column {v!r}")
            except ValueError as exc:
                raise InputError(path, str(exc), f"{where}, column {v!r}") from exc
            rec["timestamp"] = None  # stamped when appended
            records.append(rec)
    log.info("%s: %d coding(s) for coder %s from %d row(s)", path, len(records), coder, len(rows))
    return records


# -- command line -------------------------------------------------------------------------------

def _read_units(path: str | Path) -> pd.DataFrame:
    path = Path(path)
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    raise InputError(path, "unit table must be .parquet or .csv")


def main(argv: list[str] | None = None) -> int:
    """CLI: export a coder's spreadsheet, import a filled-in one into the store, or check the store."""
    import argparse
    import sys

    from .codebook import DEFAULT_PATH, load_codebook

    p = argparse.ArgumentParser(prog="python -m civicposts.coding", description=main.__doc__)
    p.add_argument("--codebook", default=str(DEFAULT_PATH))
    p.add_argument("--store", default="coding", help="folder of coder files (default: coding)")
    sub = p.add_subparsers(dest="cmd", required=True)
    ex = sub.add_parser("export", help="write a coding sheet (CSV and/or XLSX) for one coder")
    ex.add_argument("--units", required=True, help="unit table (.parquet or .csv)")
    ex.add_argument("--coder", required=True)
    ex.add_argument("--csv")
    ex.add_argument("--xlsx")
    im = sub.add_parser("import", help="append the codings of a filled-in sheet to the coder's file")
    im.add_argument("--sheet", required=True)
    im.add_argument("--coder", required=True)
    ch = sub.add_parser("check", help="validate every coder file against the codebook; list orphans")
    ch.add_argument("--units", help="unit table (.parquet or .csv) to find orphaned codings")
    a = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="civicposts: %(message)s", stream=sys.stderr)
    try:
        book = load_codebook(a.codebook)
        store = CodingStore(a.store, book)
        if a.cmd == "export":
            if not (a.csv or a.xlsx):
                p.error("export needs --csv and/or --xlsx")
            sheet = export_sheet(_read_units(a.units), book, a.coder, a.csv, a.xlsx, decisions=store.decisions(a.coder))
            log.info("sheet for %s: %d unit(s) -> %s", a.coder, len(sheet), ", ".join(x for x in (a.csv, a.xlsx) if x))
        elif a.cmd == "import":
            written = store.append_many(import_sheet(a.sheet, book, a.coder))
            log.info("%d new coding line(s) appended to %s", len(written), store.path_for(a.coder))
        else:
            history = store.history()
            book.validate_codings(history)
            dec = latest(history)
            log.info("%d line(s), %d decision(s) by %d coder(s): all codes in codebook %s (version %s)",
                     len(history), len(dec), dec["coder"].nunique(), book.path, book.version)
            if a.units:
                orph = orphans(dec, _read_units(a.units)["unit_id"])
                for row in orph.itertuples(index=False):
                    log.warning("orphan: %s %s %s (%s line %s)", row.coder, row.unit_id, row.variable,
                                row.source_file, row.line)
                return 1 if len(orph) else 0
    except (InputError, ValueError) as exc:
        log.error("%s", exc)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
