"""The warm notebook runner (civicposts.runner): the same executed notebooks as a run in the rule's own process.

Each test runs ``python -m civicposts execute`` as make's rules do, in a temporary folder, on a small
notebook that shows what it runs in: the notebook's name in its environment, the hash seed, whether any name
was bound in it before its first cell, and the process that started its kernel.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from civicposts import runner

SRC = Path(__file__).resolve().parents[1] / "src"

PROBE = """import os, sys
print(os.environ["CIVICPOSTS_NOTEBOOK"], os.environ["PYTHONHASHSEED"], x)
print(sorted(k for k in globals() if not k.startswith("_") and k not in ("In", "Out", "get_ipython", "exit", "quit", "open", "os", "sys", "x")))
"""


def _notebook(path: Path, body: str = PROBE) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("x = 1")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(body)]
    nbformat.write(nb, path)
    return path


@pytest.fixture
def folder(tmp_path, monkeypatch):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "params.json").write_text(json.dumps({"x": 2, "reports_dir": "reports"}))
    return tmp_path


def _execute(folder: Path, name: str, *, runner_on: bool = True, extra: dict | None = None):
    env = {**os.environ, "PYTHONPATH": str(SRC), "CIVICPOSTS_RUNNER_IDLE": "3",
           "CIVICPOSTS_RUNNER": "on" if runner_on else "off", **(extra or {})}
    env.pop("CIVICPOSTS_NOTEBOOK", None)
    env.pop("PYTHONHASHSEED", None)  # the kernel's default seed is then the kit's, 0
    return subprocess.run([sys.executable, "-m", "civicposts", "execute", f"notebooks/{name}.ipynb", "--params",
                           "params.json", "--out-dir", f"out-{'warm' if runner_on else 'cold'}"],
                          cwd=folder, env=env, capture_output=True, text=True)


def _wait_gone(folder: Path, timeout: float = 20.0) -> bool:
    env = {**os.environ, "PYTHONPATH": str(SRC), "CIVICPOSTS_RUNNER_IDLE": "3", "CIVICPOSTS_RUNNER": "on"}
    env.pop("CIVICPOSTS_NOTEBOOK", None)
    env.pop("PYTHONHASHSEED", None)
    path = runner.socket_path(runner.build_key(folder, env))
    deadline = time.monotonic() + timeout
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    return not path.exists()


def test_a_notebook_on_the_warm_runner_is_the_one_a_cold_run_makes(folder):
    _notebook(folder / "notebooks" / "probe.ipynb")
    cold = _execute(folder, "probe", runner_on=False)
    warm = _execute(folder, "probe")
    assert cold.returncode == 0 and warm.returncode == 0, (cold.stderr, warm.stderr)
    assert "warm runner" in warm.stderr and "warm runner" not in cold.stderr
    a = (folder / "out-cold" / "probe.ipynb").read_text().replace("out-cold", "OUT")
    b = (folder / "out-warm" / "probe.ipynb").read_text().replace("out-warm", "OUT")
    assert a == b
    out = json.loads(b)["cells"][-1]["outputs"][0]["text"]
    assert out == ["notebooks/probe.ipynb 0 2\n", "[]\n"]  # its name, the seed, and nothing bound before it
    assert _wait_gone(folder)  # and the runner stops when nothing comes


def test_rules_side_by_side_share_one_runner_and_a_kernel_each(folder):
    body = "import os\nprint(os.getppid(), os.getpid())"
    for i in range(3):
        _notebook(folder / "notebooks" / f"nb{i}.ipynb", body)
    with ThreadPoolExecutor(3) as pool:
        runs = list(pool.map(lambda i: _execute(folder, f"nb{i}"), range(3)))
    assert all(r.returncode == 0 for r in runs), [r.stderr for r in runs]
    seen = [json.loads((folder / "out-warm" / f"nb{i}.ipynb").read_text())["cells"][-1]["outputs"][0]["text"][0]
            .split() for i in range(3)]
    assert len({parent for parent, _ in seen}) == 1  # one runner started every kernel
    assert len({kernel for _, kernel in seen}) == 3  # and no kernel ran two notebooks
    assert _wait_gone(folder)


def test_a_failing_notebook_fails_its_rule_and_is_kept_for_reading(folder):
    _notebook(folder / "notebooks" / "broken.ipynb", "raise ValueError('bad input row 7')")
    run = _execute(folder, "broken")
    assert run.returncode == 1
    assert "failed in cell" in run.stderr and "bad input row 7" in run.stderr
    assert (folder / "out-warm" / "broken.failed.ipynb").exists()
    assert not (folder / "out-warm" / "broken.ipynb").exists()
    assert _wait_gone(folder)


def test_a_runner_warmed_at_the_build_s_start_is_the_one_its_rules_use(folder):
    """``civicposts warm`` (make's first step) launches the runner without waiting; the rules that come while it
    still imports papermill wait for it rather than start another, and a second ``warm`` starts none."""
    body = "import os\nprint(os.getppid())"
    for i in range(2):
        _notebook(folder / "notebooks" / f"nb{i}.ipynb", body)
    env = {**os.environ, "PYTHONPATH": str(SRC), "CIVICPOSTS_RUNNER_IDLE": "3", "CIVICPOSTS_RUNNER": "on"}
    env.pop("CIVICPOSTS_NOTEBOOK", None)
    env.pop("PYTHONHASHSEED", None)
    path = runner.socket_path(runner.build_key(folder, env))
    for _ in range(2):
        warm = subprocess.run([sys.executable, "-m", "civicposts", "warm"], cwd=folder, env=env, capture_output=True,
                              text=True, timeout=10)
        assert warm.returncode == 0, warm.stderr
    pid = int(runner._launched(path).read_text())
    with ThreadPoolExecutor(2) as pool:  # at once, while the runner may still be starting
        runs = list(pool.map(lambda i: _execute(folder, f"nb{i}"), range(2)))
    assert all(r.returncode == 0 and "warm runner" in r.stderr for r in runs), [r.stderr for r in runs]
    parents = {json.loads((folder / "out-warm" / f"nb{i}.ipynb").read_text())["cells"][-1]["outputs"][0]["text"][0]
               .strip() for i in range(2)}
    assert parents == {str(pid)}  # the one runner warm launched started both kernels
    assert _wait_gone(folder) and not runner._launched(path).exists()


def test_a_runner_still_starting_is_waited_for_not_launched_again(tmp_path, monkeypatch):
    """While a launched runner's process lives but does not answer yet, neither a rule nor ``warm`` launches
    another; once that process is gone, one is launched."""
    path = tmp_path / "r.sock"
    launched: list[Path] = []
    monkeypatch.setattr(runner, "_launch", launched.append)
    monkeypatch.setattr(runner, "socket_path", lambda key: path)
    monkeypatch.setattr(runner, "START_SECONDS", 0.3)
    monkeypatch.setenv("CIVICPOSTS_RUNNER", "on")
    starting = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])  # alive, never listening
    try:
        runner._launched(path).write_text(str(starting.pid))
        assert runner._start(path) is None and launched == []  # waited for it, then gave up: launched none
        runner._launched(path).write_text(str(starting.pid))  # launched just now again (the wait aged it)
        runner.warm()
        assert launched == []
        old = time.time() - 60  # a marker older than a runner's start: the runner answers or never will
        os.utime(runner._launched(path), (old, old))
        runner.warm()
        assert launched == [path]
        launched.clear()
        runner._launched(path).write_text(str(starting.pid))
    finally:
        starting.kill()
        starting.wait()
    runner.warm()
    assert launched == [path]
    assert runner._start(path) is None and launched == [path, path]


def test_warm_does_nothing_when_the_runner_is_switched_off(folder, monkeypatch):
    monkeypatch.chdir(folder)
    monkeypatch.setenv("CIVICPOSTS_RUNNER", "off")
    runner.warm()
    assert not runner._launched(runner.socket_path(runner.build_key(folder, dict(os.environ)))).exists()


def test_the_runner_can_be_switched_off(folder, monkeypatch):
    monkeypatch.setenv("CIVICPOSTS_RUNNER", "off")
    assert runner.run_through_runner("notebooks/x.ipynb", {}, "out") is None


def test_another_environment_is_another_runner(folder):
    a = runner.build_key(folder, {"PATH": "/bin", "X": "1"})
    assert a == runner.build_key(folder, {"PATH": "/bin", "X": "1", "CIVICPOSTS_NOTEBOOK": "n.ipynb"})
    assert a != runner.build_key(folder, {"PATH": "/bin", "X": "2"})
    assert a != runner.build_key(folder / "notebooks", {"PATH": "/bin", "X": "1"})


def _html(folder: Path, executed: str, *, runner_on: bool = True):
    env = {**os.environ, "PYTHONPATH": str(SRC), "CIVICPOSTS_RUNNER_IDLE": "3",
           "CIVICPOSTS_RUNNER": "on" if runner_on else "off"}
    env.pop("CIVICPOSTS_NOTEBOOK", None)
    env.pop("PYTHONHASHSEED", None)
    return subprocess.run([sys.executable, "-m", "civicposts", "html", executed, "--params", "params.json",
                           "--no-index", "--force"], cwd=folder, env=env, capture_output=True, text=True)


def test_html_made_on_the_runner_is_the_html_made_in_the_rules_process(folder):
    _notebook(folder / "notebooks" / "probe.ipynb")
    assert _execute(folder, "probe").returncode == 0  # leaves the runner up, as a build's notebook rule does
    warm = _html(folder, "out-warm/probe.ipynb")
    assert warm.returncode == 0 and "warm runner" in warm.stderr, warm.stderr
    made = (folder / "out-warm" / "probe.html").read_text()
    assert "notebooks/probe.ipynb 0 2" in made
    # a notebook file that is not one: the rule fails with the runner's message, and no HTML is written
    (folder / "out-warm" / "broken.ipynb").write_text("{not json")
    broken = _html(folder, "out-warm/broken.ipynb")
    assert broken.returncode == 1 and "broken.ipynb" in broken.stderr and "warm runner" not in broken.stderr
    assert not (folder / "out-warm" / "broken.html").exists()
    cold = _html(folder, "out-warm/probe.ipynb", runner_on=False)
    assert cold.returncode == 0 and "warm runner" not in cold.stderr, cold.stderr
    assert (folder / "out-warm" / "probe.html").read_text() == made
    broken = _html(folder, "out-warm/broken.ipynb", runner_on=False)
    assert broken.returncode == 1 and "broken.ipynb" in broken.stderr and "Traceback" not in broken.stderr


def test_the_runner_exports_a_notebook_s_html_as_soon_as_it_has_run(folder):
    _notebook(folder / "notebooks" / "probe.ipynb")
    assert _execute(folder, "probe").returncode == 0
    html = folder / "out-warm" / "probe.html"
    deadline = time.monotonic() + 20
    while not html.exists() and time.monotonic() < deadline:  # made in the background, before any HTML rule
        time.sleep(0.05)
    assert html.exists() and "notebooks/probe.ipynb 0 2" in html.read_text()
    # a notebook changed after that export is exported again when its rule asks: never a stale page
    executed = folder / "out-warm" / "probe.ipynb"
    executed.write_text(executed.read_text().replace("notebooks/probe.ipynb 0 2", "changed since the export"))
    assert _html(folder, "out-warm/probe.ipynb").returncode == 0
    assert "changed since the export" in html.read_text()
    cold = (folder / "out-warm" / "probe.html").read_text()
    assert _html(folder, "out-warm/probe.ipynb", runner_on=False).returncode == 0
    assert html.read_text() == cold


def _scan(folder: Path, *, runner_on: bool = True):
    env = {**os.environ, "PYTHONPATH": str(SRC), "CIVICPOSTS_RUNNER_IDLE": "3",
           "CIVICPOSTS_RUNNER": "on" if runner_on else "off"}
    env.pop("CIVICPOSTS_NOTEBOOK", None)
    env.pop("PYTHONHASHSEED", None)
    return subprocess.run([sys.executable, "-m", "civicposts", "scan-leaks", "out-warm", "--params", "params.json",
                           "--report", f"scan-{runner_on}.csv"], cwd=folder, env=env, capture_output=True, text=True)


def test_the_final_leak_scan_on_the_runner_says_what_the_rule_s_own_scan_says(folder):
    _notebook(folder / "notebooks" / "probe.ipynb")
    assert _execute(folder, "probe").returncode == 0  # the runner is up, as at the end of a build
    (folder / "out-warm" / "note.txt").write_text("hubungi 0812-3456-7890 ya\n")
    warm, cold = _scan(folder), _scan(folder, runner_on=False)
    assert warm.returncode == cold.returncode == 1
    assert "note.txt:1" in warm.stderr and "the build is not finished" in warm.stderr
    assert "warm runner" in warm.stderr and "warm runner" not in cold.stderr
    assert warm.stderr.replace("civicposts: leak scan on the build's warm runner\n", "") == cold.stderr
    assert (folder / "scan-True.csv").read_text() == (folder / "scan-False.csv").read_text()
    (folder / "out-warm" / "note.txt").write_text("tidak ada nomor\n")
    clean = _scan(folder)
    assert clean.returncode == 0 and "nothing found" in clean.stderr


def test_the_runner_s_leak_scan_reads_parquet_tables(folder):
    import pandas as pd

    _notebook(folder / "notebooks" / "probe.ipynb")
    assert _execute(folder, "probe").returncode == 0
    pd.DataFrame({"caption": ["hubungi 0812-3456-7890 ya", "aman"]}).to_parquet(folder / "out-warm" / "t.parquet")
    warm = _scan(folder)
    assert warm.returncode == 1 and "warm runner" in warm.stderr and "t.parquet" in warm.stderr, warm.stderr


@pytest.mark.parametrize("ready, starting, started, slots, budget, want", [
    (0, 0, 0, 2, 7, True),    # the build's start: one per CPU
    (1, 1, 2, 2, 7, False),   # both slots ready or starting
    (1, 0, 6, 2, 7, True),    # a notebook took one: its replacement, the seventh
    (1, 0, 7, 2, 7, False),   # seven notebooks, seven kernels: none more for nobody
    (0, 0, 50, 2, 0, True),   # no budget known: always one per CPU
])
def test_the_runner_prepares_no_kernel_past_the_build_s_notebooks(ready, starting, started, slots, budget, want):
    assert runner.kernels_to_prepare(ready, starting, started, slots, budget) is want


def test_no_kernel_is_left_waiting_after_the_build_s_last_notebook(folder):
    """Three notebooks, two CPUs: the runner starts three kernels in all, so none is left running for nobody."""
    for i in range(3):
        _notebook(folder / "notebooks" / f"nb{i}.ipynb")
    extra = {"CIVICPOSTS_RUNNER_IDLE": "30"}  # the runner stays up, with what it holds, until the test ends it
    for i in range(3):
        run = _execute(folder, f"nb{i}", extra=extra)
        assert run.returncode == 0 and "warm runner" in run.stderr, run.stderr
    env = {**os.environ, "PYTHONPATH": str(SRC), "CIVICPOSTS_RUNNER": "on", **extra}
    env.pop("CIVICPOSTS_NOTEBOOK", None)
    env.pop("PYTHONHASHSEED", None)
    pid = int(runner._launched(runner.socket_path(runner.build_key(folder, env))).read_text())
    try:
        deadline, kernels = time.monotonic() + 15, None
        while time.monotonic() < deadline:  # the used kernels are stopped just after their notebooks' answers
            kernels = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
            if not kernels:
                break
            time.sleep(0.2)
        assert kernels == []
    finally:
        os.kill(pid, 15)


@contextlib.contextmanager
def _warm_runner(tree: Path):
    """A runner warmed for ``tree`` as at the start of its build: yields the build's environment and the command
    prefix; stopped afterwards."""
    env = {**os.environ, "PYTHONPATH": str(tree / "src"), "PYTHONHASHSEED": "0", "SOURCE_DATE_EPOCH": "1614384000",
           "CIVICPOSTS_RUNNER_IDLE": "20", "CIVICPOSTS_RUNNER": "on"}
    env.pop("CIVICPOSTS_NOTEBOOK", None)
    py = [sys.executable, "-m", "civicposts"]
    assert subprocess.run([*py, "warm"], cwd=tree, env=env).returncode == 0
    sock = runner.socket_path(runner.build_key(tree, env))
    deadline = time.monotonic() + 30
    while not sock.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    try:
        yield env, py
    finally:
        if runner._launched(sock).exists():
            os.kill(int(runner._launched(sock).read_text()), 15)


def test_report_steps_on_the_runner_make_the_bytes_their_own_process_makes(mutable_tree):
    """The PDF and the index, built on a build's warm runner (as at the end of ``make all``) and each in its own
    process: the same files, byte for byte, and the same messages; the manifest is always built in its own."""
    tree = mutable_tree
    products = {"pdf": "reports/civicposts-report.pdf", "index": "reports/index.html",
                "manifest": "reports/manifest.json"}
    made = {}
    with _warm_runner(tree) as (env, py):
        for on in ("on", "off"):
            for step, product in products.items():
                (tree / product).unlink()
                run = subprocess.run([*py, step, "--params", "build/study.json"], cwd=tree,
                                     env={**env, "CIVICPOSTS_RUNNER": on}, capture_output=True, text=True)
                assert run.returncode == 0, run.stderr
                assert ("warm runner" in run.stderr) is (on == "on" and step in runner.COMMANDS), (step, on, run.stderr)
                said = run.stderr.replace(f"civicposts: {step} on the build's warm runner\n", "")
                made[step, on] = ((tree / product).read_bytes(), said)
    for step in products:
        assert made[step, "on"] == made[step, "off"], step
    assert "artefacts" in made["manifest", "on"][1]


def test_the_refi_export_on_the_runner_makes_what_its_own_process_makes(mutable_tree):
    """The REFI-QDA export handed to a build's warm runner (as ``make all`` does beside its last notebook) and
    run in its own process: the same project, byte for byte, the same leak-cache entry and the same messages;
    a study it cannot read fails the same way on both."""
    tree = mutable_tree
    made = {}
    with _warm_runner(tree) as (env, py):
        for on in ("on", "off"):
            out, cache = f"reports/x-{on}.qdpx", tree / f"build/cache-{on}"
            run = subprocess.run([*py, "export-qdpx", "--study", "config/study.yaml", "--out", out,
                                  "--leak-cache", str(cache)], cwd=tree, env={**env, "CIVICPOSTS_RUNNER": on},
                                 capture_output=True, text=True)
            assert run.returncode == 0, run.stderr
            assert ("warm runner" in run.stderr) is (on == "on"), run.stderr
            said = run.stderr.replace("civicposts: export-qdpx on the build's warm runner\n", "").replace(out, "OUT")
            entries = sorted(p.read_text() for p in cache.glob("*.json"))
            made[on] = ((tree / out).read_bytes(), said, entries)
            bad = subprocess.run([*py, "export-qdpx", "--study", "config/none.yaml", "--out", f"reports/y-{on}.qdpx"],
                                 cwd=tree, env={**env, "CIVICPOSTS_RUNNER": on}, capture_output=True, text=True)
            assert bad.returncode == 2 and "config/none.yaml" in bad.stderr, bad.stderr
            assert not (tree / f"reports/y-{on}.qdpx").exists()
    assert made["on"][0] == made["off"][0] and made["on"][2] == made["off"][2]
    assert made["on"][1].splitlines() == made["off"][1].splitlines()
    assert "wrote OUT:" in made["on"][1] and len(made["on"][2]) == 1


def test_any_edit_to_the_package_reaches_a_new_runner(tmp_path, monkeypatch):
    """The runner keeps the code it imported; a build after an edit to any module or data file of the package
    (not only the runner's own) must be served by a new one, while compiled caches change nothing."""
    import shutil

    pkg = tmp_path / "civicposts"
    shutil.copytree(SRC / "civicposts", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(runner, "__file__", str(pkg / "runner.py"))
    env = {"A": "1"}
    first = runner.build_key(tmp_path, env)
    (pkg / "__pycache__").mkdir()
    (pkg / "__pycache__" / "report.cpython-311.pyc").write_bytes(b"compiled")
    assert runner.build_key(tmp_path, env) == first
    (pkg / "report.py").write_text((pkg / "report.py").read_text() + "\n# edited\n")
    second = runner.build_key(tmp_path, env)
    assert second != first
    data = next(p for p in sorted((pkg / "data").iterdir()) if p.is_file())
    data.write_bytes(data.read_bytes() + b"\n")
    assert runner.build_key(tmp_path, env) not in (first, second)


def test_a_notebook_whose_kernel_died_before_it_came_gets_another(folder):
    """A kernel can die while it waits (it could not bind its port, two processes having picked the same one):
    the notebook then runs on another kernel, once, instead of failing its rule or waiting a minute."""
    _notebook(folder / "notebooks" / "probe.ipynb")
    extra = {"CIVICPOSTS_RUNNER_IDLE": "30"}
    env = {**os.environ, "PYTHONPATH": str(SRC), "CIVICPOSTS_RUNNER": "on", **extra}
    env.pop("CIVICPOSTS_NOTEBOOK", None)
    env.pop("PYTHONHASHSEED", None)
    assert subprocess.run([sys.executable, "-m", "civicposts", "warm"], cwd=folder, env=env).returncode == 0
    sock = runner.socket_path(runner.build_key(folder, env))
    pid = int(runner._launched(sock).read_text())
    try:
        deadline, kernels = time.monotonic() + 30, []
        while time.monotonic() < deadline and not (sock.exists() and kernels):
            kernels = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
            time.sleep(0.1)
        assert len(kernels) == 1  # one notebook in the folder: one kernel started ahead
        os.kill(int(kernels[0]), 9)
        t0 = time.monotonic()
        run = _execute(folder, "probe", extra=extra)
        assert run.returncode == 0 and "warm runner" in run.stderr, run.stderr
        assert time.monotonic() - t0 < 30
        out = json.loads((folder / "out-warm" / "probe.ipynb").read_text())["cells"][-1]["outputs"][0]["text"]
        assert out == ["notebooks/probe.ipynb 0 2\n", "[]\n"]
    finally:
        os.kill(pid, 15)
