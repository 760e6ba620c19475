"""Comments as part of the corpus: cleaned, pseudonymized and counted like captions, tied to their post.

The study's claims are about how citizens and officials interact *under* posts, so a collection's
comments go through the same steps as its captions (``civicposts.privacy`` then
``civicposts.clean.clean_columns``) and are counted step by step:

    read -> parsed (a comment id, once) -> under an in-period post -> under an analysed post

``clean_comments`` keeps every comment under an in-period post (as ``posts.parquet`` keeps every
in-period post), with ``analysed`` saying whether its post is in the analysed corpus; comments whose
post was not collected or lies outside the period are counted and dropped.
``comment_summary`` is the report's table about them (with ``public_commenters`` inside it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from . import schema
from .clean import CleanResult, clean_columns, map_row_steps
from .policy import DEFAULT as DEFAULT_POLICY

log = logging.getLogger(__name__)

FLOW_STEPS = ("read", "parsed", "under an in-period post", "under an analysed post")


def clean_comments(comments: pd.DataFrame, posts: pd.DataFrame, *, allowlist: Iterable[str], key: bytes,
                   known: Iterable[str] = (), policy: Any = None, tz: str = "Asia/Jakarta",
                   stopwords: bool = False, stem: bool = False,
                   slang_extra: Mapping[str, str] | None = None, scheduler: str | None = None,
                   partitions: int | None = None, progress: bool = False) -> CleanResult:
    """Pseudonymize, clean and count the comment table; ``posts`` is ``clean_corpus``'s post table.

    ``scheduler``, ``partitions``, ``progress``: where the per-comment steps run, as in
    ``civicposts.clean.clean_corpus``; the result depends on neither.

    Returns ``(comments, flow)``. ``comments`` has the columns of :data:`civicposts.schema.COMMENTS`
    (authors and mentions pseudonymized, contacts masked) plus ``text_clean``, ``urls``, ``hashtags``,
    ``mentions``, ``emojis``, ``posted_local``, ``is_reply`` (answers another comment),
    ``by_public`` (written by an allowlisted public account) and ``analysed`` (its post is analysed).
    ``flow`` has the columns step, comments, note, and its counts reconcile step by step.
    """
    from . import privacy

    schema.require(comments, ("comment_id", "post_id", "author", "text"), "clean_comments")
    schema.require(posts, ("post_id", "analysed"), "clean_comments (post table)")
    n_read = len(comments)
    df = comments.reset_index(drop=True)
    ids = df["comment_id"].astype(object)
    has_id = ids.notna() & (ids.astype(str).str.strip() != "")
    df = df[has_id]
    n_with_id = len(df)
    df = df[~df["comment_id"].astype(str).duplicated(keep="first")]
    n_parsed = len(df)

    post_ids = posts["post_id"].astype(str)
    analysed_ids = set(post_ids[posts["analysed"].astype(bool).to_numpy()])
    parent = df["post_id"].astype(str)
    df = df[parent.isin(set(post_ids)).to_numpy()].copy()
    n_in_period = len(df)

    allow = privacy.normalise_allowlist(allowlist)
    by_public = df["author"].astype(object).fillna("").astype(str).str.lstrip("@").str.lower().isin(allow)
    args = (tuple(sorted(allow)), key, frozenset(known), policy or DEFAULT_POLICY, stopwords, stem,
            tuple(sorted((slang_extra or {}).items())))
    df = map_row_steps(_clean_comment_rows, df, *args, stem=stem, scheduler=scheduler, partitions=partitions,
                       progress=progress)
    if "posted_at" in df.columns:
        df["posted_local"] = pd.to_datetime(df["posted_at"], utc=True).dt.tz_convert(tz)
    df["is_reply"] = (df["parent_id"].notna() & (df["parent_id"].astype(str).str.strip() != "")
                      if "parent_id" in df.columns else False)
    df["by_public"] = by_public.to_numpy()
    df["analysed"] = df["post_id"].astype(str).isin(analysed_ids).to_numpy()
    df = df.sort_values(["post_id", "comment_id"], kind="stable").reset_index(drop=True)
    n_analysed = int(df["analysed"].sum())

    flow = pd.DataFrame([
        ("read", n_read, "rows in the comment table"),
        ("parsed", n_parsed, f"{n_read - n_with_id} rows without comment_id and {n_with_id - n_parsed} repeated "
                             "comment_ids dropped"),
        ("under an in-period post", n_in_period,
         f"{n_parsed - n_in_period} comments whose post was not collected or lies outside the period dropped"),
        ("under an analysed post", n_analysed,
         f"{n_in_period - n_analysed} comments under duplicate or promotional posts set aside"),
    ], columns=["step", "comments", "note"])
    flow["comments"] = flow["comments"].astype("int64")
    log.info("clean_comments: %s", "; ".join(f"{s}={n}" for s, n in zip(flow["step"], flow["comments"])))
    return CleanResult(df, flow)


def _clean_comment_rows(df: pd.DataFrame, allow: tuple[str, ...], key: bytes, known: frozenset[str], policy: Any,
                        stopwords: bool, stem: bool, slang_extra: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    """The per-comment steps of ``clean_comments`` (a partition function): pseudonyms, masks, cleaning."""
    from . import privacy

    df = privacy.pseudonymize_comments(df, allow, key, known, policy)
    cols = clean_columns(df["text"], stopwords=stopwords, stem=stem, slang_extra=dict(slang_extra), masked=True)
    for c in cols.columns:
        df[c] = cols[c]
    return df


def comment_summary(comments: pd.DataFrame, posts: pd.DataFrame) -> pd.DataFrame:
    """What the collected comments under the analysed posts look like: measure, value, note.

    ``comments`` is ``clean_comments``' table, ``posts`` ``clean_corpus``'s. Counts only comments
    under analysed posts. The coverage row compares the comments collected with the comment counts
    the posts themselves report (collection tools often save only some of them).
    """
    schema.require(comments, ("comment_id", "post_id", "analysed", "is_reply", "by_public"), "comment_summary")
    analysed_posts = posts[posts["analysed"].astype(bool)]
    c = comments[comments["analysed"].astype(bool)]
    per_post = c.groupby("post_id").size()
    n_posts = len(analysed_posts)
    reported = pd.to_numeric(analysed_posts.get("comments", pd.Series(dtype="float64")), errors="coerce")
    reported_total = int(reported.sum()) if reported.notna().any() else None
    public = c[c["by_public"].astype(bool)]

    def pct(part: int, whole: int) -> str:
        return f"{100 * part / whole:.1f}%" if whole else "–"

    rows = [
        ("comments collected", f"{len(c):,}", "under the analysed posts"),
        ("posts with a collected comment", f"{len(per_post):,} of {n_posts:,}", pct(len(per_post), n_posts)),
        ("comments per commented post", f"median {per_post.median():g}, max {per_post.max():,}" if len(per_post)
         else "–", ""),
        ("replies to another comment", f"{int(c['is_reply'].sum()):,}", pct(int(c["is_reply"].sum()), len(c))),
        ("comments by public (allowlisted) accounts", f"{len(public):,}",
         f"on {public['post_id'].nunique():,} posts" if len(public) else "none"),
    ]
    # each public account that commented: the officials and agencies answering under the posts
    for r in public_commenters(c).itertuples(index=False):
        rows.append((f"  by @{r.account}", f"{r.comments:,}", f"on {r.posts:,} posts, {r.replies:,} replies"))
    rows.append(("comments the posts report", f"{reported_total:,}" if reported_total is not None else "not recorded",
                 f"{pct(len(c), reported_total)} of them collected" if reported_total else ""))
    return pd.DataFrame(rows, columns=["measure", "value", "note"])


def public_commenters(comments: pd.DataFrame) -> pd.DataFrame:
    """Public (allowlisted) accounts commenting under the analysed posts: account, comments, posts,
    replies; most active first. Private commenters never appear here, not even as pseudonyms."""
    schema.require(comments, ("author", "post_id", "analysed", "is_reply", "by_public"), "public_commenters")
    c = comments[comments["analysed"].astype(bool) & comments["by_public"].astype(bool)]
    out = (c.groupby("author").agg(comments=("post_id", "size"), posts=("post_id", "nunique"),
                                   replies=("is_reply", "sum"))
           .reset_index().rename(columns={"author": "account"}))
    out = out.astype({"comments": "int64", "posts": "int64", "replies": "int64"})
    return out.sort_values(["comments", "account"], ascending=[False, True], kind="stable").reset_index(drop=True)
