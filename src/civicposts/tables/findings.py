"""Tables of findings from the final coded data: theme frequencies with exemplars, interview themes."""

from __future__ import annotations

import pandas as pd

from ..codebook import Codebook


def _explode(final: pd.DataFrame, variable: str) -> pd.DataFrame:
    rows = final[(final["variable"] == variable) & final["codes"].notna()][["unit_id", "codes"]]
    return rows.assign(code=rows["codes"].map(list)).explode("code").dropna(subset=["code"])


def theme_exemplars(final: pd.DataFrame, posts: pd.DataFrame, codebook: Codebook, variable: str, *,
                    n_examples: int = 2, max_chars: int = 160) -> pd.DataFrame:
    """Per code of ``variable``: units coded with it, their share, and exemplar posts (pseudonymized)."""
    ex = _explode(final, variable)
    n_units = final.loc[(final["variable"] == variable) & final["codes"].notna(), "unit_id"].nunique()
    labels = codebook.labels("en")
    caption = posts.set_index("post_id")["caption"]
    rows = []
    for code in codebook.codes()[variable]:
        ids = sorted(ex.loc[ex["code"] == code, "unit_id"].unique())
        examples = [f"{u}: {str(caption.get(u, ''))[:max_chars]}" for u in ids[:n_examples]]
        rows.append({"code": code, "label": labels[(variable, code)], "units": len(ids),
                     "share_pct": round(100 * len(ids) / n_units, 1) if n_units else 0.0,
                     "exemplars": " || ".join(examples)})
    return pd.DataFrame(rows)


def interview_themes(final: pd.DataFrame, interview: pd.DataFrame, codebook: Codebook,
                     variable: str = "interview_theme") -> pd.DataFrame:
    """Per interview theme: the segments coded with it and their text, verbatim or paraphrase marked
    (no rows when the codebook has no such variable)."""
    columns = ["theme", "label", "segments", "supporting statements"]
    if variable not in codebook.variables:
        return pd.DataFrame(columns=columns)
    ex = _explode(final, variable)
    seg = interview.set_index("segment_id")
    labels = codebook.labels("en")
    rows = []
    for code in codebook.codes()[variable]:
        ids = sorted(ex.loc[ex["code"] == code, "unit_id"].unique())
        quotes = [f"{u} ({seg.at[u, 'kind']}): {seg.at[u, 'text']}" for u in ids if u in seg.index]
        rows.append({"theme": code, "label": labels[(variable, code)], "segments": len(ids),
                     "supporting statements": " || ".join(quotes)})
    return pd.DataFrame(rows, columns=columns)
