"""Tables of findings from the final coded data: theme and code frequencies with exemplars, interview themes."""

from __future__ import annotations

import pandas as pd

from ..codebook import Codebook
from .cells import excerpt
from .views import view


def final_codes(final: pd.DataFrame, variable: str, unit_type: str | None = None) -> pd.Series:
    """unit_id -> the tuple of final codes of ``variable`` (resolved rows only; of ``unit_type`` when given).
    Shared by the findings tables, the figures and the claims table."""
    if final.empty:
        return pd.Series(dtype=object)
    keep = (final["variable"] == variable) & final["codes"].notna()
    if unit_type is not None:
        keep &= final["unit_type"] == unit_type
    rows = final[keep]
    return pd.Series([tuple(c) for c in rows["codes"]], index=rows["unit_id"].to_numpy(), dtype=object)


def _explode(final: pd.DataFrame, variable: str) -> pd.DataFrame:
    rows = final[(final["variable"] == variable) & final["codes"].notna()][["unit_id", "codes"]]
    return rows.assign(code=rows["codes"].map(list)).explode("code").dropna(subset=["code"])


THEME_COLUMNS = ["code", "label", "units", "share_pct", "exemplars"]


def unit_texts(posts: pd.DataFrame, comments: pd.DataFrame | None = None) -> pd.Series:
    """unit_id -> the text a coder read: post captions, and comment texts when ``comments`` is given."""
    parts = [posts.set_index(posts["post_id"].astype(str))["caption"]]
    if comments is not None and len(comments):
        parts.append(comments.set_index(comments["comment_id"].astype(str))["text"])
    out = pd.concat(parts)
    return out[~out.index.duplicated(keep="first")].fillna("").astype(str)


@view(formats={"units": "int", "share_pct": "pct"}, names={"share_pct": "share"})
def theme_exemplars(final: pd.DataFrame, texts: pd.Series, codebook: Codebook, variable: str | None, *,
                    n_examples: int = 2, max_chars: int = 160) -> pd.DataFrame:
    """Per code of ``variable``: units coded with it, their share, and exemplar units (pseudonymized).

    ``texts`` maps unit ids to their text (:func:`unit_texts`). ``variable`` is usually the codebook's
    ``roles.theme``; with None, one row says the codebook names no theme variable.
    """
    if variable is None:
        return pd.DataFrame([{"code": "(none)", "label": "the codebook names no theme variable (roles: theme)",
                              "units": 0, "share_pct": 0.0, "exemplars": ""}], columns=THEME_COLUMNS)
    ex = _explode(final, variable)
    n_units = final.loc[(final["variable"] == variable) & final["codes"].notna(), "unit_id"].nunique()
    labels = codebook.labels("en")
    rows = []
    for code in codebook.codes()[variable]:
        ids = sorted(ex.loc[ex["code"] == code, "unit_id"].unique())
        examples = [f"{u}: {excerpt(texts.get(u, ''), max_chars)}" for u in ids[:n_examples]]
        rows.append({"code": code, "label": labels[(variable, code)], "units": len(ids),
                     "share_pct": round(100 * len(ids) / n_units, 1) if n_units else 0.0,
                     "exemplars": "\n".join(f"• {e}" for e in examples)})
    return pd.DataFrame(rows, columns=THEME_COLUMNS)


@view(formats={"units": "int", "share_pct": "pct"}, names={"share_pct": "share"})
def code_frequencies(final: pd.DataFrame, texts: pd.Series, codebook: Codebook, unit_type: str, *,
                     n_examples: int = 2) -> pd.DataFrame:
    """``theme_exemplars`` for every variable of ``unit_type`` (e.g. "comment"), with a first column
    ``variable``; one row saying so when the codebook has no variable for that kind of unit."""
    variables = codebook.variables_for(unit_type)
    if not variables:
        return pd.DataFrame([{"variable": "(none)", "code": "", "label": f"the codebook has no {unit_type} variable",
                              "units": 0, "share_pct": 0.0, "exemplars": ""}], columns=["variable", *THEME_COLUMNS])
    parts = [theme_exemplars(final, texts, codebook, v, n_examples=n_examples).assign(variable=v) for v in variables]
    return pd.concat(parts, ignore_index=True)[["variable", *THEME_COLUMNS]]


@view(formats={"segments": "int"})
def interview_themes(final: pd.DataFrame, interview: pd.DataFrame, codebook: Codebook,
                     variable: str | None = None) -> pd.DataFrame:
    """Per interview theme (``variable``, by default the codebook's ``roles.interview_theme``): the
    segments coded with it and their text, verbatim or paraphrase marked (no rows when the codebook
    has no such variable)."""
    columns = ["theme", "label", "segments", "supporting statements"]
    variable = variable or codebook.roles.interview_theme
    if variable is None or variable not in codebook.variables:
        return pd.DataFrame(columns=columns)
    ex = _explode(final, variable)
    seg = interview.set_index("segment_id")
    labels = codebook.labels("en")
    rows = []
    for code in codebook.codes()[variable]:
        ids = sorted(ex.loc[ex["code"] == code, "unit_id"].unique())
        quotes = [f"{u} ({seg.at[u, 'kind']}): {seg.at[u, 'text']}" for u in ids if u in seg.index]
        rows.append({"theme": code, "label": labels[(variable, code)], "segments": len(ids),
                     "supporting statements": "\n".join(f"• {q}" for q in quotes)})
    return pd.DataFrame(rows, columns=columns)
