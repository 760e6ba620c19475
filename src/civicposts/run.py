"""Executing the study's parameterized notebooks with papermill, and exporting them to HTML.

``python -m civicposts execute NOTEBOOK --params build/study.json`` runs one
notebook with the study parameters it declares in its ``parameters`` cell and
writes the executed copy to ``reports/notebooks/``; the output appears only
when the run succeeded (write-then-rename), and a failed run is kept beside it
as ``<name>.failed.ipynb`` for reading, never mistaken for a product. The executed
copy keeps no run times or random cell ids, so a rebuild is byte-identical; the
cells' run times go to ``build/timings/<name>.json`` for the benchmarks.

``python -m civicposts html EXECUTED...`` converts executed notebooks to
HTML in one process (nbconvert's import is the largest fixed cost, so it is
paid once for all notebooks) and writes ``reports/index.html``.

Start-up cost matters because Make runs one process per notebook: optional
modules that papermill and jsonschema import but never use here (the
``rfc3987_syntax`` format checker, pyarrow's HDFS client) are blocked before
papermill is imported, which roughly halves the import time.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import sys
import threading
import time
from pathlib import Path
from typing import Any

log = logging.getLogger("civicposts.run")

# Never used by the runner; importing them costs seconds (see module docstring).
_BLOCKED_IMPORTS = ("rfc3987_syntax", "pyarrow", "pyarrow.fs")

VOLATILE_NB_METADATA = ("start_time", "end_time", "duration", "input_path", "output_path", "version",
                        "environment_variables")


_IMPORTS_LOCK = threading.Lock()  # the runner's threads block and allow imports


def _block_optional_imports() -> None:
    with _IMPORTS_LOCK:
        if "pandas" in sys.modules:  # a process that reads tables (a test, a notebook) needs pyarrow: block nothing
            return
        for name in _BLOCKED_IMPORTS:
            sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def allow_tables() -> None:
    """Let this process read tables after ``_block_optional_imports``: call before anything imports pandas.
    pandas imported while pyarrow is blocked would take pyarrow for missing for the rest of the process, so
    both are imported here, under the lock (the runner's leak scans read Parquet)."""
    with _IMPORTS_LOCK:
        for name in ("pyarrow", "pyarrow.fs"):
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
        import pyarrow  # noqa: F401
        import pandas  # noqa: F401


def declared_parameters(notebook: str | Path) -> list[str]:
    """Names assigned in the notebook's cell tagged ``parameters``."""
    import ast

    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            names: list[str] = []
            for node in ast.parse(src).body:
                targets = node.targets if isinstance(node, ast.Assign) else (
                    [node.target] if isinstance(node, ast.AnnAssign) else [])
                names += [t.id for t in targets if isinstance(t, ast.Name)]
            return names
    return []


def kernel_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a notebook's kernel starts with: ``base`` (default this process's), a fixed hash
    seed unless one is set, and no inherited matplotlib backend (it would suppress inline plots)."""
    env = dict(os.environ if base is None else base)
    env.setdefault("PYTHONHASHSEED", "0")
    env.pop("MPLBACKEND", None)
    env.pop("CIVICPOSTS_NOTEBOOK", None)
    return env


def execute(notebook: str | Path, params: dict[str, Any], out_dir: str | Path = "reports/notebooks",
            cwd: str | Path = ".", timings_dir: str | Path = "build/timings", km: Any = None,
            shutdown: bool = True) -> Path:
    """Run ``notebook`` with the study parameters it declares; return the executed copy's path.

    ``km``: an already started kernel (``jupyter_client`` kernel manager; :mod:`civicposts.runner` keeps
    some warm), started with :func:`kernel_env` in ``cwd``; it is shut down afterwards unless ``shutdown`` is
    False (the runner then stops it after answering, off the build's path). Without one, a kernel is started
    for the notebook and this process's environment is left as it was.
    """
    _block_optional_imports()
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from .errors import CivicpostsError
    from .iorw import stored_notebook, write_text

    notebook = Path(notebook)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / notebook.name
    tmp = out_dir / f".{notebook.stem}.running.ipynb"
    failed = out_dir / f"{notebook.stem}.failed.ipynb"
    declared = declared_parameters(notebook)
    if not declared:
        raise CivicpostsError(f"{notebook}: no cell tagged 'parameters'; every notebook needs one")
    inject = {k: params[k] for k in declared if k in params}
    # A stale product must not survive a failed rerun looking finished.
    target.unlink(missing_ok=True)

    reports = Path(params.get("reports_dir") or "reports")
    before = _artefacts_of(notebook, reports)
    started_ns = time.time_ns()
    # Run the notebook's stored form: outputs or widget state a JupyterLab session saved into it (a student
    # running it by hand) never reach the executed notebook.
    stored = target.parent / f".{notebook.stem}.input.ipynb"
    write_text(stored, json.dumps(stored_notebook(json.loads(notebook.read_text(encoding="utf-8"))),
                                  indent=1, ensure_ascii=False) + "\n")
    env_backup = dict(os.environ)
    engine: dict[str, Any] = {}
    if km is None:  # the kernel papermill starts inherits this process's environment
        os.environ.clear()
        os.environ.update(kernel_env(env_backup))
        os.environ["CIVICPOSTS_NOTEBOOK"] = str(notebook)
    else:  # a warm kernel: its environment was set when it started; the notebook's name is set in it now
        set_kernel_env(km, {"CIVICPOSTS_NOTEBOOK": str(notebook)})
        engine["km"] = km
    t0 = time.perf_counter()
    try:
        for attempt in (1, 2):
            try:
                pm.execute_notebook(str(stored), str(tmp), parameters=inject, cwd=str(cwd), kernel_name="python3",
                                    progress_bar=False, log_output=False, request_save_on_cell_execute=False,
                                    engine_name=_engine(), **engine)
                break
            except RuntimeError as exc:
                # A kernel of its own that died before its first reply, before any cell ran: two processes
                # starting kernels at once can pick the same free port (jupyter_client chooses ports before
                # the kernel binds them: seen in one of three `-j2` builds with the runner off). Once, another starts.
                if km is not None or attempt == 2 or "before replying to kernel_info" not in str(exc):
                    raise
                log.warning("%s: its kernel died while starting (%s); starting another", notebook, exc)
    except PapermillExecutionError as exc:
        os.replace(tmp, failed)
        raise CivicpostsError(
            f"{notebook} failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}\n"
            f"The executed notebook with the error is kept at {failed} for reading.") from None
    finally:
        if km is None:
            os.environ.clear()
            os.environ.update(env_backup)
        elif shutdown:
            _shutdown(km)
        stored.unlink(missing_ok=True)
    _finalise(tmp, notebook, target, Path(timings_dir) / f"{notebook.stem}.json")
    failed.unlink(missing_ok=True)
    _remove_stale(before, started_ns, notebook)
    log.info("executed %s in %.1f s -> %s", notebook, time.perf_counter() - t0, target)
    return target


ENGINE = "civicposts"


@functools.cache
def _engine() -> str:
    """The name of papermill's nbclient engine without its saves between cells, registered on first use.

    papermill's engine writes the whole notebook to the output file when each cell starts and again when it
    ends (twice per cell, markdown too, each time the whole growing notebook: 0.1-0.3 s per notebook of the
    demo, on the build's longest path). Nothing reads those copies: papermill itself writes the executed
    notebook once at the end, and the notebook with the error when a cell fails, whatever its engine does.
    This engine runs the same cells with the same client; only its execution manager has no file to save to.
    """
    from papermill.engines import NBClientEngine, papermill_engines

    class FinalOnly(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb: Any, kernel_name: str, output_path: Any = None, **kwargs: Any) -> Any:
            return super().execute_notebook(nb, kernel_name, output_path=None, **kwargs)

    papermill_engines.register(ENGINE, FinalOnly)  # once per process (cached)
    return ENGINE


def set_kernel_env(km: Any, values: dict[str, str]) -> None:
    """Set environment variables inside a started kernel, silently: no execution count, no history, and no
    name bound in the notebook's namespace (the notebook must run as it would in a fresh kernel)."""
    from queue import Empty

    # Only the shell channel, and no wait_for_ready: that waits 0.2 s for IOPub to fall quiet, and papermill
    # waits again when it connects. A request sent before the kernel listens is queued by ZeroMQ.
    kc = km.client()
    kc.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
    try:
        code = "".join(f"__import__('os').environ[{k!r}] = {v!r}\n" for k, v in values.items())
        msg_id = kc.execute(code, silent=True, store_history=False)
        deadline = time.monotonic() + 60
        while True:
            try:
                reply = _run_sync(kc.get_shell_msg)(timeout=1)
            except Empty:
                # a kernel that died (e.g. it could not bind its port) is said at once, in the words of
                # jupyter_client's own check, so the runner can give the notebook another kernel
                if not _run_sync(km.is_alive)():
                    raise RuntimeError("Kernel died before replying to kernel_info") from None
                if time.monotonic() > deadline:
                    raise RuntimeError("the kernel did not answer within 60 s") from None
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if reply["content"].get("status") != "ok":
            raise RuntimeError(f"could not prepare the kernel: {reply['content']}")
    finally:
        kc.stop_channels()


def _run_sync(fn: Any) -> Any:
    from jupyter_core.utils import run_sync

    return run_sync(fn)


def _shutdown(km: Any) -> None:
    try:
        _run_sync(km.shutdown_kernel)(now=True)
    except Exception as exc:  # already gone: nothing to stop
        log.debug("kernel shutdown: %s", exc)


def _artefacts_of(notebook: Path, reports: Path) -> list[Path]:
    """The sidecars (``*.meta.json``) of the artefacts ``notebook`` made in an earlier run."""
    out = []
    for sub in ("tables", "figures"):
        for meta in sorted((reports / sub).glob("*.meta.json")):
            try:
                made_by = json.loads(meta.read_text(encoding="utf-8")).get("notebook")
            except (OSError, ValueError):
                continue
            if made_by and Path(made_by) == notebook:
                out.append(meta)
    return out


def _remove_stale(sidecars: list[Path], started_ns: int, notebook: Path) -> None:
    """Remove what ``notebook`` made before but did not make again in this run (a renamed or retired
    table or figure), so the report never shows an artefact its notebook no longer makes."""
    for meta in sidecars:
        if not meta.exists() or meta.stat().st_mtime_ns >= started_ns:
            continue  # written again by this run (files are always rewritten, never skipped)
        files = json.loads(meta.read_text(encoding="utf-8")).get("files", [])
        for name in files:
            (meta.parent / name).unlink(missing_ok=True)
        meta.unlink()
        log.info("removed %s: %s no longer makes it", meta.name.removesuffix(".meta.json"), notebook)


def _finalise(tmp: Path, source: Path, target: Path, timings: Path) -> None:
    """Strip run times and random ids from the executed notebook, keep the times aside, move it into place."""
    from .iorw import write_json, write_text

    nb = json.loads(tmp.read_text(encoding="utf-8"))
    seconds = {str(i): float(c.get("metadata", {}).get("papermill", {}).get("duration") or 0)
               for i, c in enumerate(nb.get("cells", []))}
    write_json(timings, {"notebook": str(source), "cell_seconds": seconds})
    nb = normalised_notebook(nb)
    for i, cell in enumerate(nb.get("cells", [])):
        # papermill gives the injected-parameters cell a random id; a stable one keeps rebuilds identical.
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = f"injected-parameters-{i}"
    meta = nb.setdefault("metadata", {}).setdefault("papermill", {})
    meta["input_path"] = str(source)
    meta["output_path"] = str(target)
    write_text(target, json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    tmp.unlink()


def cell_seconds(timings: str | Path) -> float:
    """Sum of one notebook's cell run times, from the file ``execute`` keeps in ``build/timings/``."""
    data = json.loads(Path(timings).read_text(encoding="utf-8"))
    return sum(float(v) for v in data["cell_seconds"].values())


def normalised_notebook(nb: dict[str, Any]) -> dict[str, Any]:
    """A copy of an executed notebook without run times or papermill's per-cell metadata."""
    import copy

    nb = copy.deepcopy(nb)
    meta = nb.get("metadata", {}).get("papermill", {})
    for key in VOLATILE_NB_METADATA:
        meta.pop(key, None)
    for cell in nb.get("cells", []):
        cell.get("metadata", {}).pop("papermill", None)
        cell.get("metadata", {}).pop("execution", None)
    return nb


_HTML_LOCK = threading.Lock()  # the warm runner exports from several threads; one exporter, one at a time


# Scripts, styles and comments: text, not markup, for the accessibility pass below.
_RAW_BLOCK = re.compile(r"(<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->)", re.S | re.I)
# A div whose class list has one of the tokens nbconvert makes focusable (a cell's input, an output), without a
# tabindex of its own; and an img without alternative text.
_FOCUS_DIV = re.compile(r"""<div\b(?=[^>]*\sclass=(["'])(?:[^"']*\s)?(?:jp-Cell-inputWrapper|jp-OutputArea-output)"""
                        r"""(?:\s[^"']*)?\1)(?![^>]*\stabindex=)([^>]*?)(/?)>""", re.I)
_IMG_NO_ALT = re.compile(r"<img\b(?![^>]*\salt=)([^>]*?)(/?)>", re.I)
NO_ALT = "No description has been provided for this image"


def accessible(html: str) -> tuple[str, int]:
    """What nbconvert's HTML exporter adds for keyboard and screen-reader users, done on the text: every cell
    input and output div becomes focusable (``tabindex="0"``) and every image without alternative text gets
    nbconvert's placeholder; scripts, styles and comments are left as they are. Returns the HTML and the number
    of images that had no alternative text.

    nbconvert parses the whole page with BeautifulSoup for this and writes it out again: 45 % of each
    notebook's export, on the runner beside the build's notebooks."""
    parts = _RAW_BLOCK.split(html)
    missing = 0
    for i in range(0, len(parts), 2):  # even parts are markup, odd ones the raw blocks split out
        text = _FOCUS_DIV.sub(lambda m: f'<div{m.group(2)} tabindex="0"{m.group(3)}>', parts[i])
        text, n = _IMG_NO_ALT.subn(lambda m: f'<img{m.group(1)} alt="{NO_ALT}"{m.group(2)}>', text)
        parts[i], missing = text, missing + n
    return "".join(parts), missing


@functools.cache
def _html_exporter() -> Any:
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter

    class Exporter(HTMLExporter):  # type: ignore[misc]
        """nbconvert's HTML exporter with its accessibility pass done by :func:`accessible`."""

        def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> tuple[str, Any]:
            # HTMLExporter.from_notebook_node up to its BeautifulSoup pass (nbconvert 7.17)
            from nbconvert.filters.highlight import Highlight2HTML
            from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            html, missing = accessible(html)
            if missing:
                self.log.warning("Alternative text is missing on %s image(s).", missing)
            return html, resources

    # the lab look, without the CDN scripts (require.js, MathJax): a reviewer reads the reports offline
    exporter = Exporter(template_name="lab", template_file=str(Path(__file__).with_name("data") / "offline.html.j2"))
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    return exporter


def to_html(executed: list[str | Path], *, force: bool = False) -> list[Path]:
    """Convert executed notebooks to HTML next to them (only those newer than their HTML, unless ``force``:
    make's per-notebook rule already decided)."""
    _block_optional_imports()
    import nbformat

    from .errors import InputError
    from .iorw import write_text

    written = []
    for path in map(Path, executed):
        html = path.with_suffix(".html")
        if not force and html.exists() and html.stat().st_mtime >= path.stat().st_mtime:
            continue
        try:
            nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        except Exception as exc:  # not JSON, not a notebook, unreadable: named, never a traceback
            raise InputError(str(path), f"cannot export to HTML, not a readable notebook: {exc}") from exc
        with _HTML_LOCK:
            body, _ = _html_exporter().from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
        write_text(html, body)
        written.append(html)
        log.info("HTML %s", html)
    return written
