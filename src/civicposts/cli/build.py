"""The build steps ``make all`` runs, one per product (see the Makefile)."""

from __future__ import annotations

import argparse
import json
import logging
import re
import shlex
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger("civicposts.cli")


def _params(path: str) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def runtime_path(params: str | Path) -> Path:
    """Where the runtime keys (``civicposts.config.RUNTIME_KEYS``) of a parameter file are kept: beside it."""
    return Path(params).with_name("runtime.json")


def _run_params(path: str) -> dict[str, Any]:
    """A parameter file's values with the runtime keys kept beside it (none when that file is missing)."""
    runtime = runtime_path(path)
    return _params(path) | (_params(str(runtime)) if runtime.is_file() else {})


def _with_params(prog: str, argv: list[str], *extra: tuple[tuple[str, ...], dict[str, Any]]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog=f"python -m civicposts {prog}")
    p.add_argument("--params", default="build/study.json", help="effective parameters (default build/study.json)")
    for args, kwargs in extra:
        p.add_argument(*args, **kwargs)
    return p.parse_args(argv)


def params(argv: list[str]) -> int:
    """Write the effective study parameters as JSON, only if they changed."""
    from ..config import load_study, parse_overrides
    from ..errors import ConfigError
    from ..iorw import dumps_json, write_text_if_changed

    p = argparse.ArgumentParser(prog="python -m civicposts params", description=params.__doc__)
    p.add_argument("--study", default="config/study.yaml")
    p.add_argument("--set", default="", help='space-separated overrides, e.g. "bootstrap_seed=7"')
    p.add_argument("--out", required=True)
    p.add_argument("--mk", default=None, help="also write Make variables (corpus inputs) to this file")
    a = p.parse_args(argv)
    try:
        study = load_study(a.study, parse_overrides(a.set))
    except ConfigError as exc:
        print(f"civicposts: {exc}", file=sys.stderr)
        return 2
    changed = write_text_if_changed(a.out, dumps_json(study.build_params()))
    # where the study runs is kept apart: a new scheduler changes no product, so it must rebuild none
    write_text_if_changed(runtime_path(a.out), dumps_json(study.runtime_params()))
    if a.mk:
        write_text_if_changed(a.mk, make_variables(study, a.study))
    if changed:
        print(f"civicposts: study parameters written to {a.out}", file=sys.stderr)
    return 0


def make_variables(study: Any, source: str) -> str:
    """The study's input files as Make variables (build/study.mk), so each rule's data
    prerequisites come from the study configuration, not from the Makefile."""
    from ..provenance import provenance_of

    def words(items: Any) -> str:
        return " ".join(shlex.quote(str(i)) for i in items)

    # provenance_of names markers relative to the working folder already
    markers = sorted({m for p in (*study.corpus_inputs, *study.coding_dirs, *study.interview_inputs)
                      if (m := provenance_of(p).marker)})
    lines = [
        f"# written by `python -m civicposts params` from {source}; do not edit",
        f"CORPUS_INPUTS := {words(study.corpus_inputs)}",
        f"PAPER_DIR := {study.paper_dir}",
        f"INTERVIEW := {words(study.interview_inputs)}",
        f"CODEBOOK := {study.codebook_path}",
        f"CODING_DIRS := {words(study.coding_dirs)}",
        f"ADJUDICATION_FILES := {words(study.adjudication_files)}",
        f"PROVENANCE_MARKERS := {words(markers)}",
        f"PROCESSED_DIR := {study.processed_dir}",
        f"REPORTS_DIR := {study.reports_dir}",
        f"EXCHANGE_NAME := {exchange_name(study, source)}",
    ]
    return "\n".join(lines) + "\n"


def exchange_name(study: Any, source: str) -> str:
    """The file name (no suffix) of the study's REFI-QDA project: the study file's name, with
    "fictional_" in front when the corpus or the codings are made up (read from their provenance)."""
    from ..artefacts import FICTIONAL_PREFIX
    from ..provenance import labels

    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(source).stem) or "study"
    made_up = labels(study.corpus_inputs, study.coding_dirs)
    return (FICTIONAL_PREFIX if made_up.fictional or made_up.simulated else "") + stem


def execute(argv: list[str]) -> int:
    """Run one notebook with the study parameters."""
    from ..errors import CivicpostsError
    from ..run import execute as run_notebook

    a = _with_params("execute", argv, (("notebook",), {}),
                     (("--out-dir",), {"default": None, "help": "default: <reports_dir>/notebooks"}))
    values = _run_params(a.params)
    out_dir = str(a.out_dir or Path(values["reports_dir"]) / "notebooks")
    from ..runner import run_through_runner

    rc = run_through_runner(a.notebook, values, out_dir)
    if rc is not None:
        return rc
    try:
        run_notebook(a.notebook, values, out_dir)
    except CivicpostsError as exc:
        log.error("%s", exc)
        return 1
    return 0


def html(argv: list[str]) -> int:
    """Export executed notebooks to HTML and write the index."""
    from ..errors import CivicpostsError
    from ..report import write_index
    from ..run import to_html

    from ..runner import html_through_runner

    a = _with_params("html", argv, (("executed",), {"nargs": "+"}),
                     (("--no-index",), {"action": "store_true", "help": "only the notebooks' HTML"}),
                     (("--force",), {"action": "store_true", "help": "also notebooks older than their HTML"}),
                     (("--leak-cache",), {"default": None,
                                          "help": "a warm runner also scans them into this leak-scan cache"}))
    try:
        rc = html_through_runner(a.executed, force=a.force, leak_cache=a.leak_cache, params=a.params)
        if rc is None:
            to_html(a.executed, force=a.force)
        elif rc:
            return rc
        if not a.no_index:
            write_index(_params(a.params))
    except CivicpostsError as exc:
        log.error("%s", exc)
        return 1
    return 0


# The report steps built from the study's parameters: name -> (module, function). The PDF and the index are
# built on the build's warm runner when one is up (``civicposts.runner.COMMANDS``); the manifest always here.
BUILD_STEPS = {"pdf": ("civicposts.report", "build_pdf"), "index": ("civicposts.report", "write_index"),
               "manifest": ("civicposts.manifest", "write_manifest")}
_MANIFEST_OUT = (("--out",), {"default": None, "help": "write it here instead of <reports>/manifest.json"})


def _step_args(name: str, argv: list[str]) -> argparse.Namespace:
    return _with_params(name, argv, *([_MANIFEST_OUT] if name == "manifest" else []))


def step_outcome(argv: list[str], name: str) -> tuple[int, list[tuple[int, str]]]:
    """Build the report step ``name`` of :data:`BUILD_STEPS` with ``argv``: its exit code, and the researcher's
    error as a message to log (what the step logs itself is logged as it goes)."""
    import importlib

    from ..errors import CivicpostsError

    a = _step_args(name, argv)
    module, function = BUILD_STEPS[name]
    out = {"out": a.out} if getattr(a, "out", None) else {}  # the manifest's, when given
    try:
        getattr(importlib.import_module(module), function)(_params(a.params), **out)
    except CivicpostsError as exc:
        return 1, [(logging.ERROR, str(exc))]
    return 0, []


def _step(name: str, argv: list[str]) -> int:
    """The report step ``name``: on the build's warm runner when one is up and takes it (its imports are done
    there), else in this process."""
    import functools

    from ..runner import command_here_or_on_runner

    _step_args(name, argv)  # a wrong argument is this process's usage error, not the runner's
    return command_here_or_on_runner(name, argv, functools.partial(step_outcome, name=name))


def pdf(argv: list[str]) -> int:
    """Typeset the PDF report."""
    return _step("pdf", argv)


def warm(argv: list[str]) -> int:
    """Start the build's warm notebook runner in the background (``civicposts.runner.warm``) and return."""
    from ..runner import warm as start

    argparse.ArgumentParser(prog="python -m civicposts warm", description=warm.__doc__).parse_args(argv)
    start()
    return 0


def index(argv: list[str]) -> int:
    """Write the HTML index."""
    return _step("index", argv)


def manifest(argv: list[str]) -> int:
    """Write the manifest of every artefact."""
    return _step("manifest", argv)


def publish(argv: list[str]) -> int:
    """Copy the current manifest, PDF and CSVs to published/ (the reference)."""
    from ..manifest import publish as publish_reference

    log.info("reference written to %s", publish_reference(_params(_with_params("publish", argv).params)))
    return 0


def verify(argv: list[str]) -> int:
    """Rebuild from data/raw (or take --rebuilt) and compare every artefact with the reference."""
    from ..manifest import VerificationError, format_rows
    from ..manifest import verify as verify_tree

    p = argparse.ArgumentParser(prog="python -m civicposts verify", description=verify.__doc__)
    p.add_argument("--reference", default=None)
    p.add_argument("--rebuilt", default=None, help="compare this already rebuilt folder instead of rebuilding")
    a = p.parse_args(argv)
    try:
        rows = verify_tree(".", a.reference, Path(a.rebuilt) if a.rebuilt else None)
    except VerificationError as exc:
        log.error("%s", exc)
        return 2
    print(format_rows(rows))
    return 0 if all(r.status == "reproduced" for r in rows) else 1


def deps(argv: list[str]) -> int:
    """Write each notebook's source-file prerequisites, derived from its imports (build/deps.mk)."""
    import os

    from ..deps import make_fragment

    p = argparse.ArgumentParser(prog="python -m civicposts deps", description=deps.__doc__)
    p.add_argument("--notebooks", default="notebooks", help="folder of the notebooks (default notebooks)")
    p.add_argument("--src", default="src", help="folder holding the civicposts package (default src)")
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)
    root = Path.cwd()
    text = make_fragment(Path(a.notebooks).resolve().glob("*.ipynb"), Path(a.src).resolve(), root.resolve())
    out = Path(a.out)
    if not out.exists() or out.read_text(encoding="utf-8") != text:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, out)  # written whole or not at all
    return 0
