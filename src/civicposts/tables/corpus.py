"""Tables about the post corpus (notebook 01): corpus flow, top hashtags and mentions, hashtag rules."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from .. import text as T
from .cells import excerpt
from .views import view

FLOW_STEPS = ("read", "parsed", "in period", "de-duplicated", "promotions flagged", "analysed")


@view(formats={"posts": "int", "comments": "int", "removed": "int", "share_of_read_pct": "pct"},
      names={"share_of_read_pct": "share of read"})
def corpus_flow(flow: pd.DataFrame) -> pd.DataFrame:
    """The flow table for the report (posts from ``clean_corpus`` or comments from
    ``civicposts.comments.clean_comments``): step, posts or comments, removed (vs. the previous
    step), share of read (%), note. Raises ValueError if the counts do not reconcile."""
    count = next((c for c in ("posts", "comments") if c in flow.columns), None)
    missing = {"step", "note"} - set(flow.columns) | ({"posts or comments"} if count is None else set())
    if missing:
        raise ValueError(f"corpus_flow: flow table lacks column(s) {', '.join(sorted(missing))}")
    out = flow[["step", count, "note"]].reset_index(drop=True).copy()
    out[count] = out[count].astype("int64")
    removed = (-out[count].diff()).fillna(0).astype("int64")
    if (removed < 0).any():
        bad = out.loc[removed < 0, "step"].tolist()
        raise ValueError(f"corpus_flow: {count} count grows at step(s) {', '.join(bad)}; counts do not reconcile")
    read = int(out[count].iloc[0]) if len(out) else 0
    out.insert(2, "removed", removed)
    out.insert(3, "share_of_read_pct", (100.0 * out[count] / read).round(1) if read else 0.0)
    return out


@view(formats={"rank": "int", "posts": "int", "occurrences": "int", "share_of_posts_pct": "pct"},
      names={"share_of_posts_pct": "share of posts"})
def top_terms(clean_posts: pd.DataFrame, column: str, n: int = 20, *, analysed_only: bool = True) -> pd.DataFrame:
    """The ``n`` most frequent terms of a list column (``hashtags``, ``mentions``, ``emojis``):
    term, posts (number of posts using it), occurrences, share_of_posts_pct. Ties broken by term."""
    if column not in clean_posts.columns:
        raise ValueError(f"top_terms: no column {column!r} in the clean post table")
    df = clean_posts
    if analysed_only and "analysed" in df.columns:
        df = df[df["analysed"].astype(bool)]
    occ: Counter[str] = Counter()
    posts: Counter[str] = Counter()
    for terms in df[column]:
        if not isinstance(terms, (list, tuple)) and not hasattr(terms, "__len__"):
            continue
        terms = list(terms)
        occ.update(terms)
        posts.update(set(terms))
    rows = sorted(posts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    total = len(df)
    out = pd.DataFrame({
        "rank": range(1, len(rows) + 1),
        "term": [t for t, _ in rows],
        "posts": [c for _, c in rows],
        "occurrences": [occ[t] for t, _ in rows],
    })
    out["share_of_posts_pct"] = (100.0 * out["posts"] / total).round(1) if total else 0.0
    return out.astype({"rank": "int64", "posts": "int64", "occurrences": "int64"})


@view(formats={"hashtags": "int", "distinct": "int", "posts_differing_from_civicposts": "int"},
      names={"posts_differing_from_civicposts": "posts differing from civicposts' rule"})
def hashtag_rule_comparison(captions: pd.Series) -> pd.DataFrame:
    """How many hashtags each rule extracts from ``captions`` (civicposts, instaloader, 4CAT), and on
    how many posts each rule's set of tags differs from civicposts' rule."""
    caps = captions.astype(object).fillna("").astype(str).str.normalize("NFKC")
    found = {name: [frozenset(h.lower() for h in hs) for hs in caps.str.findall(rx)]
             for name, rx in T.HASHTAG_RULES.items()}
    ref = found["civicposts"]
    rows = []
    for name, sets in found.items():
        rows.append({
            "rule": name,
            "pattern": T.HASHTAG_RULES[name].pattern,
            "hashtags": int(sum(len(s) for s in sets)),
            "distinct": len(set().union(*sets)) if sets else 0,
            "posts_differing_from_civicposts": int(sum(a != b for a, b in zip(sets, ref))),
        })
    return pd.DataFrame(rows)


SET_ASIDE_EXCERPT = 90  # characters of the (pseudonymized) caption shown beside each reason


@view(formats={"posted": "date"}, columns=("post_id", "posted", "step", "reason", "caption"))
def set_aside_posts(clean_posts: pd.DataFrame) -> pd.DataFrame:
    """Every in-period post that is not analysed, with the step that set it aside and why: the drill-down
    behind the flow table's 'de-duplicated' and 'promotions flagged' rows. Columns: post_id, posted (local
    date), step, reason, caption (the first ``SET_ASIDE_EXCERPT`` characters, pseudonymized and masked as in
    the processed table). Ordered by step, then time."""
    need = {"post_id", "analysed", "set_aside_reason", "dup_kind"}
    missing = need - set(clean_posts.columns)
    if missing:
        raise ValueError(f"set_aside_posts: posts lack column(s) {', '.join(sorted(missing))}; "
                         "they come from civicposts.clean.clean_corpus")
    df = clean_posts[~clean_posts["analysed"].astype(bool)]
    step = pd.Series("promotions flagged", index=df.index, dtype=object).where(df["dup_kind"].isna(), "de-duplicated")
    when = (pd.to_datetime(df["posted_local"]).dt.strftime("%Y-%m-%d") if "posted_local" in df.columns
            else pd.Series("", index=df.index))
    caption = df["caption"].fillna("").astype(str) if "caption" in df.columns else pd.Series("", index=df.index)
    # cut at a word, line breaks kept: a handle or pseudonym is never cut into something that looks like another
    short = [excerpt(c, SET_ASIDE_EXCERPT) for c in caption]
    out = pd.DataFrame({"post_id": df["post_id"].astype(str), "posted": when.astype(object), "step": step,
                        "reason": df["set_aside_reason"].astype(object), "caption": short})
    order = {s: i for i, s in enumerate(FLOW_STEPS)}
    out["_o"] = out["step"].map(order)
    return out.sort_values(["_o", "posted", "post_id"], kind="stable").drop(columns="_o").reset_index(drop=True)
