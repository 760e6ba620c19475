"""Zeeschuimer / 4CAT NDJSON exports of Instagram.

``zeeschuimer-ndjson``
    ``.ndjson`` / ``.jsonl``: one envelope per line (``nav_index, item_id,
    timestamp_collected, source_platform, ..., data``); ``data`` is
    Instagram's item-list shape (``code``, ``taken_at``, ``caption.text``,
    ``like_count``, ``comment_count``, ``user``, ``location``,
    ``media_type``, ``carousel_media``) or graph shape (``shortcode``,
    ``taken_at_timestamp``, ``edge_*`` counts, ``owner``). 4CAT's own export
    (the ``data`` items with an ``__import_meta`` key, no envelope) is read
    the same way. Ads (``product_type == "ad"``), as in 4CAT, are not posts:
    skipped, logged. A line from another platform is a bad record.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from .base import Bad, Event, Folder, Format, Head, Row, json_lines, json_object
from .files import Problem
from .nodes import post_from_node
from .values import record_label

log = logging.getLogger("civicposts.ingest")
_AD_LINK = "https://www.facebook.com/ads/ig_redirect"


def _records(path: str, head: Head, folder: Folder) -> Iterator[Event]:
    ads = 0
    for record, line in json_lines(head):
        env = json_object(record, line)
        if isinstance(env, Bad):
            yield env
            continue
        item = env.get("data") if "data" in env else env
        platform = env.get("source_platform")
        if platform is not None and "instagram" not in str(platform):
            yield Bad(record, f"item from {platform!r}, not Instagram")
            continue
        if not isinstance(item, dict):
            yield Bad(record, "field 'data' is not a JSON object")
            continue
        link = item.get("link") or ""
        if item.get("product_type") == "ad" or (isinstance(link, str) and link.startswith(_AD_LINK)):
            ads += 1
            continue
        try:
            row = post_from_node(item)
        except Problem as bad:
            yield Bad(record_label(record, item.get("shortcode") or item.get("code")), bad.problem)
            continue
        yield Row("posts", row["post_id"], row)
    if ads:
        log.info("%s: skipped %d ads", path, ads)


FORMATS = (
    Format("zeeschuimer-ndjson", ("posts",), (".ndjson", ".jsonl"), lambda path, head: True, _records,
           "Zeeschuimer / 4CAT NDJSON (one item per line)"),
)
