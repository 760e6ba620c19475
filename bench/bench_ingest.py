"""Benchmark: reading an instaloader folder of N .json.xz post files (FICTIONAL, generated).

Generates N instaloader 4.16-shaped post files (raw Polaris fields plus the
legacy aliases, LZMA with CHECK_NONE, compact JSON, as instaloader writes
them) into a temporary folder, then times

- ``parse-only``: read + decompress + ``orjson.loads`` of every file (the floor);
- ``read_posts``: ``civicposts.ingest.read_posts(folder)``, the whole table.

Usage: .venv/bin/python bench/bench_ingest.py [N ...]   (default: 5000 25000)
The goal: 25,000 files well under 3 s for read_posts.
"""

from __future__ import annotations

import json
import lzma
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
import civicposts.ingest as ingest_module  # noqa: E402
from civicposts.ingest import read_posts  # noqa: E402

START = 1577836800  # 2020-01-01 UTC
WORDS = ("jalan rusak berlubang banjir sampah macet lampu mati air pdam listrik drainase mohon "
         "ditindaklanjuti pak warga kecamatan kelurahan fiktif").split()


def make_node(i: int, rng: random.Random) -> dict:
    code = f"BENCH{i:06d}"
    taken = START + i * 1700 + rng.randrange(600)
    media_type = rng.choice((1, 1, 1, 2, 8))
    caption = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(8, 60))) + " (FIKTIF)"
    user = {"pk": "1234567890", "username": "bench.kota.update", "full_name": "Bench (FICTIONAL)",
            "is_private": False, "is_verified": False, "profile_pic_url": "https://x.invalid/p.jpg",
            "id": "1234567890"}
    cands = [{"url": f"https://scontent.example.invalid/{code}_{w}.jpg?stp=dst-jpg&_nc_ht=x&oh=00_{i:x}",
              "width": w, "height": w} for w in (1080, 750, 640, 480, 320, 240, 150)]
    node = {
        "code": code, "pk": str(2200000000000000000 + i), "id": f"{2200000000000000000 + i}_1234567890",
        "taken_at": taken, "media_type": media_type, "product_type": "feed",
        "caption": {"pk": str(i), "text": caption, "created_at": taken, "user_id": "1234567890"},
        "like_count": rng.randrange(5000), "comment_count": rng.randrange(200), "has_liked": False,
        "user": user, "location": None if rng.random() < 0.7 else {"pk": 1, "name": "Lokasi Fiksi"},
        "image_versions2": {"candidates": cands}, "original_width": 1080, "original_height": 1080,
        "accessibility_caption": "Photo by Bench (FICTIONAL).", "usertags": None,
    }
    if media_type == 8:
        node["carousel_media"] = [{"media_type": 1, "code": "", "pk": str(n),
                                   "image_versions2": {"candidates": cands[:3]}} for n in range(rng.randrange(2, 6))]
        node["carousel_media_count"] = len(node["carousel_media"])
    # legacy aliases as instaloader 4.16's _normalize_post_data adds them
    types = {1: "GraphImage", 2: "GraphVideo", 8: "GraphSidecar"}
    node.update({
        "shortcode": code, "__typename": types[media_type], "is_video": media_type == 2,
        "taken_at_timestamp": taken, "owner": {"id": "1234567890", "username": "bench.kota.update",
                                               "full_name": "Bench (FICTIONAL)"},
        "display_url": cands[0]["url"], "video_url": None, "video_duration": None, "video_view_count": None,
        "video_play_count": None, "edge_media_to_caption": {"edges": [{"node": {"text": caption}}]},
        "edge_media_preview_like": {"count": node["like_count"]},
        "edge_media_to_parent_comment": {"count": node["comment_count"], "edges": []}, "viewer_has_liked": False,
    })
    return {"node": node, "instaloader": {"version": "4.16", "node_type": "Post"}}


def generate(folder: Path, n: int, seed: int = 20210227) -> int:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(n):
        obj = make_node(i, rng)
        stem = time.strftime("%Y-%m-%d_%H-%M-%S", time.gmtime(obj["node"]["taken_at"])) + "_UTC"
        # preset 0 instead of instaloader's default 6 only to make generation ~10x faster;
        # decompression time was measured equal within 10% (0.032 vs 0.035 ms per file).
        data = lzma.compress(json.dumps(obj, separators=(",", ":")).encode(), check=lzma.CHECK_NONE, preset=0)
        (folder / f"{stem}.json.xz").write_bytes(data)
        total += len(data)
    return total


def parse_only(folder: Path) -> int:
    count = 0
    for name in sorted(os.listdir(folder)):
        with open(folder / name, "rb") as fh:
            orjson.loads(lzma.decompress(fh.read()))
        count += 1
    return count


def best_of(fn, repeat: int = 3) -> tuple[float, float, object]:
    """Best wall-clock and best CPU (all threads) seconds of ``repeat`` runs."""
    best, best_cpu, out = float("inf"), float("inf"), None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return best, best_cpu, out


def main(argv: list[str]) -> int:
    sizes = sorted(int(a) for a in argv) or [5000, 25000]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print("Ingest benchmark: FICTIONAL generated instaloader 4.16 .json.xz post files; best of 3, warm cache")
    print(f"cpus={os.cpu_count()} load average (1 min) at start={load:.1f}; wall and CPU seconds "
          f"(CPU sums all threads)")
    print(f"{'files':>7} {'MB':>5} {'parse-only':>11} {'cpu':>6} {'read_posts':>11} {'cpu':>6} "
          f"{'1 thread':>9} {'posts/s':>8} {'vs parse':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        master = Path(tmp) / "all"
        generate(master, sizes[-1])
        names = sorted(os.listdir(master))
        for n in sizes:
            folder = Path(tmp) / f"n{n}" / "bench.kota.update"
            folder.mkdir(parents=True)
            for name in names[:n]:
                os.link(master / name, folder / name)
            size = sum((folder / name).stat().st_size for name in names[:n])
            t_parse, c_parse, count = best_of(lambda: parse_only(folder))
            t_read, c_read, df = best_of(lambda: read_posts(folder))
            workers = ingest_module.PREFETCH_WORKERS
            ingest_module.PREFETCH_WORKERS = 1
            try:
                t_one, _, _ = best_of(lambda: read_posts(folder))
            finally:
                ingest_module.PREFETCH_WORKERS = workers
            assert count == n and len(df) == n, (count, len(df))
            print(f"{n:>7} {size / 1e6:>5.1f} {t_parse:>10.2f}s {c_parse:>5.2f}s {t_read:>10.2f}s {c_read:>5.2f}s "
                  f"{t_one:>8.2f}s {n / t_read:>8.0f} {t_read / t_parse:>8.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
