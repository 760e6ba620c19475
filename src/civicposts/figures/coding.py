"""Figures from the coded corpus: the paper's Figure 2 (complaint posts) and Figure 3 (follow-ups).

The paper's Figures 2 and 3 are screenshots of citizens' complaint posts and of
posts showing an official's follow-up. Here they are drawn from the final coded
data set (``reliability.apply_adjudications``) and the cleaned, pseudonymized
post table, so every card and every link is traceable to a coding decision.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import FancyBboxPatch

from .. import style
from ..codebook import Roles
from ..tables.findings import final_codes

_CARD_CHARS = 230


def _printable(text: str) -> str:
    """Caption text the bundled font can draw: emoji become their Indonesian names in brackets."""
    from ..text import emoji_as_names

    return emoji_as_names(text)


def complaint_cards(posts: pd.DataFrame, final: pd.DataFrame, roles: Roles, *, n: int = 6, seed: int = 0,
                    timezone: str = "Asia/Jakarta") -> tuple[plt.Figure, pd.DataFrame]:
    """A panel of ``n`` complaint posts drawn as post cards, one per theme where possible.

    Posts are those whose final ``roles.post_kind`` code is ``roles.complaint`` (the codebook's
    roles); the choice is seeded and covers as many distinct first themes (``roles.theme``) as
    possible. Returns the figure and the shown posts; a "no data" panel saying why when there are none.
    """
    style.apply()
    if roles.post_kind is None or roles.complaint is None:
        return style.no_data_figure("citizens' complaint posts",
                                    "the codebook names no complaint code (add roles: post_kind and complaint)"), \
            pd.DataFrame(columns=["post_id", "account", "local_time", "topics", "likes", "comments", "caption",
                                  "image"])
    types = final_codes(final, roles.post_kind)
    topics = final_codes(final, roles.theme) if roles.theme else pd.Series(dtype=object)
    complaint_ids = [u for u, c in types.items() if c == (roles.complaint,)]
    cand = posts[posts["post_id"].isin(complaint_ids)].copy()
    cand["topic"] = cand["post_id"].map(lambda u: ", ".join(topics.get(u, ())) or
                                        ("(coders disagree)" if roles.theme else "(no theme variable)"))
    cand["first_topic"] = cand["topic"].str.split(", ").str[0]
    rng = np.random.default_rng(seed)
    cand = cand.sort_values("post_id").iloc[rng.permutation(len(cand))] if len(cand) else cand
    picked = pd.concat([cand.drop_duplicates("first_topic"), cand]).drop_duplicates("post_id").head(n)
    picked = picked.sort_values("posted_at")
    local = pd.to_datetime(picked["posted_at"], utc=True).dt.tz_convert(timezone)
    data = pd.DataFrame({
        "post_id": picked["post_id"].to_numpy(),
        "account": picked["account"].to_numpy(),
        "local_time": local.dt.strftime("%Y-%m-%d %H:%M").to_numpy(),
        "topics": picked["topic"].to_numpy(),
        "likes": picked["likes"].astype("Int64").to_numpy(),
        "comments": picked["comments"].astype("Int64").to_numpy(),
        "caption": picked["caption"].to_numpy(),
        "image": [next(iter(m), "") if m is not None else "" for m in picked.get("media_files", [[]] * len(picked))],
    })
    if data.empty:
        why = ("nothing has been coded yet (no coder files, or no decisions on the sample)" if final.empty else
               f"no post's final {roles.post_kind} is {roles.complaint!r} among the {final['unit_id'].nunique()} coded units "
               "(agreed or adjudicated decisions only)")
        return style.no_data_figure("citizens' complaint posts", why), data
    cols = 3
    rows = max(1, int(np.ceil(len(data) / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(10, 3.6 * rows))
    for ax in np.atleast_1d(axes).ravel():
        ax.axis("off")
    for ax, row in zip(np.atleast_1d(axes).ravel(), data.itertuples()):
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.add_patch(FancyBboxPatch((0.02, 0.02), 0.96, 0.96, boxstyle="round,pad=0.01,rounding_size=0.03",
                                    facecolor="white", edgecolor="#444444", linewidth=1))
        ax.text(0.06, 0.91, f"@{row.account}", fontsize=8.5, fontweight="bold", va="center")
        ax.text(0.06, 0.84, f"{row.local_time} WIB · post {row.post_id}", fontsize=6.5, color="#444444",
                va="center")
        caption = _printable(str(row.caption))
        if len(caption) > _CARD_CHARS:
            caption = caption[:_CARD_CHARS].rsplit(" ", 1)[0] + " …"
        wrapped = "\n".join(textwrap.wrap(caption, 44)[:7])
        ax.text(0.06, 0.77, wrapped, fontsize=6.8, va="top", linespacing=1.3)
        if row.image and Path(row.image).is_file():
            # the post's own picture, as a coder sees it
            inset = ax.inset_axes((0.3, 0.22, 0.4, 0.26))
            inset.imshow(plt.imread(row.image))
            inset.set_axis_off()
        ax.text(0.06, 0.1, f"♥ {row.likes} likes   💬 {row.comments} comments".replace("💬", "✉"),
                fontsize=6.5, color="#444444", va="center")
        ax.text(0.06, 0.17, f"coded {roles.theme or 'theme'}: {row.topics}", fontsize=6.5, color=style.PALETTE[0],
                fontweight="bold", va="center")
    fig.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.01, wspace=0.04, hspace=0.04)
    return fig, data


def followup_pairs(posts: pd.DataFrame, final: pd.DataFrame, roles: Roles) -> pd.DataFrame:
    """Follow-up posts with the complaint each answers, from the final coded data set, and the lag in days.

    A follow-up is a post whose final ``roles.post_kind`` code is ``roles.followup`` (the code that
    carries the follows_up relation) with a relation target; ``topic`` is its ``roles.theme`` code,
    else its complaint's. No rows when the codebook has no such code."""
    columns = ["followup_id", "complaint_id", "followup_at", "complaint_at", "complaint_in_corpus", "lag_days",
               "topic"]
    if roles.post_kind is None or roles.followup is None:
        return pd.DataFrame(columns=columns).astype({"complaint_in_corpus": bool})
    types = final_codes(final, roles.post_kind)
    topics = final_codes(final, roles.theme) if roles.theme else pd.Series(dtype=object)
    rel = final[(final["variable"] == roles.post_kind) & final["relation_target"].notna()
                & final["unit_id"].map(lambda u: types.get(u) == (roles.followup,))]
    when = pd.to_datetime(posts.set_index("post_id")["posted_at"], utc=True)
    out = pd.DataFrame({"followup_id": rel["unit_id"].to_numpy(),
                        "complaint_id": rel["relation_target"].astype(str).to_numpy()})
    out["followup_at"] = out["followup_id"].map(when)
    out["complaint_at"] = out["complaint_id"].map(when)
    out["complaint_in_corpus"] = out["complaint_at"].notna()
    out["lag_days"] = ((out["followup_at"] - out["complaint_at"]).dt.total_seconds() / 86400).round(2)
    out["topic"] = [(topics.get(f) or topics.get(c) or ("(coders disagree)",))[0]
                    for f, c in zip(out["followup_id"], out["complaint_id"])]
    return out.sort_values(["followup_at", "followup_id"]).reset_index(drop=True)


def followup_timeline(pairs: pd.DataFrame, *, timezone: str = "Asia/Jakarta") -> tuple[plt.Figure, pd.DataFrame]:
    """Follow-ups linked to the complaints they answer, on a timeline by topic, and the lag distribution."""
    style.apply()
    data = pairs[pairs["complaint_in_corpus"]].copy()
    if data.empty:
        why = ("no official follow-up post is linked to a complaint in the corpus in the final coded data set"
               + (f" ({len(pairs)} link(s) point outside the corpus)" if len(pairs) else ""))
        empty = data.drop(columns=["complaint_in_corpus"]).astype({"complaint_at": str, "followup_at": str})
        return style.no_data_figure("follow-ups and the complaints they answer", why), empty
    topics = sorted(data["topic"].unique())
    ypos = {t: i for i, t in enumerate(topics)}
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, max(3.0, 0.45 * len(topics) + 1.8)),
                                  gridspec_kw={"width_ratios": [2.3, 1]})
    c_local = data["complaint_at"].dt.tz_convert(timezone).dt.tz_localize(None)
    f_local = data["followup_at"].dt.tz_convert(timezone).dt.tz_localize(None)
    y = data["topic"].map(ypos).to_numpy(dtype=float)
    jitter = (np.arange(len(data)) % 5 - 2) * 0.06
    for x0, x1, yy in zip(c_local, f_local, y + jitter):
        ax.plot([x0, x1], [yy, yy], color="#777777", linewidth=0.8, zorder=1)
    ax.scatter(c_local, y + jitter, marker="o", s=18, color=style.PALETTE[1], edgecolor="black", linewidth=0.4,
               label="citizen complaint", zorder=2)
    ax.scatter(f_local, y + jitter, marker="^", s=26, color=style.PALETTE[0], edgecolor="black", linewidth=0.4,
               label="official follow-up", zorder=3)
    ax.set_yticks(range(len(topics)), topics)
    ax.set_xlabel("Date posted (WIB)")
    ax.set_ylabel("Coded topic of the follow-up")
    ax.legend(loc="upper left", fontsize=7, frameon=True)
    ax.set_title("Complaint → follow-up links")
    fig.autofmt_xdate()
    top = float(data["lag_days"].max()) if len(data) else 7.0
    bins = np.arange(0, 7 * (np.floor(top / 7) + 2), 7)
    ax2.hist(data["lag_days"], bins=bins, color=style.PALETTE[0], edgecolor="black", hatch="//")
    ax2.set_xticks(bins)
    ax2.yaxis.get_major_locator().set_params(integer=True)
    ax2.set_xlabel("Lag from complaint to follow-up (days, weekly bins)")
    ax2.set_ylabel("Follow-up posts (count)")
    med = float(data["lag_days"].median()) if len(data) else float("nan")
    ax2.axvline(med, color="black", linestyle="--", linewidth=1)
    ax2.set_title(f"Lag distribution (median {med:.1f} days)")
    fig.tight_layout()
    out = data.assign(complaint_at=data["complaint_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
                      followup_at=data["followup_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return fig, out.drop(columns=["complaint_in_corpus"])
