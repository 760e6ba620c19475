"""Agreement on a decisions table: per variable and code, on follow-up links, as confusion matrices.

A decisions table follows :data:`civicposts.schema.DECISIONS` (unit_id, unit_type, variable,
coder, codes (sorted tuple), memo, relation_target, timestamp, ...).

- ``agreement_table``: one row per single-choice variable and per (multi-choice variable, code),
  each statistic with a seeded percentile bootstrap interval (units resampled with replacement;
  one resampling of the units per variable, shared by all its codes).
- ``relation_agreement``: agreement on follows_up targets.
- ``confusion_matrix``: two coders' answers cross-tabulated.
"""

from __future__ import annotations

import logging
import math
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..tables.views import view

log = logging.getLogger(__name__)

from .stats import (
    RELIABLE,
    STATISTICS,
    TENTATIVE,
    _alpha_w,
    _ci,
    _count_features,
    _count_stats,
    _counts,
    _encode,
    _nanmean_rows,
    _pa_w,
    _pair_features,
    _pair_stats,
    _result,
    bootstrap_weights,
    verdict,
)

log = logging.getLogger("civicposts.reliability")

DECISION_COLUMNS = ("unit_id", "unit_type", "variable", "coder", "codes")
NOT_CODED = "(not coded)"
NO_CODE = "(none)"


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


# how Table 7 reads (the CSV keeps every digit): coefficients to 3 decimals, each interval as "[.57, .79]",
# and on landscape pages, wide enough for the statistics a reviewer compares side by side
@view(formats={"alpha": "coef", "cohen_kappa": "coef", "fleiss_kappa": "coef", "ac1": "coef",
               "percent_agreement": "share", "prevalence": "share", "n_units": "int", "n_values": "int",
               "n_coders": "int", "alpha_p_below_tentative": "coef", "alpha_p_below_reliable": "coef",
               "percent_agreement 95% CI": "share"},
      intervals={f"{c} 95% CI": (f"{c}_ci_low", f"{c}_ci_high")
                 for c in ("alpha", "cohen_kappa", "fleiss_kappa", "ac1", "percent_agreement")},
      columns=("variable", "code", "alpha", "alpha 95% CI", "cohen_kappa", "fleiss_kappa", "ac1", "ac1 95% CI",
               "percent_agreement", "alpha_p_below_tentative", "n_units", "n_coders", "prevalence", "verdict"),
      names={"alpha": "α", "alpha 95% CI": "α 95% CI", "cohen_kappa": "Cohen's κ",
             "cohen_kappa 95% CI": "Cohen's κ 95% CI",
             "fleiss_kappa": "Fleiss' κ", "fleiss_kappa 95% CI": "Fleiss' κ 95% CI", "ac1": "Gwet's AC1",
             "ac1 95% CI": "AC1 95% CI", "percent_agreement": "agreement",
             "percent_agreement 95% CI": "agreement 95% CI",
             "alpha_p_below_tentative": f"p(α < {TENTATIVE:.3f})".replace("0.", "."),
             "alpha_p_below_reliable": f"p(α < {RELIABLE:.3f})".replace("0.", "."), "n_units": "units",
             "n_values": "values", "n_coders": "coders", "modal_code": "modal code"},
      landscape=True)
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


@view(default="int")
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
