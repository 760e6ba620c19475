"""Coding-app latency: from a code button's click handler to the next unit rendered.

Builds SYNTHETIC post units (fictional captions, generated JPEG images of Instagram size,
carousels of 1-3 images), opens the app headless with the study codebook and a coder file in
a temporary folder, and times over N units (default 200):

- code + next: set post_type (the click handler appends the line through CodingStore, with
  fsync) and click "next" until the next unit is rendered (images read from disk);
- next only, next uncoded, a revisit (images from the cache);
- a relation-picker search keystroke over all units.

Prints median and p95 in ms against the 100 ms target. The widgets have no frontend here, so
the time to send widget state to the browser is not included (see tests/test_browser.py for
the app in a real browser).

Usage: python bench/bench_app.py [N_UNITS] [N_CORPUS]
"""

from __future__ import annotations

import io
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from civicposts.app import CodingApp  # noqa: E402
from civicposts.codebook import load_codebook  # noqa: E402

TARGET_MS = 100.0
WORDS = ("jalan rusak berlubang banjir sampah macet lampu mati pasar sungai mohon ditinjau warga "
         "kiriman parkir liar drainase tersumbat").split()


def synthetic_images(n: int, rng: np.random.Generator) -> list[bytes]:
    """``n`` SYNTHETIC 1080x1080 JPEGs with noise, so their size is like real posts' (100-300 KB)."""
    from PIL import Image

    out = []
    for _ in range(n):
        base = rng.integers(0, 256, size=3)
        arr = np.clip(base + rng.normal(0, 40, size=(1080, 1080, 3)), 0, 255).astype("uint8")
        buf = io.BytesIO()
        Image.fromarray(arr).save(buf, format="JPEG", quality=70)
        out.append(buf.getvalue())
    return out


def synthetic_units(folder: Path, n: int, n_with_images: int, seed: int = 20210227) -> pd.DataFrame:
    """``n`` SYNTHETIC post units; the first ``n_with_images`` get 1-3 image files each."""
    rng = np.random.default_rng(seed)
    images = synthetic_images(8, rng)
    t0 = pd.Timestamp("2020-01-01T00:00:00Z")
    rows = []
    for i in range(n):
        pid = f"SYN{i:05d}"
        files = []
        if i < n_with_images:
            for k in range(int(rng.integers(1, 4))):
                name = f"media/{pid}{'' if k == 0 else f'_{k}'}.jpg"
                (folder / name).parent.mkdir(parents=True, exist_ok=True)
                (folder / name).write_bytes(images[(i + k) % len(images)])
                files.append(name)
        words = " ".join(rng.choice(WORDS, size=25))
        rows.append({"unit_id": pid, "unit_type": "post", "account": "demo.kota.update",
                     "posted_at": t0 + pd.Timedelta(hours=2 * i), "caption": f"SYNTHETIC: {words}",
                     "likes": int(rng.integers(0, 5000)), "comments": int(rng.integers(0, 300)),
                     "url": f"https://www.instagram.com/p/{pid}/", "media_files": files})
    return pd.DataFrame(rows)


def stats(ms: list[float]) -> tuple[float, float, float]:
    arr = np.asarray(ms)
    return float(np.median(arr)), float(np.percentile(arr, 95)), float(arr.max())


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.WARNING)
    n = int(argv[1]) if len(argv) > 1 else 200
    corpus = int(argv[2]) if len(argv) > 2 else 5000
    codebook = load_codebook(REPO / "data" / "raw" / "coding" / "codebook.yaml")
    tmp = Path(tempfile.mkdtemp(prefix="bench_app_"))
    try:
        t = time.perf_counter()
        units = synthetic_units(tmp, corpus, n + 1)
        setup_s = time.perf_counter() - t
        t = time.perf_counter()
        app = CodingApp(units, codebook, tmp / "coding", "bench", media_root=tmp, batch=False)
        app.widget
        build_ms = (time.perf_counter() - t) * 1000
        rows = []

        codes = ["complaint", "news", "official_followup", "promotion", "other"]
        code_next, save_only = [], []
        for i in range(n):
            t = time.perf_counter()
            app.controls["post_type"].value = codes[i % 5]  # what the button's click handler triggers
            t_saved = time.perf_counter()
            app.next_button.click()
            t_next = time.perf_counter()
            assert app.index == i + 1
            code_next.append((t_next - t) * 1000)
            save_only.append((t_saved - t) * 1000)
        rows.append(("code + next (save line, render next unit, read its images)", code_next))
        rows.append(("  of which: save one line (CodingStore.append, fsync)", save_only))

        app.go_to(0)
        revisit = []
        for _i in range(n):
            t = time.perf_counter()
            app.next_button.click()
            revisit.append((time.perf_counter() - t) * 1000)
        rows.append(("next, revisiting (images from cache)", revisit))

        uncoded = []
        for _i in range(min(n, 50)):
            app.go_to(0)
            t = time.perf_counter()
            app.next_uncoded_button.click()
            uncoded.append((time.perf_counter() - t) * 1000)
        rows.append(("next uncoded (skips the coded units)", uncoded))

        app.go_to(n)
        app.controls["post_type"].value = "official_followup"
        app.relation_all.value = True
        search = []
        for q in ["jalan", "jalan rusak", "2020-03", "banjir 2020", "sampah sungai mohon", ""] * 10:
            t = time.perf_counter()
            app.relation_search.value = q
            search.append((time.perf_counter() - t) * 1000)
        rows.append((f"relation search keystroke ({n} earlier posts offered)", search))

        print(f"Coding-app latency, SYNTHETIC units: {n} timed units of a {corpus}-unit corpus, "
              f"images 1080x1080 JPEG ({setup_s:.1f} s to generate); app built in {build_ms:.0f} ms")
        print(f"{'operation':62} {'n':>4} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}  target")
        for name, ms in rows:
            med, p95, mx = stats(ms)
            ok = "ok" if p95 < TARGET_MS else "OVER"
            print(f"{name:62} {len(ms):4d} {med:10.2f} {p95:8.2f} {mx:8.2f}  {TARGET_MS:.0f} ms {ok}")
        med, p95, _ = stats(code_next)
        print(f"click-to-next: median {med:.1f} ms, p95 {p95:.1f} ms vs target {TARGET_MS:.0f} ms -> "
              f"{'met' if p95 < TARGET_MS else 'NOT met'} (kernel side; browser round trip not included)")
        lines = (tmp / "coding" / "bench.jsonl").read_text(encoding="utf-8").count("\n")
        print(f"coder file lines written: {lines} (expected {n + 1})")
        return 0 if lines == n + 1 else 1  # a missed speed goal is reported, not an error
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
