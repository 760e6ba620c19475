"""The one driver behind every format: finding files, detection, counting, quarantine, tables.

For each folder (in sorted order) the driver reads the files the phase-0
formats claim, then those of phase 1 (comment and caption files, which need
the posts' ids), attaches pictures to the posts whose file stem they share,
and turns every event a format yields into a counted, stamped row. For every
source file ``read == kept + duplicates + quarantined``, and ``kept`` equals
the number of rows whose ``source_file`` is that file.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import schema
from ..errors import InputError
from . import registry
from .base import Bad, Block, Extra, Folder, Format, Head, Row, Skip
from .files import expand, prefetch

log = logging.getLogger("civicposts.ingest")

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".heic")
_MEDIA_SUFFIX_RE = re.compile(r"^(.*)_(\d+)$")
# Fields whose presence counts when two copies of a post are compared.
_CONTENT_FIELDS = ("account", "owner_id", "caption", "likes", "comments", "media_type", "n_media",
                   "location_name", "url")
_NOT_CONTENT = {"source_file", "source_format", "media_files"}


@dataclass
class IngestResult:
    """Everything read from a set of inputs: the tables, the per-source counts, the bad records,
    and the files nothing could read (path, why)."""

    posts: pd.DataFrame
    comments: pd.DataFrame
    profiles: pd.DataFrame
    report: pd.DataFrame
    quarantine: pd.DataFrame
    skipped: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Source:
    """One source file's counts."""

    path: str
    fmt: str
    read: int = 0
    kept: int = 0
    duplicates: int = 0
    quarantined: int = 0
    differed: int = 0  # duplicates whose content differed from the kept copy (logged as a summary)


@dataclass
class State:
    """What has been read so far, and how each source file's records were counted."""

    quarantine: bool
    sources: list[Source] = field(default_factory=list)
    bad: list[tuple[str, str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    tables: dict[str, dict[str, tuple[dict[str, Any], Source]]] = field(
        default_factory=lambda: {"posts": {}, "comments": {}, "profiles": {}})
    # records kept as whole frames (Block events), and which block holds each key
    blocks: dict[str, list[tuple[pd.DataFrame, str, Source] | None]] = field(
        default_factory=lambda: {"posts": [], "comments": [], "profiles": []})
    block_of: dict[str, dict[str, int]] = field(default_factory=lambda: {"posts": {}, "comments": {}, "profiles": {}})

    def source(self, path: str, fmt: str) -> Source:
        src = Source(path, fmt)
        self.sources.append(src)
        return src

    def reject(self, src: Source, record: str | int | None, problem: str) -> None:
        """Count a bad record: raise unless quarantining."""
        if not self.quarantine:
            raise InputError(src.path, problem, record=record)
        src.read += 1
        src.quarantined += 1
        self.bad.append((src.path, "" if record is None else str(record), problem))
        log.warning("quarantined %s, record %s: %s", src.path, record, problem)

    def add_block(self, table: str, key: str, frame: pd.DataFrame, src: Source) -> None:
        """Keep a frame of good records whole when none of its keys was seen (within it or before); else
        keep or count each of its rows as :meth:`add` does, so the counts never depend on the route."""
        keys = frame[key].astype(str).tolist()
        seen = self.tables[table].keys() | self.block_of[table].keys()
        if len(set(keys)) == len(keys) and seen.isdisjoint(keys):
            index = len(self.blocks[table])
            self.blocks[table].append((frame.reset_index(drop=True), key, src))
            self.block_of[table].update(dict.fromkeys(keys, index))
            src.read += len(keys)
            src.kept += len(keys)
            return
        for k, row in zip(keys, _row_dicts(frame)):
            self.add(table, k, row, src)

    def _unblock(self, table: str, index: int) -> None:
        """Move a kept block's rows into the row store (a later copy of one of them must be compared)."""
        entry = self.blocks[table][index]
        assert entry is not None
        frame, key, src = entry
        self.blocks[table][index] = None
        store, owner = self.tables[table], self.block_of[table]
        for row in _row_dicts(frame):
            store[str(row[key])] = (row, src)
            del owner[str(row[key])]

    def add(self, table: str, key: str, row: dict[str, Any], src: Source) -> None:
        """Keep a good record, or count it as a duplicate of one already kept."""
        if key in self.block_of[table]:
            self._unblock(table, self.block_of[table][key])
        src.read += 1
        store = self.tables[table]
        if key not in store:
            store[key] = (row, src)
            src.kept += 1
            return
        first, first_src = store[key]
        if _same_content(first, row):
            src.duplicates += 1
            return
        if _n_fields(row) > _n_fields(first):
            log.info("%s %r: copy in %s has more fields than the one in %s; keeping it",
                     table[:-1], key, src.path, first_src.path)
            store[key] = (row, src)
            first_src.kept -= 1
            first_src.duplicates += 1
            src.kept += 1
        else:
            log.debug("%s %r: copy in %s differs from the one kept from %s",
                      table[:-1], key, src.path, first_src.path)
            src.duplicates += 1
            src.differed += 1


def _row_dicts(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a typed frame as the dicts formats yield (times as ns since the epoch, nulls as None)."""
    rows = []
    cols = list(frame.columns)
    values = []
    for col in cols:
        s = frame[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            ns = s.array.asi8.tolist()
            values.append([None if pd.isna(t) else n for t, n in zip(s, ns)])
        else:
            values.append([None if (v is None or v is pd.NA or (isinstance(v, float) and v != v)) else v
                           for v in s.astype(object).tolist()])
    for vals in zip(*values):
        rows.append(dict(zip(cols, vals)))
    return rows


def _n_fields(row: dict[str, Any]) -> int:
    return sum(1 for k in _CONTENT_FIELDS if row.get(k) is not None and k not in row.get("missing_fields", ()))


def _same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(a.get(k) == b.get(k) for k in a.keys() | b.keys() if k not in _NOT_CONTENT)


# --------------------------------------------------------------------------- one file

def _read_file(state: State, fmt: Format, head: Head, folder: Folder) -> None:
    """Run one format over one file, turning its events into counted rows."""
    path = head.path
    src: Source | None = None
    skipped = False
    for event in fmt.records(path, head, folder):
        if isinstance(event, Skip):
            log.log(event.level, "%s: %s", path, event.reason)
            skipped = True
            continue
        if isinstance(event, Extra):
            event.row["source_file"] = path
            state.tables[event.table].setdefault(event.key, (event.row, Source(path, fmt.name)))
            continue
        if src is None:
            src = state.source(path, fmt.name)
        if isinstance(event, Bad):
            state.reject(src, event.record, event.problem)
        elif isinstance(event, Row):
            if event.table == "posts":
                event.row["source_format"] = fmt.name
            event.row["source_file"] = path
            state.add(event.table, event.key, event.row, src)
        elif isinstance(event, Block):
            frame = event.frame
            if event.table == "posts":
                frame["source_format"] = fmt.name
            frame["source_file"] = path
            state.add_block(event.table, event.key, frame, src)
    if src is None and not skipped:
        state.source(path, fmt.name)  # claimed, but held no records: still accounted for


def _unclaimed(state: State, path: str, explicit: bool) -> None:
    """A file no format can read: an error when it was named, else logged and listed as skipped."""
    name = os.path.basename(path)
    near = [f for f in registry.formats() if f.may_read(name)]
    if near:
        suffix = max((s for f in near for s in f.suffixes if name.endswith(s)), key=len)
        kind = suffix.lstrip("._").upper()
        reason = f"unrecognised {kind} layout: expected " + " or ".join(f.describe or f.name for f in near)
        if explicit:
            raise InputError(path, reason)
        log.warning("%s: %s; ignored", path, reason)
    else:
        reason = "not a supported input (expected " + ", ".join(registry.suffixes()) + ")"
        if explicit:
            raise InputError(path, reason)
        log.debug("%s: ignored", path)
    state.skipped.append((path, reason))


# --------------------------------------------------------------------------- one folder

def _collect_folder(state: State, folder_path: str, entries: list[tuple[str, bool]], bar: Any,
                    options: Mapping[str, Any]) -> None:
    folder = Folder(folder_path, frozenset(os.path.basename(f) for f, _ in entries))
    late = [f for f in registry.formats() if f.phase > 0]
    images: dict[str, list[str]] = {}
    first: list[Head] = []
    deferred: list[Head] = []
    for f, explicit in entries:
        head = Head(f, explicit, options)
        name = head.name
        if name.lower().endswith(IMAGE_SUFFIXES):
            images.setdefault(os.path.splitext(name)[0], []).append(f)
            first.append(head)  # counted on the progress bar in order, read by no format
        elif any(fmt.may_read(name) and fmt.can_read(f, head) for fmt in late):
            deferred.append(head)
        else:
            first.append(head)
    candidates = [h for h in first if any(fmt.may_read(h.name) for fmt in registry.formats())
                  and not h.name.lower().endswith(IMAGE_SUFFIXES)]
    loaded: Iterator[Any] = prefetch([h.path for h in candidates])
    for head in first:
        if bar is not None:
            bar.update(1)
        if head.name.lower().endswith(IMAGE_SUFFIXES):
            continue
        if candidates and head is candidates[0]:
            candidates.pop(0)
            head._raw = next(loaded)
        fmt = registry.detect(head.path, head)
        if fmt is None or fmt.phase > 0:
            _unclaimed(state, head.path, head.explicit)
        else:
            _read_file(state, fmt, head, folder)
    for head in deferred:
        if bar is not None:
            bar.update(1)
        fmt = next(f for f in late if f.may_read(head.name) and f.can_read(head.path, head))
        _read_file(state, fmt, head, folder)
    if images and folder.stem_to_post:
        _attach_media(state, folder.stem_to_post, images)


def _media_sort_key(path: str, stem: str) -> tuple[int, str]:
    rest = Path(path).stem[len(stem):]
    return (int(rest[1:]) if rest[1:].isdigit() else 0, os.path.basename(path))


def _attach_media(state: State, stem_to_post: dict[str, str], images: dict[str, list[str]]) -> None:
    """Pictures ``<stem>.jpg`` / ``<stem>_<n>.jpg`` belong to the post read from ``<stem>``."""
    found: dict[str, list[str]] = {}
    for img_stem, paths in images.items():
        base = img_stem
        if base not in stem_to_post:
            m = _MEDIA_SUFFIX_RE.match(img_stem)
            if not m or m.group(1) not in stem_to_post:
                continue
            base = m.group(1)
        found.setdefault(base, []).extend(paths)
    for stem, paths in found.items():
        entry = state.tables["posts"].get(stem_to_post[stem])
        if entry is not None:
            entry[0]["media_files"] = sorted(paths, key=lambda p: _media_sort_key(p, stem))


def collect(paths: Iterable[str | Path], quarantine: bool, progress: bool,
            options: Mapping[str, Any] | None = None) -> State:
    """Read every file below ``paths`` into a State."""
    paths = tuple(paths)
    if not paths:
        raise InputError("(no input)", "no input paths given")
    files = expand(paths)
    state = State(quarantine=quarantine)
    by_dir: dict[str, list[tuple[str, bool]]] = {}
    for f, explicit in files:
        by_dir.setdefault(os.path.dirname(f), []).append((f, explicit))
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(files), unit="file", desc="ingest", disable=None)
    try:
        for folder, entries in by_dir.items():
            _collect_folder(state, folder, entries, bar, options or {})
    finally:
        if bar is not None:
            bar.close()
    return state


# --------------------------------------------------------------------------- tables

def _rows(state: State, table: str) -> list[dict[str, Any]]:
    return [r for r, _ in state.tables[table].values()]


def _with_blocks(state: State, table: str, rows_frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """The table of rows kept one by one together with the blocks kept whole, sorted as the rows are."""
    blocks = [b[0] for b in state.blocks[table] if b is not None]
    if not blocks:
        return rows_frame
    tbl = {"posts": schema.POSTS, "comments": schema.COMMENTS, "profiles": schema.PROFILES}[table]
    parts = [f[tbl.columns] for f in ([rows_frame] if len(rows_frame) else []) + blocks]
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    out = out.astype({c: rows_frame[c].dtype for c in tbl.columns if c in rows_frame.columns})
    # the rows' own order (see result_of): nulls of a time last, then the keys
    return out.sort_values(by, na_position="last", kind="stable").reset_index(drop=True)


def result_of(state: State) -> IngestResult:
    """The typed tables of what was read (see :mod:`civicposts.schema`)."""
    # posts without a time (a table with no time column) sort last
    posts = sorted(_rows(state, "posts"), key=lambda r: (r["posted_at"] is None, r["posted_at"] or 0, r["post_id"]))
    comments = sorted(_rows(state, "comments"), key=lambda r: (r["post_id"], r["posted_at"], r["comment_id"]))
    profiles = sorted(_rows(state, "profiles"), key=lambda r: r["account"])
    report = [{"source_file": s.path, "source_format": s.fmt, "read": s.read, "kept": s.kept,
               "duplicates": s.duplicates, "quarantined": s.quarantined} for s in state.sources]
    report.sort(key=lambda r: r["source_file"])
    bad = [dict(zip(schema.QUARANTINE.columns, b)) for b in state.bad]
    return IngestResult(
        posts=_with_blocks(state, "posts", schema.frame(posts, schema.POSTS), ["posted_at", "post_id"]),
        comments=_with_blocks(state, "comments", schema.frame(comments, schema.COMMENTS),
                              ["post_id", "posted_at", "comment_id"]),
        profiles=_with_blocks(state, "profiles", schema.frame(profiles, schema.PROFILES), ["account"]),
        report=schema.frame(report, schema.INGEST_REPORT),
        quarantine=schema.frame(bad, schema.QUARANTINE),
        skipped=list(state.skipped),
    )
