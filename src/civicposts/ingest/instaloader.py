"""instaloader folders: post and profile metadata JSON, comment files, caption-only folders.

``instaloader-json``
    Per-post metadata files ``<stem>.json`` / ``<stem>.json.xz``
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
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .base import Bad, Event, Folder, Format, Head, Row, Skip
from .files import Problem
from .nodes import comment_row, post_from_node, profile_from_node
from .values import ns_from_datetime

STEM_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})_(\d{2})-(\d{2})-(\d{2})_UTC(?:_\d+)?$")
_JSON = (".json", ".json.xz")
_COMMENTS = "_comments.json"


def is_metadata_json(name: str) -> bool:
    """Whether a file name is a candidate instaloader metadata file (not a comment file)."""
    return name.endswith(_JSON) and not name.endswith(_COMMENTS)


def _envelope(data: Any) -> tuple[str | None, Any]:
    """(node type, node) of an instaloader document; (None, None) when it is not one."""
    if isinstance(data, dict) and "node" in data and isinstance(data.get("instaloader"), dict):
        return data["instaloader"].get("node_type"), data["node"]
    if isinstance(data, dict) and ("shortcode" in data or "code" in data):
        return "Post", data
    if isinstance(data, dict) and "username" in data and ("edge_followed_by" in data or "follower_count" in data):
        return "Profile", data
    return None, None


def _profile_stem(stem: str) -> bool:
    return bool(re.search(r"_\d+$", stem)) and not STEM_RE.match(stem)


# --------------------------------------------------------------------------- profiles

def _can_read_profile(path: str, head: Head) -> bool:
    if not is_metadata_json(head.name):
        return False
    data = head.json
    if isinstance(data, Problem):
        return _profile_stem(head.stem)  # a damaged profile file is still reported as a profile
    return _envelope(data)[0] == "Profile"


def _profile_records(path: str, head: Head, folder: Folder) -> Iterator[Event]:
    data = head.json
    if isinstance(data, Problem):
        yield Bad("whole file", data.problem)
        return
    try:
        row = profile_from_node(_envelope(data)[1])
    except Problem as bad:
        yield Bad("node", bad.problem)
        return
    yield Row("profiles", row["account"], row)


# --------------------------------------------------------------------------- posts

def _can_read_post(path: str, head: Head) -> bool:
    if not is_metadata_json(head.name):
        return False
    data = head.json
    if isinstance(data, Problem) or (isinstance(data, list) and not data):
        return True
    if _envelope(data)[0] is not None:
        return True
    # named like an instaloader post file: a bad record, not a stray file
    return bool(STEM_RE.match(head.stem)) or head.name.endswith(".xz")


def _post_records(path: str, head: Head, folder: Folder) -> Iterator[Event]:
    data = head.json
    if isinstance(data, Problem):
        yield Bad("whole file", data.problem)
        return
    if isinstance(data, list) and not data:
        yield Skip("empty JSON list; nothing to read", logging.WARNING)
        return
    node_type, node = _envelope(data)
    if node_type is None:
        yield Bad("whole file", "not an instaloader post (expected {\"node\": {...}, \"instaloader\": {...}} "
                                f"or a post object), found a JSON {type(data).__name__}")
        return
    if node_type != "Post":
        yield Skip(f"skipped instaloader {node_type} (not a post)")
        return
    try:
        row = post_from_node(node, default_account=os.path.basename(os.path.dirname(path)).lower() or None)
    except Problem as bad:
        shortcode = (node.get("shortcode") or node.get("code")) if isinstance(node, dict) else None
        yield Bad(f"post {shortcode!r}" if isinstance(shortcode, str) and shortcode else "node", bad.problem)
        return
    folder.stem_to_post[head.stem] = row["post_id"]
    yield Row("posts", row["post_id"], row)


# --------------------------------------------------------------------------- comments

def _comment_records(path: str, head: Head, folder: Folder) -> Iterator[Event]:
    post_stem = head.stem[: -len("_comments")]
    post_id = folder.stem_to_post.get(post_stem) or f"stem:{os.path.basename(folder.path)}/{post_stem}"
    data = head.json
    if isinstance(data, Problem):
        yield Bad("whole file", data.problem)
        return
    if not isinstance(data, list):
        yield Bad("whole file", f"expected a JSON list of comments, found {type(data).__name__}")
        return
    for i, c in enumerate(data):
        try:
            row = comment_row(c, post_id, None)
        except Problem as bad:
            yield Bad(f"comment {i}" + (f" (id {bad.record})" if bad.record else ""), bad.problem)
            continue
        yield Row("comments", row["comment_id"], row)
        answers = c.get("answers") or []
        if not isinstance(answers, list):
            yield Bad(f"comment {i}", "field 'answers' is not a list")
            continue
        for j, a in enumerate(answers):
            try:
                arow = comment_row(a, post_id, row["comment_id"])
            except Problem as bad:
                yield Bad(f"comment {i} answer {j}", bad.problem)
                continue
            yield Row("comments", arow["comment_id"], arow)


# --------------------------------------------------------------------------- caption-only folders

def _can_read_txt(path: str, head: Head) -> bool:
    return head.name.endswith(".txt") and (head.name.endswith("_location.txt") or head.explicit
                                           or bool(STEM_RE.match(head.stem)))


def _txt_records(path: str, head: Head, folder: Folder) -> Iterator[Event]:
    if head.name.endswith("_location.txt"):
        yield Skip("location file, read with its caption file", logging.DEBUG)
        return
    stem = head.stem
    if f"{stem}.json" in folder.names or f"{stem}.json.xz" in folder.names:
        yield Skip("the metadata JSON is the better copy of this post", logging.DEBUG)
        return
    m = STEM_RE.match(stem)
    if not m:  # only reached for explicitly named files
        yield Bad("whole file", f"file name {head.name!r} is not instaloader's <YYYY-MM-DD_HH-MM-SS>_UTC.txt")
        return
    try:
        when = datetime(*map(int, m.groups()), tzinfo=timezone.utc)
    except ValueError as exc:
        yield Bad("whole file", f"file name {head.name!r} holds no valid date ({exc})")
        return
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        yield Bad("whole file", f"caption is not UTF-8 ({exc})")
        return
    name = os.path.basename(os.path.dirname(path))
    location = None
    loc_file = Path(path).with_name(f"{stem}_location.txt")
    if loc_file.is_file():
        first = loc_file.read_text(encoding="utf-8", errors="replace").splitlines()[0:1]
        location = first[0].strip() or None if first else None
    post_id = f"stem:{name}/{stem}"
    missing = ["owner_id", "likes", "comments", "media_type", "n_media", "url"]
    if location is None:
        missing.append("location_name")
    folder.stem_to_post[stem] = post_id
    yield Row("posts", post_id, {
        "post_id": post_id, "account": name.lower() or None, "owner_id": None,
        "posted_at": ns_from_datetime(when),
        "caption": text[:-1] if text.endswith("\n") else text,
        "likes": None, "comments": None, "media_type": None, "n_media": None,
        "location_name": location, "url": None, "media_files": [], "missing_fields": missing,
    })


FORMATS = (
    Format("instaloader-comments", ("comments",), (_COMMENTS,),
           lambda path, head: head.name.endswith(_COMMENTS), _comment_records,
           "an instaloader comment file (<stem>_comments.json)", phase=1),
    Format("instaloader-profile", ("profiles",), _JSON, _can_read_profile, _profile_records,
           "an instaloader profile file (<user>_<id>.json[.xz])"),
    Format("instaloader-json", ("posts",), _JSON, _can_read_post, _post_records,
           "an instaloader post file (<date>_UTC.json[.xz])"),
    Format("instaloader-txt", ("posts",), (".txt",), _can_read_txt, _txt_records,
           "an instaloader caption file (<YYYY-MM-DD_HH-MM-SS>_UTC.txt)", phase=1),
)
