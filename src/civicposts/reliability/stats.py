"""Agreement statistics and their bootstrap intervals, on arrays of codes (no pandas needed).

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
- ``bootstrap_weights`` / ``alpha_ci``: seeded percentile bootstrap over units.

Every statistic returns an :class:`Agreement`: the value, or no value with the reason it is
undefined (e.g. ``"no variation: every value is 'absent'"``). ``float(result)`` gives the value
or raises :class:`UndefinedAgreement` with that reason, so nothing turns silently into NaN.
Verdicts follow Krippendorff (2004, p. 241): alpha >= .800 reliable, >= .667 tentative, else
unreliable. A new statistic is a kernel here plus a column in ``STATISTICS``.
"""

from __future__ import annotations

import functools
import itertools
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CivicpostsError

log = logging.getLogger(__name__)

log = logging.getLogger("civicposts.reliability")

LEVELS = ("nominal", "ordinal", "interval", "ratio")
RELIABLE = 0.800
TENTATIVE = 0.667
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
