"""Inter-coder reliability: agreement statistics, bootstrap intervals, disagreement and adjudication sheets.

Statistics (all vectorized with numpy; no third-party agreement package at run time):

- ``percent_agreement(data)``: mean, over units with two or more values, of the share of
  agreeing pairs of values within the unit (Gwet 2014, "pa"; for two coders the plain share of
  units on which they agree).
- ``cohen_kappa(a, b)``: Cohen (1960) for two coders.
- ``fleiss_kappa(counts)``: Fleiss (1971) for units x categories counts; units may have different
  numbers of values (Gwet's 2014 generalisation: category shares averaged over units), which for a
  constant number of coders is Fleiss' own formula.
- ``gwet_ac1(counts)``: Gwet's (2008) AC1, which stays meaningful for rare codes.
- ``krippendorff_alpha(data, level)``: Krippendorff (2011, "Computing Krippendorff's
  Alpha-Reliability") from the coincidence matrix, for nominal, ordinal, interval and ratio data,
  with missing values.

Every statistic returns an :class:`Agreement`: the value, or no value with the reason it is
undefined (e.g. ``"no variation: every value is 'absent'"``). ``float(result)`` gives the value
or raises :class:`UndefinedAgreement` with that reason, so nothing turns silently into NaN.

Working on a decisions table (see the coding-store contract: unit_id, unit_type, variable, coder,
codes (sorted tuple), memo, relation_target, timestamp):

- ``agreement_table``: one row per single-choice variable and per (multi-choice variable, code),
  each statistic with a seeded percentile bootstrap interval (units resampled with replacement;
  one resampling of the units per variable, shared by all its codes).
- ``relation_agreement``: agreement on follows_up targets.
- ``confusion_matrix``, ``disagreements`` / ``write_disagreement_sheet`` (reconciliation sheet),
  ``read_adjudications`` / ``apply_adjudications`` (final coded data set), ``student_feedback``.

Verdicts follow Krippendorff (2004, p. 241): alpha >= .800 reliable, >= .667 tentative, else
unreliable.
"""

from __future__ import annotations

import datetime as _dt
import functools
import io
import itertools
import json
import logging
import math
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import CivicpostsError, InputError
from .iorw import source_date_epoch, write_bytes, write_csv

log = logging.getLogger(__name__)

LEVELS = ("nominal", "ordinal", "interval", "ratio")
RELIABLE = 0.800
TENTATIVE = 0.667
DECISION_COLUMNS = ("unit_id", "unit_type", "variable", "coder", "codes")
ADJUDICATION_COLUMNS = ("unit_id", "variable", "codes", "reconciler", "reason", "timestamp")
NOT_CODED = "(not coded)"
NO_CODE = "(none)"
STATISTICS = ("alpha", "cohen_kappa", "fleiss_kappa", "ac1", "percent_agreement")


class UndefinedAgreement(CivicpostsError, ValueError):
    """An agreement statistic has no value for these data (the message says why)."""


@dataclass(frozen=True)
class Agreement:
    """The result of one agreement statistic.

    ``value`` is None exactly when the statistic is undefined; ``reason`` then says why
    (e.g. "no variation: every value is 1", "no unit has values from two coders").
    ``n_units`` counts the units that entered the statistic, ``n_values`` the values in them.
    """

    value: float | None
    reason: str | None = None
    n_units: int = 0
    n_values: int = 0

    @property
    def defined(self) -> bool:
        return self.value is not None

    def __float__(self) -> float:
        if self.value is None:
            raise UndefinedAgreement(f"statistic undefined: {self.reason}")
        return float(self.value)

    def __round__(self, ndigits: int | None = None) -> float:
        return round(float(self), ndigits)


def verdict(alpha: float | None, reason: str | None = None) -> str:
    """Krippendorff's reading of an alpha value: reliable, tentative, unreliable or undefined."""
    if alpha is None or (isinstance(alpha, float) and math.isnan(alpha)):
        return f"undefined: {reason or 'no value'}"
    if alpha >= RELIABLE:
        return "reliable"
    if alpha >= TENTATIVE:
        return "tentative"
    return "unreliable"


# ---------------------------------------------------------------------------------------------
# Encoding reliability data
# ---------------------------------------------------------------------------------------------

def _missing_mask(arr: np.ndarray) -> np.ndarray:
    return np.asarray(pd.isna(arr), dtype=bool)


def _encode(data: Any, domain: Sequence[Any] | None = None) -> tuple[np.ndarray, list[Any]]:
    """Coders x units data -> (int codes with -1 for missing, ordered domain)."""
    arr = np.asarray(data, dtype=object)
    if arr.ndim != 2:
        raise ValueError(f"reliability data must be 2-dimensional (coders x units); got shape {arr.shape}")
    missing = _missing_mask(arr)
    values = arr[~missing]
    if domain is None:
        uniq = pd.unique(pd.Series(values, dtype=object))
        try:
            domain = sorted(uniq)
        except TypeError:
            domain = sorted(uniq, key=repr)
    else:
        domain = list(domain)
    index = {v: i for i, v in enumerate(domain)}
    out = np.full(arr.shape, -1, dtype=np.int64)
    flat = out.reshape(-1)
    for pos, v in zip(np.flatnonzero(~missing.reshape(-1)), values):
        try:
            flat[pos] = index[v]
        except KeyError:
            raise ValueError(f"value {v!r} (coder {pos // arr.shape[1]}, unit {pos % arr.shape[1]}) "
                             f"is not in the value domain {list(domain)!r}") from None
    return out, list(domain)


def _counts(x: np.ndarray, n_values: int) -> np.ndarray:
    """Coders x units int codes (-1 missing) -> units x values counts."""
    n_units = x.shape[1]
    counts = np.zeros((n_units, n_values), dtype=np.float64)
    units = np.broadcast_to(np.arange(n_units), x.shape)
    ok = x >= 0
    np.add.at(counts, (units[ok], x[ok]), 1.0)
    return counts


def _as_counts(counts: Any) -> np.ndarray:
    c = np.asarray(counts, dtype=np.float64)
    if c.ndim != 2:
        raise ValueError(f"counts must be units x categories (2-dimensional); got shape {c.shape}")
    if np.isnan(c).any() or (c < 0).any():
        raise ValueError("counts must be non-negative numbers without NaN")
    return c


# ---------------------------------------------------------------------------------------------
# Vectorized core: every statistic from unit-level sufficient statistics and unit weights.
# A row of weights is one (bootstrap) sample of the units; all ones is the data themselves.
# ---------------------------------------------------------------------------------------------

def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


def _delta(level: str, domain_values: np.ndarray | None, n_c: np.ndarray) -> np.ndarray:
    """Squared difference function(s); n_c is (B, V), result (B, V, V) or (V, V)."""
    v = n_c.shape[-1]
    if level == "nominal":
        return 1.0 - np.eye(v)
    vals = np.asarray(domain_values, dtype=np.float64)
    if level == "interval":
        return (vals[:, None] - vals[None, :]) ** 2
    if level == "ratio":
        s = vals[:, None] + vals[None, :]
        d = vals[:, None] - vals[None, :]
        return np.square(_safe_div(d, s), where=s != 0, out=np.zeros((v, v)))
    if level == "ordinal":
        cum = np.cumsum(n_c, axis=-1)
        g = cum[..., None, :] - cum[..., :, None] + (n_c[..., :, None] - n_c[..., None, :]) / 2.0
        return g ** 2
    raise ValueError(f"level must be one of {LEVELS}; got {level!r}")


def _alpha_w(counts: np.ndarray, weights: np.ndarray, level: str = "nominal",
             domain_values: np.ndarray | None = None) -> np.ndarray:
    """Krippendorff's alpha for each row of unit weights (B, N); NaN where undefined."""
    m = counts.sum(1)
    inv = _safe_div(np.ones_like(m), m - 1.0)
    inv[m < 2] = 0.0
    v = counts.shape[1]
    # Per-unit coincidences: (n_uc n_uk - [c==k] n_uc) / (m_u - 1)
    ou = counts[:, :, None] * counts[:, None, :]
    ou[:, np.arange(v), np.arange(v)] -= counts
    ou *= inv[:, None, None]
    o = (weights @ ou.reshape(len(m), v * v)).reshape(-1, v, v)
    n_c = o.sum(2)
    n = n_c.sum(1)
    delta = _delta(level, domain_values, n_c)
    d_o = (o * delta).sum((1, 2))
    d_e = (n_c[:, :, None] * n_c[:, None, :] * delta).sum((1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = 1.0 - (n - 1.0) * _safe_div(d_o, d_e)
    alpha[~(d_e > 1e-12)] = np.nan
    return alpha


def _count_features(counts: np.ndarray) -> np.ndarray:
    """Unit-level columns whose weighted sums give alpha (nominal), pa, Fleiss' kappa and AC1.

    Layout: coincidences (V*V), within-unit agreement pu, pairable flag, category shares (V),
    coded flag. Summing them with a row of unit weights is what one (bootstrap) sample needs.
    """
    n, v = counts.shape
    m = counts.sum(1)
    pair = m >= 2
    any_ = m >= 1
    inv = np.zeros(n)
    inv[pair] = 1.0 / (m[pair] - 1.0)
    ou = counts[:, :, None] * counts[:, None, :]
    ou[:, np.arange(v), np.arange(v)] -= counts
    ou *= inv[:, None, None]
    pu = np.zeros(n)
    pu[pair] = (counts[pair] * (counts[pair] - 1)).sum(1) / (m[pair] * (m[pair] - 1))
    share = np.zeros_like(counts)
    share[any_] = counts[any_] / m[any_, None]
    return np.hstack([ou.reshape(n, v * v), pu[:, None], pair[:, None], share, any_[:, None]]).astype(np.float64)


def _count_stats(sums: np.ndarray, n_values: int, n_categories: int) -> dict[str, np.ndarray]:
    """alpha (nominal), percent_agreement, fleiss_kappa and ac1 from summed _count_features (B, F)."""
    v = n_values
    if v == 0:  # no values at all
        return {k: np.full(sums.shape[0], np.nan) for k in ("alpha", "percent_agreement", "fleiss_kappa", "ac1")}
    o = sums[:, : v * v].reshape(-1, v, v)
    pu, npair = sums[:, v * v], sums[:, v * v + 1]
    shares, nany = sums[:, v * v + 2: v * v + 2 + v], sums[:, v * v + 2 + v]
    n_c = o.sum(2)
    n = n_c.sum(1)
    d_o = n - np.trace(o, axis1=1, axis2=2)
    d_e = n ** 2 - (n_c ** 2).sum(1)
    alpha = 1.0 - (n - 1.0) * _safe_div(d_o, d_e)
    alpha[~(d_e > 1e-9)] = np.nan
    pa = _safe_div(pu, npair)
    pi = _safe_div(shares, nany[:, None])
    pe_f = (pi ** 2).sum(1)
    fleiss = _safe_div(pa - pe_f, 1.0 - pe_f)
    fleiss[~(1.0 - pe_f > 1e-12)] = np.nan
    pe_g = (pi * (1.0 - pi)).sum(1) / (n_categories - 1) if n_categories > 1 else np.full(len(pa), np.nan)
    ac1 = _safe_div(pa - pe_g, 1.0 - pe_g)
    return {"alpha": alpha, "percent_agreement": pa, "fleiss_kappa": fleiss, "ac1": ac1}


def _pair_features(x: np.ndarray, n_values: int) -> np.ndarray:
    """Unit-level one-hot joint answers of every pair of coders: (N, n_pairs * V * V)."""
    n_units = x.shape[1]
    vv = n_values * n_values
    pairs = list(itertools.combinations(range(x.shape[0]), 2))
    joint = np.zeros((n_units, len(pairs) * vv))
    for p, (a, b) in enumerate(pairs):
        both = (x[a] >= 0) & (x[b] >= 0)
        joint[np.flatnonzero(both), p * vv + x[a, both] * n_values + x[b, both]] = 1.0
    return joint


def _pair_stats(sums: np.ndarray, n_values: int) -> np.ndarray:
    """Cohen's kappa per coder pair from summed _pair_features: (B, n_pairs), NaN where undefined."""
    if n_values == 0 or sums.shape[1] == 0:
        return np.full((sums.shape[0], 0), np.nan)
    t = sums.reshape(sums.shape[0], -1, n_values, n_values)
    n = t.sum((2, 3))
    po = _safe_div(np.trace(t, axis1=2, axis2=3), n)
    pe = _safe_div((t.sum(3) * t.sum(2)).sum(2), n ** 2)
    k = _safe_div(po - pe, 1.0 - pe)
    k[~(1.0 - pe > 1e-12)] = np.nan
    return k


def _pa_w(counts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    sums = weights @ _count_features(counts)
    return _count_stats(sums, counts.shape[1], max(counts.shape[1], 2))["percent_agreement"]


def _fleiss_w(counts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return _count_stats(weights @ _count_features(counts), counts.shape[1], max(counts.shape[1], 2))["fleiss_kappa"]


def _ac1_w(counts: np.ndarray, weights: np.ndarray, n_categories: int) -> np.ndarray:
    return _count_stats(weights @ _count_features(counts), counts.shape[1], n_categories)["ac1"]


def _cohen_pairs_w(x: np.ndarray, n_values: int, weights: np.ndarray) -> np.ndarray:
    return _pair_stats(weights @ _pair_features(x, n_values), n_values)


def _nanmean_rows(a: np.ndarray) -> np.ndarray:
    ok = ~np.isnan(a)
    cnt = ok.sum(1)
    return _safe_div(np.where(ok, a, 0.0).sum(1), cnt.astype(float))


# ---------------------------------------------------------------------------------------------
# Public statistics
# ---------------------------------------------------------------------------------------------

def _no_variation_reason(counts: np.ndarray, domain: Sequence[Any] | None) -> str:
    used = np.flatnonzero(counts.sum(0) > 0)
    if len(used) == 1:
        label = domain[used[0]] if domain is not None else int(used[0])
        return f"no variation: every value is {label!r}"
    return "no variation between values"


def _result(value: float, counts: np.ndarray, domain: Sequence[Any] | None = None,
            min_values: int = 2) -> Agreement:
    m = counts.sum(1)
    used = m >= min_values
    n_units, n_values = int(used.sum()), int(m[used].sum())
    if n_units == 0:
        return Agreement(None, f"no unit has values from {min_values} or more coders", 0, 0)
    if np.isnan(value):
        return Agreement(None, _no_variation_reason(counts[used], domain), n_units, n_values)
    return Agreement(float(value), None, n_units, n_values)


def krippendorff_alpha(data: Any, level: str = "nominal", *, domain: Sequence[Any] | None = None) -> Agreement:
    """Krippendorff's alpha for coders x units ``data`` (missing values as NaN or None).

    ``level`` is "nominal", "ordinal", "interval" or "ratio". Non-nominal levels need numeric
    values, or an ordered ``domain`` (ordinal only: ranks are what matter). Undefined (value None)
    when no unit has two values or when all pairable values are the same.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}; got {level!r}")
    x, dom = _encode(data, domain)
    counts = _counts(x, len(dom))
    dom_values = None
    if level in ("interval", "ratio"):
        try:
            dom_values = np.asarray(dom, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"{level} alpha needs numeric values; got {dom!r}") from None
    value = _alpha_w(counts, np.ones((1, counts.shape[0])), level, dom_values)[0] if dom else np.nan
    return _result(value, counts, dom)


def percent_agreement(data: Any) -> Agreement:
    """Mean over units with two or more values of the share of agreeing value pairs within the unit."""
    x, dom = _encode(data)
    counts = _counts(x, max(len(dom), 1))
    value = _pa_w(counts, np.ones((1, counts.shape[0])))[0]
    res = _result(value, counts, dom)
    return res


def cohen_kappa(a: Sequence[Any], b: Sequence[Any]) -> Agreement:
    """Cohen's kappa for two coders' labels of the same units; units either coder left empty are dropped."""
    a_arr, b_arr = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    if a_arr.shape != b_arr.shape or a_arr.ndim != 1:
        raise ValueError(f"cohen_kappa needs two 1-dimensional sequences of equal length; "
                         f"got shapes {a_arr.shape} and {b_arr.shape}")
    x, dom = _encode(np.vstack([a_arr, b_arr]))
    both = (x >= 0).all(0)
    counts = _counts(x[:, both], max(len(dom), 1))
    if not both.any():
        return Agreement(None, "no unit was coded by both coders", 0, 0)
    value = _cohen_pairs_w(x[:, both], max(len(dom), 1), np.ones((1, int(both.sum()))))[0, 0]
    return _result(value, counts, dom)


def fleiss_kappa(counts: Any) -> Agreement:
    """Fleiss' kappa from a units x categories table of how many coders chose each category.

    Units with fewer than two values are left out of the observed agreement; category shares are
    averaged over units (identical to Fleiss 1971 when every unit has the same number of values).
    """
    c = _as_counts(counts)
    value = _fleiss_w(c, np.ones((1, c.shape[0])))[0]
    return _result(value, c)


def gwet_ac1(counts: Any, n_categories: int | None = None) -> Agreement:
    """Gwet's AC1 from a units x categories count table.

    ``n_categories`` is the number of categories the coders could choose from (default: the
    number of columns); AC1 needs at least two.
    """
    c = _as_counts(counts)
    q = c.shape[1] if n_categories is None else int(n_categories)
    if q < 2:
        return Agreement(None, "AC1 needs at least two categories to choose from", 0, 0)
    if q < c.shape[1]:
        raise ValueError(f"n_categories={q} is smaller than the {c.shape[1]} columns of counts")
    value = _ac1_w(c, np.ones((1, c.shape[0])), q)[0]
    return _result(value, c)


def value_counts(data: Any, domain: Sequence[Any] | None = None) -> tuple[np.ndarray, list[Any]]:
    """Coders x units data -> (units x categories counts, categories); input for fleiss_kappa/gwet_ac1."""
    x, dom = _encode(data, domain)
    return _counts(x, len(dom)), dom


# ---------------------------------------------------------------------------------------------
# Bootstrap
# ---------------------------------------------------------------------------------------------

def bootstrap_weights(n_units: int, n_boot: int, seed: int | Sequence[int]) -> np.ndarray:
    """(n_boot, n_units) counts of how often each unit is drawn in each resample, from ``seed``.

    The same arguments always give the same (read-only) array; recent ones are cached because
    every code of a variable is resampled the same way.
    """
    key = tuple(seed) if isinstance(seed, (list, tuple)) else (int(seed),)
    return _bootstrap_weights(int(n_units), int(n_boot), tuple(int(s) for s in key))


@functools.lru_cache(maxsize=4)
def _bootstrap_weights(n_units: int, n_boot: int, seed: tuple[int, ...]) -> np.ndarray:
    rng = np.random.default_rng(list(seed))
    if n_units == 0 or n_boot == 0:
        w = np.zeros((n_boot, n_units))
    else:
        draws = rng.integers(0, n_units, size=(n_boot, n_units))
        draws += (np.arange(n_boot) * n_units)[:, None]
        w = np.bincount(draws.ravel(), minlength=n_boot * n_units).reshape(n_boot, n_units).astype(np.float64)
    w.flags.writeable = False
    return w


def _ci(samples: np.ndarray, level: float) -> tuple[float, float, int]:
    ok = samples[~np.isnan(samples)]
    if len(ok) == 0:
        return math.nan, math.nan, len(samples)
    lo, hi = np.quantile(ok, [(1 - level) / 2, 1 - (1 - level) / 2])
    return float(lo), float(hi), len(samples) - len(ok)


def alpha_ci(data: Any, level: str = "nominal", *, n_boot: int = 1000, seed: int,
             ci: float = 0.95) -> tuple[Agreement, float, float]:
    """Krippendorff's alpha with a percentile bootstrap interval (units resampled; seeded)."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}; got {level!r}")
    x, dom = _encode(data)
    counts = _counts(x, len(dom))
    dom_values = np.asarray(dom, dtype=np.float64) if level in ("interval", "ratio") else None
    value = _alpha_w(counts, np.ones((1, counts.shape[0])), level, dom_values)[0] if dom else np.nan
    res = _result(value, counts, dom)
    if not res.defined:
        return res, math.nan, math.nan
    w = bootstrap_weights(counts.shape[0], n_boot, seed)
    lo, hi, _ = _ci(_alpha_w(counts, w, level, dom_values), ci)
    return res, lo, hi


# ---------------------------------------------------------------------------------------------
# Decisions tables
# ---------------------------------------------------------------------------------------------

def _check_decisions(decisions: pd.DataFrame, name: str = "decisions") -> pd.DataFrame:
    missing = [c for c in DECISION_COLUMNS if c not in decisions.columns]
    if missing:
        raise InputError(name, f"missing column(s) {missing}; expected at least {list(DECISION_COLUMNS)}")
    df = decisions.copy()
    bad = [i for i, c in enumerate(df["codes"]) if not isinstance(c, (tuple, list, np.ndarray))
           or any(not isinstance(x, str) for x in c)]
    if bad:
        i = bad[0]
        row = df.iloc[i]
        raise InputError(name, f"codes must be a tuple of code ids; got {row['codes']!r}",
                         record=f"{i} (unit {row['unit_id']!r}, variable {row['variable']!r}, coder {row['coder']!r})")
    df["codes"] = [tuple(sorted(str(x) for x in c)) for c in df["codes"]]
    key = ["unit_id", "variable", "coder"]
    if df.duplicated(key).any():
        # The contract says latest line wins; be forgiving if the caller passed raw history.
        order = df["timestamp"] if "timestamp" in df.columns else pd.Series(range(len(df)), index=df.index)
        df = df.assign(_order=order).sort_values("_order", kind="stable").drop_duplicates(key, keep="last")
        df = df.drop(columns="_order")
        log.info("kept the latest of several decisions per (unit, variable, coder)")
    return df


def _restrict(df: pd.DataFrame, units: Iterable[str] | None) -> pd.DataFrame:
    if units is None:
        return df
    keep = set(units)
    return df[df["unit_id"].isin(keep)]


@dataclass
class _Var:
    coders: list[str]
    units: list[str]
    coded: np.ndarray          # (C, N) bool
    sets: dict[tuple[int, int], tuple[str, ...]]


def _variable_matrix(df: pd.DataFrame, variable: str) -> _Var:
    sub = df[df["variable"] == variable]
    coders = sorted(sub["coder"].unique())
    units = sorted(sub["unit_id"].unique())
    ci = {c: i for i, c in enumerate(coders)}
    ui = {u: i for i, u in enumerate(units)}
    coded = np.zeros((len(coders), len(units)), dtype=bool)
    sets = {}
    for c, u, codes in zip(sub["coder"], sub["unit_id"], sub["codes"]):
        coded[ci[c], ui[u]] = True
        sets[(ci[c], ui[u])] = codes
    return _Var(coders, units, coded, sets)


def _single_matrix(vm: _Var, variable: str, allowed: Sequence[str]) -> np.ndarray:
    index = {c: i for i, c in enumerate(allowed)}
    x = np.full(vm.coded.shape, -1, dtype=np.int64)
    for (c, u), codes in vm.sets.items():
        if len(codes) == 0:
            continue  # an empty answer to a single-choice question counts as not coded
        if len(codes) > 1:
            raise InputError("decisions", f"single-choice variable {variable!r} has several codes {list(codes)}",
                             record=f"unit {vm.units[u]!r}, coder {vm.coders[c]!r}")
        if codes[0] not in index:
            raise InputError("decisions", f"code {codes[0]!r} is not a code of {variable!r} {list(allowed)}",
                             record=f"unit {vm.units[u]!r}, coder {vm.coders[c]!r}")
        x[c, u] = index[codes[0]]
    return x


def _multi_presence(vm: _Var, variable: str, allowed: Sequence[str]) -> np.ndarray:
    """(K, C, N) int: 1 present, 0 absent, -1 not coded."""
    index = {c: i for i, c in enumerate(allowed)}
    p = np.zeros((len(allowed),) + vm.coded.shape, dtype=np.int64)
    for (c, u), codes in vm.sets.items():
        for code in codes:
            if code not in index:
                raise InputError("decisions", f"code {code!r} is not a code of {variable!r} {list(allowed)}",
                                 record=f"unit {vm.units[u]!r}, coder {vm.coders[c]!r}")
            p[index[code], c, u] = 1
    p[:, ~vm.coded] = -1
    return p


def reliability_data(decisions: pd.DataFrame, variable: str, kind: str, *, code: str | None = None,
                     units: Iterable[str] | None = None) -> pd.DataFrame:
    """Coders x units table for one variable (single) or one code (multi: 1 present, 0 absent); NaN = not coded."""
    df = _restrict(_check_decisions(decisions), units)
    vm = _variable_matrix(df, variable)
    if kind == "single":
        vals = np.full(vm.coded.shape, np.nan, dtype=object)
        for (c, u), codes in vm.sets.items():
            if len(codes) == 1:
                vals[c, u] = codes[0]
            elif len(codes) > 1:
                raise InputError("decisions", f"single-choice variable {variable!r} has several codes {list(codes)}",
                                 record=f"unit {vm.units[u]!r}, coder {vm.coders[c]!r}")
        return pd.DataFrame(vals, index=vm.coders, columns=vm.units)
    if code is None:
        raise ValueError(f"variable {variable!r} is multi-choice: say which code")
    vals = np.full(vm.coded.shape, np.nan)
    for (c, u), codes in vm.sets.items():
        vals[c, u] = float(code in codes)
    return pd.DataFrame(vals, index=vm.coders, columns=vm.units)


def _row_features(x: np.ndarray, n_values: int) -> tuple[np.ndarray, np.ndarray]:
    counts = _counts(x, n_values)
    return counts, np.hstack([_count_features(counts), _pair_features(x, n_values)])


def _row_stats(counts: np.ndarray, sums: np.ndarray, n_values: int, n_categories: int, ci: float,
               domain: Sequence[str], present_label: str | None, *, level: str = "nominal",
               weights: np.ndarray | None = None) -> dict[str, Any]:
    m = counts.sum(1)
    pair = m >= 2
    width = n_values * n_values + 3 + n_values
    stats = _count_stats(sums[:, :width], n_values, n_categories)
    stats["cohen_kappa"] = _nanmean_rows(_pair_stats(sums[:, width:], n_values))
    if level == "ordinal" and weights is not None:
        stats["alpha"] = _alpha_w(counts, weights, "ordinal")  # codes ordered as in the codebook
    stats = {k: stats[k] for k in STATISTICS}
    row: dict[str, Any] = {}
    reasons: dict[str, str] = {}
    left_out: dict[str, int] = {}
    n_units = int(pair.sum())
    pooled = counts[pair].sum(0)
    for name, values in stats.items():
        point = values[0]
        if n_units == 0:
            reason = "no unit coded by two or more coders"
            point = math.nan
        elif np.isnan(point):
            used = np.flatnonzero(pooled > 0)
            if name == "cohen_kappa" and len(used) > 1:
                reason = "no pair of coders with variation on shared units"
            elif len(used) == 1 and present_label is not None:
                reason = "no variation: code " + ("used on every unit" if used[0] == 1 else "never used")
            elif len(used) == 1:
                reason = f"no variation: every value is {domain[used[0]]!r}"
            else:
                reason = "no variation between values"
        else:
            reason = None
        lo, hi, n_undef = _ci(values[1:], ci) if reason is None else (math.nan, math.nan, 0)
        row[name] = point
        row[f"{name}_ci_low"] = lo
        row[f"{name}_ci_high"] = hi
        if name == "alpha":
            boot = values[1:][~np.isnan(values[1:])]
            # Krippendorff's q: the chance that alpha falls below the smallest acceptable value
            for label, threshold in (("tentative", TENTATIVE), ("reliable", RELIABLE)):
                q = float((boot < threshold).mean()) if reason is None and len(boot) else math.nan
                row[f"alpha_p_below_{label}"] = q
        if reason is not None:
            reasons[name] = reason
            row[f"_{name}_reason"] = reason
        elif n_undef:
            left_out[name] = n_undef
    notes = []
    if reasons and len(set(reasons.values())) == 1 and len(reasons) == len(stats):
        notes.append(f"all statistics undefined: {next(iter(reasons.values()))}")
    else:
        notes += [f"{k}: {v}" for k, v in reasons.items()]
    if left_out:
        notes.append(f"resamples without variation left out of the intervals ({len(values) - 1} drawn): "
                     + ", ".join(f"{k} {v}" for k, v in left_out.items()))
    row["n_units"] = n_units
    row["n_values"] = int(m[pair].sum())
    tot = pooled.sum()
    if present_label is not None:
        row["prevalence"] = float(pooled[1] / tot) if tot else math.nan
    else:
        row["prevalence"] = float(pooled.max() / tot) if tot else math.nan
        row["modal_code"] = domain[int(pooled.argmax())] if tot else None
    row["notes"] = "; ".join(notes)
    return row


def agreement_table(decisions: pd.DataFrame, kinds: Mapping[str, str], codes: Mapping[str, Sequence[str]], *,
                    units: Iterable[str] | None = None, n_boot: int = 1000, seed: int,
                    ci: float = 0.95, levels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Agreement per single-choice variable and per (multi-choice variable, code).

    Columns: variable, kind, code (None for single-choice rows), alpha, cohen_kappa (mean over
    coder pairs), fleiss_kappa, ac1, percent_agreement, each with ``<stat>_ci_low``/``_ci_high``
    (percentile bootstrap over units, ``n_boot`` resamples from ``seed``), n_units (units with two
    or more coders), n_values, n_coders, prevalence (multi: share of values where the code is
    present; single: share of the most frequent code, named in modal_code),
    alpha_p_below_tentative / alpha_p_below_reliable (share of bootstrap alphas below .667 / .800,
    Krippendorff's q), verdict (from alpha) and notes (why a statistic is undefined, resamples
    left out). Undefined statistics are NaN with their reason in ``notes`` and in ``verdict``
    ("undefined: no variation: code never used").
    Rows follow the order of ``kinds`` and ``codes``. ``units`` restricts to a unit sample.
    ``levels`` may name single-choice variables whose codes are ordered (``{"gov_response":
    "ordinal"}``, order as in ``codes``): their alpha is then ordinal (column ``level``); the
    kappas, AC1 and percent agreement stay nominal.
    """
    for variable, level in (levels or {}).items():
        if level not in ("nominal", "ordinal"):
            raise ValueError(f"level of {variable!r} must be 'nominal' or 'ordinal' (codes are labels); got {level!r}")
        if kinds.get(variable) != "single":
            raise ValueError(f"only single-choice variables can be ordinal; {variable!r} is {kinds.get(variable)!r}")
    df = _restrict(_check_decisions(decisions), units)
    unknown = sorted(set(df["variable"]) - set(kinds))
    if unknown:
        log.info("variables without a kind are left out of the agreement table: %s", unknown)
    rows = []
    for variable, kind in kinds.items():
        if kind not in ("single", "multi"):
            raise ValueError(f"kind of {variable!r} must be 'single' or 'multi'; got {kind!r}")
        if variable not in codes:
            raise ValueError(f"no code list for variable {variable!r}")
        allowed = list(codes[variable])
        vm = _variable_matrix(df, variable)
        n = len(vm.units)
        seed_seq = [int(seed), zlib.crc32(variable.encode("utf-8"))]
        w = np.vstack([np.ones((1, n)), bootstrap_weights(n, n_boot, seed_seq)])
        n_coders = len(vm.coders)
        if kind == "single":
            specs = [(None, _single_matrix(vm, variable, allowed), len(allowed), allowed)]
        else:
            pres = _multi_presence(vm, variable, allowed)
            specs = [(code, pres[k], 2, ["absent", "present"]) for k, code in enumerate(allowed)]
        feats = [_row_features(x, nv) for _, x, nv, _ in specs]
        if feats:
            # one matrix product per variable: every code's unit features at once
            sums = w @ np.hstack([f for _, f in feats])
            edges = np.cumsum([0] + [f.shape[1] for _, f in feats])
        for i, ((code, _, nv, domain), (counts, _)) in enumerate(zip(specs, feats)):
            level = (levels or {}).get(variable, "nominal") if kind == "single" else "nominal"
            stats = _row_stats(counts, sums[:, edges[i]:edges[i + 1]], nv, nv, ci, domain,
                               None if kind == "single" else code, level=level, weights=w)
            rows.append({"variable": variable, "kind": kind, "code": code, "level": level,
                         "n_coders": n_coders, **stats})
    cols = ["variable", "kind", "code", "level"]
    for s in STATISTICS:
        cols += [s, f"{s}_ci_low", f"{s}_ci_high"]
    cols += ["alpha_p_below_tentative", "alpha_p_below_reliable",
             "n_units", "n_values", "n_coders", "prevalence", "modal_code", "verdict", "notes"]
    for r in rows:
        r["verdict"] = verdict(r["alpha"], r.get("_alpha_reason"))
    table = pd.DataFrame(rows)
    if table.empty:
        return pd.DataFrame(columns=cols)
    for c in cols:
        if c not in table.columns:
            table[c] = None
    return table[cols].reset_index(drop=True)


def relation_agreement(decisions: pd.DataFrame, *, units: Iterable[str] | None = None, n_boot: int = 1000,
                       seed: int, ci: float = 0.95) -> pd.DataFrame:
    """Agreement on relation targets (e.g. which complaint an official_followup answers).

    One row per variable that carries relation targets. Units enter when two or more coders gave
    a target; a coder without a target on a unit counts as not coded (that disagreement already
    shows in the variable's own row). Columns: variable, n_units, n_coders, alpha (nominal, the
    targets as values), alpha_ci_low/high (seeded unit bootstrap), percent_agreement, verdict, notes.
    """
    df = _restrict(_check_decisions(decisions), units)
    cols = ["variable", "n_units", "n_coders", "alpha", "alpha_ci_low", "alpha_ci_high", "percent_agreement",
            "verdict", "notes"]
    if "relation_target" not in df.columns:
        return pd.DataFrame(columns=cols)
    df = df[df["relation_target"].notna() & (df["relation_target"].astype(str) != "")]
    rows = []
    for variable, g in df.groupby("variable", sort=True):
        wide = g.pivot(index="coder", columns="unit_id", values="relation_target")
        wide = wide.sort_index(axis=0).sort_index(axis=1)
        x, dom = _encode(wide.to_numpy(dtype=object))
        counts = _counts(x, len(dom))
        n = counts.shape[0]
        seed_seq = [int(seed), zlib.crc32(f"{variable}/relation".encode("utf-8"))]
        w = np.vstack([np.ones((1, n)), bootstrap_weights(n, n_boot, seed_seq)])
        alpha = _alpha_w(counts, w)
        pa = _pa_w(counts, w)
        res = _result(alpha[0], counts, dom)
        lo, hi, _ = _ci(alpha[1:], ci) if res.defined else (math.nan, math.nan, 0)
        pa_res = _result(pa[0], counts, dom)
        rows.append({"variable": variable, "n_units": res.n_units, "n_coders": int(wide.shape[0]),
                     "alpha": res.value if res.defined else math.nan, "alpha_ci_low": lo, "alpha_ci_high": hi,
                     "percent_agreement": pa_res.value if pa_res.defined else math.nan,
                     "verdict": verdict(res.value, res.reason),
                     "notes": "" if res.defined else f"alpha: {res.reason}"})
    return pd.DataFrame(rows, columns=cols)


def confusion_matrix(decisions: pd.DataFrame, variable: str, coder_a: str, coder_b: str, *,
                     code: str | None = None, labels: Sequence[str] | None = None) -> pd.DataFrame:
    """Counts of units by coder_a's answer (rows) and coder_b's answer (columns), on units both coded.

    For a multi-choice variable each answer is the set of codes joined with "|" ("(none)" when
    empty), or with ``code=`` the presence of that one code ("present"/"absent"). ``labels`` fixes
    the order (and includes unused answers); default: sorted answers seen.
    """
    df = _check_decisions(decisions)
    sub = df[df["variable"] == variable]
    for who in (coder_a, coder_b):
        if not (sub["coder"] == who).any():
            raise ValueError(f"coder {who!r} has no decisions on variable {variable!r}")

    def label(codes: tuple[str, ...]) -> str:
        if code is not None:
            return "present" if code in codes else "absent"
        return "|".join(codes) if codes else NO_CODE

    a = sub[sub["coder"] == coder_a].set_index("unit_id")["codes"].map(label)
    b = sub[sub["coder"] == coder_b].set_index("unit_id")["codes"].map(label)
    both = a.index.intersection(b.index).sort_values()
    a, b = a.loc[both], b.loc[both]
    if labels is None:
        labels = ["absent", "present"] if code is not None else sorted(set(a) | set(b))
    labels = list(labels)
    out = pd.DataFrame(0, index=pd.Index(labels, name=coder_a), columns=pd.Index(labels, name=coder_b), dtype="int64")
    for x, y in zip(a, b):
        if x not in out.index or y not in out.columns:
            raise ValueError(f"answer {x!r} or {y!r} is not among labels {labels}")
        out.loc[x, y] += 1
    return out


def _fmt(codes: tuple[str, ...] | None) -> str:
    if codes is None:
        return NOT_CODED
    return "|".join(codes) if codes else NO_CODE


def disagreements(decisions: pd.DataFrame, kinds: Mapping[str, str], *,
                  units: Iterable[str] | None = None) -> pd.DataFrame:
    """The reconciliation sheet: every (unit, variable) on which the coders who coded it differ.

    Columns: unit_id, unit_type, variable, kind, one ``codes_<coder>`` column per coder ("a|b",
    "(none)" for an empty answer, "(not coded)"), and empty ``decision``, ``reason`` and
    ``reconciler`` columns for the reconciler. Sorted by variable then unit. Memos are left out:
    they may quote citizens.
    """
    df = _restrict(_check_decisions(decisions), units)
    df = df[df["variable"].isin(list(kinds))]
    coders = sorted(df["coder"].unique())
    rows = []
    for (variable, unit), g in df.groupby(["variable", "unit_id"], sort=True):
        answers = dict(zip(g["coder"], g["codes"]))
        if len(answers) < 2 or len(set(answers.values())) < 2:
            continue
        row = {"unit_id": unit, "unit_type": g["unit_type"].iloc[0], "variable": variable, "kind": kinds[variable]}
        for c in coders:
            row[f"codes_{c}"] = _fmt(answers.get(c))
        row.update(decision="", reason="", reconciler="")
        rows.append(row)
    cols = (["unit_id", "unit_type", "variable", "kind"] + [f"codes_{c}" for c in coders]
            + ["decision", "reason", "reconciler"])
    return pd.DataFrame(rows, columns=cols)


def _fixed_zip(data: bytes, when: _dt.datetime) -> bytes:
    """Rewrite a zip so that member timestamps and attributes are fixed."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zi.create_system = 0
            dst.writestr(zi, src.read(info.filename), compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return out.getvalue()


def xlsx_bytes(df: pd.DataFrame, sheet: str = "disagreements") -> bytes:
    """A one-sheet xlsx of ``df`` whose bytes depend only on the data (fixed document times)."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    when = _dt.datetime.fromtimestamp(source_date_epoch(), tz=_dt.timezone.utc).replace(tzinfo=None)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([str(c) for c in df.columns])
    for rec in df.itertuples(index=False):
        ws.append([None if (v is None or (isinstance(v, float) and math.isnan(v))) else
                   (v if isinstance(v, (int, float, str)) else str(v)) for v in rec])
    ws.freeze_panes = "A2"
    wb.properties.creator = "civicposts"
    wb.properties.lastModifiedBy = "civicposts"
    wb.properties.created = when
    wb.properties.modified = when
    buf = io.BytesIO()
    # openpyxl's save_workbook stamps "modified" with the clock; its ExcelWriter does not.
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    return _fixed_zip(buf.getvalue(), when)


def write_disagreement_sheet(df: pd.DataFrame, csv_path: str | Path, xlsx_path: str | Path) -> tuple[Path, Path]:
    """Write the reconciliation sheet as CSV (UTF-8 with BOM, for spreadsheets) and xlsx.

    Both are written atomically through civicposts.iorw and are byte-identical for the same data.
    """
    p1 = write_csv(csv_path, df, bom=True)
    p2 = write_bytes(xlsx_path, xlsx_bytes(df))
    log.info("wrote disagreement sheet (%d rows) to %s and %s", len(df), p1, p2)
    return p1, p2


# ---------------------------------------------------------------------------------------------
# Adjudication
# ---------------------------------------------------------------------------------------------

def _parse_codes(value: Any, path: str, record: str) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)):
        if any(not isinstance(v, str) or not v.strip() for v in value):
            raise InputError(path, f"codes must be a list of non-empty strings; got {value!r}", record=record)
        return tuple(sorted(v.strip() for v in value))
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise InputError(path, "codes are missing", record=record)
    if isinstance(value, str):
        text = value.strip()
        if text in ("", ):
            raise InputError(path, "codes are empty (write (none) for an empty answer)", record=record)
        if text == NO_CODE:
            return ()
        parts = [p.strip() for p in text.split("|")]
        if any(not p for p in parts):
            raise InputError(path, f"codes {value!r} contain an empty code", record=record)
        return tuple(sorted(parts))
    raise InputError(path, f"codes must be a list or a '|'-joined string; got {value!r}", record=record)


def read_adjudications(path: str | Path, *, codes: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """Read reconcilers' decisions from JSON Lines or CSV.

    Fields: unit_id, variable, codes (JSON list, or "|"-joined in CSV; "(none)" for an empty
    answer), reconciler, reason, timestamp (ISO-8601; optional in CSV). A filled-in
    reconciliation sheet also reads: its ``decision`` column stands for ``codes`` and rows with an
    empty decision are skipped. ``codes`` (variable -> code ids) checks every code. Returns those
    columns plus source_file and record (1-based line or row) for later messages.
    """
    path = Path(path)
    name = str(path)
    rows: list[dict[str, Any]] = []
    if not path.exists():
        raise InputError(name, "file not found")
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        for i, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(name, f"not valid JSON ({exc.msg} at column {exc.colno})", record=i) from None
            if not isinstance(obj, dict):
                raise InputError(name, "each line must be a JSON object", record=i)
            obj["record"] = i
            rows.append(obj)
    elif path.suffix.lower() == ".csv":
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        if "codes" not in raw.columns and "decision" in raw.columns:
            raw = raw.rename(columns={"decision": "codes"})
            raw = raw[raw["codes"].str.strip() != ""]
        for i, rec in zip(raw.index, raw.to_dict("records")):
            rec["record"] = int(i) + 2  # header is line 1
            if rec.get("timestamp", "") == "":
                rec["timestamp"] = None
            rows.append(rec)
    else:
        raise InputError(name, f"unknown adjudication file type {path.suffix!r}; use .jsonl or .csv")
    required = ("unit_id", "variable", "codes", "reconciler", "reason")
    out = []
    for rec in rows:
        record = rec["record"]
        for field in required:
            if field not in rec:
                raise InputError(name, f"missing field {field!r}", record=record)
        for field in ("unit_id", "variable", "reconciler"):
            if not isinstance(rec[field], str) or not rec[field].strip():
                raise InputError(name, f"field {field!r} must be a non-empty string; got {rec[field]!r}", record=record)
        where = f"{record} (unit {rec['unit_id']!r}, variable {rec['variable']!r})"
        parsed = _parse_codes(rec["codes"], name, where)
        if codes is not None:
            if rec["variable"] not in codes:
                raise InputError(name, f"unknown variable {rec['variable']!r}", record=where)
            unknown = [c for c in parsed if c not in codes[rec["variable"]]]
            if unknown:
                raise InputError(name, f"unknown code(s) {unknown} for {rec['variable']!r}", record=where)
        ts = rec.get("timestamp")
        if ts is not None and not (isinstance(ts, float) and math.isnan(ts)):
            try:
                ts = pd.Timestamp(ts)
            except (ValueError, TypeError):
                raise InputError(name, f"timestamp {rec.get('timestamp')!r} is not ISO-8601", record=where) from None
            ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
        else:
            ts = pd.NaT
        reason = rec["reason"]
        out.append({"unit_id": rec["unit_id"].strip(), "variable": rec["variable"].strip(), "codes": parsed,
                    "reconciler": rec["reconciler"].strip(), "reason": "" if reason is None else str(reason),
                    "timestamp": ts, "source_file": name, "record": record})
    df = pd.DataFrame(out, columns=list(ADJUDICATION_COLUMNS) + ["source_file", "record"])
    df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True)
    return df


def read_all_adjudications(paths: Iterable[str | Path], *,
                           codes: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame | None:
    """The reconcilers' decisions from those of ``paths`` that exist, in order; None if none exists."""
    found = [Path(p) for p in paths if Path(p).exists()]
    if not found:
        return None
    return pd.concat([read_adjudications(p, codes=codes) for p in found], ignore_index=True)


def final_status(final: pd.DataFrame) -> pd.DataFrame:
    """Units per unit type, variable and status (agreed, adjudicated, single coder, unresolved)
    in the final coded data set from ``apply_adjudications``."""
    return final.groupby(["unit_type", "variable", "status"]).size().rename("units").reset_index()


def apply_adjudications(decisions: pd.DataFrame, adjudications: pd.DataFrame | None) -> pd.DataFrame:
    """The final coded data set: one row per (unit, variable).

    ``status`` is "adjudicated" (a reconciler's codes; the latest by timestamp, then file order,
    wins), "agreed" (all coders gave the same codes), "single_coder" (one coder only) or
    "unresolved" (coders differ and nobody adjudicated; codes None). Columns: unit_id, unit_type,
    variable, codes, status, n_coders, reconciler, reason, relation_target (kept when all coders
    gave the same target).
    """
    df = _check_decisions(decisions)
    adj = pd.DataFrame() if adjudications is None else adjudications.copy()
    if len(adj):
        adj["_order"] = range(len(adj))
        adj = adj.sort_values(["timestamp", "_order"], kind="stable", na_position="first")
        adj = adj.drop_duplicates(["unit_id", "variable"], keep="last").set_index(["unit_id", "variable"])
    has_rel = "relation_target" in df.columns
    rows = []
    seen = set()
    for (unit, variable), g in df.groupby(["unit_id", "variable"], sort=True):
        seen.add((unit, variable))
        answers = list(g["codes"])
        targets = set(g["relation_target"].dropna()) if has_rel else set()
        row = {"unit_id": unit, "unit_type": g["unit_type"].iloc[0], "variable": variable,
               "n_coders": len(answers), "reconciler": None, "reason": None,
               "relation_target": next(iter(targets)) if len(targets) == 1 and
               g["relation_target"].notna().all() else None}
        if len(adj) and (unit, variable) in adj.index:
            a = adj.loc[(unit, variable)]
            row.update(codes=tuple(a["codes"]), status="adjudicated", reconciler=a["reconciler"], reason=a["reason"])
        elif len(set(answers)) == 1:
            row.update(codes=answers[0], status="agreed" if len(answers) > 1 else "single_coder")
        else:
            row.update(codes=None, status="unresolved")
        rows.append(row)
    if len(adj):
        stray = [k for k in adj.index if k not in seen]
        if stray:
            u, v = stray[0]
            a = adj.loc[(u, v)]
            raise InputError(a.get("source_file", "adjudications"),
                             f"adjudication for unit {u!r}, variable {v!r} matches no coded unit",
                             record=a.get("record"))
    cols = ["unit_id", "unit_type", "variable", "codes", "status", "n_coders", "reconciler", "reason",
            "relation_target"]
    final = pd.DataFrame(rows, columns=cols)
    n_open = int((final["status"] == "unresolved").sum())
    if n_open:
        log.info("%d coded (unit, variable) pairs are unresolved", n_open)
    return final


# ---------------------------------------------------------------------------------------------
# Student mode
# ---------------------------------------------------------------------------------------------

def _reference_answers(reference: pd.DataFrame) -> dict[tuple[str, str], tuple[str, ...]]:
    ref = {}
    for (unit, variable), g in reference.groupby(["unit_id", "variable"], sort=True):
        answers = set(g["codes"])
        if len(answers) == 1:
            ref[(unit, variable)] = answers.pop()
        else:
            log.info("reference coders disagree on unit %s, variable %s: left out of feedback", unit, variable)
    return ref


def student_feedback(student_decisions: pd.DataFrame, reference_decisions: pd.DataFrame,
                     kinds: Mapping[str, str], definitions: Mapping[tuple[str, str], str]) -> pd.DataFrame:
    """Feedback for each student coder against reference codes.

    Two kinds of rows (column ``row``):

    - "summary": per student and variable (single-choice, code empty) and per student, variable
      and code (presence or absence of the code, for both kinds; codes from ``definitions`` are
      listed even when nobody used them): n_units compared, agreement (share of units where the
      student matches the reference) and cohen_kappa (NaN with ``note`` when undefined).
    - "disagreement": per unit where the student differs: the student's and the reference
      answer, the code in question, and the codebook ``definitions`` of the student's code and
      of the reference code, so the student can see which definition applied.

    Reference units where reference coders disagree are left out.
    """
    stu = _check_decisions(student_decisions, "student decisions")
    ref = _reference_answers(_check_decisions(reference_decisions, "reference decisions"))

    def define(variable: str, code: str | None) -> str:
        if code is None:
            return ""
        return definitions.get((variable, code), f"(no definition for {code!r} in the codebook)")

    summary, detail = [], []
    for student, sg in stu.groupby("coder", sort=True):
        for variable, kind in kinds.items():
            vg = sg[sg["variable"] == variable]
            pairs = [(u, c, ref[(u, variable)]) for u, c in zip(vg["unit_id"], vg["codes"]) if (u, variable) in ref]
            pairs.sort()
            if not pairs:
                continue
            if kind == "single":
                a = [c[0] if c else None for _, c, _ in pairs]
                b = [r[0] if r else None for _, _, r in pairs]
                k = cohen_kappa(a, b)
                agree = float(np.mean([x == y for x, y in zip(a, b)]))
                summary.append({"row": "summary", "coder": student, "variable": variable, "code": None,
                                "n_units": len(pairs), "agreement": agree, "cohen_kappa": k.value,
                                "note": k.reason or ""})
                for (unit, s, r), x, y in zip(pairs, a, b):
                    if x != y:
                        detail.append({"row": "disagreement", "coder": student, "variable": variable, "code": None,
                                       "unit_id": unit, "student_codes": _fmt(s), "reference_codes": _fmt(r),
                                       "student_code": x, "reference_code": y,
                                       "student_definition": define(variable, x),
                                       "reference_definition": define(variable, y),
                                       "note": f"you chose {x!r}; the reference chose {y!r}"})
            codes_seen = sorted({c for _, s, r in pairs for c in (*s, *r)} |
                                {code for (v, code) in definitions if v == variable})
            for code in codes_seen:
                a = ["present" if code in s else "absent" for _, s, _ in pairs]
                b = ["present" if code in r else "absent" for _, _, r in pairs]
                k = cohen_kappa(a, b)
                summary.append({"row": "summary", "coder": student, "variable": variable, "code": code,
                                "n_units": len(pairs), "agreement": float(np.mean(np.equal(a, b))),
                                "cohen_kappa": k.value, "note": k.reason or ""})
                if kind == "single":
                    continue  # single-choice disagreements are listed once per unit above
                for (unit, s, r), x, y in zip(pairs, a, b):
                    if x != y:
                        x, y = x == "present", y == "present"
                        detail.append({"row": "disagreement", "coder": student, "variable": variable, "code": code,
                                       "unit_id": unit, "student_codes": _fmt(s), "reference_codes": _fmt(r),
                                       "student_code": code if x else None, "reference_code": code if y else None,
                                       "student_definition": define(variable, code) if x else "",
                                       "reference_definition": define(variable, code) if y else "",
                                       "note": (f"you coded {code!r}; the reference did not" if x else
                                                f"the reference coded {code!r}; you did not")})
    cols = ["row", "coder", "variable", "code", "unit_id", "n_units", "agreement", "cohen_kappa",
            "student_codes", "reference_codes", "student_code", "reference_code",
            "student_definition", "reference_definition", "note"]
    out = pd.DataFrame(summary + detail, columns=cols)
    if out.empty:
        return out
    out["_o"] = out["row"].map({"summary": 0, "disagreement": 1})
    out = out.sort_values(["coder", "_o", "variable", "code", "unit_id"], kind="stable", na_position="first")
    return out.drop(columns="_o").reset_index(drop=True)
