"""Seeded, stratified sampling of coding units, with a double-coded overlap subsample.

Allocation is proportional to stratum size with the largest-remainder (Hamilton) rounding:
each stratum gets ``floor(n * N_s / N)`` units, and the units still missing to reach ``n`` go,
one each, to the strata with the largest fractional remainders ``n * N_s / N - floor(...)``;
ties go to the stratum whose key sorts first. The quotas therefore sum exactly to ``n`` and no
stratum's quota differs from its exact proportional share by one unit or more. The overlap
subsample (units every coder codes, for reliability) is allocated the same way across the
strata of the drawn sample.

Randomness comes only from ``numpy.random.default_rng(seed)``, consumed in a fixed order
(strata in sorted key order, units in unit_id order), so the same units, n, overlap_n and seed
always give the same sample, whatever the input row order.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import ConfigError

log = logging.getLogger(__name__)


def largest_remainder(sizes: pd.Series, n: int) -> pd.Series:
    """Allocate ``n`` across strata proportionally to ``sizes`` (index = stratum keys, sorted)
    by the largest-remainder method; returns integer quotas with the same index summing to ``n``."""
    sizes = sizes.sort_index()
    total = int(sizes.sum())
    if n > total:
        raise ConfigError(f"cannot draw {n} units from {total}")
    if n == 0 or total == 0:
        return pd.Series(0, index=sizes.index, dtype="int64")
    # Exact arithmetic on integers: quota_s = n * N_s / total.
    num = sizes.astype("int64").to_numpy() * n
    floor = num // total
    rem = num - floor * total  # remainder numerators, comparable across strata
    missing = n - int(floor.sum())
    # Stable sort on -rem keeps sorted-key order among ties.
    order = np.argsort(-rem, kind="stable")
    extra = np.zeros_like(floor)
    extra[order[:missing]] = 1
    return pd.Series(floor + extra, index=sizes.index, dtype="int64")


def allocation(units: pd.DataFrame, n: int, *, strata: Sequence[str] = ("month", "pre_type")) -> pd.DataFrame:
    """The allocation table for the report: stratum columns, population, exact (fractional)
    quota, allocated (integer) and the remainder that decided the rounding."""
    strata = _check(units, n, 0, strata)
    key = _stratum_key(units, strata)
    sizes = key.value_counts().sort_index()
    alloc = largest_remainder(sizes, n)
    firsts = units.assign(stratum=key.to_numpy()).drop_duplicates("stratum").set_index("stratum")
    out = pd.DataFrame({"stratum": sizes.index.to_numpy()})
    for s in strata:
        out[s] = firsts.loc[out["stratum"], s].to_numpy()
    out["population"] = sizes.to_numpy().astype("int64")
    out["exact_quota"] = out["population"] * n / len(units)
    out["remainder"] = out["exact_quota"] - np.floor(out["exact_quota"])
    out["allocated"] = alloc.to_numpy()
    return out


def draw_sample(units: pd.DataFrame, n: int, *, overlap_n: int, seed: int,
                strata: Sequence[str] = ("month", "pre_type")) -> pd.DataFrame:
    """Draw ``n`` units, stratified by ``strata`` with proportional largest-remainder allocation.

    Returns the sampled rows (all columns of ``units``) plus ``stratum`` (the joined key),
    ``overlap`` (True for the ``overlap_n`` units to be coded by every coder, allocated
    proportionally across strata too) and ``order`` (1..n, a seeded random coding order, so
    coders do not work through the corpus chronologically), sorted by ``order``.
    Raises ConfigError for impossible sizes or missing stratum columns.
    """
    strata = _check(units, n, overlap_n, strata)
    rng = np.random.default_rng(seed)
    ordered = units.sort_values("unit_id", kind="mergesort")
    key = _stratum_key(ordered, strata)
    sizes = key.value_counts().sort_index()
    quotas = largest_remainder(sizes, n)
    keys = key.to_numpy()
    picked: list[np.ndarray] = []
    for stratum, q in quotas.items():
        if q == 0:
            continue
        members = np.flatnonzero(keys == stratum)  # positions in unit_id order
        picked.append(np.sort(rng.choice(members, size=int(q), replace=False)))
    pos = np.sort(np.concatenate(picked)) if picked else np.array([], dtype=np.int64)
    sample = ordered.iloc[pos].assign(stratum=keys[pos])

    over_quotas = largest_remainder(sample["stratum"].value_counts().sort_index(), overlap_n)
    overlap = np.zeros(len(sample), dtype=bool)
    for stratum, q in over_quotas.items():
        if q == 0:
            continue
        pos = np.flatnonzero(sample["stratum"].to_numpy() == stratum)
        overlap[rng.choice(pos, size=int(q), replace=False)] = True
    sample["overlap"] = overlap
    sample["order"] = (rng.permutation(len(sample)) + 1).astype("int64")
    sample = sample.sort_values("order", kind="mergesort").reset_index(drop=True)
    log.info("sample of %d from %d units in %d strata (seed %d); %d double-coded", len(sample), len(units),
             int((quotas > 0).sum()), seed, int(sample["overlap"].sum()))
    return sample


@dataclass(frozen=True)
class SampleSize:
    """How many units to draw and double-code, and what was adjusted to fit the corpus (for the report)."""

    n: int
    overlap_n: int
    notes: tuple[str, ...] = ()


def sample_size(request: int | float | str, available: int, overlap_request: int) -> SampleSize:
    """The sample size a study asks for, fitted to the ``available`` units.

    ``request`` is a number of units, a fraction in (0, 1] of the corpus, or ``"all"``; a request
    larger than the corpus is clipped to it, and an overlap larger than the sample to the sample,
    each with a note saying so (never an error: a small corpus is still a study).
    """
    notes = []
    if isinstance(request, str):
        if request.strip().lower() != "all":
            raise ConfigError(f"sample_n {request!r} is neither a number, a fraction nor 'all'")
        n = available
    elif isinstance(request, float):
        if not 0 < request <= 1:
            raise ConfigError(f"sample_n {request!r}: a fraction must be in (0, 1]")
        n = int(round(request * available))
        notes.append(f"sample_n {request:g} of {available} units gives {n}")
    elif isinstance(request, (int, np.integer)) and not isinstance(request, bool) and request >= 0:
        n = int(request)
        if n > available:
            notes.append(f"sample_n {n} is more than the {available} units in the corpus: all {available} are coded")
            n = available
    else:
        raise ConfigError(f"sample_n must be a non-negative whole number, a fraction or 'all', got {request!r}")
    overlap_n = int(overlap_request)
    if overlap_n > n:
        notes.append(f"overlap_n {overlap_n} is more than the sample of {n}: every sampled unit is double-coded")
        overlap_n = n
    for note in notes:
        log.warning("sampling: %s", note)
    return SampleSize(n, overlap_n, tuple(notes))


def _stratum_key(df: pd.DataFrame, strata: Sequence[str]) -> pd.Series:
    if not strata:
        return pd.Series("all", index=df.index)
    parts = [df[s].astype(str) for s in strata]
    key = parts[0]
    for p in parts[1:]:
        key = key + " / " + p
    return key


def _check(units: pd.DataFrame, n: int, overlap_n: int, strata: Sequence[str]) -> tuple[str, ...]:
    strata = (strata,) if isinstance(strata, str) else tuple(strata)
    missing = [s for s in (*strata, "unit_id") if s not in units.columns]
    if missing:
        raise ConfigError(f"sampling: unit table lacks column(s) {', '.join(missing)} "
                          f"(strata {list(strata)}); build units with civicposts.units.post_units")
    if units["unit_id"].duplicated().any():
        dup = units.loc[units["unit_id"].duplicated(), "unit_id"].iloc[0]
        raise ConfigError(f"sampling: unit_id {dup!r} occurs more than once in the unit table")
    for name, value in (("n", n), ("overlap_n", overlap_n)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ConfigError(f"sampling: {name} must be a non-negative integer, got {value!r}")
    if n > len(units):
        raise ConfigError(f"sampling: n={n} exceeds the {len(units)} units available")
    if overlap_n > n:
        raise ConfigError(f"sampling: overlap_n={overlap_n} exceeds the sample size n={n}")
    for s in strata:
        if units[s].isna().any():
            raise ConfigError(f"sampling: stratum column {s!r} has missing values")
    return strata
