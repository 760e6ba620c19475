"""Agreement on passages: Krippendorff's unitizing alpha (alpha_u) and a token-level alpha, per code.

When coders select passages of a text and code them (spans), two things can differ: where a
passage begins and ends, and which code it gets. Krippendorff's alpha_u (Krippendorff 1995,
"On the reliability of unitizing contiguous data", *Sociological Methodology* 25; Krippendorff
2004, *Content Analysis*, 2nd ed., section 12.4) treats each code separately: every coder's
coding of a text for code c cuts the text (the continuum, measured in characters) into sections
that are either a unit (a passage coded c) or a gap. Observed disagreement sums, over pairs of
coders and pairs of their overlapping sections, the squared distance

* two overlapping units: (difference of begins)^2 + (difference of ends)^2;
* a unit lying wholly inside the other coder's gap: its length^2;
* anything else (gap against gap, a unit only partly inside a gap): 0,

divided by R(R-1)L^2 / 2 (R coders, L characters). Expected disagreement is what the same units
and gaps would give if placed at random on the continuum (Krippendorff 2004, eq. 12.4.x):

    D_e = (2/L) sum_units [ (N-1)(2l^3 - 3l^2 + l)/3 + l^2 sum_{gaps with l_g >= l} (l_g - l + 1) ]
          / [ R L (R L - 1) - sum_units l (l - 1) ]

and alpha_u = 1 - D_o / D_e. The overall alpha_u over several codes is 1 - mean D_o / mean D_e.
Checked against Krippendorff's (2004: 254) worked example and Krippendorff's (1995: 57) four
examples as DKPro Statistics' unitizing tests state them (``tests/test_unitizing.py``).

Several texts (documents) make one continuum of their total length L; sections never cross a
document's end, so a gap at the end of one text is not joined to a gap at the start of the next.
A coder's overlapping spans with the same code are merged first (alpha_u assumes a
coder's units of one code do not overlap). Only documents every compared coder worked on enter:
the coders compared for a variable are those who coded passages of it, and one of them "worked on"
a document when their file holds any line on it (a span of any variable, a removed span or a
whole-unit decision), so "no passage coded c" there is a coding, not a missing one; only documents
in which some coder marked a passage of the variable enter (a unit nobody span-coded says nothing
about passages).

The token-level alpha is Krippendorff's nominal alpha with each whitespace-separated token of a
document as a unit and, per coder, 1 when one of their spans with code c overlaps the token,
else 0: it ignores exact boundaries that differ within a word and is what INCEpTION-style tools
report. Both get percentile bootstrap intervals from resampling documents (seeded).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..tables.views import view
from . import stats

log = logging.getLogger("civicposts.reliability")

TOKEN_RE = re.compile(r"\S+")


# ---------------------------------------------------------------------------------------------
# Sections of one coder's coding of one document for one code
# ---------------------------------------------------------------------------------------------

def merge_units(units: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of overlapping half-open intervals ``(start, end)``. Touching ones stay apart: two
    adjacent passages are two units (Krippendorff's examples have coders marking such units)."""
    out: list[list[int]] = []
    for s, e in sorted((int(s), int(e)) for s, e in units if e > s):
        if out and s < out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def sections(units: Sequence[tuple[int, int]], begin: int, end: int) -> list[tuple[int, int, bool]]:
    """The continuum ``[begin, end)`` cut into (start, end, is_unit) sections by merged ``units``."""
    out: list[tuple[int, int, bool]] = []
    pos = begin
    for s, e in units:
        s, e = max(s, begin), min(e, end)
        if e <= s:
            continue
        if s > pos:
            out.append((pos, s, False))
        out.append((s, e, True))
        pos = e
    if pos < end:
        out.append((pos, end, False))
    return out


def distance(a: tuple[int, int, bool], b: tuple[int, int, bool]) -> float:
    """Krippendorff's squared distance between two sections of two coders (see the module docstring)."""
    (sa, ea, ua), (sb, eb, ub) = a, b
    if ua and ub:
        if sa < eb and sb < ea:
            return float((sa - sb) ** 2 + (ea - eb) ** 2)
        return 0.0
    if ua and not ub and sb <= sa and ea <= eb:
        return float((ea - sa) ** 2)
    if ub and not ua and sa <= sb and eb <= ea:
        return float((eb - sb) ** 2)
    return 0.0


def _pair_sum(x: Sequence[tuple[int, int, bool]], y: Sequence[tuple[int, int, bool]]) -> float:
    """Sum of distances over every overlapping pair of sections (two sections walked side by side)."""
    total, i, j = 0.0, 0, 0
    while i < len(x) and j < len(y):
        total += distance(x[i], y[j])
        if x[i][1] < y[j][1]:
            i += 1
        elif y[j][1] < x[i][1]:
            j += 1
        else:
            i += 1
            j += 1
    return total


# ---------------------------------------------------------------------------------------------
# alpha_u
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _DocParts:
    """What one document contributes for one code: observed numerator, units, gaps, length."""

    observed: float
    units: np.ndarray   # lengths of all coders' units
    gaps: np.ndarray    # lengths of all coders' gaps
    length: int


def _doc_parts(by_coder: Sequence[Sequence[tuple[int, int]]], begin: int, end: int) -> _DocParts:
    secs = [sections(merge_units(u), begin, end) for u in by_coder]
    observed = sum(_pair_sum(secs[i], secs[j]) for i in range(len(secs)) for j in range(i + 1, len(secs)))
    units = np.array([e - s for sec in secs for s, e, is_u in sec if is_u], dtype=np.float64)
    gaps = np.array([e - s for sec in secs for s, e, is_u in sec if not is_u], dtype=np.float64)
    return _DocParts(observed, units, gaps, end - begin)


def _unit_terms(units: np.ndarray) -> np.ndarray:
    return (2 * units ** 3 - 3 * units ** 2 + units) / 3.0


def _gap_terms(units: np.ndarray, gaps: np.ndarray) -> np.ndarray:
    """For each unit of length l: l^2 * sum over gaps with l_g >= l of (l_g - l + 1)."""
    if not len(units) or not len(gaps):
        return np.zeros(len(units))
    g = np.sort(gaps)
    suffix = np.concatenate([np.cumsum(g[::-1])[::-1], [0.0]])
    idx = np.searchsorted(g, units, side="left")
    count = len(g) - idx
    return units ** 2 * (suffix[idx] - (units - 1) * count)


def _cross(parts: Sequence[_DocParts], chunk: int = 2048) -> np.ndarray:
    """``cross[a, b]`` = sum over units u of document a and gaps g of document b of
    l_u^2 * max(l_g - l_u + 1, 0), computed in blocks of units (bounded memory)."""
    n = len(parts)
    units = np.concatenate([p.units for p in parts]) if n else np.zeros(0)
    gaps = np.concatenate([p.gaps for p in parts]) if n else np.zeros(0)
    u_doc = np.repeat(np.arange(n), [len(p.units) for p in parts])
    g_doc = np.repeat(np.arange(n), [len(p.gaps) for p in parts])
    out = np.zeros((n, n))
    if not len(units) or not len(gaps):
        return out
    g_onehot = np.zeros((len(gaps), n))
    g_onehot[np.arange(len(gaps)), g_doc] = 1.0
    for lo in range(0, len(units), chunk):
        u = units[lo:lo + chunk]
        k = u[:, None] ** 2 * np.clip(gaps[None, :] - u[:, None] + 1.0, 0.0, None)
        per_gap_doc = k @ g_onehot  # units x documents
        np.add.at(out, u_doc[lo:lo + chunk], per_gap_doc)
    return out


def _disagreements(parts: Sequence[_DocParts], n_coders: int, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(D_o, D_e) for each row of ``weights`` (n_rows x n_docs counts of each document)."""
    R = n_coders
    L = weights @ np.array([p.length for p in parts], dtype=np.float64)
    obs = weights @ np.array([p.observed for p in parts])
    n_units = weights @ np.array([len(p.units) for p in parts], dtype=np.float64)
    cubic = weights @ np.array([_unit_terms(p.units).sum() for p in parts])
    sq = weights @ np.array([(p.units * (p.units - 1)).sum() for p in parts])
    # The gap term pairs units of one document with gaps of another: a documents x documents matrix.
    cross = _cross(parts)
    gap = np.einsum("bi,ij,bj->b", weights, cross, weights)
    with np.errstate(divide="ignore", invalid="ignore"):
        d_o = 2.0 * obs / (R * (R - 1) * L ** 2)
        d_e = (2.0 / L) * ((n_units - 1) * cubic + gap) / (R * L * (R * L - 1) - sq)
    return d_o, d_e


@dataclass(frozen=True)
class Unitizing:
    """alpha_u of one code with its parts: observed and expected disagreement, documents, coders, units."""

    value: float | None
    observed: float
    expected: float
    n_documents: int
    n_coders: int
    n_units: int
    reason: str | None = None


def _value(d_o: float, d_e: float) -> float | None:
    if not np.isfinite(d_e) or d_e <= 0:
        return None
    return float(1.0 - d_o / d_e)


def _layout(spans: pd.DataFrame, lengths: Mapping[str, int], coders: Sequence[str],
            documents: Sequence[str]) -> dict[str, list[list[tuple[int, int]]]]:
    """``{document: [units of coder 0, units of coder 1, ...]}`` for one code."""
    out = {d: [[] for _ in coders] for d in documents}
    pos = {c: i for i, c in enumerate(coders)}
    for d, c, s, e in zip(spans["document"], spans["coder"], spans["start"], spans["end"], strict=True):
        if d in out and c in pos:
            s, e = int(s), min(int(e), int(lengths[d]))
            if e > s:
                out[d][pos[c]].append((s, e))
    return out


def unitizing_alpha(spans: pd.DataFrame, lengths: Mapping[str, int], coders: Sequence[str],
                    documents: Sequence[str] | None = None, *, begin: Mapping[str, int] | None = None) -> Unitizing:
    """alpha_u for one code from ``spans`` (columns document, coder, start, end) on the documents'
    continua ``[begin, begin + length)`` (begin 0 unless given), for ``coders`` (two or more).

    ``documents`` defaults to every document in ``lengths``; each counts as coded by every coder
    (a coder with no span in a document marked none of it)."""
    coders = list(coders)
    docs = list(lengths) if documents is None else list(documents)
    if len(coders) < 2:
        return Unitizing(None, math.nan, math.nan, len(docs), len(coders), 0, "needs two or more coders")
    if not docs:
        return Unitizing(None, math.nan, math.nan, 0, len(coders), 0, "no document coded by every coder")
    b = begin or {}
    layout = _layout(spans.assign(start=spans["start"] - spans["document"].map(lambda d: b.get(d, 0)),
                                  end=spans["end"] - spans["document"].map(lambda d: b.get(d, 0)))
                     if b else spans, lengths, coders, docs)
    parts = [_doc_parts(layout[d], 0, int(lengths[d])) for d in docs]
    d_o, d_e = _disagreements(parts, len(coders), np.ones((1, len(parts))))
    n_units = int(sum(len(p.units) for p in parts))
    value = _value(float(d_o[0]), float(d_e[0]))
    reason = None if value is not None else "no passage with this code on the units the coders share"
    return Unitizing(value, float(d_o[0]), float(d_e[0]), len(docs), len(coders), n_units, reason)


def overall_alpha(results: Iterable[Unitizing]) -> float | None:
    """alpha_u over several codes: 1 - mean observed / mean expected disagreement (codes with units)."""
    res = [r for r in results if r.value is not None]
    if not res:
        return None
    return float(1.0 - np.mean([r.observed for r in res]) / np.mean([r.expected for r in res]))


# ---------------------------------------------------------------------------------------------
# Token level
# ---------------------------------------------------------------------------------------------

def tokens(text: str) -> list[tuple[int, int]]:
    """(start, end) of each whitespace-separated token of ``text``."""
    return [(m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


def token_matrix(layout: Mapping[str, Sequence[Sequence[tuple[int, int]]]], texts: Mapping[str, str],
                 documents: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(coders x tokens 0/1 matrix, document index of each token) for one code."""
    cols, doc_of = [], []
    for k, d in enumerate(documents):
        toks = tokens(texts[d])
        if not toks:
            continue
        starts = np.array([s for s, _ in toks])
        ends = np.array([e for _, e in toks])
        block = np.zeros((len(layout[d]), len(toks)), dtype=np.float64)
        for r, units in enumerate(layout[d]):
            for s, e in merge_units(units):
                block[r, (starts < e) & (ends > s)] = 1.0
        cols.append(block)
        doc_of.extend([k] * len(toks))
    if not cols:
        n = len(next(iter(layout.values()))) if layout else 0
        return np.zeros((n, 0)), np.zeros(0, dtype=np.int64)
    return np.hstack(cols), np.asarray(doc_of, dtype=np.int64)


# ---------------------------------------------------------------------------------------------
# The table a report shows
# ---------------------------------------------------------------------------------------------

SPAN_AGREEMENT_COLUMNS = ["variable", "code", "n_documents", "n_coders", "n_spans", "alpha_u", "alpha_u_low",
                          "alpha_u_high", "token_alpha", "token_alpha_low", "token_alpha_high", "verdict"]


def worked_on(history: pd.DataFrame) -> dict[str, set[str]]:
    """``{unit_id: coders}`` whose files hold any line on the unit (spans, removals, decisions)."""
    out: dict[str, set[str]] = {}
    for uid, coder in zip(history["unit_id"], history["coder"], strict=True):
        out.setdefault(uid, set()).add(coder)
    return out


def shared_documents(spans: pd.DataFrame, worked: Mapping[str, set[str]], texts: Mapping[str, str],
                     coders: Sequence[str] | None = None) -> tuple[list[str], list[str]]:
    """(coders, documents every one of them worked on). Coders default to those with spans in
    ``spans`` (the coders who code passages of this variable: a coder who only decides whole units
    is not one), narrowed to the two sharing the most documents when not all of them share any;
    fewer than two: no documents."""
    if coders is None:
        coders = sorted(set(spans["coder"]))
    coders = list(coders)
    if len(coders) < 2:
        return coders, []
    docs = sorted(d for d, cs in worked.items() if d in texts and set(coders) <= cs)
    if docs or len(coders) <= 2:
        return coders, docs
    best: tuple[int, tuple[str, str]] | None = None
    for i, a in enumerate(coders):
        for b in coders[i + 1:]:
            n = sum(1 for d, cs in worked.items() if d in texts and {a, b} <= cs)
            if best is None or n > best[0]:
                best = (n, (a, b))
    pair = list(best[1]) if best else coders[:2]
    return pair, sorted(d for d, cs in worked.items() if d in texts and set(pair) <= cs)


@view(formats={"alpha_u": "coef", "token_alpha": "coef", "n_documents": "int", "n_coders": "int", "n_spans": "int"},
      intervals={"alpha_u 95% CI": ("alpha_u_low", "alpha_u_high"),
                 "token_alpha 95% CI": ("token_alpha_low", "token_alpha_high")},
      columns=("variable", "code", "alpha_u", "alpha_u 95% CI", "token_alpha", "token_alpha 95% CI", "n_documents",
               "n_coders", "n_spans", "verdict"),
      names={"alpha_u": "αu", "alpha_u 95% CI": "αu 95% CI", "token_alpha": "token α",
             "token_alpha 95% CI": "token α 95% CI", "n_documents": "units", "n_coders": "coders",
             "n_spans": "passages"})
def span_agreement_table(spans: pd.DataFrame, history: pd.DataFrame, texts: Mapping[str, str],
                         codes: Mapping[str, Sequence[str]], *, n_boot: int = 1000, seed: int = 0,
                         ci: float = 0.95) -> pd.DataFrame:
    """One row per (variable, code) with spans: alpha_u and token-level alpha with bootstrap
    intervals (documents resampled, ``seed``), documents and coders compared, spans counted.

    ``spans`` is :func:`civicposts.coding.span_decisions`; ``history`` the coder lines (to know
    who worked on which unit); ``texts`` ``{unit_id: text}``; ``codes`` ``{variable: [code, ...]}``
    in codebook order. A code nobody used in a passage is left out."""
    rows = []
    worked = worked_on(history)
    sp = spans.rename(columns={"unit_id": "document"})
    for variable, var_codes in codes.items():
        in_var = sp.loc[sp["variable"] == variable]
        if in_var.empty:
            continue
        coders, docs = shared_documents(in_var, worked, texts)
        # only units where someone marked a passage of this variable: a unit nobody span-coded says
        # nothing about passages (its coders may have coded it whole only)
        spanned = set(in_var["document"])
        docs = [d for d in docs if d in spanned]
        lengths = {d: len(texts[d]) for d in docs}
        for code in var_codes:
            has = in_var["codes"].map(lambda cs, c=code: c in cs)
            one = in_var.loc[has]
            if one.empty:
                continue
            res = unitizing_alpha(one, lengths, coders, docs)
            row = {"variable": variable, "code": code, "n_documents": res.n_documents,
                   "n_coders": res.n_coders, "n_spans": int(len(one.loc[one["document"].isin(docs)]))}
            lo = hi = t_val = t_lo = t_hi = math.nan
            if docs and len(coders) >= 2:
                layout = _layout(one, lengths, coders, docs)
                w = stats.bootstrap_weights(len(docs), n_boot, (seed, len(docs)))
                if res.value is not None:
                    parts = [_doc_parts(layout[d], 0, lengths[d]) for d in docs]
                    d_o, d_e = _disagreements(parts, len(coders), np.asarray(w))
                    with np.errstate(divide="ignore", invalid="ignore"):
                        boot = np.where(d_e > 0, 1.0 - d_o / d_e, np.nan)
                    lo, hi, _ = stats._ci(boot, ci)
                x, doc_of = token_matrix(layout, texts, docs)
                if x.shape[1]:
                    tok, t_lo, t_hi = _token_alpha_ci(x, doc_of, np.asarray(w), ci)
                    t_val = math.nan if tok is None else tok
            row.update(alpha_u=math.nan if res.value is None else res.value, alpha_u_low=lo, alpha_u_high=hi,
                       token_alpha=t_val, token_alpha_low=t_lo, token_alpha_high=t_hi,
                       verdict=stats.verdict(res.value, res.reason))
            rows.append(row)
    return pd.DataFrame(rows, columns=SPAN_AGREEMENT_COLUMNS)


def _token_alpha_ci(x: np.ndarray, doc_of: np.ndarray, doc_weights: np.ndarray,
                    ci: float) -> tuple[float | None, float, float]:
    xi = x.astype(np.int64)
    counts = stats._counts(xi, 2)
    value = stats._alpha_w(counts, np.ones((1, counts.shape[0])), "nominal", None)[0]
    if np.isnan(value):
        return None, math.nan, math.nan
    lo, hi, _ = stats._ci(stats._alpha_w(counts, doc_weights[:, doc_of], "nominal", None), ci)
    return float(value), lo, hi


def token_alpha(x: np.ndarray) -> stats.Agreement:
    """Nominal alpha of a coders x tokens 0/1 matrix (see :func:`token_matrix`)."""
    return stats.krippendorff_alpha(x, "nominal", domain=[0.0, 1.0])


# ---------------------------------------------------------------------------------------------
# Disagreements, with both passages
# ---------------------------------------------------------------------------------------------

SPAN_DISAGREEMENT_COLUMNS = ["unit_id", "variable", "code", "kind", "coder_a", "start_a", "end_a", "passage_a",
                             "coder_b", "start_b", "end_b", "passage_b"]


def span_disagreements(spans: pd.DataFrame, history: pd.DataFrame, texts: Mapping[str, str]) -> pd.DataFrame:
    """Every passage two coders of a shared document did not code alike, with both passages.

    The coders of a variable are those who coded passages of it (:func:`shared_documents`). For each
    pair of them that worked on a document, each code and document: a merged passage of coder A that B matches
    exactly is agreement; one that overlaps B's passage(s) is "boundaries differ" (B's overlapping
    passages joined with " … "); one with nothing of B's over it is "only coder_a" (and the other
    way round). Rows sorted by unit, variable, code, coders, offsets."""
    worked = worked_on(history)
    span_coders = {v: set(g["coder"]) for v, g in spans.groupby("variable")}
    rows = []
    for (variable, uid), grp in spans.groupby(["variable", "unit_id"], sort=True):
        text = texts.get(uid)
        if text is None:
            continue
        coders = sorted(worked.get(uid, set()) & span_coders[variable])
        all_codes = sorted({c for cs in grp["codes"] for c in cs})
        for code in all_codes:
            has = grp.loc[grp["codes"].map(lambda cs, c=code: c in cs)]
            by = {c: merge_units(zip(has.loc[has["coder"] == c, "start"], has.loc[has["coder"] == c, "end"],
                                     strict=True)) for c in coders}
            for i, a in enumerate(coders):
                for b in coders[i + 1:]:
                    rows.extend(_pair_rows(uid, variable, code, a, b, by[a], by[b], text))
    out = pd.DataFrame(rows, columns=SPAN_DISAGREEMENT_COLUMNS)
    return out.sort_values(["unit_id", "variable", "code", "coder_a", "coder_b", "start_a", "start_b"],
                           kind="mergesort", na_position="first").reset_index(drop=True)


def _pair_rows(uid: str, variable: str, code: str, a: str, b: str, ua: list[tuple[int, int]],
               ub: list[tuple[int, int]], text: str) -> list[dict]:
    rows: list[dict] = []
    matched_b: set[tuple[int, int]] = set()
    for s, e in ua:
        over = [(t, f) for t, f in ub if t < e and s < f]
        matched_b.update(over)
        if over == [(s, e)]:
            continue
        base = {"unit_id": uid, "variable": variable, "code": code, "coder_a": a, "coder_b": b,
                "start_a": s, "end_a": e, "passage_a": text[s:e]}
        if over:
            rows.append({**base, "kind": "boundaries differ", "start_b": over[0][0], "end_b": over[-1][1],
                         "passage_b": " … ".join(text[t:f] for t, f in over)})
        else:
            rows.append({**base, "kind": f"only {a}", "start_b": None, "end_b": None, "passage_b": ""})
    for t, f in ub:
        if (t, f) not in matched_b:
            rows.append({"unit_id": uid, "variable": variable, "code": code, "kind": f"only {b}", "coder_a": a,
                         "start_a": None, "end_a": None, "passage_a": "", "coder_b": b, "start_b": t, "end_b": f,
                         "passage_b": text[t:f]})
    return rows
