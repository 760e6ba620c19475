"""Benchmark: a million generated (FICTIONAL) posts and comments, from one file to the cleaned tables.

- ``posts``: N posts of ``bench_clean.make_captions`` written once as one plain-layout CSV (the layout of
  ``civicposts.ingest.table``; kept in ``$TMPDIR/civicposts-bench/``), then, in a fresh process, what the
  command line does: ``civicposts.ingest.ingest`` of the file and ``clean_corpus`` of its posts
  (normalisation, pseudonyms and masks, exact and near duplicates, the promotion rule).
- ``comments``: N comments (captions of ``make_captions`` as comment texts, FICTIONAL commenters, under
  N/20 posts) in one Parquet table, then ``civicposts.comments.clean_comments``.

Each run is measured against a floor in the same process: reading the same file with pandas/Arrow and one
vectorized lowercase pass over its texts; and against the naive per-row route (indoNLP's ``replace_slang``
and ``emoji.demojize`` per text) timed on 500 texts and extrapolated. Memory is the peak of the summed PSS
of the process and its workers (``/proc/PID/smaps_rollup``, see ``bench_clean.TreeMemory``).

Usage: .venv/bin/python bench/bench_scale.py [posts|comments] [N ...]   (default: both, 1000000)
Goals (issue 15, 2 CPUs): each 1,000,000 in <= 60 s wall and <= 4 GB peak.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_clean import TreeMemory, baseline, make_captions  # noqa: E402

ALLOW = ["demo.kota.update", "demo.sekda.kota", "demo.pemkot", "demo.dinas.pupr"]
CACHE = Path(tempfile.gettempdir()) / "civicposts-bench"


def posts_csv(n: int) -> Path:
    """The N generated FICTIONAL posts as one plain-layout CSV (written once, then reused)."""
    path = CACHE / f"FICTIONAL-posts-{n}.csv"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    df = make_captions(n)
    rng = np.random.default_rng(5)
    tmp = path.with_suffix(".part")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["post_id", "account", "posted_at", "caption", "likes", "comments", "media_type"])
        likes = rng.integers(0, 5000, n)
        media = rng.choice(["image", "video", "carousel"], n)
        stamps = df["posted_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        w.writerows(zip(df["post_id"], df["account"], stamps, df["caption"], likes, likes // 10, media))
    tmp.rename(path)
    return path


def comments_parquet(n: int) -> Path:
    """N generated FICTIONAL comments under n/20 posts, as one Parquet table (written once)."""
    path = CACHE / f"FICTIONAL-comments-{n}.parquet"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    texts = make_captions(n, seed=11)
    rng = np.random.default_rng(6)
    posts = max(1, n // 20)
    df = pd.DataFrame({
        "comment_id": [f"FICTC{i:08d}" for i in range(n)],
        "post_id": [f"FICT{i:07d}" for i in rng.integers(0, posts, n)],
        "parent_id": None, "author": [f"warga.{i}" for i in rng.integers(0, n // 4 + 1, n)],
        "posted_at": texts["posted_at"], "text": texts["caption"], "likes": rng.integers(0, 50, n),
        "source_file": "generated",
    })
    df.to_parquet(path.with_suffix(".part"), index=False)
    path.with_suffix(".part").rename(path)
    return path


def run_posts(n: int) -> dict:
    from civicposts import clean as C
    from civicposts import ingest
    from civicposts.privacy import DEMO_KEY

    path = posts_csv(n)
    t0 = time.perf_counter()
    floor = pd.read_csv(path, dtype_backend="pyarrow", engine="pyarrow")["caption"].str.lower()
    t_floor = time.perf_counter() - t0
    del floor
    C.clean_text(["warm the lexicons"])
    t0 = time.perf_counter()
    with TreeMemory() as mem:
        posts = ingest.ingest(path).posts
        t_ingest = time.perf_counter() - t0
        cleaned, flow = C.clean_corpus(posts, period_start="2020-01-01", period_end="2021-02-28", allowlist=ALLOW,
                                       key=DEMO_KEY)
    wall = time.perf_counter() - t0
    return {"table": "posts", "n": n, "file_mb": round(path.stat().st_size / 1e6), "floor_s": round(t_floor, 2),
            "ingest_s": round(t_ingest, 2), "ingest_and_clean_s": round(wall, 2),
            "ratio_to_floor": round(wall / t_floor, 1), "peak_pss_all_mb": round(mem.peak_kb / 1024),
            "exact": int((cleaned["dup_kind"] == "exact").sum()), "near": int((cleaned["dup_kind"] == "near").sum()),
            "load_avg": round(os.getloadavg()[0], 2)}


def run_comments(n: int) -> dict:
    from civicposts import clean as C
    from civicposts.comments import clean_comments
    from civicposts.privacy import DEMO_KEY

    path = comments_parquet(n)
    t0 = time.perf_counter()
    floor = pd.read_parquet(path, dtype_backend="pyarrow")["text"].str.lower()
    t_floor = time.perf_counter() - t0
    del floor
    C.clean_text(["warm the lexicons"])
    t0 = time.perf_counter()
    with TreeMemory() as mem:
        comments = pd.read_parquet(path)
        ids = comments["post_id"].drop_duplicates()
        posts = pd.DataFrame({"post_id": ids, "analysed": True})
        cleaned, flow = clean_comments(comments, posts, allowlist=ALLOW, key=DEMO_KEY)
    wall = time.perf_counter() - t0
    return {"table": "comments", "n": n, "file_mb": round(path.stat().st_size / 1e6), "floor_s": round(t_floor, 2),
            "ingest_s": None, "ingest_and_clean_s": round(wall, 2), "ratio_to_floor": round(wall / t_floor, 1),
            "peak_pss_all_mb": round(mem.peak_kb / 1024), "exact": None, "near": None,
            "load_avg": round(os.getloadavg()[0], 2)}


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"]:
        run = run_posts if argv[1] == "posts" else run_comments
        print(json.dumps(run(int(argv[2]))))
        return 0
    kinds = [a for a in argv if a in ("posts", "comments")] or ["posts", "comments"]
    sizes = [int(a) for a in argv if a.isdigit()] or [1_000_000]
    rows = []
    for kind in kinds:
        for n in sizes:
            (posts_csv if kind == "posts" else comments_parquet)(n)  # generated before the clock starts
            res = subprocess.run([sys.executable, __file__, "--one", kind, str(n)], capture_output=True, text=True,
                                 check=True)
            r = json.loads(res.stdout.strip().splitlines()[-1])
            r["naive_per_row_s (extrapolated)"] = round(baseline(n), 1)
            rows.append(r)
            print(f"done {kind} n={n}: {r}", file=sys.stderr, flush=True)
    print("one file to cleaned tables, generated FICTIONAL data (seconds wall clock; peak PSS of all processes)")
    print(pd.DataFrame(rows).to_string(index=False))
    for r in rows:
        if r["n"] == 1_000_000:
            ok = r["ingest_and_clean_s"] <= 60 and r["peak_pss_all_mb"] <= 4096
            print(f"goal 1M {r['table']} <= 60 s and <= 4 GB: {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
