"""Coding units: posts, comments and interview segments, as the tables the sampler and the coding app use.

``post_units`` turns the cleaned post table (``civicposts.clean.clean_corpus`` output; accounts
already pseudonymized upstream) into one row per post with local date/time, the stratification
month and the keyword pre-classification ``pre_type`` (from ``civicposts.preclassify``), which
only stratifies the sample and is never a coding. ``comment_units`` turns the cleaned comments
under those posts into one row per comment carrying its post (caption, time, link, pictures), so a
coder always reads a comment with what it answers. ``interview_units`` turns
the interview record into one row per segment, keeping verbatim quotes and paraphrases apart.
"""

from __future__ import annotations

import logging
import pandas as pd

from . import schema
from .errors import InputError

log = logging.getLogger(__name__)

POST_UNIT_COLUMNS = ["unit_id", "unit_type", "account", "posted_at", "local_date", "local_time", "month",
                     "caption", "likes", "comments", "url", "media_files", "pre_type"]
COMMENT_UNIT_COLUMNS = ["unit_id", "unit_type", "account", "posted_at", "local_date", "local_time", "month",
                        "text", "likes", "reply_to", "post_id", "post_account", "post_caption", "post_local",
                        "url", "media_files", "pre_type"]
INTERVIEW_UNIT_COLUMNS = ["unit_id", "unit_type", "interview_date", "speaker", "speaker_role", "kind",
                          "language", "text", "display_text", "paper_section", "source", "turn", "start_time",
                          "end_time"]
TEXT_COLUMNS = {"post": "caption", "comment": "text", "interview": "text"}


def unit_texts(units: pd.DataFrame) -> dict[str, str]:
    """``{unit_id: the text a coder reads and spans point into}``: a post's caption, a comment's or an
    interview segment's text (missing text reads as "")."""
    out: dict[str, str] = {}
    for uid, utype, cap, txt in zip(units["unit_id"], units["unit_type"],
                                    units["caption"] if "caption" in units.columns else [None] * len(units),
                                    units["text"] if "text" in units.columns else [None] * len(units), strict=True):
        value = cap if TEXT_COLUMNS.get(utype, "text") == "caption" else txt
        out[str(uid)] = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    return out


def post_units(clean_posts: pd.DataFrame, *, timezone: str = "Asia/Jakarta") -> pd.DataFrame:
    """One coding unit per post.

    Columns: unit_id (= post_id), unit_type ("post"), account, posted_at (UTC), local_date
    ("YYYY-MM-DD" in ``timezone``), local_time ("HH:MM"), month ("YYYY-MM", local), caption,
    likes, comments, url, media_files, pre_type (the input's ``pre_type`` or ``pretype`` column
    as text, else ``civicposts.preclassify.preclassify`` of the table, which needs
    ``text_clean``). Sorted by posted_at then unit_id.
    Raises InputError (naming the post table's source file) for missing columns, duplicate or
    empty post ids, or missing timestamps.
    """
    need = ["post_id", "account", "posted_at", "caption", "likes", "comments", "url", "media_files"]
    src = _source_of(clean_posts)
    missing = [c for c in need if c not in clean_posts.columns]
    if missing:
        raise InputError(src, f"post table lacks column(s) {', '.join(missing)}")
    ids = clean_posts["post_id"]
    bad = ids.isna() | (ids.astype(str).str.strip() == "")
    if bad.any():
        raise InputError(_source_of(clean_posts, bad.idxmax()), "empty post_id", _record(clean_posts, bad.idxmax()))
    dup = ids.duplicated(keep="first")
    if dup.any():
        i = dup.idxmax()
        raise InputError(_source_of(clean_posts, i), f"duplicate post_id {ids[i]!r} (deduplicate before "
                         "building units)", _record(clean_posts, i))
    ts = pd.to_datetime(clean_posts["posted_at"], utc=True)
    if ts.isna().any():
        i = ts.isna().idxmax()
        raise InputError(_source_of(clean_posts, i), "missing posted_at", _record(clean_posts, i))
    local = ts.dt.tz_convert(timezone)
    out = pd.DataFrame({
        "unit_id": ids.astype(str).to_numpy(),
        "unit_type": "post",
        "account": clean_posts["account"].to_numpy(),
        "posted_at": ts.to_numpy(),
        "local_date": local.dt.strftime("%Y-%m-%d").to_numpy(),
        "local_time": local.dt.strftime("%H:%M").to_numpy(),
        "month": local.dt.strftime("%Y-%m").to_numpy(),
        "caption": clean_posts["caption"].fillna("").astype(str).to_numpy(),
        "likes": clean_posts["likes"].astype("Int64").to_numpy(),
        "comments": clean_posts["comments"].astype("Int64").to_numpy(),
        "url": clean_posts["url"].to_numpy(),
        "media_files": [list(m) if isinstance(m, (list, tuple)) or hasattr(m, "tolist") else []
                        for m in clean_posts["media_files"]],
    })
    out["posted_at"] = pd.to_datetime(out["posted_at"], utc=True)
    out["likes"] = out["likes"].astype("Int64")
    out["comments"] = out["comments"].astype("Int64")
    out["pre_type"] = _pre_types(clean_posts, src)
    out = out.sort_values(["posted_at", "unit_id"], kind="mergesort").reset_index(drop=True)
    log.info("%d post units; pre_type counts %s", len(out), out["pre_type"].value_counts().sort_index().to_dict())
    return out[POST_UNIT_COLUMNS]


def comment_units(clean_comments: pd.DataFrame, post_units_table: pd.DataFrame, *,
                  timezone: str = "Asia/Jakarta") -> pd.DataFrame:
    """One coding unit per comment under a post of ``post_units_table`` (``post_units`` output).

    Columns: unit_id (= comment_id), unit_type ("comment"), account (the pseudonymized author),
    posted_at, local_date, local_time (empty when the collection saved no time), month (the
    comment's, else its post's: the sampling stratum), text, likes, reply_to (the comment it answers,
    if any), post_id, post_account, post_caption, post_local ("YYYY-MM-DD HH:MM"), url and
    media_files (the post's), pre_type (the post's keyword type, a stratum only).
    Sorted by post time, post, then comment time and id. Comments under other posts are left out.
    """
    schema.require(clean_comments, ("comment_id", "post_id", "author", "text"), "comment_units")
    posts = post_units_table.set_index("unit_id")
    c = clean_comments[clean_comments["post_id"].astype(str).isin(set(posts.index))].copy()
    if c.empty:
        return pd.DataFrame({col: pd.Series(dtype=object) for col in COMMENT_UNIT_COLUMNS})
    pid = c["post_id"].astype(str)
    parent = posts.loc[pid.to_numpy()]
    ts = (pd.to_datetime(c["posted_at"], utc=True, errors="coerce") if "posted_at" in c.columns
          else pd.Series(pd.NaT, index=c.index, dtype="datetime64[ns, UTC]"))
    local = ts.dt.tz_convert(timezone)
    post_local = pd.to_datetime(parent["posted_at"], utc=True).dt.tz_convert(timezone)
    reply = c["parent_id"] if "parent_id" in c.columns else pd.Series(None, index=c.index, dtype=object)
    out = pd.DataFrame({
        "unit_id": c["comment_id"].astype(str).to_numpy(),
        "unit_type": "comment",
        "account": c["author"].astype(object).to_numpy(),
        "posted_at": ts.to_numpy(),
        "local_date": local.dt.strftime("%Y-%m-%d").fillna("").to_numpy(),
        "local_time": local.dt.strftime("%H:%M").fillna("").to_numpy(),
        "month": local.dt.strftime("%Y-%m").fillna(pd.Series(parent["month"].to_numpy(), index=c.index)).to_numpy(),
        "text": c["text"].fillna("").astype(str).to_numpy(),
        "likes": (c["likes"] if "likes" in c.columns else pd.Series(pd.NA, index=c.index)).astype("Int64").to_numpy(),
        "reply_to": [None if (v is None or pd.isna(v) or not str(v).strip()) else str(v) for v in reply],
        "post_id": pid.to_numpy(),
        "post_account": parent["account"].to_numpy(),
        "post_caption": parent["caption"].to_numpy(),
        "post_local": post_local.dt.strftime("%Y-%m-%d %H:%M").to_numpy(),
        "url": parent["url"].to_numpy(),
        "media_files": list(parent["media_files"]),
        "pre_type": parent["pre_type"].astype(str).to_numpy(),
        "_post_at": post_local.to_numpy(),
    })
    out["posted_at"] = pd.to_datetime(out["posted_at"], utc=True)
    out["likes"] = out["likes"].astype("Int64")
    out = out.sort_values(["_post_at", "post_id", "posted_at", "unit_id"], kind="mergesort", na_position="last")
    if out["unit_id"].duplicated().any():
        raise InputError(_source_of(clean_comments), f"duplicate comment_id {out.loc[out['unit_id'].duplicated(), 'unit_id'].iloc[0]!r}")
    log.info("%d comment units under %d posts", len(out), out["post_id"].nunique())
    return out.reset_index(drop=True)[COMMENT_UNIT_COLUMNS]


def interview_units(interview_df: pd.DataFrame, *, path: str = "data/raw/paper/interview.csv") -> pd.DataFrame:
    """One coding unit per interview segment.

    Columns: unit_id (= segment_id), unit_type ("interview"), interview_date, speaker,
    speaker_role, kind ("verbatim" | "paraphrase"), language, text, display_text (the text
    prefixed with ``[verbatim]`` or ``[paraphrase]`` so coders always see which it is),
    paper_section, source, and for transcripts turn, start_time, end_time (empty for a CSV
    record; :mod:`civicposts.transcripts`). ``path`` names the file in error messages.
    """
    need = ["segment_id", "interview_date", "speaker", "speaker_role", "kind", "language", "text",
            "paper_section", "source"]
    missing = [c for c in need if c not in interview_df.columns]
    if missing:
        raise InputError(path, f"interview record lacks column(s) {', '.join(missing)}")
    rows = []
    seen: set[str] = set()
    extra = {c: (interview_df[c].fillna("").astype(str).tolist() if c in interview_df.columns
                 else [""] * len(interview_df)) for c in ("turn", "start_time", "end_time")}
    for i, rec in enumerate(interview_df[need].itertuples(index=False), start=1):
        raw_id = "" if pd.isna(rec.segment_id) else str(rec.segment_id).strip()
        where = f"{i} (segment {raw_id!r})" if raw_id else i
        sid = schema.take_id(raw_id, seen, path, where, "segment_id")
        if rec.kind not in ("verbatim", "paraphrase"):
            raise InputError(path, f"kind must be 'verbatim' or 'paraphrase', got {rec.kind!r}", where)
        text = "" if pd.isna(rec.text) else str(rec.text)
        if not text.strip():
            raise InputError(path, "empty text", where)
        rows.append({
            "unit_id": sid, "unit_type": "interview", "interview_date": str(rec.interview_date),
            "speaker": rec.speaker, "speaker_role": rec.speaker_role, "kind": rec.kind,
            "language": rec.language, "text": text, "display_text": f"[{rec.kind}] {text}",
            "paper_section": rec.paper_section, "source": rec.source,
            **{c: v[i - 1] for c, v in extra.items()},
        })
    return pd.DataFrame(rows, columns=INTERVIEW_UNIT_COLUMNS)


def _pre_types(clean_posts: pd.DataFrame, src: str) -> list[str]:
    for col in ("pre_type", "pretype"):
        if col in clean_posts.columns:
            values = clean_posts[col].astype(object)
            if values.isna().any() or (values.astype(str).str.strip() == "").any():
                i = (values.isna() | (values.astype(str).str.strip() == "")).idxmax()
                raise InputError(_source_of(clean_posts, i), f"empty {col}", _record(clean_posts, i))
            return values.astype(str).tolist()
    if "text_clean" not in clean_posts.columns:
        raise InputError(src, "post table has neither a pre_type/pretype column nor text_clean to pre-classify; "
                         "build it with civicposts.clean.clean_corpus")
    from .preclassify import preclassify

    return preclassify(clean_posts).astype(str).tolist()


def _source_of(df: pd.DataFrame, index: object | None = None) -> str:
    if "source_file" in df.columns and len(df):
        if index is not None:
            return str(df.at[index, "source_file"])
        files = sorted(set(df["source_file"].astype(str)))
        return files[0] if len(files) == 1 else f"post table ({len(files)} source files)"
    return "post table"


def _record(df: pd.DataFrame, index: object) -> str:
    pid = df.at[index, "post_id"] if "post_id" in df.columns else None
    return f"{index} (post {pid!r})"
