"""Files as bytes: reading (``.xz`` included), decoding, naming, finding, reading ahead.

File paths are plain strings here: building a pathlib.Path per file costs as
much as parsing a small post.
"""

from __future__ import annotations

import logging
import lzma
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from ..errors import InputError

log = logging.getLogger("civicposts.ingest")

# Threads reading and decompressing JSON files ahead of the parser (1 = no threads).
PREFETCH_WORKERS = min(2, os.cpu_count() or 1)
_STEM_SUFFIXES = (".json.xz", ".json", ".txt", ".ndjson", ".jsonl", ".csv")


class Problem(Exception):
    """A problem with one record (or a whole file); the driver turns it into InputError or a quarantine row."""

    def __init__(self, problem: str, record: str | int | None = None):
        super().__init__(problem)
        self.problem = problem
        self.record = record


def decode_json(raw: bytes) -> Any:
    """Decoded JSON; a Problem when it is malformed."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise Problem(f"malformed JSON ({exc})") from None


def read_bytes(path: str) -> bytes:
    """The bytes of ``path``, decompressed when it ends in ``.xz`` (concatenated streams too)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise InputError(path, f"cannot read file ({exc})") from None
    if not path.endswith(".xz"):
        return data
    # One LZMADecompressor per stream is about twice as fast as lzma.decompress
    # for instaloader's small single-stream files.
    out: list[bytes] = []
    try:
        while data:
            dec = lzma.LZMADecompressor()
            out.append(dec.decompress(data))
            if not dec.eof:
                raise Problem("cannot decompress .xz (compressed data ended before the end-of-stream "
                              "marker); the file is truncated")
            data = dec.unused_data.lstrip(b"\0")  # stream padding
    except lzma.LZMAError as exc:
        raise Problem(f"cannot decompress .xz ({exc}); the file is damaged") from None
    return b"".join(out) if len(out) != 1 else out[0]


def decode_csv_bytes(data: bytes, path: str | Path) -> str:
    """Decode CSV bytes as UTF-8 (BOM optional) or, failing that, cp1252; log which."""
    try:
        text = data.decode("utf-8-sig")
        log.debug("%s: read as UTF-8", path)
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
            log.info("%s: not UTF-8 or cp1252; read as latin-1", path)
        else:
            log.info("%s: not UTF-8; read as cp1252 (Windows Western European)", path)
    return text


def stem_of(path: str | Path) -> str:
    """The file name without its collection suffix (``x.json.xz`` -> ``x``)."""
    name = os.path.basename(path)
    for suffix in _STEM_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return os.path.splitext(name)[0]


# --------------------------------------------------------------------------- finding files

def _walk(root: str) -> Iterator[str]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if not name.startswith("."):
                yield os.path.join(dirpath, name)


def expand(paths: Iterable[str | Path]) -> list[tuple[str, bool]]:
    """Files to read, each with whether it was named explicitly, sorted by path (folder by folder)."""
    found: dict[str, tuple[str, bool]] = {}
    for p in paths:
        p = os.path.normpath(os.fspath(p))
        if os.path.isdir(p):
            files = [(f, False) for f in _walk(p)]
        elif os.path.isfile(p):
            files = [(p, True)]
        else:
            raise InputError(p, "no such file or folder")
        for f, explicit in files:
            key = os.path.abspath(f)
            if key not in found or explicit:
                found[key] = (f, explicit or found.get(key, ("", False))[1])
    return sorted(found.values(), key=lambda fe: (os.path.dirname(fe[0]).split(os.sep), os.path.basename(fe[0])))


# --------------------------------------------------------------------------- reading ahead

def _load_raw(path: str) -> bytes | Exception:
    """Read and decompress one file; a problem is returned (not raised) for the caller."""
    try:
        return read_bytes(path)
    except (Problem, InputError) as bad:
        return bad


def _load_batch(paths: list[str]) -> list[bytes | Exception]:
    return [_load_raw(p) for p in paths]


def prefetch(paths: list[str]) -> Iterator[bytes | Exception]:
    """The bytes of ``paths`` in order (a problem in place of a file that cannot be read).

    Worker threads read and decompress (both release the GIL) while the
    caller's thread decodes JSON and maps posts.
    """
    workers = PREFETCH_WORKERS
    if len(paths) < 256 or workers <= 1:
        yield from map(_load_raw, paths)
        return
    from concurrent.futures import ThreadPoolExecutor

    batch = 64  # files per task: fewer hand-offs between threads
    batches = [paths[i:i + batch] for i in range(0, len(paths), batch)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for start in range(0, len(batches), 4 * workers):  # bounded read-ahead
            chunk = batches[start:start + 4 * workers]
            for raws in pool.map(_load_batch, chunk):
                yield from raws
