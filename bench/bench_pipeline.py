"""Pipeline benchmarks: cold and no-op `make all`, PDF build, environment setup, runner overhead.

Run by `make bench` (or directly: `.venv/bin/python bench/bench_pipeline.py [--skip-env]`).
Targets on a 2-core machine: no-op <= 0.5 s, PDF <= 1 s, overhead ratio <= 1.2, where the ratio is
the cold `make all` wall time over the sum of the notebooks' own cell times (papermill records them).
Builds happen in temporary copies of the repository with the current environment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from civicposts.manifest import copy_sources as _copy_sources  # noqa: E402
from civicposts.run import cell_seconds  # noqa: E402


def copy_sources(dst: Path) -> Path:
    return _copy_sources(ROOT, dst)


def timed(cmd: list[str], cwd: Path, env: dict | None = None) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t


def main() -> int:
    venv = str(Path(sys.prefix))
    rows = []
    with tempfile.TemporaryDirectory(prefix="civicposts-bench-") as tmp:
        tree = copy_sources(Path(tmp) / "tree")
        make = ["make", "--no-print-directory", "all", f"VENV={venv}"]
        cold = timed(make, tree)
        cells = sum(cell_seconds(p) for p in (tree / "build/timings").glob("*.json"))
        rows.append(("cold make all (after setup), s", f"{cold:.1f}", "-"))
        rows.append(("sum of notebook cell time, s", f"{cells:.1f}", "-"))
        rows.append(("overhead ratio (wall / cells)", f"{cold / cells:.2f}", "<= 1.2"))
        cold_j2 = None
        for p in (tree / "reports").iterdir():
            if p.name != ".gitkeep":
                shutil.rmtree(p) if p.is_dir() else p.unlink()
        shutil.rmtree(tree / "data/processed", ignore_errors=True)
        (tree / "data/processed").mkdir()
        cold_j2 = timed([*make, "-j2"], tree)
        rows.append(("cold make -j2 all, s", f"{cold_j2:.1f}", "-"))
        rows.append(("overhead ratio with -j2", f"{cold_j2 / cells:.2f}", "<= 1.2"))
        noop = min(timed(make, tree) for _ in range(5))
        rows.append(("no-op make all, s (best of 5)", f"{noop:.2f}", "<= 0.5"))
        params = json.loads((tree / "build/study.json").read_text())
        code = ("import sys,time,json; sys.path.insert(0,'src'); t=time.perf_counter(); "
                "from civicposts.report import build_pdf; "
                "build_pdf(json.load(open('build/study.json'))); print(time.perf_counter()-t)")
        out = subprocess.run([sys.executable, "-c", code], cwd=tree, capture_output=True, text=True, check=True)
        pdf_in_process = float(out.stdout.strip().splitlines()[-1])
        pdf_cli = timed([sys.executable, "-m", "civicposts", "pdf"], tree,
                        env={**os.environ, "PYTHONPATH": str(tree / "src")})
        t0 = time.perf_counter()
        import typst

        src = tree / "build/report/report.typ"
        typst.compile(str(src), root=str(tree), ignore_system_fonts=True, timestamp=1614384000)
        rows.append(("PDF: typst compile only, s", f"{time.perf_counter() - t0:.2f}", "<= 1"))
        rows.append(("PDF: build_pdf incl. table reading, s", f"{pdf_in_process:.2f}", "<= 1"))
        rows.append(("PDF: make's command (process start + imports), s", f"{pdf_cli:.2f}", "<= 1"))
        assert params
        if "--skip-env" not in sys.argv:
            for installer in ("uv", "pip"):
                env_dir = Path(tmp) / f"venv-{installer}"
                env = dict(os.environ)
                if installer == "pip":  # hide uv so setup-env.sh falls back to plain pip
                    env["PATH"] = ":".join(p for p in env["PATH"].split(":") if not (Path(p) / "uv").exists())
                    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True)
                    t = time.perf_counter()
                    subprocess.run([str(env_dir / "bin/python"), "-m", "pip", "install", "-q", "--require-hashes",
                                    "-r", "requirements.lock"], cwd=ROOT, check=True, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    secs = time.perf_counter() - t
                else:
                    secs = timed(["bash", "tools/setup-env.sh", str(env_dir)], ROOT, env)
                rows.append((f"environment setup with {installer}, s", f"{secs:.1f}", "-"))
    width = max(len(r[0]) for r in rows)
    print(f"{'benchmark':<{width}}  {'value':>8}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>8}  {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
