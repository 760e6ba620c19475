"""Figures about the post corpus (notebook 01): posts per month by pre-classified type, top hashtags.

The post types are a keyword pre-classification used to stratify sampling, not coding
(``civicposts.preclassify``); captions must say so (``preclassify.CAPTION_NOTE``).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from .. import style
from ..preclassify import TYPES
from ..tables.corpus import top_terms

TYPE_LABELS = {"complaint": "Complaint", "news": "News", "official_activity": "Official activity",
               "promotion": "Promotion", "other": "Other"}


def posts_per_month(clean_posts: pd.DataFrame, *, analysed_only: bool = False, tz_label: str = "WIB"):
    """Stacked bars of posts per local month by keyword pre-classified type.

    Returns (fig, data) with data columns month, one count column per type, total.
    ``analysed_only=False`` shows all in-period posts (promotions and duplicates included, as
    their own type where applicable); ``True`` only the analysed corpus.
    """
    style.apply()
    df = clean_posts
    if analysed_only and "analysed" in df.columns:
        df = df[df["analysed"].astype(bool)]
    types = pd.Categorical(df["pretype"].astype(object), categories=list(TYPES))
    counts = (pd.crosstab(df["month"].astype(str), types, dropna=False)
              .reindex(columns=list(TYPES), fill_value=0))
    if len(counts):
        months = pd.period_range(min(counts.index), max(counts.index), freq="M").strftime("%Y-%m")
        counts = counts.reindex(months, fill_value=0)
    counts.index.name = "month"
    counts.columns = [str(c) for c in counts.columns]
    data = counts.reset_index()
    data["total"] = counts.sum(axis=1).to_numpy()
    data = data.astype({c: "int64" for c in list(TYPES) + ["total"]})

    fig, ax = plt.subplots(figsize=(7.0, 3.4))
    bottom = pd.Series(0, index=range(len(data)), dtype="int64")
    for t in TYPES:
        ax.bar(range(len(data)), data[t], bottom=bottom, label=TYPE_LABELS[t], width=0.8)
        bottom = bottom + data[t]
    style.hatch_bars(ax)
    ax.set_xticks(range(len(data)))
    ax.set_xticklabels(data["month"], rotation=90)
    ax.set_xlabel(f"Month ({tz_label}, local time)")
    ax.set_ylabel("Posts per month (count)")
    ax.legend(title="Keyword pre-classification", fontsize=7, title_fontsize=7, frameon=False,
              ncols=3, loc="upper left")
    fig.tight_layout()
    return fig, data


def top_hashtags(clean_posts: pd.DataFrame, n: int = 20, *, analysed_only: bool = True):
    """Horizontal bars of the ``n`` most used hashtags (number of posts). Returns (fig, data)."""
    style.apply()
    data = top_terms(clean_posts, "hashtags", n=n, analysed_only=analysed_only)
    if data.empty:
        scope = "analysed " if analysed_only else ""
        return style.no_data_figure("hashtags", f"none of the {scope}posts uses a hashtag"), data
    fig, ax = plt.subplots(figsize=(5.5, max(1.5, 0.22 * len(data) + 0.8)))
    ax.barh(range(len(data)), data["posts"], color=style.PALETTE[0])
    style.hatch_bars(ax)
    ax.set_yticks(range(len(data)))
    ax.set_yticklabels(["#" + t for t in data["term"]])
    ax.invert_yaxis()
    ax.set_xlabel("Posts using the hashtag (count)")
    ax.set_ylabel("Hashtag")
    fig.tight_layout()
    return fig, data
