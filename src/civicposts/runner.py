"""A warm notebook runner for one build: papermill imported once and kernels started before they are needed.

Make runs one rule per notebook (so a change reruns only what depends on it), and each rule used to start a
Python process, import papermill and start a kernel: about 1.5 s of every notebook's rule, around its cells.
Now the first ``python -m civicposts execute`` of a build starts this runner in the background and hands it
the notebook; later rules (also those make runs side by side) hand theirs over a Unix socket. The runner
keeps one started kernel per CPU ready, so a notebook starts running at once (but starts no more in all than
the build has notebooks), and stops when nothing has come for :data:`IDLE_SECONDS`.

What a notebook sees does not change: every notebook gets a kernel of its own, never used before, started in
the build's folder with the build's environment (the rule's, as make gives it); the runner only prepares the
kernel before the notebook is known, then sets ``CIVICPOSTS_NOTEBOOK`` in it without binding any name. The
executed notebook and everything it writes are byte-identical to a run without the runner (a test checks
this). A runner serves only the build it was started for: its socket's name is a hash of the Python, the
folder, the environment and the runner's own code, so an edited runner, another study's build or another
checkout never reach it.

``CIVICPOSTS_RUNNER=off`` runs each notebook in its own process, as before. If the runner cannot be started
or dies, the rule runs the notebook in its own process.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger("civicposts.runner")

IDLE_SECONDS = float(os.environ.get("CIVICPOSTS_RUNNER_IDLE") or 30)  # stops after this long with nothing to run
START_SECONDS = 20.0  # how long a rule waits for a runner it started before running on its own
# Variables that differ between the rules of one build without changing what a kernel does.
_VOLATILE_ENV = ("CIVICPOSTS_NOTEBOOK", "MAKE_RESTARTS", "OLDPWD", "_")


def _source_digest() -> str:
    """A hash of the whole package as it is on disk, its data files included: the runner imports the code of
    the steps it serves (notebook runs, HTML, the leak scan, the PDF and index) once, so after any edit a
    build must reach a new runner, never one still holding the old code (7 ms for the package's 1.2 MB)."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(here.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(path.relative_to(here).as_posix().encode("utf-8") + b"\0")
            h.update(path.read_bytes())
    return h.hexdigest()


def build_key(cwd: str | Path, env: dict[str, str]) -> str:
    """What a runner serves: this Python, this folder, this environment, this package's code (16 hex)."""
    stable = {k: v for k, v in env.items() if k not in _VOLATILE_ENV}
    text = json.dumps([sys.executable, str(Path(cwd).resolve()), sorted(stable.items()), _source_digest()])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def socket_path(key: str) -> Path:
    # in the temporary folder: a Unix socket's path is limited to about 100 characters
    return Path(tempfile.gettempdir()) / f"civicposts-runner-{os.getuid()}-{key}.sock"


# --------------------------------------------------------------------------- the rule's side

def _switched_off() -> bool:
    return os.environ.get("CIVICPOSTS_RUNNER", "").strip().lower() in ("off", "0", "no")


def _ask_running(request: dict[str, Any]) -> dict[str, Any] | None:
    """``request`` answered by this build's runner if one is up (never started for it), else None."""
    if _switched_off():
        return None
    conn = _connect(socket_path(build_key(os.getcwd(), dict(os.environ))))
    return None if conn is None else _ask(conn, request)


def run_through_runner(notebook: str, params: dict[str, Any], out_dir: str) -> int | None:
    """Run ``notebook`` on this build's runner, starting it if needed: 0 done, 1 failed (logged), None when
    no runner could take it (the caller then runs it itself)."""
    if _switched_off():
        return None
    path = socket_path(build_key(os.getcwd(), dict(os.environ)))
    conn = _connect(path) or _start(path)
    if conn is None:
        return None
    reply = _ask(conn, {"notebook": notebook, "params": params, "out_dir": out_dir})
    if reply is None:  # the runner went away before answering: run the notebook here
        log.warning("%s: the notebook runner stopped; running the notebook in this process", notebook)
        return None
    if reply.get("ok"):
        log.info("executed %s in %.1f s (warm runner) -> %s", notebook, reply["seconds"], reply["target"])
        return 0
    log.error("%s", reply.get("error", "the notebook runner failed"))
    return 1


def html_through_runner(executed: list[str], *, force: bool = False, leak_cache: str | None = None,
                        params: str | None = None) -> int | None:
    """Export executed notebooks to HTML on this build's runner when one is up (nbconvert is then imported
    once per build, and the HTML of an early notebook is written while later ones run): 0 done, 1 failed
    (logged), None when no runner is up (the caller exports them itself; a runner is never started for this).
    With ``leak_cache``, the runner then scans the notebooks and their HTML into that leak-scan cache
    (``civicposts.leaks.scan``), so the build's final scan finds them done."""
    request: dict[str, Any] = {"html": [str(Path(p).resolve()) for p in executed], "force": force}
    if leak_cache and params:
        request["leak_cache"], request["params"] = str(Path(leak_cache).resolve()), str(Path(params).resolve())
    reply = _ask_running(request)
    if reply is None:
        return None
    if reply.get("ok"):
        log.info("HTML of %d notebook(s) in %.1f s (warm runner)", len(executed), reply["seconds"])
        return 0
    log.error("%s", reply.get("error", "the notebook runner failed"))
    return 1


# The commands a build hands to its runner whole, by the key of their request: the runner runs them in its
# process, where pandas and their code are loaded (the final leak scan: 0.8 s less at the end of every build;
# the REFI-QDA export: 0.7 s of a CPU less beside the build's last notebook; the PDF and the index: 0.3-0.5 s of
# imports each at the end of every build). Each: its name in messages, and the module, function (argv -> exit
# code and messages) and options the runner calls it with (the scan in one process: workers forked from this
# threaded process could inherit a held lock). The manifest is not one: it is hashing, done in a process of its
# own on the other CPU while the runner's threads scan for leaks.
COMMANDS = {"scan": ("leak scan", "civicposts.cli.data", "scan_outcome", {"jobs": 1}),
            "export": ("export-qdpx", "civicposts.cli.exchange", "export_outcome", {}),
            "pdf": ("pdf", "civicposts.cli.build", "step_outcome", {"name": "pdf"}),
            "index": ("index", "civicposts.cli.build", "step_outcome", {"name": "index"})}


def command_here_or_on_runner(kind: str, argv: list[str],
                              here: Callable[[list[str]], tuple[int, list[tuple[int, str]]]]) -> int:
    """Run the command ``kind`` of :data:`COMMANDS` with ``argv`` on this build's runner when one is up (a runner
    is never started for it), else ``here(argv)`` in this process; log what it says either way and return its
    exit code. ``here`` gives (exit code, messages as (logging level, text)) without printing them. A ``kind``
    not in :data:`COMMANDS` always runs here."""
    outcome = _outcome(_ask_running({kind: list(argv)})) if kind in COMMANDS else None
    if outcome is not None:
        log.info("%s on the build's warm runner", COMMANDS[kind][0])
    rc, messages = outcome if outcome is not None else here(argv)
    for level, text in messages:
        log.log(level, "%s", text)
    return rc


def _outcome(reply: dict[str, Any] | None) -> tuple[int, list[tuple[int, str]]] | None:
    """A step's reply as (exit code, messages to log); None for no reply (no runner up)."""
    if reply is None:
        return None
    if "rc" not in reply:
        return 1, [(logging.ERROR, reply.get("error", "the notebook runner failed"))]
    return int(reply["rc"]), [(int(level), str(text)) for level, text in reply["messages"]]


def _ask(conn: socket.socket, request: dict[str, Any]) -> dict[str, Any] | None:
    """Send one request and read the reply (None: the runner went away before answering)."""
    with conn, conn.makefile("rwb") as stream:
        try:
            stream.write(json.dumps(request).encode("utf-8") + b"\n")
            stream.flush()
            line = stream.readline()
        except OSError:
            line = b""
    return json.loads(line) if line else None


def _connect(path: Path) -> socket.socket | None:
    if not path.exists():
        return None
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(str(path))
    except OSError:
        s.close()
        return None
    return s


def warm() -> None:
    """Start this build's runner in the background, unless one is up or starting, and return at once: make calls
    it at a build's start, while it writes the parameters and dependencies, so that the runner has imported
    papermill and started its kernels by the time the first notebook comes (0.5 s earlier on the build's path)."""
    if _switched_off():
        return
    path = socket_path(build_key(os.getcwd(), dict(os.environ)))
    with _start_lock(path):
        conn = _connect(path)
        if conn is not None:
            conn.close()
        elif not _starting(path):
            _launch(path)


def _start(path: Path) -> socket.socket | None:
    """Start the runner (one per build, whatever the number of rules starting at once) and connect."""
    with _start_lock(path):  # rules started side by side: one starts the runner, all use it
        conn = _connect(path)
        if conn is not None:
            return conn
        if not _starting(path):  # else one launched by ``warm`` is still importing: it is waited for
            _launch(path)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            conn = _connect(path)
            if conn is not None:
                return conn
            time.sleep(0.02)
    log.warning("the notebook runner did not start within %.0f s; running the notebook in this process",
                START_SECONDS)
    return None


@contextlib.contextmanager
def _start_lock(path: Path) -> Any:
    import fcntl

    with open(path.with_suffix(".lock"), "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        yield


def _launched(path: Path) -> Path:
    """Where the process id of a runner launched for ``path`` is kept until it stops."""
    return path.with_suffix(".pid")


def _starting(path: Path) -> bool:
    """Whether a runner launched for ``path`` less than ``START_SECONDS`` ago is alive (starting, when it does not
    answer yet). An older marker is a runner that answers or never will (killed, its process id reused)."""
    marker = _launched(path)
    try:
        if time.time() - marker.stat().st_mtime > START_SECONDS:
            return False
        os.kill(int(marker.read_text()), 0)
    except (OSError, ValueError):
        return False
    return True


def _launch(path: Path) -> None:
    """A runner process for ``path``, in a session of its own; the caller holds the start lock."""
    path.unlink(missing_ok=True)
    slots = int(os.environ.get("CIVICPOSTS_RUNNER_KERNELS") or _cpus())
    proc = subprocess.Popen([sys.executable, "-m", "civicposts.runner", str(path), str(slots), str(_notebook_count())],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, close_fds=True)
    _launched(path).write_text(str(proc.pid))


def _notebook_count() -> int:
    """How many notebooks the build's folder has (``notebooks/*.ipynb``; 0 when it has none): no build runs
    more, so the runner starts no more kernels ahead of them."""
    return len(list(Path("notebooks").glob("*.ipynb")))


def kernels_to_prepare(ready: int, starting: int, started: int, slots: int, budget: int) -> bool:
    """Whether the runner starts one more kernel ahead of need: while fewer than ``slots`` are ready or
    starting, and (with a ``budget``, the build's number of notebooks) fewer than ``budget`` were started
    in all. The kernels started past the last notebook were never used, and each took 0.4 s of a CPU while
    the build's last notebooks ran."""
    return ready + starting < slots and (budget <= 0 or started < budget)


def _cpus() -> int:
    # as civicposts.scale.local_workers, which this light client must not import (it loads pandas)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


# --------------------------------------------------------------------------- the runner's side

class Runner:
    """Serves one build: started kernels ready in a pool, one thread per notebook."""

    def __init__(self, path: Path, slots: int, budget: int = 0) -> None:
        from .run import _block_optional_imports, kernel_env

        _block_optional_imports()
        self.path = path
        self.slots = max(1, slots)
        self.budget = budget  # kernels started ahead of need in all, at most (0: no limit)
        self.started = 0
        self.env = kernel_env()
        self.cwd = os.getcwd()
        self.ready: list[Any] = []
        self.lock = threading.Lock()
        self.busy = 0
        self.starting = 0
        self.last = time.monotonic()
        # HTML exports started as soon as a notebook has run: executed notebook -> (its mtime, thread, error)
        self.exports: dict[str, tuple[int, threading.Thread, list[BaseException | None]]] = {}
        # the kernels first: they boot in processes of their own while papermill is imported here (the first
        # notebook of a build came 0.3 s after the runner and waited for a kernel started only after the import)
        self._fill()
        import papermill  # noqa: F401  (imported once, here, for every notebook of the build)

    def _new_kernel(self) -> Any:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        from .kernel import CLIENT_CLASS

        # its clients return from wait_for_ready without papermill's 0.2 s quiet wait (civicposts.kernel)
        km = AsyncKernelManager(kernel_name="python3", client_class=CLIENT_CLASS)
        run_sync(km.start_kernel)(cwd=self.cwd, env=dict(self.env))
        return km

    def _fill(self) -> None:
        """Start kernels until ``slots`` are ready (in the background: a notebook never waits for it)."""
        def fill() -> None:
            while True:
                with self.lock:
                    if not kernels_to_prepare(len(self.ready), self.starting, self.started, self.slots, self.budget):
                        return
                    self.starting += 1
                    self.started += 1
                try:
                    km = self._new_kernel()
                finally:
                    with self.lock:
                        self.starting -= 1
                with self.lock:
                    self.ready.append(km)

        threading.Thread(target=fill, daemon=True).start()

    @contextlib.contextmanager
    def _working(self) -> Any:
        """Counts as busy while the block runs: the runner never stops idle in the middle of a job."""
        with self.lock:
            self.busy += 1
        try:
            yield
        finally:
            with self.lock:
                self.busy -= 1
                self.last = time.monotonic()

    def _take(self) -> Any:
        with self.lock:
            km = self.ready.pop(0) if self.ready else None
            self.busy += 1
            self.started += km is None  # one started on demand also counts against the budget
        if km is None:
            km = self._new_kernel()
        self._fill()
        return km

    def handle(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rwb") as stream:
            line = stream.readline()
            if not line:
                return
            req = json.loads(line)
            if "html" in req:
                reply = self._html(req["html"], req.get("force", False), req.get("leak_cache"), req.get("params"))
            elif kind := next((k for k in COMMANDS if k in req), None):
                reply = self._command(kind, req[kind])
            else:
                reply = self._notebook(req)
            with contextlib.suppress(OSError):
                stream.write(json.dumps(reply).encode("utf-8") + b"\n")
                stream.flush()

    def _notebook(self, req: dict[str, Any], attempt: int = 1) -> dict[str, Any]:
        from .errors import CivicpostsError
        from .run import _shutdown, execute

        km = self._take()
        t0 = time.perf_counter()
        try:
            target = execute(req["notebook"], req["params"], req["out_dir"], cwd=self.cwd, km=km, shutdown=False)
            self._export_soon(target)
            return {"ok": True, "target": str(target), "seconds": time.perf_counter() - t0}
        except CivicpostsError as exc:
            return {"ok": False, "error": str(exc)}
        except Exception as exc:  # a dead kernel, a broken notebook file: reported to the rule, never lost
            if attempt == 1 and "before replying to kernel_info" in str(exc):
                # it died while starting, before any cell ran (another process's kernel took its port): once,
                # the notebook gets another kernel (``run.execute`` does the same for a kernel of its own)
                log.warning("%s: its kernel died while starting (%s); starting another", req["notebook"], exc)
            else:
                return {"ok": False, "error": f"{req['notebook']}: {type(exc).__name__}: {exc}"}
        finally:
            # the used kernel is stopped after the rule has its answer (0.1 s less on the build's path); the
            # runner counts it busy until then, so it never exits with a kernel still running
            threading.Thread(target=self._release, args=(km, _shutdown), daemon=True).start()
        return self._notebook(req, attempt=2)  # reached only when the kernel died while starting

    def _release(self, km: Any, shutdown: Any) -> None:
        """Stop a used kernel; ends the busy count ``_take`` began."""
        try:
            shutdown(km)
        finally:
            with self.lock:
                self.busy -= 1
                self.last = time.monotonic()

    def _export_soon(self, executed: Path) -> None:
        """Export a notebook that has just run to HTML in the background. Its HTML rule, which make may start
        only after a later notebook (the job slots go to the notebooks), then finds the work done instead of
        holding a slot while it is done."""
        from .run import to_html

        box: list[BaseException | None] = []

        def work() -> None:  # busy while it runs; the notebook's own job has just set ``last``, so the
            with self._working():  # runner cannot be found idle before this starts
                try:
                    to_html([executed], force=True)
                    box.append(None)
                except BaseException as exc:  # the HTML rule exports again and reports it
                    box.append(exc)

        thread = threading.Thread(target=work, daemon=True)
        with self.lock:
            self.exports[str(executed.resolve())] = (executed.stat().st_mtime_ns, thread, box)
        thread.start()

    def _exported(self, executed: str) -> bool:
        """Whether the background export of ``executed`` made its HTML from the notebook as it is now."""
        with self.lock:
            entry = self.exports.pop(str(Path(executed).resolve()), None)
        if entry is None:
            return False
        mtime, thread, box = entry
        thread.join()
        try:
            return box == [None] and Path(executed).stat().st_mtime_ns == mtime
        except OSError:
            return False

    def _html(self, executed: list[str], force: bool, leak_cache: str | None, params: str | None) -> dict[str, Any]:
        from .run import allow_tables, to_html

        t0 = time.perf_counter()
        try:
            with self._working():
                done = [e for e in executed if self._exported(e)]
                written = [Path(e).with_suffix(".html") for e in done]
                written += to_html([e for e in executed if e not in done], force=force)
                seconds = time.perf_counter() - t0
                if leak_cache and params:
                    # only an early start for the final scan, which reads the cache only for files still the same
                    allow_tables()  # leaks imports pandas
                    from . import leaks

                    allow = leaks.study_allowlist(json.loads(Path(params).read_text(encoding="utf-8")))
                    leaks.scan([*executed, *map(str, written)], allow, cache=leak_cache, jobs=1)
            return {"ok": True, "seconds": seconds}
        except Exception as exc:  # reported to the rule, which fails
            return {"ok": False, "error": f"HTML of {', '.join(executed)}: {type(exc).__name__}: {exc}"}

    def _command(self, kind: str, argv: list[str]) -> dict[str, Any]:
        """A command of :data:`COMMANDS`, with its exit code and messages: what it logged in this thread
        (commands may run beside other work), then what it says when done."""
        import importlib

        try:
            with self._working(), _logged_here() as messages:
                from .run import allow_tables

                allow_tables()
                _, module, function, options = COMMANDS[kind]
                rc, said = getattr(importlib.import_module(module), function)(argv, **options)
            return {"rc": rc, "messages": [*messages, *said]}
        except BaseException as exc:  # reported to the rule, which fails
            return {"error": f"{COMMANDS[kind][0]}: {type(exc).__name__}: {exc}"}

    def serve(self) -> None:
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o077)  # only this user may hand the runner a notebook
        try:
            server.bind(str(self.path))
        finally:
            os.umask(old)
        server.listen(16)
        server.settimeout(1.0)
        try:
            while True:
                try:
                    conn, _ = server.accept()
                except socket.timeout:
                    with self.lock:
                        idle = not self.busy and time.monotonic() - self.last > IDLE_SECONDS
                    if idle:
                        return
                    continue
                with self.lock:
                    self.last = time.monotonic()
                threading.Thread(target=self.handle, args=(conn,), daemon=True).start()
        finally:
            from .run import _shutdown

            server.close()
            self.path.unlink(missing_ok=True)
            _launched(self.path).unlink(missing_ok=True)
            for km in self.ready:
                _shutdown(km)


@contextlib.contextmanager
def _logged_here() -> Any:
    """The (level, message) of every ``civicposts`` log record this thread makes inside the block."""
    messages: list[tuple[int, str]] = []
    me = threading.get_ident()

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.thread == me:
                messages.append((record.levelno, record.getMessage()))

    handler = Collect(logging.INFO)
    root = logging.getLogger("civicposts")
    root.addHandler(handler)
    try:
        yield messages
    finally:
        root.removeHandler(handler)


def main(argv: list[str]) -> int:
    logging.getLogger("civicposts").setLevel(logging.INFO)  # the steps' messages reach _logged_here
    path, slots = Path(argv[0]), int(argv[1])
    budget = int(argv[2]) if len(argv) > 2 else 0
    Runner(path, slots, budget).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
