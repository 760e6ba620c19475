"""Reading Instagram collections into one post table (plus comments and profiles).

``read_posts(*paths)`` / ``ingest(*paths)`` accept files and folders (folders are
searched recursively in sorted order, so the output order never depends on the
file system). Every record becomes one row of the post table described in the
shared data contract; rows are sorted by ``posted_at`` then ``post_id``.

Supported inputs, detected from the file name and content:

``instaloader-json``
    Instaloader's per-post metadata files ``<stem>.json`` / ``<stem>.json.xz``
    (``--no-compress-json`` gives the former). Every shape instaloader has
    written is read: the GraphQL shape (``shortcode``, ``taken_at_timestamp``,
    ``edge_media_to_caption``, ``edge_media_preview_like``,
    ``edge_media_to_comment`` / ``edge_media_to_parent_comment``,
    ``__typename``, ``edge_sidecar_to_children``), the 4.9-4.15 iPhone shape
    (``date``, plain-string ``caption``, integer ``comments``,
    ``iphone_struct``) and 4.16's normalised shape (raw ``code``, ``pk``,
    ``taken_at``, ``caption.text``, ``like_count``, ``comment_count``, ``user``,
    ``media_type`` 1/2/8, ``carousel_media`` plus the legacy aliases), inside
    the envelope ``{"node": ..., "instaloader": {"version", "node_type"}}`` or
    bare (instaloader 3). Other node types (stories, hashtags, resume files)
    are skipped and logged.
``instaloader-profile``
    ``<user>_<id>.json[.xz]`` with node_type "Profile" (to the profile table).
``instaloader-comments``
    ``<stem>_comments.json``: a list of ``{id, created_at, text, owner,
    likes_count, answers[]}``; answers become comments whose ``parent_id`` is
    the comment they answer. The post is the sibling metadata file's shortcode,
    or the stem id below when there is none.
``instaloader-txt``
    Folders saved without metadata (``--no-metadata-json``): each
    ``<YYYY-MM-DD_HH-MM-SS>_UTC.txt`` caption file is a post. Its id is
    ``stem:<folder>/<stem>`` (e.g. ``stem:demo.kota.update/2020-01-05_03-12-44_UTC``),
    ``posted_at`` is parsed from the stem (instaloader's default
    ``{date_utc}_UTC`` file name pattern, in UTC), ``account`` is the folder
    name (instaloader's default ``{target}`` folder); a sibling
    ``<stem>_location.txt`` (``--geotags``) gives ``location_name``. Every
    field the file cannot give is null and listed in ``missing_fields``. A txt
    file is only used when no metadata JSON with the same stem exists.
``zeeschuimer-ndjson``
    Zeeschuimer / 4CAT NDJSON (``.ndjson``, ``.jsonl``): one envelope per line
    (``nav_index, item_id, timestamp_collected, source_platform, ...,
    data``); ``data`` is Instagram's item-list shape (``code``, ``taken_at``,
    ``caption.text``, ``like_count``, ``comment_count``, ``user``,
    ``location``, ``media_type``, ``carousel_media``) or graph shape
    (``shortcode``, ``taken_at_timestamp``, ``edge_*`` counts, ``owner``).
    Ads (``product_type == "ad"``), as in 4CAT, are not posts: skipped, logged.
``apify-json`` / ``apify-csv``
    Apify's instagram-scraper dataset exported as a JSON array (or JSON
    Lines) or CSV (flattened columns such as ``childPosts/0/type``):
    ``shortCode, caption, timestamp`` (ISO-8601), ``likesCount,
    commentsCount, type`` (Image/Video/Sidecar), ``ownerUsername, ownerId,
    locationName, url``. A negative or empty like count (hidden likes) is NA.
    ``latestComments`` in the JSON export go to the comment table.
``plain-csv``
    For hand-collected data, a CSV with a header row and these columns:

    ============== ========================================================
    post_id        required; the shortcode (from ``instagram.com/p/<id>/``)
    account        required; the owner's handle (``@`` optional)
    posted_at      required; ISO-8601 with a UTC offset, e.g.
                   ``2020-06-01T08:30:00+07:00`` or ``...Z``
    caption        text, may be empty
    likes          integer, may be empty
    comments       integer, may be empty
    media_type     image, video or carousel, may be empty
    location_name  may be empty
    url            may be empty (then built from post_id)
    n_media        optional column
    ============== ========================================================

CSV files may be UTF-8 (with or without BOM) or cp1252/latin-1, with LF or
CRLF line ends; the encoding is detected (UTF-8 first) and logged.

Bad input (malformed JSON or NDJSON lines, truncated ``.xz``, missing required
fields, bad values) raises :class:`~civicposts.errors.InputError` naming the
file, the record (line number, index or shortcode) and the problem; with
``quarantine=True`` bad records are set aside in ``IngestResult.quarantine``
and reading continues. The same post in several files is kept once: the
first copy by sorted path, unless a later copy has more fields (then that
copy replaces it, and the accounting moves with it), which is logged. For
every source file ``read == kept + duplicates + quarantined``, and ``kept``
equals the number of rows whose ``source_file`` is that file.
"""

from __future__ import annotations

import csv
import io
import logging
import lzma
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

from .errors import InputError

log = logging.getLogger(__name__)

POST_COLUMNS = [
    "post_id", "account", "owner_id", "posted_at", "caption", "likes", "comments", "media_type",
    "n_media", "location_name", "url", "media_files", "missing_fields", "source_format", "source_file",
]
COMMENT_COLUMNS = ["comment_id", "post_id", "parent_id", "author", "posted_at", "text", "likes", "source_file"]
PROFILE_COLUMNS = [
    "account", "owner_id", "full_name", "followers", "following", "posts", "biography",
    "is_verified", "is_private", "source_file",
]
REPORT_COLUMNS = ["source_file", "source_format", "read", "kept", "duplicates", "quarantined"]
QUARANTINE_COLUMNS = ["source_file", "record", "problem"]

# Fields whose presence counts when two copies of a post are compared.
_CONTENT_FIELDS = ("account", "owner_id", "caption", "likes", "comments", "media_type", "n_media",
                   "location_name", "url")
_INT_FIELDS = ("likes", "comments", "n_media")
_STR_FIELDS = ("post_id", "account", "owner_id", "caption", "media_type", "location_name", "url",
               "source_format", "source_file")
_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".heic"}
_STEM_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})_(\d{2})-(\d{2})-(\d{2})_UTC(?:_\d+)?$")
_MEDIA_SUFFIX_RE = re.compile(r"^(.*)_(\d+)$")
_TYPENAMES = {"GraphImage": "image", "GraphVideo": "video", "GraphSidecar": "carousel"}
_MEDIA_TYPES = {1: "image", 2: "video", 8: "carousel"}
_APIFY_TYPES = {"image": "image", "video": "video", "sidecar": "carousel"}
_PLAIN_MEDIA = {"image", "video", "carousel"}
_PLAIN_REQUIRED = ("post_id", "account", "posted_at")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# Threads reading and decompressing JSON files ahead of the parser (1 = no threads).
PREFETCH_WORKERS = min(2, os.cpu_count() or 1)
_US = timedelta(microseconds=1)


# --------------------------------------------------------------------------- results

@dataclass
class IngestResult:
    """Everything read from a set of inputs (see the module docstring)."""

    posts: pd.DataFrame
    comments: pd.DataFrame
    profiles: pd.DataFrame
    report: pd.DataFrame
    quarantine: pd.DataFrame


class _Bad(Exception):
    """A problem with one record; turned into InputError or a quarantine row."""

    def __init__(self, problem: str, record: str | int | None = None):
        super().__init__(problem)
        self.problem = problem
        self.record = record


@dataclass
class _Source:
    path: str
    fmt: str
    read: int = 0
    kept: int = 0
    duplicates: int = 0
    quarantined: int = 0
    differed: int = 0  # duplicates whose content differed from the kept copy (logged as a summary)


@dataclass
class _State:
    quarantine: bool
    sources: list[_Source] = field(default_factory=list)
    bad: list[tuple[str, str, str]] = field(default_factory=list)
    posts: dict[str, tuple[dict[str, Any], _Source]] = field(default_factory=dict)
    comments: dict[str, tuple[dict[str, Any], _Source]] = field(default_factory=dict)
    profiles: dict[str, tuple[dict[str, Any], _Source]] = field(default_factory=dict)

    def source(self, path: str, fmt: str) -> _Source:
        src = _Source(path, fmt)
        self.sources.append(src)
        return src

    def reject(self, src: _Source, record: str | int | None, problem: str) -> None:
        """Count a bad record: raise unless quarantining."""
        if not self.quarantine:
            raise InputError(src.path, problem, record=record)
        src.read += 1
        src.quarantined += 1
        self.bad.append((src.path, "" if record is None else str(record), problem))
        log.warning("quarantined %s, record %s: %s", src.path, record, problem)

    def add(self, table: str, key: str, row: dict[str, Any], src: _Source) -> None:
        """Keep a good record, or count it as a duplicate of one already kept."""
        src.read += 1
        store: dict[str, tuple[dict[str, Any], _Source]] = getattr(self, table)
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


def _n_fields(row: dict[str, Any]) -> int:
    return sum(1 for k in _CONTENT_FIELDS if row.get(k) is not None and k not in row.get("missing_fields", ()))


def _same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    ignore = {"source_file", "source_format", "media_files"}
    return all(a.get(k) == b.get(k) for k in a.keys() | b.keys() if k not in ignore)


# --------------------------------------------------------------------------- small converters

def _ns_from_epoch(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value.strip()) * 1_000_000_000
        raise _Bad(f"{what} {value!r} is not a Unix timestamp")
    if isinstance(value, float):
        if not np.isfinite(value):
            raise _Bad(f"{what} {value!r} is not a Unix timestamp")
        return round(value * 1_000_000_000)
    return value * 1_000_000_000


def _ns_from_iso(value: Any, what: str, *, assume_utc: bool) -> int:
    if not isinstance(value, str) or not value.strip():
        raise _Bad(f"{what} is missing")
    text = value.strip()
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise _Bad(f"{what} {value!r} is not an ISO-8601 date-time") from None
    if dt.tzinfo is None:
        if not assume_utc:
            raise _Bad(f"{what} {value!r} has no UTC offset (write e.g. +07:00 or Z)")
        dt = dt.replace(tzinfo=timezone.utc)
    return ((dt - _EPOCH) // _US) * 1000


def _opt_int(value: Any, what: str) -> int | None:
    """An optional count: None stays None; negative counts (hidden) become None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _Bad(f"{what} {value!r} is not an integer")
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer():
        return int(value) if value >= 0 else None
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if text == "":
            return None
        try:
            number = int(text)
        except ValueError:
            try:
                as_float = float(text)
            except ValueError:
                raise _Bad(f"{what} {value!r} is not an integer") from None
            if not as_float.is_integer():
                raise _Bad(f"{what} {value!r} is not an integer") from None
            number = int(as_float)
        return number if number >= 0 else None
    raise _Bad(f"{what} {value!r} is not an integer")


def _opt_str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _count(node: dict[str, Any], key: str) -> tuple[bool, Any]:
    sub = node.get(key)
    if isinstance(sub, dict) and "count" in sub:
        return True, sub["count"]
    return False, None


def _post_url(shortcode: str) -> str:
    return f"https://www.instagram.com/p/{shortcode}/"


def _record_label(index: int | str, shortcode: Any = None) -> str:
    if isinstance(shortcode, str) and shortcode:
        return f"{index} (post {shortcode!r})"
    return str(index)


# --------------------------------------------------------------------------- Instagram node -> row

def post_from_node(node: dict[str, Any], *, default_account: str | None = None) -> dict[str, Any]:
    """Map one Instagram post node (any instaloader, graph or item-list shape) to a post row.

    Raises a record problem when the shortcode or the timestamp is missing or
    malformed. Fields the node does not have are None and listed in
    ``missing_fields``; ``default_account`` fills a missing owner name.
    """
    if not isinstance(node, dict):
        raise _Bad(f"expected a JSON object for a post, found {type(node).__name__}")
    missing: list[str] = []
    shortcode = node.get("shortcode") or node.get("code")
    if not isinstance(shortcode, str) or not shortcode:
        raise _Bad("missing field 'shortcode' (or 'code')")

    # instaloader's order: date, then taken_at_timestamp; item-list: taken_at
    for key in ("date", "taken_at_timestamp", "taken_at"):
        if node.get(key) is not None:
            posted = _ns_from_epoch(node[key], f"field {key!r}")
            break
    else:
        raise _Bad("missing field 'taken_at_timestamp' (or 'date', 'taken_at')", shortcode)

    caption: str | None
    edges = (node.get("edge_media_to_caption") or {}).get("edges") if isinstance(
        node.get("edge_media_to_caption"), dict) else None
    if edges:
        caption = ((edges[0] or {}).get("node") or {}).get("text") or ""
    elif "caption" in node:
        cap = node["caption"]
        caption = cap.get("text") or "" if isinstance(cap, dict) else (cap if isinstance(cap, str) else "")
    elif edges is not None:
        caption = ""
    else:
        caption = None
        missing.append("caption")

    likes: Any = None
    for key in ("edge_media_preview_like", "edge_liked_by"):
        found, likes = _count(node, key)
        if found:
            break
    else:
        if "like_count" in node:
            likes = node["like_count"]
        elif isinstance(node.get("likes"), int):
            likes = node["likes"]
        else:
            missing.append("likes")
    likes = _opt_int(likes, "like count")

    comments: Any = None
    for key in ("edge_media_to_comment", "edge_media_to_parent_comment", "edge_media_preview_comment"):
        found, comments = _count(node, key)
        if found:
            break
    else:
        if "comment_count" in node:
            comments = node["comment_count"]
        elif isinstance(node.get("comments"), int) and not isinstance(node.get("comments"), bool):
            comments = node["comments"]
        else:
            missing.append("comments")
    comments = _opt_int(comments, "comment count")

    media_type: str | None = None
    typename = node.get("__typename")
    if isinstance(typename, str):
        # Polaris prefixes graph type names, e.g. XDTGraphSidecar
        for name, kind in _TYPENAMES.items():
            if typename.endswith(name):
                media_type = kind
    if media_type is None and node.get("media_type") in _MEDIA_TYPES:
        media_type = _MEDIA_TYPES[node["media_type"]]
    if media_type is None and isinstance(node.get("is_video"), bool):
        media_type = "video" if node["is_video"] else "image"
    if media_type is None:
        missing.append("media_type")

    n_media: int | None = None
    if media_type == "carousel":
        children = (node.get("edge_sidecar_to_children") or {}).get("edges") if isinstance(
            node.get("edge_sidecar_to_children"), dict) else None
        if children:
            n_media = len(children)
        elif node.get("carousel_media"):
            n_media = len(node["carousel_media"])
        elif isinstance(node.get("carousel_media_count"), int):
            n_media = node["carousel_media_count"]
        else:
            missing.append("n_media")
    elif media_type is not None:
        n_media = 1
    else:
        missing.append("n_media")

    owner = node.get("owner") if isinstance(node.get("owner"), dict) else {}
    user = node.get("user") if isinstance(node.get("user"), dict) else {}
    iphone_user = (node.get("iphone_struct") or {}).get("user") if isinstance(
        node.get("iphone_struct"), dict) else None
    iphone_user = iphone_user if isinstance(iphone_user, dict) else {}
    account = owner.get("username") or user.get("username") or iphone_user.get("username")
    if not account:
        missing.append("account")
        account = default_account
    owner_id = _opt_str(owner.get("id") or user.get("pk") or user.get("id") or iphone_user.get("pk")
                        or node.get("owner_id"))
    if owner_id is None:
        missing.append("owner_id")

    location_name: str | None = None
    loc = node.get("location")
    if loc is None and isinstance(node.get("iphone_struct"), dict):
        loc = node["iphone_struct"].get("location")
    if isinstance(loc, dict):
        location_name = _opt_str(loc.get("name"))
    elif "location" not in node:
        missing.append("location_name")

    return {
        "post_id": shortcode,
        "account": account.lstrip("@").lower() if isinstance(account, str) else None,
        "owner_id": owner_id,
        "posted_at": posted,
        "caption": caption,
        "likes": likes,
        "comments": comments,
        "media_type": media_type,
        "n_media": n_media,
        "location_name": location_name,
        "url": _post_url(shortcode),
        "media_files": [],
        "missing_fields": missing,
    }


def profile_from_node(node: dict[str, Any]) -> dict[str, Any]:
    """Map an instaloader Profile node to a profile row."""
    if not isinstance(node, dict):
        raise _Bad(f"expected a JSON object for a profile, found {type(node).__name__}")
    username = node.get("username")
    if not isinstance(username, str) or not username:
        raise _Bad("missing field 'username'")

    def count(edge: str, raw: str) -> int | None:
        found, value = _count(node, edge)
        return _opt_int(value if found else node.get(raw), f"field {edge!r}")

    posts = count("edge_owner_to_timeline_media", "media_count")
    return {
        "account": username.lower(),
        "owner_id": _opt_str(node.get("id") or node.get("pk")),
        "full_name": _opt_str(node.get("full_name")),
        "followers": count("edge_followed_by", "follower_count"),
        "following": count("edge_follow", "following_count"),
        "posts": posts,
        "biography": node.get("biography") if isinstance(node.get("biography"), str) else None,
        "is_verified": node.get("is_verified") if isinstance(node.get("is_verified"), bool) else None,
        "is_private": node.get("is_private") if isinstance(node.get("is_private"), bool) else None,
    }


def _comment_row(c: Any, post_id: str, parent_id: str | None) -> dict[str, Any]:
    if not isinstance(c, dict):
        raise _Bad(f"expected a JSON object for a comment, found {type(c).__name__}")
    cid = _opt_str(c.get("id") if c.get("id") is not None else c.get("pk"))
    if cid is None:
        raise _Bad("missing field 'id'")
    if c.get("created_at") is None:
        raise _Bad("missing field 'created_at'", cid)
    owner = c.get("owner") if isinstance(c.get("owner"), dict) else {}
    author = owner.get("username")
    return {
        "comment_id": cid,
        "post_id": post_id,
        "parent_id": parent_id,
        "author": author.lower() if isinstance(author, str) else None,
        "posted_at": _ns_from_epoch(c["created_at"], "field 'created_at'"),
        "text": c.get("text") if isinstance(c.get("text"), str) else "",
        "likes": _opt_int(c.get("likes_count"), "likes_count"),
    }


# --------------------------------------------------------------------------- file readers

def _decode_json(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise _Bad(f"malformed JSON ({exc})") from None


def _read_bytes(path: str) -> bytes:
    with open(path, "rb") as fh:
        data = fh.read()
    if path.endswith(".xz"):
        # One LZMADecompressor per stream is about twice as fast as lzma.decompress
        # for instaloader's small single-stream files.
        out: list[bytes] = []
        try:
            while data:
                dec = lzma.LZMADecompressor()
                out.append(dec.decompress(data))
                if not dec.eof:
                    raise _Bad("cannot decompress .xz (compressed data ended before the end-of-stream "
                               "marker); the file is truncated")
                data = dec.unused_data.lstrip(b"\0")  # stream padding
        except lzma.LZMAError as exc:
            raise _Bad(f"cannot decompress .xz ({exc}); the file is damaged") from None
        return b"".join(out) if len(out) != 1 else out[0]
    return data


def _stem_of(path: str | Path) -> str:
    name = os.path.basename(path)
    for suffix in (".json.xz", ".json", ".txt", ".ndjson", ".jsonl", ".csv"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return os.path.splitext(name)[0]


def _post_rows_from_instaloader(state: _State, path: str, data: Any, src_hint: str) -> str | None:
    """Handle a decoded instaloader JSON; return the post id (for comment files)."""
    if isinstance(data, dict) and "node" in data and isinstance(data.get("instaloader"), dict):
        node_type = data["instaloader"].get("node_type")
        node = data["node"]
    elif isinstance(data, dict) and ("shortcode" in data or "code" in data):
        node_type, node = "Post", data
    elif isinstance(data, dict) and "username" in data and ("edge_followed_by" in data or "follower_count" in data):
        node_type, node = "Profile", data
    else:
        return "?"
    if node_type == "Profile":
        src = state.source(str(path), "instaloader-profile")
        try:
            row = profile_from_node(node)
        except _Bad as bad:
            state.reject(src, "node", bad.problem)
            return None
        row["source_file"] = str(path)
        state.add("profiles", row["account"], row, src)
        return None
    if node_type != "Post":
        log.info("%s: skipped instaloader %s (not a post)", path, node_type)
        return None
    src = state.source(str(path), src_hint)
    try:
        row = post_from_node(node, default_account=os.path.basename(os.path.dirname(path)).lower() or None)
    except _Bad as bad:
        shortcode = (node.get("shortcode") or node.get("code")) if isinstance(node, dict) else None
        state.reject(src, f"post {shortcode!r}" if isinstance(shortcode, str) and shortcode else "node",
                     bad.problem)
        return None
    row["source_format"] = src_hint
    row["source_file"] = str(path)
    state.add("posts", row["post_id"], row, src)
    return row["post_id"]


def _load_raw(path: str) -> bytes | Exception:
    """Read and decompress one file; a problem is returned (not raised) for the caller."""
    try:
        return _read_bytes(path)
    except _Bad as bad:
        return bad
    except OSError as exc:
        return InputError(path, f"cannot read file ({exc})")


def _load_json_file(path: str, raw: bytes | Exception | None = None) -> Any:
    """Decoded JSON of one file (read now unless ``raw`` is given); problems are returned, not raised."""
    raw = _load_raw(path) if raw is None else raw
    if isinstance(raw, Exception):
        return raw
    try:
        return _decode_json(raw)
    except _Bad as bad:
        return bad


def _load_batch(paths: list[str]) -> list[bytes | Exception]:
    return [_load_raw(p) for p in paths]


def _prefetch(paths: list[str]) -> Iterator[Any]:
    """Decoded JSON of ``paths`` in order.

    Worker threads read and decompress (both release the GIL) while this
    thread decodes JSON and maps posts.
    """
    workers = PREFETCH_WORKERS
    if len(paths) < 256 or workers <= 1:
        yield from map(_load_json_file, paths)
        return
    from concurrent.futures import ThreadPoolExecutor

    batch = 64  # files per task: fewer hand-offs between threads
    batches = [paths[i:i + batch] for i in range(0, len(paths), batch)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for start in range(0, len(batches), 4 * workers):  # bounded read-ahead
            chunk = batches[start:start + 4 * workers]
            for names, raws in zip(chunk, pool.map(_load_batch, chunk)):
                for name, raw in zip(names, raws):
                    yield _load_json_file(name, raw)


_UNSET = object()


def _read_instaloader_json(state: _State, path: str, explicit: bool, data: Any = _UNSET) -> str | None:
    if data is _UNSET:
        data = _load_json_file(path)
    if isinstance(data, InputError):
        raise data
    if isinstance(data, _Bad):
        stem = _stem_of(path)
        fmt = "instaloader-profile" if re.search(r"_\d+$", stem) and not _STEM_RE.match(stem) \
            else "instaloader-json"
        state.reject(state.source(str(path), fmt), "whole file", data.problem)
        return None
    if isinstance(data, list):
        if data and isinstance(data[0], dict) and ("shortCode" in data[0] or "ownerUsername" in data[0]):
            _read_apify_items(state, path, data, "apify-json")
            return None
        if not data:
            log.warning("%s: empty JSON list; nothing to read", path)
            return None
    result = _post_rows_from_instaloader(state, path, data, "instaloader-json")
    if result == "?":
        if _STEM_RE.match(_stem_of(path)) or path.endswith(".xz"):
            # named like an instaloader post file: a bad record, not a stray file
            state.reject(state.source(str(path), "instaloader-json"), "whole file",
                         "not an instaloader post (expected {\"node\": {...}, \"instaloader\": {...}} "
                         f"or a post object), found a JSON {type(data).__name__}")
            return None
        if explicit:
            raise InputError(path, "not a recognised Instagram export (expected an instaloader, "
                                   "Zeeschuimer or Apify file)")
        log.warning("%s: not a recognised Instagram export; ignored", path)
        return None
    return result


def _read_instaloader_comments(state: _State, path: str, post_id: str) -> None:
    src = state.source(str(path), "instaloader-comments")
    try:
        data = _decode_json(_read_bytes(path))
    except _Bad as bad:
        state.reject(src, "whole file", bad.problem)
        return
    if not isinstance(data, list):
        state.reject(src, "whole file", f"expected a JSON list of comments, found {type(data).__name__}")
        return
    for i, c in enumerate(data):
        try:
            row = _comment_row(c, post_id, None)
        except _Bad as bad:
            state.reject(src, f"comment {i}" + (f" (id {bad.record})" if bad.record else ""), bad.problem)
            continue
        row["source_file"] = str(path)
        state.add("comments", row["comment_id"], row, src)
        answers = c.get("answers") or []
        if not isinstance(answers, list):
            state.reject(src, f"comment {i}", "field 'answers' is not a list")
            continue
        for j, a in enumerate(answers):
            try:
                arow = _comment_row(a, post_id, row["comment_id"])
            except _Bad as bad:
                state.reject(src, f"comment {i} answer {j}", bad.problem)
                continue
            arow["source_file"] = str(path)
            state.add("comments", arow["comment_id"], arow, src)


def _read_instaloader_txt(state: _State, path: str | Path) -> str | None:
    path = Path(path)
    src = state.source(str(path), "instaloader-txt")
    stem = _stem_of(path)
    m = _STEM_RE.match(stem)
    if not m:  # only reached for explicitly named files
        state.reject(src, "whole file", f"file name {path.name!r} is not instaloader's <YYYY-MM-DD_HH-MM-SS>_UTC.txt")
        return None
    try:
        when = datetime(*map(int, m.groups()), tzinfo=timezone.utc)
    except ValueError as exc:
        state.reject(src, "whole file", f"file name {path.name!r} holds no valid date ({exc})")
        return None
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        state.reject(src, "whole file", f"caption is not UTF-8 ({exc})")
        return None
    folder = path.parent.name
    location = None
    loc_file = path.with_name(f"{stem}_location.txt")
    if loc_file.is_file():
        location = loc_file.read_text(encoding="utf-8", errors="replace").splitlines()[0:1]
        location = location[0].strip() or None if location else None
    post_id = f"stem:{folder}/{stem}"
    missing = ["owner_id", "likes", "comments", "media_type", "n_media", "url"]
    if location is None:
        missing.append("location_name")
    row = {
        "post_id": post_id, "account": folder.lower() or None, "owner_id": None,
        "posted_at": ((when - _EPOCH) // _US) * 1000,
        "caption": text[:-1] if text.endswith("\n") else text,
        "likes": None, "comments": None, "media_type": None, "n_media": None,
        "location_name": location, "url": None, "media_files": [], "missing_fields": missing,
        "source_format": "instaloader-txt", "source_file": str(path),
    }
    state.add("posts", post_id, row, src)
    return post_id


def _read_ndjson(state: _State, path: str) -> None:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read file ({exc})") from None
    lines = data.split(b"\n")
    first = next((ln for ln in lines if ln.strip()), b"")
    fmt = "zeeschuimer-ndjson"
    if first:
        try:
            obj = orjson.loads(first)
            if isinstance(obj, dict) and "data" not in obj and ("shortCode" in obj or "ownerUsername" in obj):
                fmt = "apify-json"
        except orjson.JSONDecodeError:
            pass
    if fmt == "apify-json":
        items: list[Any] = []
        src_lines: list[int] = []
        for n, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            items.append(line)
            src_lines.append(n)
        _read_apify_items(state, path, items, fmt, line_numbers=src_lines)
        return
    src = state.source(str(path), fmt)
    ads = 0
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        record = f"line {n}"
        env = _json_object(state, src, record, line)
        if env is None:
            continue
        item = env.get("data") if "data" in env else env
        platform = env.get("source_platform")
        if platform is not None and "instagram" not in str(platform):
            state.reject(src, record, f"item from {platform!r}, not Instagram")
            continue
        if not isinstance(item, dict):
            state.reject(src, record, "field 'data' is not a JSON object")
            continue
        link = item.get("link") or ""
        if item.get("product_type") == "ad" or (isinstance(link, str) and link.startswith(
                "https://www.facebook.com/ads/ig_redirect")):
            ads += 1
            continue
        shortcode = item.get("shortcode") or item.get("code")
        try:
            row = post_from_node(item)
        except _Bad as bad:
            state.reject(src, _record_label(record, shortcode), bad.problem)
            continue
        row["source_format"] = fmt
        row["source_file"] = str(path)
        state.add("posts", row["post_id"], row, src)
    if ads:
        log.info("%s: skipped %d ads", path, ads)


def _apify_post(item: dict[str, Any]) -> dict[str, Any]:
    missing: list[str] = []
    shortcode = item.get("shortCode") or item.get("shortcode")
    if not isinstance(shortcode, str) or not shortcode:
        raise _Bad("missing field 'shortCode'")
    ts = item.get("timestamp")
    if isinstance(ts, (int, float)) and not isinstance(ts, bool):
        posted = _ns_from_epoch(ts, "field 'timestamp'")
    elif ts in (None, ""):
        raise _Bad("missing field 'timestamp'")
    else:
        posted = _ns_from_iso(ts, "field 'timestamp'", assume_utc=True)
    kind = _APIFY_TYPES.get(str(item.get("type") or "").strip().lower())
    if kind is None:
        missing.append("media_type")
    if kind == "carousel":
        n_media = item.get("_n_children") if "_n_children" in item else (
            len(item["childPosts"]) if isinstance(item.get("childPosts"), list) and item["childPosts"]
            else len(item["images"]) if isinstance(item.get("images"), list) and item["images"] else None)
        if n_media is None:
            missing.append("n_media")
    else:
        n_media = 1 if kind else None
        if kind is None:
            missing.append("n_media")
    for key, name in (("caption", "caption"), ("likesCount", "likes"), ("commentsCount", "comments"),
                      ("ownerUsername", "account"), ("ownerId", "owner_id"), ("locationName", "location_name")):
        if key not in item:
            missing.append(name)
    account = item.get("ownerUsername")
    url = item.get("url") if isinstance(item.get("url"), str) and item.get("url") else _post_url(shortcode)
    return {
        "post_id": shortcode,
        "account": account.lstrip("@").lower() if isinstance(account, str) and account else None,
        "owner_id": _opt_str(item.get("ownerId")),
        "posted_at": posted,
        "caption": item.get("caption") if isinstance(item.get("caption"), str) else "",
        "likes": _opt_int(item.get("likesCount"), "likesCount"),
        "comments": _opt_int(item.get("commentsCount"), "commentsCount"),
        "media_type": kind,
        "n_media": n_media,
        "location_name": _opt_str(item.get("locationName")),
        "url": url,
        "media_files": [],
        "missing_fields": missing,
    }


def _json_object(state: _State, src: Any, record: str, raw: Any) -> dict[str, Any] | None:
    """``raw`` (a JSON line as bytes, or an already parsed item) as a dict, or None after
    setting it aside with the reason (malformed JSON, or not an object)."""
    if isinstance(raw, bytes):
        try:
            raw = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            state.reject(src, record, f"malformed JSON line ({exc})")
            return None
    if not isinstance(raw, dict):
        state.reject(src, record, "expected a JSON object per record")
        return None
    return raw


def _read_apify_items(state: _State, path: str | Path, items: list[Any], fmt: str,
                      line_numbers: list[int] | None = None) -> None:
    src = state.source(str(path), fmt)
    for i, item in enumerate(items):
        record: str | int = f"line {line_numbers[i]}" if line_numbers else f"item {i}"
        item = _json_object(state, src, record, item)
        if item is None:
            continue
        shortcode = item.get("shortCode")
        try:
            row = _apify_post(item)
        except _Bad as bad:
            state.reject(src, _record_label(record, shortcode), bad.problem)
            continue
        row["source_format"] = fmt
        row["source_file"] = str(path)
        state.add("posts", row["post_id"], row, src)
        for c in item.get("latestComments") or []:
            _apify_comment(state, path, c, row["post_id"], None)


def _apify_comment(state: _State, path: str | Path, c: Any, post_id: str, parent: str | None) -> None:
    """Embedded Apify comments: best effort, not counted in the report (they are not the file's records)."""
    if not isinstance(c, dict) or not c.get("id") or not c.get("timestamp"):
        log.info("%s: skipped an incomplete embedded comment on post %s", path, post_id)
        return
    try:
        posted = _ns_from_iso(c["timestamp"], "comment timestamp", assume_utc=True)
        likes = _opt_int(c.get("likesCount"), "likesCount")
    except _Bad as bad:
        log.info("%s: skipped embedded comment %s: %s", path, c.get("id"), bad.problem)
        return
    author = c.get("ownerUsername")
    row = {"comment_id": str(c["id"]), "post_id": post_id, "parent_id": parent,
           "author": author.lower() if isinstance(author, str) else None, "posted_at": posted,
           "text": c.get("text") if isinstance(c.get("text"), str) else "", "likes": likes,
           "source_file": str(path)}
    if row["comment_id"] not in state.comments:
        state.comments[row["comment_id"]] = (row, _Source(str(path), "apify-json"))
    for r in c.get("replies") or []:
        _apify_comment(state, path, r, post_id, row["comment_id"])


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


def _read_csv(state: _State, path: str, explicit: bool) -> None:
    try:
        text = decode_csv_bytes(Path(path).read_bytes(), path)
    except OSError as exc:
        raise InputError(path, f"cannot read file ({exc})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        header = []
    except csv.Error as exc:
        raise InputError(path, f"malformed CSV header ({exc})", record="line 1") from None
    header = [h.strip() for h in header]
    if "shortCode" in header:
        fmt = "apify-csv"
    elif all(c in header for c in _PLAIN_REQUIRED):
        fmt = "plain-csv"
    else:
        if explicit:
            raise InputError(path, "unrecognised CSV layout: expected Apify's columns (shortCode, ...) or "
                                   "the plain layout (post_id, account, posted_at, caption, likes, comments, "
                                   "media_type, location_name, url)", record="line 1")
        log.warning("%s: CSV with unrecognised columns; ignored", path)
        return
    src = state.source(str(path), fmt)
    child_cols = sorted({int(m.group(1)) for h in header if (m := re.match(r"^childPosts/(\d+)/", h))})
    image_cols = [i for i, h in enumerate(header) if re.match(r"^images/\d+$", h)]
    child_idx = {n: [i for i, h in enumerate(header) if h.startswith(f"childPosts/{n}/")] for n in child_cols}
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            state.reject(src, f"line {reader.line_num}", f"malformed CSV ({exc})")
            continue
        record = f"line {reader.line_num}"
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            state.reject(src, record, f"has {len(values)} fields, the header has {len(header)}")
            continue
        item = dict(zip(header, values))
        try:
            if fmt == "apify-csv":
                if child_idx:
                    item["_n_children"] = sum(1 for n, idx in child_idx.items()
                                              if any(values[i].strip() for i in idx)) or None
                elif image_cols:
                    item["_n_children"] = sum(1 for i in image_cols if values[i].strip()) or None
                row = _apify_post({k: (v if v != "" else None) if k not in ("caption", "shortCode") else v
                                   for k, v in item.items()})
            else:
                row = _plain_post(item, header)
        except _Bad as bad:
            sc = item.get("shortCode") or item.get("post_id")
            state.reject(src, _record_label(record, sc), bad.problem)
            continue
        row["source_format"] = fmt
        row["source_file"] = str(path)
        state.add("posts", row["post_id"], row, src)


def _plain_post(item: dict[str, str], header: list[str]) -> dict[str, Any]:
    missing = [c for c in ("caption", "likes", "comments", "media_type", "location_name", "url")
               if c not in header]
    post_id = item["post_id"].strip()
    if not post_id:
        raise _Bad("missing value for 'post_id'")
    account = item["account"].strip().lstrip("@").lower()
    if not account:
        raise _Bad("missing value for 'account'", post_id)
    posted = _ns_from_iso(item["posted_at"], "posted_at", assume_utc=False)
    media = (item.get("media_type") or "").strip().lower() or None
    if media is not None and media not in _PLAIN_MEDIA:
        raise _Bad(f"media_type {item['media_type']!r} is not one of image, video, carousel")
    n_media = _opt_int(item.get("n_media"), "n_media")
    if n_media is None and media in ("image", "video"):
        n_media = 1
    if n_media is None:
        missing.append("n_media")
    url = (item.get("url") or "").strip() or _post_url(post_id)
    return {
        "post_id": post_id, "account": account, "owner_id": None, "posted_at": posted,
        "caption": item.get("caption") or "",
        "likes": _opt_int(item.get("likes"), "likes"),
        "comments": _opt_int(item.get("comments"), "comments"),
        "media_type": media, "n_media": n_media,
        "location_name": (item.get("location_name") or "").strip() or None,
        "url": url, "media_files": [], "missing_fields": ["owner_id"] + missing,
    }


# --------------------------------------------------------------------------- traversal

# File paths are plain strings here: building a pathlib.Path per file costs as
# much as parsing a small post.

def _walk(root: str) -> Iterator[str]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if not name.startswith("."):
                yield os.path.join(dirpath, name)


def _expand(paths: Iterable[str | Path]) -> list[tuple[str, bool]]:
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


def _kind(path: str) -> str | None:
    name = os.path.basename(path)
    if name.endswith("_comments.json"):
        return "comments"
    if name.endswith(".json.xz") or name.endswith(".json"):
        return "json"
    if name.endswith(".ndjson") or name.endswith(".jsonl"):
        return "ndjson"
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(".txt") and not name.endswith("_location.txt"):
        return "txt"
    if os.path.splitext(name)[1].lower() in _IMAGE_SUFFIXES:
        return "image"
    return None


def _media_sort_key(path: Path, stem: str) -> tuple[int, str]:
    rest = path.stem[len(stem):]
    return (int(rest[1:]) if rest[1:].isdigit() else 0, path.name)


def _collect(paths: tuple[str | Path, ...], quarantine: bool, progress: bool) -> _State:
    if not paths:
        raise InputError("(no input)", "no input paths given")
    files = _expand(paths)
    state = _State(quarantine=quarantine)
    by_dir: dict[str, list[tuple[str, bool, str | None]]] = {}
    for f, explicit in files:
        by_dir.setdefault(os.path.dirname(f), []).append((f, explicit, _kind(f)))
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(files), unit="file", desc="ingest", disable=None)
    try:
        for folder, entries in by_dir.items():
            _collect_folder(state, folder, entries, bar)
    finally:
        if bar is not None:
            bar.close()
    return state


def _collect_folder(state: _State, folder: str, entries: list[tuple[str, bool, str | None]], bar: Any) -> None:
    stem_to_post: dict[str, str] = {}
    json_stems = {_stem_of(f) for f, _, k in entries if k == "json"}
    images: dict[str, list[Path]] = {}
    deferred: list[tuple[str, bool, str]] = []
    loaded = _prefetch([f for f, _, k in entries if k == "json"])
    for f, explicit, kind in entries:
        if kind in ("comments", "txt"):
            deferred.append((f, explicit, kind))
            continue
        if bar is not None:
            bar.update(1)
        if kind == "json":
            post_id = _read_instaloader_json(state, f, explicit, next(loaded))
            if post_id:
                stem_to_post[_stem_of(f)] = post_id
        elif kind == "ndjson":
            _read_ndjson(state, f)
        elif kind == "csv":
            _read_csv(state, f, explicit)
        elif kind == "image":
            images.setdefault(os.path.splitext(os.path.basename(f))[0], []).append(Path(f))
        elif explicit:
            raise InputError(f, "not a supported input (expected .json, .json.xz, _comments.json, .txt, "
                                ".ndjson, .jsonl or .csv)")
        else:
            log.debug("%s: ignored", f)
    for f, explicit, kind in deferred:
        if bar is not None:
            bar.update(1)
        stem = _stem_of(f)
        if kind == "txt":
            if stem in json_stems:
                continue  # the metadata JSON is the better copy of this post
            if not _STEM_RE.match(stem) and not explicit:
                log.debug("%s: ignored (not an instaloader caption file)", f)
                continue
            post_id = _read_instaloader_txt(state, f)
            if post_id:
                stem_to_post[stem] = post_id
        else:
            post_stem = stem[: -len("_comments")]
            post_id = stem_to_post.get(post_stem) or f"stem:{os.path.basename(folder)}/{post_stem}"
            _read_instaloader_comments(state, f, post_id)
    if images and stem_to_post:
        _attach_media(state, stem_to_post, images)


def _attach_media(state: _State, stem_to_post: dict[str, str], images: dict[str, list[Path]]) -> None:
    found: dict[str, list[Path]] = {}
    for img_stem, paths in images.items():
        base = img_stem
        if base not in stem_to_post:
            m = _MEDIA_SUFFIX_RE.match(img_stem)
            if not m or m.group(1) not in stem_to_post:
                continue
            base = m.group(1)
        found.setdefault(base, []).extend(paths)
    for stem, paths in found.items():
        entry = state.posts.get(stem_to_post[stem])
        if entry is None:
            continue
        row = entry[0]
        row["media_files"] = [str(p) for p in sorted(paths, key=lambda p: _media_sort_key(p, stem))]


# --------------------------------------------------------------------------- frames

def _frame(rows: list[dict[str, Any]], columns: list[str], ints: Iterable[str], times: Iterable[str],
           bools: Iterable[str] = ()) -> pd.DataFrame:
    data: dict[str, Any] = {}
    ints, times, bools = set(ints), set(times), set(bools)
    for col in columns:
        values = [r.get(col) for r in rows]
        if col in ints:
            data[col] = pd.array(values, dtype="Int64")
        elif col in times:
            data[col] = pd.to_datetime(np.array(values, dtype="int64"), unit="ns", utc=True).as_unit("ns")
        elif col in bools:
            data[col] = pd.array(values, dtype="boolean")
        elif col in ("media_files", "missing_fields"):
            arr = np.empty(len(values), dtype=object)
            arr[:] = values
            data[col] = arr
        else:
            data[col] = pd.array(values, dtype="str")
    df = pd.DataFrame(data, columns=columns)
    return df


def _posts_frame(state: _State) -> pd.DataFrame:
    rows = [r for r, _ in state.posts.values()]
    rows.sort(key=lambda r: (r["posted_at"], r["post_id"]))
    return _frame(rows, POST_COLUMNS, _INT_FIELDS, ["posted_at"])


def _comments_frame(state: _State) -> pd.DataFrame:
    rows = [r for r, _ in state.comments.values()]
    rows.sort(key=lambda r: (r["post_id"], r["posted_at"], r["comment_id"]))
    return _frame(rows, COMMENT_COLUMNS, ["likes"], ["posted_at"])


def _profiles_frame(state: _State) -> pd.DataFrame:
    rows = sorted((r for r, _ in state.profiles.values()), key=lambda r: r["account"])
    return _frame(rows, PROFILE_COLUMNS, ["followers", "following", "posts"], [],
                  ["is_verified", "is_private"])


def _report_frame(state: _State) -> pd.DataFrame:
    data = {c: [getattr(s, c if c != "source_file" else "path") if c != "source_format" else s.fmt
                for s in state.sources] for c in REPORT_COLUMNS}
    df = pd.DataFrame(data, columns=REPORT_COLUMNS).sort_values("source_file", kind="stable", ignore_index=True)
    for c in REPORT_COLUMNS[2:]:
        df[c] = df[c].astype("int64")
    return df


def _quarantine_frame(state: _State) -> pd.DataFrame:
    return pd.DataFrame({c: pd.array([b[i] for b in state.bad], dtype="str")
                         for i, c in enumerate(QUARANTINE_COLUMNS)}, columns=QUARANTINE_COLUMNS)


# --------------------------------------------------------------------------- public API

def ingest(*paths: str | Path, quarantine: bool = False, progress: bool = False) -> IngestResult:
    """Read every supported file under ``paths`` into posts, comments, profiles and a per-source report.

    Raises InputError on the first bad record unless ``quarantine`` is true,
    in which case bad records are listed in ``.quarantine`` instead.
    ``progress`` shows a tqdm bar over files.
    """
    state = _collect(paths, quarantine, progress)
    for src in state.sources:
        if src.differed:
            log.info("%s: %d duplicate records differ from the copies kept (first by path, with as many "
                     "fields); e.g. counts captured at another time", src.path, src.differed)
    result = IngestResult(
        posts=_posts_frame(state),
        comments=_comments_frame(state),
        profiles=_profiles_frame(state),
        report=_report_frame(state),
        quarantine=_quarantine_frame(state),
    )
    log.info("ingested %d posts, %d comments, %d profiles from %d source files (%d quarantined, %d duplicates)",
             len(result.posts), len(result.comments), len(result.profiles), len(result.report),
             int(result.report["quarantined"].sum()), int(result.report["duplicates"].sum()))
    return result


def read_posts(*paths: str | Path, quarantine: bool = False) -> pd.DataFrame:
    """The post table of everything under ``paths`` (see :func:`ingest`)."""
    return ingest(*paths, quarantine=quarantine).posts


def read_comments(*paths: str | Path, quarantine: bool = False) -> pd.DataFrame:
    """The comment table of everything under ``paths`` (see :func:`ingest`)."""
    return ingest(*paths, quarantine=quarantine).comments


def read_profiles(*paths: str | Path, quarantine: bool = False) -> pd.DataFrame:
    """The profile table of everything under ``paths`` (see :func:`ingest`)."""
    return ingest(*paths, quarantine=quarantine).profiles


def to_flat(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with list columns joined by "|" (for CSV output)."""
    out = df.copy()
    for col in ("media_files", "missing_fields"):
        if col in out.columns:
            out[col] = ["|".join(v) for v in out[col]]
    return out


# --------------------------------------------------------------------------- command line

def main(argv: list[str] | None = None) -> int:
    """Ingest Instagram collections into one post table (.parquet or .csv)."""
    import argparse

    from .iorw import write_csv, write_parquet

    p = argparse.ArgumentParser(prog="python -m civicposts ingest", description=main.__doc__)
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (searched recursively)")
    p.add_argument("--out", required=True, help="post table to write: .parquet or .csv")
    p.add_argument("--quarantine", action="store_true",
                   help="set bad records aside (listed in --quarantine-out) instead of stopping at the first")
    p.add_argument("--comments-out", help="also write the comment table (.parquet or .csv)")
    p.add_argument("--profiles-out", help="also write the profile table (.parquet or .csv)")
    p.add_argument("--report-out", help="also write the per-source count table (.csv)")
    p.add_argument("--quarantine-out", help="where to write quarantined records (.csv); "
                                            "default <out stem>.quarantine.csv when --quarantine is given")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    a = p.parse_args(argv)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    outputs = [a.out, a.comments_out, a.profiles_out]
    for out in filter(None, outputs):
        if Path(out).suffix not in (".parquet", ".csv"):
            p.error(f"{out}: output must end in .parquet or .csv")
    try:
        result = ingest(*a.paths, quarantine=a.quarantine, progress=not a.no_progress)
    except InputError as exc:
        log.error("%s", exc)
        return 2

    def write(target: str, df: pd.DataFrame) -> None:
        if target.endswith(".parquet"):
            write_parquet(target, df)
        else:
            write_csv(target, to_flat(df))
        log.info("wrote %d rows to %s", len(df), target)

    write(a.out, result.posts)
    if a.comments_out:
        write(a.comments_out, result.comments)
    if a.profiles_out:
        write(a.profiles_out, result.profiles)
    if a.report_out:
        write_csv(a.report_out, result.report)
    log.info("per-source counts:\n%s", result.report.to_string(index=False) if len(result.report) else "(none)")
    if a.quarantine:
        target = a.quarantine_out or str(Path(a.out).with_suffix("")) + ".quarantine.csv"
        write_csv(target, result.quarantine)
        if len(result.quarantine):
            log.warning("%d bad records set aside in %s", len(result.quarantine), target)
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
