"""The manifest: every artefact with its sha256, how it was made and from what; and verification.

``build_manifest`` records, for every file under ``reports/`` and
``data/processed/``: its sha256, the notebook and function that made it (from
the artefact sidecars), its input files with their sha256, the run's
parameters, package versions and the git commit. Run times are kept out.

``compare`` checks a rebuilt manifest against a reference (the committed
``published/manifest.json``): each artefact is *reproduced* or *differs*
(or is *missing*/*new*), changed inputs are listed, and for a differing CSV
table the differing rows and cells are named by diffing against the
reference copy kept in ``published/``.

Every artefact, executed notebooks and their HTML included, must match byte
for byte (``civicposts.run`` keeps run times out of executed notebooks).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import VerificationError
from .iorw import dumps_json, notebook_sha256, sha256_file, write_text
from .verification import RECORD_NAME, SCRIPT_NAME
from .verification import record as record_verification

log = logging.getLogger(__name__)

SCHEMA = "civicposts-manifest/2"
MANIFEST = "manifest.json"
PUBLISHED = Path("published")
# the last verification's record sits beside the reports but is not one of them (civicposts.verification)
SKIP_NAMES = {MANIFEST, ".gitkeep", RECORD_NAME, SCRIPT_NAME}
SKIP_SUFFIXES = {".tmp"}

MANIFEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["schema", "git", "environment", "parameters", "inputs", "artefacts"],
    "properties": {
        "schema": {"const": SCHEMA},
        "git": {"type": "object", "required": ["commit", "dirty"]},
        "environment": {"type": "object", "required": ["python", "packages"]},
        "parameters": {"type": "object"},
        "inputs": {"type": "object", "additionalProperties": {"type": "string", "pattern": "^[0-9a-f]{64}$"}},
        "artefacts": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "sha256", "kind", "made_by", "inputs"],
                "properties": {
                    "path": {"type": "string"},
                    "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    "kind": {"type": "string"},
                    "made_by": {"type": "object", "required": ["notebook", "function"]},
                    "inputs": {"type": "object"},
                },
            },
        },
    },
}

def git_output(root: Path, *args: str) -> str:
    """What ``git args`` prints in ``root`` (stripped), or "" when git or the repository is missing."""
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


# What the environment's installer brings along (the venv's own pip and setuptools, uv where it was not on
# PATH): they compute nothing, are not in the lock, and differ from machine to machine and day to day.
INSTALLERS = frozenset({"pip", "setuptools", "uv", "wheel"})
_HEADER_RE = re.compile(r"^(Name|Version):[ \t]*(.*?)[ \t]*$", re.MULTILINE)


def _packages() -> dict[str, str]:
    """Name (lowercased) and version of every installed distribution but the installers, from the headers of
    its METADATA (read directly: parsing each file as an e-mail message took half a second)."""
    from importlib import metadata

    out = {}
    for d in metadata.distributions():
        text = d.read_text("METADATA") or d.read_text("PKG-INFO") or ""
        head = dict(_HEADER_RE.findall(text.split("\n\n", 1)[0]))
        name = head.get("Name", "").lower()
        if name and name not in INSTALLERS:
            out[name] = head.get("Version", "")
    return out


def study_inputs(params: Mapping[str, Any]) -> list[str]:
    """The data a study reads, as named by its configuration: corpus, paper facts, interview records,
    codebook, coder folders, adjudication files, and the PROVENANCE.yaml markers that label them."""
    from .provenance import provenance_of

    named = [*(params.get("corpus_inputs") or []), *(params.get("interview_inputs") or []),
             *(params.get("coding_dirs") or []), params.get("coder_dir") or "",
             *(params.get("adjudication_files") or []), params.get("paper_dir") or "",
             params.get("codebook_path") or ""]
    named = [str(n) for n in named if n]
    markers = {m for n in named if (m := provenance_of(n).marker)}
    return sorted(set(named) | markers)


def input_files(root: Path, params: Mapping[str, Any]) -> dict[str, str]:
    """sha256 of every input: the study's data (see :func:`study_inputs`), the study config, the
    notebooks, the package source and the lock."""
    files: set[str] = set()
    folders = [*study_inputs(params), "notebooks", "src/civicposts"]
    # coder folders are read file by file, not their subfolders (coding/practice is never part of a study)
    flat = {str(d) for d in [*(params.get("coding_dirs") or []), params.get("coder_dir") or ""] if d}
    for folder in folders:
        base = str(Path(folder) if Path(folder).is_absolute() else root / folder)
        if os.path.isfile(base):
            files.add(base)
        elif os.path.isdir(base):
            files.update(_folder_files(base, recursive=str(folder) not in flat))
    files.add(str(root / params.get("study_config", "config/study.yaml")))
    files.add(str(root / "requirements.lock"))

    top = os.path.realpath(root)
    real_dirs: dict[str, str] = {}

    def name(p: str) -> str:
        # os.path.realpath(p), with each folder resolved once: a file that is no link resolves to its folder's
        # real path and its own name (the corpus is thousands of files in a few folders)
        if os.path.islink(p):
            real = os.path.realpath(p)
        else:
            folder, base = os.path.split(p)
            if folder not in real_dirs:
                real_dirs[folder] = os.path.realpath(folder)
            real = os.path.join(real_dirs[folder], base)
        return real[len(top) + 1:] if real.startswith(top + os.sep) else real

    def digest(p: str) -> str:  # a notebook by its content, not by the outputs a session saved in it
        path = Path(p)
        return notebook_sha256(path) if path.suffix == ".ipynb" and path.parent.name == "notebooks" else sha256_file(path)

    return {name(p): digest(p) for p in sorted(files, key=_path_order) if os.path.exists(p)}


def _path_order(path: str) -> list[str]:
    """Sort key: paths compared part by part, as pathlib sorts them (without making Path objects)."""
    return path.split(os.sep)


def _folder_files(base: str, *, recursive: bool) -> list[str]:
    """The files in ``base`` (and, ``recursive``, its subfolders, without following linked folders), leaving out
    hidden files and folders (.ipynb_checkpoints of a JupyterLab session) and caches: not inputs."""
    if "__pycache__" in Path(base).parts:
        return []
    out = []
    for folder, dirs, names in os.walk(base):
        dirs[:] = [d for d in dirs if recursive and not d.startswith(".") and d != "__pycache__"]
        out += [os.path.join(folder, n) for n in names if not n.startswith(".") and os.path.isfile(os.path.join(folder, n))]
    return out


def _sidecar_index(reports_dir: Path) -> dict[str, dict[str, Any]]:
    """Map each artefact file (relative to reports/) to its sidecar."""
    from .artefacts import load_sidecars

    out = {}
    for meta in load_sidecars(reports_dir):
        for f in [*meta["files"], f"{meta['name']}.meta.json"]:
            out[f"{meta['dir']}/{f}"] = meta
    return out


# What a build writes below its reports folder; anything else there (another study's reports_dir nested
# inside, e.g. reports/my_study/) belongs to someone else and is not in this manifest.
REPORT_SUBDIRS = ("notebooks", "figures", "tables")


def _own_output(base: Path, path: Path, is_reports: bool) -> bool:
    parts = path.relative_to(base).parts
    if len(parts) == 1:
        return True
    return parts[0] in REPORT_SUBDIRS if is_reports else parts[0] == ".provenance" and len(parts) == 2


def build_manifest(params: dict[str, Any], root: str | Path = ".") -> dict[str, Any]:
    """The manifest of everything under the reports and processed-data folders."""
    root = Path(root)
    reports = root / params["reports_dir"]
    processed = root / params["processed_dir"]
    inputs = input_files(root, params)
    hashed: dict[str, str] = {}  # a folder input (a corpus of thousands of files) is hashed once, not per artefact
    sidecars = _sidecar_index(reports)
    artefacts = []
    for base in (reports, processed):
        for p in sorted(x for x in base.rglob("*") if x.is_file() and _own_output(base, x, base == reports)):
            if p.name in SKIP_NAMES or p.suffix in SKIP_SUFFIXES or p.name.startswith(".") \
                    or p.name.endswith(".failed.ipynb"):
                continue
            rel = p.relative_to(root).as_posix()
            meta = sidecars.get(p.relative_to(reports).as_posix()) if base == reports else None
            digest = sha256_file(p)
            if meta:
                made_by = {"notebook": meta["notebook"], "function": meta["function"]}
                used = meta["inputs"]
            elif p.parent.name == "notebooks" and base == reports:
                made_by = {"notebook": f"notebooks/{p.stem}.ipynb",
                           "function": "civicposts.run.execute" if p.suffix == ".ipynb" else "civicposts.run.to_html"}
                used = [f"notebooks/{p.stem}.ipynb"]
            elif p.name == "index.html":
                made_by = {"notebook": "-", "function": "civicposts.report.write_index"}
                used = []
            elif p.suffix == ".pdf":
                made_by = {"notebook": "-", "function": "civicposts.report.build_pdf"}
                used = []
            else:
                made_by = _processed_maker(processed, p)
                used = made_by.pop("inputs", [])
            artefacts.append({
                "path": rel,
                "kind": (meta or {}).get("kind", p.suffix.lstrip(".")),
                "label": (meta or {}).get("label"),
                "fictional": (meta or {}).get("fictional"),
                "sha256": digest,
                "made_by": made_by,
                "inputs": {i: _hash_input(root, i, inputs, hashed) for i in used},
            })
    return {
        "schema": SCHEMA,
        "git": {"commit": git_output(root, "rev-parse", "HEAD") or "unknown",
                "dirty": bool(git_output(root, "status", "--porcelain", "--untracked-files=no"))},
        "environment": {"python": platform.python_version(), "platform": platform.system().lower(),
                        "packages": _packages()},
        "parameters": {k: v for k, v in params.items()},
        "inputs": inputs,
        "artefacts": artefacts,
    }


def _hash_input(root: Path, rel: str, known: dict[str, str], hashed: dict[str, str] | None = None) -> str:
    """sha256 of an artefact's input: a file's, or for a folder one over its files' names and hashes.
    ``known``: the hashes :func:`input_files` computed; ``hashed``: folders hashed so far."""
    if rel in known:
        return known[rel]
    if hashed is not None and rel in hashed:
        return hashed[rel]
    p = root / rel
    if p.is_file():
        digest = sha256_file(p)
    elif p.is_dir():
        h = hashlib.sha256()
        # every file below it (not into linked folders), in pathlib's order, part by part, as strings: a corpus
        # folder is thousands of files, and making and sorting Path objects took half of the manifest's time
        base = str(p)
        files = [os.path.join(d, n) for d, _, names in os.walk(base) for n in names]
        for f in sorted((f for f in files if os.path.isfile(f)), key=_path_order):
            inner = f[len(base) + 1:].replace(os.sep, "/")
            sha = known.get(f"{rel.rstrip('/')}/{inner}") or sha256_file(f)  # each file is read at most once
            h.update(inner.encode() + b"\0" + sha.encode())
        digest = h.hexdigest()
    else:
        digest = "missing"
    if hashed is not None:
        hashed[rel] = digest
    return digest


def _processed_maker(processed: Path, p: Path) -> dict[str, Any]:
    """Provenance of a processed-data file, from a ``<name>.provenance.json`` written beside it."""
    side = processed / ".provenance" / f"{p.name}.json"
    if side.exists():
        return json.loads(side.read_text(encoding="utf-8"))
    return {"notebook": "unknown", "function": "unknown"}


def write_manifest(params: dict[str, Any], root: str | Path = ".", out: str | Path | None = None) -> Path:
    """Build and write ``reports/manifest.json`` (or ``out``: the build computes it beside its final leak
    scan and puts it in place once the scan has found nothing)."""
    m = build_manifest(params, root)
    out = write_text(Path(out) if out else Path(root) / params["reports_dir"] / MANIFEST, dumps_json(m))
    log.info("manifest %s: %d artefacts, %d inputs", out, len(m["artefacts"]), len(m["inputs"]))
    return out


# ---------------------------------------------------------------------------- verification

@dataclass
class Row:
    path: str
    status: str  # reproduced | differs | missing | new | input changed | input added | input removed
    detail: str = ""


def _csv_diff(ref: Path, new: Path, limit: int = 8) -> str:
    """Which rows and cells of two CSV tables differ, as a short text."""
    import pandas as pd

    a = pd.read_csv(ref, dtype=str, keep_default_na=False)
    b = pd.read_csv(new, dtype=str, keep_default_na=False)
    if list(a.columns) != list(b.columns):
        return f"columns differ: {sorted(set(a.columns) ^ set(b.columns)) or 'order'}"
    parts = []
    if len(a) != len(b):
        parts.append(f"rows {len(a)} -> {len(b)}")
    n = min(len(a), len(b))
    cells = []
    for col in a.columns:
        diff = (a[col].iloc[:n].values != b[col].iloc[:n].values).nonzero()[0]
        cells += [(int(i) + 1, col, a[col].iloc[i], b[col].iloc[i]) for i in diff]
    cells.sort()
    for row, col, old, new_v in cells[:limit]:
        parts.append(f"row {row} '{col}': {old!r} -> {new_v!r}")
    if len(cells) > limit:
        parts.append(f"... {len(cells) - limit} more cells")
    return "; ".join(parts) or "bytes differ (same cells)"


def compare(reference: dict[str, Any], rebuilt: dict[str, Any], *, reference_dir: Path | None = None,
            rebuilt_root: Path | None = None) -> list[Row]:
    """Compare a rebuilt manifest with the reference; one row per artefact and per changed input."""
    rows: list[Row] = []
    ref_in, new_in = reference["inputs"], rebuilt["inputs"]
    for path in sorted(set(ref_in) | set(new_in)):
        if path not in new_in:
            rows.append(Row(path, "input removed"))
        elif path not in ref_in:
            rows.append(Row(path, "input added"))
        elif ref_in[path] != new_in[path]:
            rows.append(Row(path, "input changed", f"sha256 {ref_in[path][:12]} -> {new_in[path][:12]}"))
    ref_a = {a["path"]: a for a in reference["artefacts"]}
    new_a = {a["path"]: a for a in rebuilt["artefacts"]}
    for path in sorted(set(ref_a) | set(new_a)):
        if path not in new_a:
            rows.append(Row(path, "missing", "in the reference, not rebuilt"))
            continue
        if path not in ref_a:
            rows.append(Row(path, "new", "rebuilt, not in the reference"))
            continue
        if ref_a[path]["sha256"] == new_a[path]["sha256"]:
            rows.append(Row(path, "reproduced"))
            continue
        detail = f"sha256 {ref_a[path]['sha256'][:12]} -> {new_a[path]['sha256'][:12]}"
        ref_copy = reference_dir / path if reference_dir else None
        new_copy = rebuilt_root / path if rebuilt_root else None
        if path.endswith(".csv") and ref_copy and new_copy and ref_copy.exists() and new_copy.exists():
            detail = _csv_diff(ref_copy, new_copy)
        rows.append(Row(path, "differs", detail))
    return rows


def format_rows(rows: list[Row]) -> str:
    """A plain-text table of verification rows and a summary line."""
    width = max((len(r.path) for r in rows), default=10)
    lines = [f"{'artefact / input':<{width}}  {'status':<14}  detail", "-" * (width + 40)]
    lines += [f"{r.path:<{width}}  {r.status:<14}  {r.detail}" for r in rows]
    bad = [r for r in rows if r.status != "reproduced"]
    ok = sum(r.status == "reproduced" for r in rows)
    lines.append(f"\n{ok} reproduced, {len(bad)} not reproduced")
    return "\n".join(lines)


def copy_sources(root: Path, dst: Path) -> Path:
    """Copy the files git tracks or would track, except reports and processed data, from ``root`` to ``dst``."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=root,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = root / rel
        if rel.startswith(("reports/", "data/processed/")) or not src.is_file():
            continue
        (dst / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst / rel)
    return dst


def current_venv() -> str:
    """The environment running this process (a venv's python is often a symlink to the base
    interpreter, so the path of ``sys.executable`` resolved would name the wrong one)."""
    return os.environ.get("VIRTUAL_ENV") or sys.prefix


def rebuild_in_tmp(root: Path, make_args: list[str] | None = None) -> Path:
    """Copy the tracked sources (not reports or processed data) to a temp folder and run ``make all`` there."""
    tmp = copy_sources(root, Path(tempfile.mkdtemp(prefix="civicposts-verify-")))
    venv = current_venv()
    env = {**os.environ, "CIVICPOSTS_VERIFY": "1"}
    cmd = ["make", "--no-print-directory", "all", f"VENV={venv}", *(make_args or [])]
    log.info("rebuilding in %s: %s", tmp, " ".join(cmd))
    subprocess.run(cmd, cwd=tmp, env=env, check=True)
    return tmp


def verify(root: str | Path = ".", reference: str | Path | None = None, rebuilt_root: Path | None = None,
           make_args: list[str] | None = None) -> list[Row]:
    """Rebuild from ``data/raw`` (unless ``rebuilt_root`` is given), compare with the reference, and keep the
    result in ``root``'s reports folder (:mod:`civicposts.verification`)."""
    root = Path(root)
    reference = Path(reference or root / PUBLISHED / "reports" / MANIFEST)
    if not reference.exists():
        raise VerificationError(f"{reference}: no reference manifest (maintainers: run `make publish` and commit it)")
    ref = json.loads(reference.read_text(encoding="utf-8"))
    rebuilt_root = rebuilt_root or rebuild_in_tmp(root, make_args)
    params = ref["parameters"]
    new = json.loads((rebuilt_root / params["reports_dir"] / MANIFEST).read_text(encoding="utf-8"))
    # a reference tree mirrors the repository: <root>/reports/manifest.json
    rows = compare(ref, new, reference_dir=reference.parent.parent, rebuilt_root=rebuilt_root)
    # the result is kept beside this copy's reports (never inside a verified file) for the index to show
    record_verification(rows, root, params["reports_dir"], reference)
    return rows


def publish(params: dict[str, Any], root: str | Path = ".") -> Path:
    """Copy the manifest, the PDF and every CSV artefact to ``published/`` as the reference.

    ``published/`` mirrors the repository's layout (``published/reports/manifest.json``), so
    a differing table can be diffed cell by cell against its reference copy.
    """
    root = Path(root)
    out = root / PUBLISHED
    if out.exists():
        shutil.rmtree(out)
    m = json.loads((root / params["reports_dir"] / MANIFEST).read_text(encoding="utf-8"))
    for a in m["artefacts"]:
        if a["path"].endswith((".csv", ".pdf")):
            dst = out / a["path"]
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / a["path"], dst)
    shutil.copy2(root / params["reports_dir"] / MANIFEST, out / "reports" / MANIFEST)
    return out
