"""The house figure style: one look for every figure, safe for colour-blind readers and grey print.

Colours are the Okabe-Ito palette (distinguishable under the common colour-vision
deficiencies) ordered so neighbouring series also differ in lightness; bars and
areas get hatches so a grey printout still separates them. The font is DejaVu
Sans, which matplotlib ships, so figures do not depend on system fonts.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # headless and deterministic; notebooks still show figures inline via display()

import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

# Okabe & Ito (2008), ordered dark/light alternately for grey print.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
HATCHES = ["", "//", "..", "xx", "\\\\", "oo", "++", "--"]
FONT = "DejaVu Sans"

RC = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "svg.fonttype": "path",      # text as paths: the SVG looks the same without the font installed
    "svg.hashsalt": "civicposts",  # fixed ids inside SVG files
    "pdf.fonttype": 42,
    "path.simplify": True,
}


def apply() -> None:
    """Set the house style for all following figures."""
    sns.set_theme(context="paper", style="whitegrid", palette=PALETTE, rc=RC)
    plt.rcParams.update(RC)


def hatch_bars(ax: "matplotlib.axes.Axes") -> None:
    """Give each bar container of ``ax`` its own hatch, for grey print."""
    for i, container in enumerate(ax.containers):
        for patch in container:
            patch.set_hatch(HATCHES[i % len(HATCHES)])
            patch.set_edgecolor("#333333")


def no_data_figure(title: str, reason: str, *, figsize: tuple[float, float] = (10, 2.6)) -> "plt.Figure":
    """A figure that says plainly that there is nothing to plot yet, and why (never a blank image)."""
    import textwrap

    apply()
    fig, ax = plt.subplots(figsize=figsize)
    ax.set_axis_off()
    ax.text(0.5, 0.66, f"No data yet: {title}", ha="center", va="center", fontsize=13, fontweight="bold")
    ax.text(0.5, 0.32, "\n".join(textwrap.wrap(reason, 100)), ha="center", va="center", fontsize=9,
            color="#333333")
    ax.add_patch(plt.Rectangle((0.01, 0.04), 0.98, 0.92, transform=ax.transAxes, fill=False,
                               edgecolor="#555555", linestyle="--", linewidth=1))
    return fig
