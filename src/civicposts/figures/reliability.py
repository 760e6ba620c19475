"""Agreement figures: Krippendorff's alpha with bootstrap intervals per variable and code."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pandas as pd

from .. import style
from ..reliability import RELIABLE, TENTATIVE

# Marker shape and fill carry the verdict, so the figure reads in grey print.
_MARKERS = {"reliable": ("o", "full"), "tentative": ("s", "full"), "unreliable": ("^", "none")}


def _label(row: pd.Series) -> str:
    code = row.get("code")
    level = row.get("level", "nominal")
    suffix = f" ({level})" if isinstance(level, str) and level != "nominal" else ""
    if code is None or (isinstance(code, float) and math.isnan(code)) or code == "":
        return f"{row['variable']}{suffix}"
    return f"{row['variable']}: {code}{suffix}"


def agreement_forest(table: pd.DataFrame, *, title: str | None = None) -> tuple["plt.Figure", pd.DataFrame]:
    """Alpha with its bootstrap interval per row of ``reliability.agreement_table`` (top row first).

    Dashed lines at .667 (tentative; short grey dashes) and .800 (reliable; long black dashes). Undefined rows are listed with
    their reason instead of a point. Returns the figure and the plotted numbers.
    """
    style.apply()
    data = pd.DataFrame({
        "label": [_label(r) for _, r in table.iterrows()],
        "alpha": table["alpha"].astype(float).to_numpy(),
        "alpha_ci_low": table["alpha_ci_low"].astype(float).to_numpy(),
        "alpha_ci_high": table["alpha_ci_high"].astype(float).to_numpy(),
        "n_units": table["n_units"].to_numpy(),
        "verdict": table["verdict"].to_numpy(),
    })
    n = len(data)
    if n == 0 or data["alpha"].isna().all():
        why = ("no variable has agreement to show: " + (str(data["verdict"].iloc[0]) if n else
               "the agreement table is empty (fewer than two coders coded the same units)"))
        return style.no_data_figure("Krippendorff's alpha per variable and code", why), data
    fig, ax = plt.subplots(figsize=(6.3, max(1.6, 0.28 * n + 1.0)))
    finite = data[["alpha", "alpha_ci_low"]].stack()
    xmin = min(-0.1, float(finite.min()) - 0.05) if len(finite) else -0.1
    # two dash patterns and two greys, so the thresholds stay apart in grey print
    ax.axvline(TENTATIVE, color="#666666", linestyle=(0, (2, 2)), linewidth=1.0, label=f"tentative ({TENTATIVE:.3f})")
    ax.axvline(RELIABLE, color="#000000", linestyle=(0, (7, 2)), linewidth=1.0, label=f"reliable ({RELIABLE:.3f})")
    ax.axvline(0, color="#999999", linestyle=":", linewidth=0.7)
    ys = list(range(n))[::-1]
    for y, (_, r) in zip(ys, data.iterrows()):
        if math.isnan(r["alpha"]):
            ax.text(xmin + 0.02, y, str(r["verdict"]), va="center", fontsize=7, color="#333333",
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0})
            continue
        marker, fill = _MARKERS.get(r["verdict"], ("o", "full"))
        if not math.isnan(r["alpha_ci_low"]):
            ax.plot([r["alpha_ci_low"], r["alpha_ci_high"]], [y, y], color=style.PALETTE[0], linewidth=1.4)
        ax.plot([r["alpha"]], [y], marker=marker, fillstyle=fill, color=style.PALETTE[0],
                markeredgecolor="#000000", markersize=5, linestyle="none")
    ax.set_yticks(ys)
    ax.set_yticklabels(data["label"])
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlim(xmin, 1.05)
    ordinal = "level" in table.columns and (table["level"] == "ordinal").any()
    ax.set_xlabel("Krippendorff's alpha (" + ("nominal; ordinal where marked" if ordinal else "nominal")
                  + ") with 95% bootstrap interval")
    ax.set_ylabel("Variable: code")
    for marker_name, (marker, fill) in _MARKERS.items():
        ax.plot([], [], marker=marker, fillstyle=fill, color=style.PALETTE[0], markeredgecolor="#000000",
                linestyle="none", label=marker_name)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=3, frameon=False, fontsize=7)
    if title:
        ax.set_title(title, pad=30)
    fig.tight_layout()
    return fig, data
