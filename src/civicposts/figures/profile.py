"""Figure 1: the studied account's profile snapshot, drawn from the paper's facts.

The paper's Figure 1 (Gambar 1) is a screenshot of the profile page; this is
its counterpart drawn as a clean profile card from ``account_snapshot.csv``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import Circle, FancyBboxPatch

from .. import style


def _approx(value: int, qualifier: str) -> str:
    thousands = value / 1000
    num = f"{thousands:,.0f}K" if thousands >= 1 else f"{value:,}"
    return {"approximately": f"≈ {num}", "more than": f"{num}+"}.get(qualifier, num)


def profile_card(snapshot: pd.DataFrame) -> tuple[plt.Figure, pd.DataFrame]:
    """Draw a profile card (handle, followers, posts, date) from the account snapshot.

    Returns the figure and the numbers it shows (one row per metric).
    """
    style.apply()
    account = snapshot["account"].iloc[0]
    date = snapshot["snapshot_date"].iloc[0]
    metrics = snapshot.set_index("metric")
    data = snapshot[["account", "metric", "value", "qualifier", "value_as_printed", "snapshot_date",
                     "paper_section"]].reset_index(drop=True)

    fig, ax = plt.subplots(figsize=(6.0, 2.6))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 4.4)
    ax.axis("off")
    ax.add_patch(FancyBboxPatch((0.1, 0.1), 9.8, 4.2, boxstyle="round,pad=0.02,rounding_size=0.25",
                                facecolor="white", edgecolor="#333333", linewidth=1.2))
    # avatar: a neutral ring (the real avatar is not reproduced)
    ax.add_patch(Circle((1.4, 2.6), 0.95, facecolor="#DDDDDD", edgecolor=style.PALETTE[0], linewidth=3))
    ax.text(1.4, 2.6, "@", ha="center", va="center", fontsize=28, color="#555555")
    ax.text(2.8, 3.55, f"@{account}", fontsize=15, fontweight="bold", va="center")
    ax.text(2.8, 3.0, "Instagram profile (non-government account)", fontsize=8.5, color="#444444", va="center")

    cols = [("posts", "posts"), ("followers", "followers")]
    for i, (metric, label) in enumerate(cols):
        x = 3.6 + i * 3.6
        row = metrics.loc[metric]
        ax.text(x, 2.15, _approx(int(row["value"]), row["qualifier"]), fontsize=15, fontweight="bold",
                ha="center", va="center")
        ax.text(x, 1.65, label, fontsize=9, ha="center", va="center")
        ax.text(x, 1.25, f"(printed: “{row['value_as_printed']}”)", fontsize=7, ha="center", va="center",
                color="#444444")
    ax.text(0.45, 0.75, f"Snapshot of {date:%-d %B %Y} as reported in the paper (section III, Gambar 1).",
            fontsize=7, color="#444444", va="center")
    ax.text(0.45, 0.4, "Drawn from data/raw/paper/account_snapshot.csv; the avatar is not reproduced.",
            fontsize=7, color="#444444", va="center")
    fig.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.01)
    return fig, data
