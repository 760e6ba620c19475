"""Benchmark: generating the FICTIONAL demo corpus (civicposts_demo).

Goal: the whole demo (5,000 posts: plan, instaloader files, answer key, sample, simulated
coders) in a few seconds on a 2-core machine, so tests/test_demo.py can regenerate it and
compare byte for byte. Prints one table; run by `make bench`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import civicposts_demo as demo  # noqa: E402


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def cpu_timed(fn, *args, **kwargs):
    t0 = time.process_time()
    out = fn(*args, **kwargs)
    return out, time.process_time() - t0


def main() -> int:
    rows = []
    for n in (1000, 5000):
        (posts, citizens), t_plan = timed(demo._plan, n, demo.DEFAULT_SEED, "2020-01-01", "2021-02-28")
        files, t_files = timed(demo._corpus_files, posts, citizens, demo.DEFAULT_SEED, set())
        with tempfile.TemporaryDirectory() as tmp:
            _, t_write = timed(demo._replace_folder, Path(tmp) / "x", files)
        _, cpu_render = cpu_timed(demo.render, n_posts=n)
        with tempfile.TemporaryDirectory() as tmp:
            _, t_build = timed(demo.build, tmp, n_posts=n)
            size = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
            count = sum(1 for p in Path(tmp).rglob("*") if p.is_file())
        rows.append((n, t_plan, t_files, t_write, cpu_render, t_build, count, size / 1e6))
    print(f"{'posts':>6} {'plan s':>7} {'encode s':>9} {'write s':>8} {'render cpu s':>13} {'build s':>8} "
          f"{'files':>6} {'MB':>6}")
    for n, a, b, c, r, d, k, mb in rows:
        print(f"{n:>6} {a:>7.2f} {b:>9.2f} {c:>8.2f} {r:>13.2f} {d:>8.2f} {k:>6} {mb:>6.2f}")
    print("wall times (s) depend on machine load; render cpu s is CPU time of demo.render()")
    verdict = "met" if rows[-1][4] <= 10 else "MISSED"
    print(f"goal: render of 5000 posts in <= 10 s CPU ({verdict}); output a few MB ({rows[-1][7]:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
