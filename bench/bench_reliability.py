"""Benchmark: Krippendorff's alpha with 1,000 bootstrap resamples, 40 codes x 500 units x 3 coders.

Target (issue 5): <= 5 s on 2 cores. Data are SIMULATED coders (seeded), no corpus needed.
Prints a table: case, seconds (best of 3 runs), target, ok.
Run: .venv/bin/python bench/bench_reliability.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # benchmark this checkout's code
from civicposts import reliability as rel  # noqa: E402

N_CODES, N_UNITS, CODERS, N_BOOT, SEED = 40, 500, ("a", "b", "c"), 1000, 20210202
TARGET_S = 5.0


def simulated_decisions(seed: int = 1) -> tuple[pd.DataFrame, list[np.ndarray]]:
    """SIMULATED coders: each code has its own prevalence; each coder errs on 10% of units."""
    rng = np.random.default_rng(seed)
    codes = [f"code_{k:02d}" for k in range(N_CODES)]
    prevalence = rng.uniform(0.02, 0.5, N_CODES)
    truth = rng.random((N_UNITS, N_CODES)) < prevalence
    matrices = []
    rows = []
    per_coder = []
    for c in CODERS:
        flips = rng.random((N_UNITS, N_CODES)) < 0.1
        per_coder.append(truth ^ flips)
    for k in range(N_CODES):
        m = np.array([pc[:, k] for pc in per_coder], dtype=float)
        m[2, rng.random(N_UNITS) < 0.1] = np.nan  # the third coder skipped some units
        matrices.append(m)
    for ci, c in enumerate(CODERS):
        for u in range(N_UNITS):
            if np.isnan(matrices[0][ci, u]):
                continue
            chosen = tuple(codes[k] for k in range(N_CODES) if per_coder[ci][u, k])
            rows.append({"unit_id": f"U{u:04d}", "unit_type": "post", "variable": "topic", "coder": c,
                         "codes": chosen, "memo": "", "relation_target": None,
                         "timestamp": pd.Timestamp("2021-03-01", tz="UTC")})
    # the skip pattern must be the same for every code (a skipped unit is skipped for the variable)
    skip = np.isnan(matrices[0][2])
    for m in matrices:
        m[2] = np.where(skip, np.nan, np.nan_to_num(m[2], nan=0.0))
        m[2, skip] = np.nan
    return pd.DataFrame(rows), matrices


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        rel.stats._bootstrap_weights.cache_clear()  # every run pays for drawing its resamples
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    decisions, matrices = simulated_decisions()
    kinds = {"topic": "multi"}
    codes = {"topic": [f"code_{k:02d}" for k in range(N_CODES)]}

    cases = [
        (f"alpha_ci: {N_CODES} codes x {N_UNITS} units x {len(CODERS)} coders, {N_BOOT} resamples",
         lambda: [rel.alpha_ci(m, n_boot=N_BOOT, seed=SEED) for m in matrices]),
        ("agreement_table (5 statistics + CIs): same data from a decisions table",
         lambda: rel.agreement_table(decisions, kinds, codes, n_boot=N_BOOT, seed=SEED)),
    ]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"# {os.cpu_count()} CPUs, load average {load:.1f} (other processes slow the timings)")
    print(f"{'case':<78} {'seconds':>8} {'target':>7} {'ok':>4}")
    for name, fn in cases:
        s = best_of(fn)
        print(f"{name:<78} {s:8.3f} {TARGET_S:7.1f} {'yes' if s <= TARGET_S else 'NO':>4}")


if __name__ == "__main__":
    main()
