"""The pieces every collection format is made of: what it declares, what it yields, what it sees.

A format is a :class:`Format`: a name, the tables it fills, the file name
endings it may read, ``can_read(path, head)`` and ``records(path, head,
folder)``, an iterator of events:

* :class:`Row` -- one good record for a table (the driver stamps the source
  file, counts it, and keeps it or counts it as a duplicate);
* :class:`Bad` -- one bad record (the driver raises, or quarantines it);
* :class:`Extra` -- a record carried inside another one (Apify's embedded
  comments): kept once, not counted against the file;
* :class:`Block` -- many good records at once, as a typed frame (a columnar reader of a large file);
  counted and kept exactly as the same rows would be;
* :class:`Skip` -- nothing of this file is a record (a story, an empty
  list); logged, and the file is not a source.

The driver (:mod:`civicposts.ingest.driver`) owns detection, counting,
quarantine and the tables; a format only maps bytes to rows.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Union

import orjson

from ..errors import InputError
from .files import Problem, decode_csv_bytes, decode_json, read_bytes, stem_of

log = logging.getLogger("civicposts.ingest")


# --------------------------------------------------------------------------- events

@dataclass
class Row:
    """A good record: ``row`` goes to ``table`` under ``key`` (post id, comment id, account)."""

    table: str
    key: str
    row: dict[str, Any]


@dataclass
class Bad:
    """A bad record: where in the file (``record``) and what is wrong with it (``problem``)."""

    record: str
    problem: str


@dataclass
class Extra:
    """A record embedded in another record; kept once, not counted in the file's report row."""

    table: str
    key: str
    row: dict[str, Any]


@dataclass
class Block:
    """Many good records of ``table`` at once: a typed frame (:mod:`civicposts.schema` columns) whose
    ``key`` column holds the keys. The driver counts and keeps them as it would the same rows one by one;
    columnar readers yield it for large files."""

    table: str
    key: str
    frame: Any  # pd.DataFrame (not imported here: the formats that never make blocks stay light)


@dataclass
class Skip:
    """Nothing in this file is a record of any table; ``reason`` is logged at ``level``."""

    reason: str
    level: int = logging.INFO


Event = Union[Row, Bad, Extra, Skip, Block]


# --------------------------------------------------------------------------- what a format sees

_UNREAD = object()


@dataclass
class Head:
    """One file as the formats see it while deciding and reading; contents are read once, lazily.

    ``json`` and ``raw`` return a :class:`~civicposts.ingest.files.Problem`
    (rather than raising) when the file cannot be read or decoded, so a
    format can claim a damaged file and report it as a bad record.
    """

    path: str
    explicit: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)  # what the caller said (e.g. a column mapping)
    _raw: Any = field(default=_UNREAD, repr=False)
    _json: Any = field(default=_UNREAD, repr=False)
    _text: Any = field(default=_UNREAD, repr=False)
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def memo(self, key: str, make: Callable[[], Any]) -> Any:
        """``make()``, computed once per file: what a format learns while deciding (a workbook's
        header, say) and needs again while reading."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    @property
    def name(self) -> str:
        return os.path.basename(self.path)

    @property
    def stem(self) -> str:
        return stem_of(self.path)

    @property
    def raw(self) -> bytes | Problem:
        """The file's bytes, decompressed for ``.xz``."""
        if self._raw is _UNREAD:
            try:
                self._raw = read_bytes(self.path)
            except Problem as bad:
                self._raw = bad
        if isinstance(self._raw, InputError):  # unreadable (not a bad record): always an error
            raise self._raw
        return self._raw

    @property
    def json(self) -> Any:
        """The decoded JSON document (or a Problem)."""
        if self._json is _UNREAD:
            raw = self.raw
            if isinstance(raw, Problem):
                self._json = raw
            else:
                try:
                    self._json = decode_json(raw)
                except Problem as bad:
                    self._json = bad
        return self._json

    @property
    def text(self) -> str | Problem:
        """The file decoded as CSV text (UTF-8 with or without BOM, else cp1252/latin-1)."""
        if self._text is _UNREAD:
            raw = self.raw
            self._text = raw if isinstance(raw, Problem) else decode_csv_bytes(raw, self.path)
        return self._text

    def first_json_line(self) -> Any:
        """The first non-blank line decoded as JSON, or None when it is missing or malformed."""
        raw = self.raw
        if isinstance(raw, Problem):
            return None
        for line in raw.split(b"\n", 1000):  # blank lines before the first record are few
            if line.strip():
                try:
                    return orjson.loads(line.split(b"\n", 1)[0])
                except orjson.JSONDecodeError:
                    return None
        return None

    def csv_header(self) -> list[str]:
        """The stripped names of the first CSV row ([] when the file is empty or not text)."""
        return self.memo("csv_header", self._csv_header)

    def _csv_header(self) -> list[str]:
        first = self.csv_first_record()
        return [] if first is None else [h.strip() for h in first]

    def csv_first_record(self) -> list[str] | None:
        """The first CSV record as written (None when the file is empty or not text). Read from the file's
        beginning when that holds it (a large table is not decoded whole just to learn its columns)."""
        return self.memo("csv_first", self._csv_first)

    def _csv_first(self) -> list[str] | None:
        import csv
        import io

        if self._text is _UNREAD:  # not decoded yet: the file's first 64 KB may hold the whole header
            try:
                raw = self.raw
            except InputError:
                raw = None
            first = _first_record(raw[:65536]) if isinstance(raw, bytes) and len(raw) > 65536 else None
            if first is not None:
                return first
        text = self.text
        if isinstance(text, Problem):
            return None
        try:
            return next(csv.reader(io.StringIO(text, newline="")))
        except (StopIteration, csv.Error):
            return None


def _first_record(prefix: bytes) -> list[str] | None:
    """The first CSV record of a file's beginning, when it ends there and its names are ASCII (which read
    the same whatever the file's encoding turns out to be); else None (the whole file is decoded)."""
    import csv
    import io

    cut = prefix.rfind(b"\n")
    try:
        head = prefix[:cut + 1].decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    rows = csv.reader(io.StringIO(head, newline=""))
    try:
        first = next(rows)
        ended = next(rows, None) is not None  # a second record began, so the first ended inside the prefix
    except (StopIteration, csv.Error):
        return None
    return first if ended and all(name.isascii() for name in first) else None


@dataclass
class Folder:
    """What the formats of one folder share: its file names and the post each file stem became."""

    path: str
    names: frozenset[str] = frozenset()
    stem_to_post: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- the format declaration

@dataclass(frozen=True)
class Format:
    """One collection format (see the module docstring)."""

    name: str
    tables: tuple[str, ...]
    suffixes: tuple[str, ...]
    can_read: Callable[[str, Head], bool]
    records: Callable[[str, Head, Folder], Iterator[Event]]
    describe: str = ""
    # 1: read after the folder's other files (comment and caption files need the posts' ids).
    # A phase-1 format decides from the file name alone (head.name, head.explicit), before any file is read.
    phase: int = 0

    def may_read(self, name: str) -> bool:
        """Whether the file name ends in one of this format's suffixes (a cheap pre-filter)."""
        return name.endswith(self.suffixes)


# --------------------------------------------------------------------------- helpers for formats

def json_object(record: str, raw: Any) -> dict[str, Any] | Bad:
    """``raw`` (a JSON line as bytes, or an already parsed item) as a dict, or the Bad saying why not
    (malformed JSON, or not an object)."""
    if isinstance(raw, bytes):
        try:
            raw = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            return Bad(record, f"malformed JSON line ({exc})")
    if not isinstance(raw, dict):
        return Bad(record, "expected a JSON object per record")
    return raw


def json_lines(head: Head) -> Iterator[tuple[str, bytes]]:
    """(``line N``, bytes) of every non-blank line of a JSON-lines file."""
    raw = head.raw
    if isinstance(raw, Problem):
        raise raw
    for n, line in enumerate(raw.split(b"\n"), start=1):
        if line.strip():
            yield f"line {n}", line


def csv_records(head: Head) -> Iterator[tuple[str, list[str], dict[str, str]] | Bad]:
    """(record label, values, {column: value}) of every non-blank CSV record after the header.

    The label names the record's first line (a quoted field may span lines);
    records that cannot be parsed, or have another number of fields than the
    header, come as :class:`Bad`.
    """
    import csv
    import io

    text = head.text
    if isinstance(text, Problem):
        raise text
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return
    except csv.Error as exc:
        from ..errors import InputError

        raise InputError(head.path, f"malformed CSV header ({exc})", record="line 1") from None
    last = reader.line_num
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Bad(f"line {last + 1}", f"malformed CSV ({exc})")
            last = reader.line_num
            continue
        record, last = f"line {last + 1}", reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            yield Bad(record, f"has {len(values)} fields, the header has {len(header)}")
            continue
        yield record, values, dict(zip(header, values))
