"""Benchmark: cleaning N generated (FICTIONAL) captions with civicposts.clean.

Generates N Indonesian-style captions (seeded): complaint templates with slang, elongations,
reduplication with 2, emoji (incl. skin tones and ZWJ sequences), hashtags, @mentions, URLs,
phone numbers, some mojibake, ~8 % exact and ~4 % near reposts and ~5 % promotions. Then times,
each size in a fresh process (so peak memory is that size's own):

- ``clean_text``: ``civicposts.clean.clean_text`` on the captions (the text rules only);
- ``clean_corpus``: the whole ``clean_corpus`` (pseudonymize, clean, de-duplicate, flag, flow);

and a naive per-row baseline on a 500-caption sample, extrapolated to N: indoNLP's
``replace_slang`` + ``emoji.demojize(language="id")`` per caption.

Usage: .venv/bin/python bench/bench_clean.py [N ...]   (default: 5000 25000; try 250000 1000000)
Goals: 25,000 captions well under 3 s; 1,000,000 in <= 60 s and <= 4 GB peak.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

SEED = 20210227
WORDS = ("jalan rusak parah berlubang banjir genangan sampah menumpuk macet lampu mati padam air pdam bau "
         "selokan tersumbat warga pasar simpang lima kecamatan kelurahan mohon tolong segera ditindaklanjuti "
         "pemerintah kota dinas petugas sudah belum tidak diperbaiki kapan lagi sore pagi malam hujan deras "
         "kendaraan parkir liar angkot truk motor mobil jembatan trotoar gang lorong").split()
SLANG = "min bgt gk yg udah aja jgn trus tp sm blm krn gmn dr org lg skrg bener".split()
ELONG = ["bangeeet", "parahhh", "tolongggg", "minnn", "lamaaaa", "maaaaf"]
REDUP = ["jalan2", "diperbaiki2", "kata2nya", "anak2", "rumah2"]
EMOJI = ["😡", "🙏", "👍🏽", "😭", "🚧", "🌧️", "❤️", "👩‍🚒", "🤬", "🔥"]
TAGS = ["#palembang", "#JalanRusak", "#banjir", "#infopalembang", "#wongkito", "#sumsel", "#café", "#2021"]
MENT = ["@demo.sekda.kota", "@demo.pemkot", "@demo.dinas.pupr", "@warga.{}", "@user{}_plg"]


def make_captions(n: int, seed: int = SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    caps = []
    for i in range(n):
        k = int(rng.integers(8, 40))
        words = list(rng.choice(WORDS, size=k))
        for pool, p in ((SLANG, 0.5), (ELONG, 0.3), (REDUP, 0.3), (EMOJI, 0.6), (TAGS, 0.7), (MENT, 0.6)):
            while rng.random() < p:
                w = str(rng.choice(pool))
                words.insert(int(rng.integers(0, len(words) + 1)), w.format(int(rng.integers(0, 5000))))
        if rng.random() < 0.1:
            words.append("https://bit.ly/" + format(int(rng.integers(0, 1 << 30)), "x"))
        if rng.random() < 0.05:
            words += ["PAID", "PROMOTE", "ready", "stock", "hubungi", "WA", f"0812-{int(rng.integers(1000, 9999))}-5678"]
        if rng.random() < 0.02:
            words.append("rusakâ€¦")
        caps.append(" ".join(words))
    # reposts: exact (same text, other case/punctuation) and near (one word added)
    for i in range(n):
        r = rng.random()
        if i > 10 and r < 0.08:
            caps[i] = caps[int(rng.integers(0, i))].upper() + "!!"
        elif i > 10 and r < 0.12:
            caps[i] = caps[int(rng.integers(0, i))] + " repost"
    ts = pd.Timestamp("2020-01-01", tz="UTC") + pd.to_timedelta(np.sort(rng.integers(0, 400 * 86400, n)), unit="s")
    return pd.DataFrame({"post_id": [f"FICT{i:07d}" for i in range(n)], "account": "demo.kota.update",
                         "owner_id": "1", "posted_at": ts, "caption": caps, "source_file": "generated"})


class TreeMemory:
    """Peak memory of this process and all its children, sampled from the kernel's own accounting:
    the sum of PSS (``/proc/PID/smaps_rollup``), so pages forked workers share are counted once."""

    def __init__(self, interval: float = 0.2) -> None:
        import threading

        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    @staticmethod
    def _tree(pid: int) -> list[int]:
        out, todo = [], [pid]
        while todo:
            p = todo.pop()
            out.append(p)
            try:
                for t in Path(f"/proc/{p}/task").iterdir():
                    todo += [int(c) for c in (t / "children").read_text().split()]
            except OSError:
                pass
        return out

    def sample(self) -> int:
        import os

        total = 0
        for p in self._tree(os.getpid()):
            try:
                for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
            except OSError:
                pass
        self.peak_kb = max(self.peak_kb, total)
        return total

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.sample()

    def __enter__(self) -> "TreeMemory":
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def floor(df: pd.DataFrame) -> float:
    """The floor: one vectorized lowercase pass over the captions (Arrow strings)."""
    s = df["caption"].astype("string[pyarrow]")
    t0 = time.perf_counter()
    s.str.lower()
    return time.perf_counter() - t0


def run_one(n: int) -> dict:
    from civicposts import clean as C
    from civicposts import scale
    from civicposts.privacy import DEMO_KEY

    df = make_captions(n)
    t_floor = floor(df)
    C.clean_text(df["caption"].head(50))  # warm lexicon caches (loaded once per process)
    t0, c0 = time.perf_counter(), time.process_time()
    C.clean_text(df["caption"])
    t_text, c_text = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    with TreeMemory() as mem:
        posts, flow = C.clean_corpus(df, period_start="2020-01-01", period_end="2021-02-28", tz="Asia/Jakarta",
                                     allowlist=["demo.kota.update", "demo.sekda.kota", "demo.pemkot",
                                                "demo.dinas.pupr"],
                                     key=DEMO_KEY)
    t_corpus, c_corpus = time.perf_counter() - t0, time.process_time() - c0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    steps = dict(zip(flow["step"], flow["posts"].tolist()))
    return {"n": n, "floor_lower_s": round(t_floor, 2), "clean_text_s": round(t_text, 2),
            "clean_text_cpu_s": round(c_text, 2),
            "clean_corpus_s": round(t_corpus, 2), "clean_corpus_cpu_s": round(c_corpus, 2),
            "ratio_to_floor": round(t_corpus / max(t_floor, 1e-9), 1),
            "peak_rss_mb": round(peak_mb), "peak_pss_all_processes_mb": round(mem.peak_kb / 1024),
            "workers": scale.local_workers(), "load_avg": round(os.getloadavg()[0], 2),
            "exact_dups": int((posts["dup_kind"] == "exact").sum()),
            "near_dups": int((posts["dup_kind"] == "near").sum()), "analysed": steps["analysed"]}


def baseline(n_extrapolate: int, sample: int = 500) -> float:
    import emoji
    from indoNLP.preprocessing import replace_slang

    caps = make_captions(sample)["caption"].tolist()
    t0 = time.perf_counter()
    for c in caps:
        emoji.demojize(replace_slang(c.lower()), language="id")
    per = (time.perf_counter() - t0) / sample
    return per * n_extrapolate


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"]:
        print(json.dumps(run_one(int(argv[1]))))
        return 0
    sizes = [int(a) for a in argv] or [5000, 25000]
    rows = []
    for n in sizes:
        res = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, check=True)
        r = json.loads(res.stdout.strip().splitlines()[-1])
        r["naive_per_row_s (extrapolated)"] = round(baseline(n), 1)
        rows.append(r)
        print(f"done n={n}: {r}", file=sys.stderr, flush=True)
    table = pd.DataFrame(rows)
    print("civicposts.clean on generated FICTIONAL captions (seconds wall clock and CPU; peak RSS of the process)")
    print(table.to_string(index=False))
    goals = []
    for r in rows:
        if r["n"] == 25000:
            goals.append(("25K clean_corpus < 3 s (wall)", r["clean_corpus_s"] < 3))
        if r["n"] == 1_000_000:
            goals.append(("1M clean_corpus <= 60 s (wall)", r["clean_corpus_s"] <= 60))
            goals.append(("1M peak of all processes <= 4 GB", r["peak_pss_all_processes_mb"] <= 4096))
    for g, ok in goals:
        print(f"goal {g}: {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
