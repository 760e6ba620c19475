"""Instagram's own record shapes (post, profile and comment nodes) mapped to table rows.

Shared by the formats that carry Instagram's JSON (instaloader, Zeeschuimer/4CAT).
"""

from __future__ import annotations

from typing import Any

from .files import Problem
from .values import count, ns_from_epoch, opt_int, opt_str, post_url

_TYPENAMES = {"GraphImage": "image", "GraphVideo": "video", "GraphSidecar": "carousel"}
_MEDIA_TYPES = {1: "image", 2: "video", 8: "carousel"}


def _first_count(node: dict[str, Any], edges: tuple[str, ...], flat: str, legacy: str) -> tuple[bool, Any]:
    """(found, value) of a count: the first GraphQL edge that has one, else the flat field (4.16's
    ``like_count``), else the iPhone shape's plain integer (``likes``, ``comments``)."""
    for key in edges:
        found, value = count(node, key)
        if found:
            return True, value
    if flat in node:
        return True, node[flat]
    value = node.get(legacy)
    if isinstance(value, int) and not isinstance(value, bool):
        return True, value
    return False, None


def post_from_node(node: dict[str, Any], *, default_account: str | None = None) -> dict[str, Any]:
    """Map one Instagram post node (any instaloader, graph or item-list shape) to a post row.

    Raises a record problem when the shortcode or the timestamp is missing or
    malformed. Fields the node does not have are None and listed in
    ``missing_fields``; ``default_account`` fills a missing owner name.
    """
    if not isinstance(node, dict):
        raise Problem(f"expected a JSON object for a post, found {type(node).__name__}")
    missing: list[str] = []
    shortcode = node.get("shortcode") or node.get("code")
    if not isinstance(shortcode, str) or not shortcode:
        raise Problem("missing field 'shortcode' (or 'code')")

    # instaloader's order: date, then taken_at_timestamp; item-list: taken_at
    for key in ("date", "taken_at_timestamp", "taken_at"):
        if node.get(key) is not None:
            posted = ns_from_epoch(node[key], f"field {key!r}")
            break
    else:
        raise Problem("missing field 'taken_at_timestamp' (or 'date', 'taken_at')", shortcode)

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

    found, likes = _first_count(node, ("edge_media_preview_like", "edge_liked_by"), "like_count", "likes")
    if not found:
        missing.append("likes")
    likes = opt_int(likes, "like count")

    found, comments = _first_count(
        node, ("edge_media_to_comment", "edge_media_to_parent_comment", "edge_media_preview_comment"),
        "comment_count", "comments")
    if not found:
        missing.append("comments")
    comments = opt_int(comments, "comment count")

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
    owner_id = opt_str(owner.get("id") or user.get("pk") or user.get("id") or iphone_user.get("pk")
                        or node.get("owner_id"))
    if owner_id is None:
        missing.append("owner_id")

    location_name: str | None = None
    loc = node.get("location")
    if loc is None and isinstance(node.get("iphone_struct"), dict):
        loc = node["iphone_struct"].get("location")
    if isinstance(loc, dict):
        location_name = opt_str(loc.get("name"))
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
        "url": post_url(shortcode),
        "media_files": [],
        "missing_fields": missing,
    }


def profile_from_node(node: dict[str, Any]) -> dict[str, Any]:
    """Map an instaloader Profile node to a profile row."""
    if not isinstance(node, dict):
        raise Problem(f"expected a JSON object for a profile, found {type(node).__name__}")
    username = node.get("username")
    if not isinstance(username, str) or not username:
        raise Problem("missing field 'username'")

    def number(edge: str, raw: str) -> int | None:
        found, value = count(node, edge)
        return opt_int(value if found else node.get(raw), f"field {edge!r}")

    posts = number("edge_owner_to_timeline_media", "media_count")
    return {
        "account": username.lower(),
        "owner_id": opt_str(node.get("id") or node.get("pk")),
        "full_name": opt_str(node.get("full_name")),
        "followers": number("edge_followed_by", "follower_count"),
        "following": number("edge_follow", "following_count"),
        "posts": posts,
        "biography": node.get("biography") if isinstance(node.get("biography"), str) else None,
        "is_verified": node.get("is_verified") if isinstance(node.get("is_verified"), bool) else None,
        "is_private": node.get("is_private") if isinstance(node.get("is_private"), bool) else None,
    }


def comment_row(c: Any, post_id: str, parent_id: str | None) -> dict[str, Any]:
    """Map an instaloader comment (or answer) to a comment row of ``post_id``."""
    if not isinstance(c, dict):
        raise Problem(f"expected a JSON object for a comment, found {type(c).__name__}")
    cid = opt_str(c.get("id") if c.get("id") is not None else c.get("pk"))
    if cid is None:
        raise Problem("missing field 'id'")
    if c.get("created_at") is None:
        raise Problem("missing field 'created_at'", cid)
    owner = c.get("owner") if isinstance(c.get("owner"), dict) else {}
    author = owner.get("username")
    return {
        "comment_id": cid,
        "post_id": post_id,
        "parent_id": parent_id,
        "author": author.lower() if isinstance(author, str) else None,
        "posted_at": ns_from_epoch(c["created_at"], "field 'created_at'"),
        "text": c.get("text") if isinstance(c.get("text"), str) else "",
        "likes": opt_int(c.get("likes_count"), "likes_count"),
    }
