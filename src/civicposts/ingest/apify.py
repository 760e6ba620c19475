"""Apify's instagram-scraper datasets: JSON (an array, or JSON lines) and CSV.

``apify-json`` / ``apify-csv``
    The dataset exported as a JSON array (or JSON Lines) or CSV (flattened
    columns such as ``childPosts/0/type``): ``shortCode, caption, timestamp``
    (ISO-8601), ``likesCount, commentsCount, type`` (Image/Video/Sidecar),
    ``ownerUsername, ownerId, locationName, url``. A negative or empty like
    count (hidden likes) is NA. ``latestComments`` in the JSON export go to
    the comment table (embedded records: kept once, not counted as the file's
    records).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from .base import Bad, Event, Extra, Folder, Format, Head, Row, csv_records, json_lines, json_object
from .files import Problem
from .values import ns_from_epoch, ns_from_iso, opt_int, opt_str, post_url, record_label

log = logging.getLogger("civicposts.ingest")

_TYPES = {"image": "image", "video": "video", "sidecar": "carousel"}
_LINES = (".ndjson", ".jsonl")


def _is_item(obj: Any) -> bool:
    return isinstance(obj, dict) and "data" not in obj and ("shortCode" in obj or "ownerUsername" in obj)


def apify_post(item: dict[str, Any]) -> dict[str, Any]:
    """Map one Apify item (JSON, or a CSV row with empty cells as None) to a post row."""
    missing: list[str] = []
    shortcode = item.get("shortCode") or item.get("shortcode")
    if not isinstance(shortcode, str) or not shortcode:
        raise Problem("missing field 'shortCode'")
    ts = item.get("timestamp")
    if isinstance(ts, (int, float)) and not isinstance(ts, bool):
        posted = ns_from_epoch(ts, "field 'timestamp'")
    elif ts in (None, ""):
        raise Problem("missing field 'timestamp'")
    else:
        posted = ns_from_iso(ts, "field 'timestamp'", assume_utc=True)
    kind = _TYPES.get(str(item.get("type") or "").strip().lower())
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
    url = item.get("url") if isinstance(item.get("url"), str) and item.get("url") else post_url(shortcode)
    return {
        "post_id": shortcode,
        "account": account.lstrip("@").lower() if isinstance(account, str) and account else None,
        "owner_id": opt_str(item.get("ownerId")),
        "posted_at": posted,
        "caption": item.get("caption") if isinstance(item.get("caption"), str) else "",
        "likes": opt_int(item.get("likesCount"), "likesCount"),
        "comments": opt_int(item.get("commentsCount"), "commentsCount"),
        "media_type": kind,
        "n_media": n_media,
        "location_name": opt_str(item.get("locationName")),
        "url": url,
        "media_files": [],
        "missing_fields": missing,
    }


def _embedded_comments(path: str, comments: Any, post_id: str, parent: str | None) -> Iterator[Event]:
    """Embedded comments and their replies: best effort (incomplete ones are logged and skipped)."""
    for c in comments or []:
        if not isinstance(c, dict) or not c.get("id") or not c.get("timestamp"):
            log.info("%s: skipped an incomplete embedded comment on post %s", path, post_id)
            continue
        try:
            posted = ns_from_iso(c["timestamp"], "comment timestamp", assume_utc=True)
            likes = opt_int(c.get("likesCount"), "likesCount")
        except Problem as bad:
            log.info("%s: skipped embedded comment %s: %s", path, c.get("id"), bad.problem)
            continue
        author = c.get("ownerUsername")
        cid = str(c["id"])
        yield Extra("comments", cid, {
            "comment_id": cid, "post_id": post_id, "parent_id": parent,
            "author": author.lower() if isinstance(author, str) else None, "posted_at": posted,
            "text": c.get("text") if isinstance(c.get("text"), str) else "", "likes": likes})
        yield from _embedded_comments(path, c.get("replies"), post_id, cid)


# --------------------------------------------------------------------------- JSON

def _can_read_json(path: str, head: Head) -> bool:
    if head.name.endswith(_LINES):
        return _is_item(head.first_json_line())
    if not head.name.endswith(".json") or head.name.endswith("_comments.json"):
        return False
    data = head.json
    return isinstance(data, list) and bool(data) and isinstance(data[0], dict) and (
        "shortCode" in data[0] or "ownerUsername" in data[0])


def _json_records(path: str, head: Head, folder: Folder) -> Iterator[Event]:
    items = json_lines(head) if head.name.endswith(_LINES) else (
        (f"item {i}", item) for i, item in enumerate(head.json))
    for record, raw in items:
        item = json_object(record, raw)
        if isinstance(item, Bad):
            yield item
            continue
        try:
            row = apify_post(item)
        except Problem as bad:
            yield Bad(record_label(record, item.get("shortCode")), bad.problem)
            continue
        yield Row("posts", row["post_id"], row)
        yield from _embedded_comments(path, item.get("latestComments"), row["post_id"], None)


# --------------------------------------------------------------------------- CSV

def _csv_records(path: str, head: Head, folder: Folder) -> Iterator[Event]:
    header = head.csv_header()
    child_idx: dict[int, list[int]] = {}
    for i, h in enumerate(header):
        if m := re.match(r"^childPosts/(\d+)/", h):
            child_idx.setdefault(int(m.group(1)), []).append(i)
    image_cols = [i for i, h in enumerate(header) if re.match(r"^images/\d+$", h)]
    for rec in csv_records(head):
        if isinstance(rec, Bad):
            yield rec
            continue
        record, values, item = rec
        if child_idx:
            item["_n_children"] = sum(1 for idx in child_idx.values() if any(values[i].strip() for i in idx)) or None
        elif image_cols:
            item["_n_children"] = sum(1 for i in image_cols if values[i].strip()) or None
        try:
            row = apify_post({k: (v if v != "" else None) if k not in ("caption", "shortCode") else v
                              for k, v in item.items()})
        except Problem as bad:
            yield Bad(record_label(record, item.get("shortCode")), bad.problem)
            continue
        yield Row("posts", row["post_id"], row)


FORMATS = (
    Format("apify-json", ("posts", "comments"), (".json",) + _LINES, _can_read_json, _json_records,
           "an Apify instagram-scraper dataset (a JSON array or JSON lines of items with shortCode)"),
    Format("apify-csv", ("posts",), (".csv",), lambda path, head: "shortCode" in head.csv_header(),
           _csv_records, "Apify's columns (shortCode, ...)"),
)
