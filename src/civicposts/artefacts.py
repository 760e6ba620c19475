"""Saving figures and tables with their captions and provenance.

Every figure is saved as PNG and SVG with the table of numbers it plots as CSV
beside it; every table as CSV. Each artefact gets a sidecar ``<name>.meta.json``
saying what it is (label, caption), which function made it, from which input
files, in which notebook, and whether its data are fictional. The PDF report,
the HTML index and the manifest are all built from these sidecars.

Artefacts made from fictional or simulated data are labelled so in the file
name (prefix ``fictional_``) and the caption (prefix ``[Fictional demo data]``),
whatever the caller passed.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .iorw import write_bytes, write_csv, write_json

if TYPE_CHECKING:  # no pandas at import: the PDF and index steps read sidecars only
    import pandas as pd

log = logging.getLogger(__name__)

FICTIONAL_PREFIX = "fictional_"
FICTIONAL_CAPTION = "[Fictional demo data] "
SIMULATED_CAPTION = "[Simulated coders on fictional demo data] "

# Fixed metadata so the same figure gives the same bytes on every run.
PNG_METADATA = {"Software": "civicposts (matplotlib)"}
SVG_METADATA = {"Date": None, "Creator": "civicposts (matplotlib)"}


def _qualname(function: Callable[..., Any] | str) -> str:
    from .tables.views import qualname

    return qualname(function)


def _label_name(name: str, fictional: bool) -> str:
    if fictional and not name.startswith(FICTIONAL_PREFIX):
        return FICTIONAL_PREFIX + name
    return name


def _label_caption(caption: str, fictional: bool, simulated: bool = False) -> str:
    """The caption with its label in front: the label depends on the data, not on the caption's words."""
    for prefix in (SIMULATED_CAPTION, FICTIONAL_CAPTION):
        if caption.startswith(prefix):
            caption = caption[len(prefix):]
    if simulated:
        return SIMULATED_CAPTION + caption
    if fictional:
        return FICTIONAL_CAPTION + caption
    return caption


def _sidecar(kind: str, name: str, files: list[str], *, label: str, caption: str, function: str,
             inputs: Sequence[str | Path], fictional: bool, order: float, notebook: str | None,
             extra: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "kind": kind,
        "name": name,
        "files": files,
        "label": label,
        "caption": caption,
        "function": function,
        "inputs": sorted({str(Path(p)) for p in inputs}),
        "fictional": fictional,
        "order": order,
        "notebook": notebook or os.environ.get("CIVICPOSTS_NOTEBOOK", "interactive"),
        **(extra or {}),
    }


def save_figure(fig: "matplotlib.figure.Figure", name: str, *, caption: str, data: pd.DataFrame,  # noqa: F821
                function: Callable[..., Any] | str, inputs: Sequence[str | Path], label: str,
                order: float, fictional: bool, simulated: bool = False,
                reports_dir: str | Path = "reports", notebook: str | None = None,
                extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Save ``fig`` as PNG and SVG, its plotted numbers as CSV, and a provenance sidecar."""
    name = _label_name(name, fictional or simulated)
    caption = _label_caption(caption, fictional, simulated)
    out = Path(reports_dir) / "figures"
    out.mkdir(parents=True, exist_ok=True)
    png = out / f"{name}.png"
    svg = out / f"{name}.svg"
    csv = out / f"{name}.csv"
    for path, fmt, meta in ((png, "png", PNG_METADATA), (svg, "svg", SVG_METADATA)):
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, metadata=meta, bbox_inches="tight")
        write_bytes(path, buf.getvalue())
    write_csv(csv, data)
    meta = _sidecar("figure", name, [png.name, svg.name, csv.name], label=label, caption=caption,
                    function=_qualname(function), inputs=inputs, fictional=fictional or simulated,
                    order=order, notebook=notebook, extra=extra)
    write_json(out / f"{name}.meta.json", meta)
    log.info("saved figure %s (%s)", name, label)
    return meta


def save_table(df: pd.DataFrame, name: str, *, caption: str, function: Callable[..., Any] | str,
               inputs: Sequence[str | Path], label: str, order: float, fictional: bool,
               simulated: bool = False, reports_dir: str | Path = "reports", notebook: str | None = None,
               extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Save ``df`` as CSV with a provenance sidecar, which carries the table's view (how it reads in the
    reports: :mod:`civicposts.tables.views`, declared beside ``function``)."""
    name = _label_name(name, fictional or simulated)
    caption = _label_caption(caption, fictional, simulated)
    out = Path(reports_dir) / "tables"
    out.mkdir(parents=True, exist_ok=True)
    csv = out / f"{name}.csv"
    write_csv(csv, df)
    # how the table reads in the reports: the view declared beside its function, then anything this call adds
    from .tables import views

    meta = _sidecar("table", name, [csv.name], label=label, caption=caption,
                    function=_qualname(function), inputs=inputs, fictional=fictional or simulated,
                    order=order, notebook=notebook, extra={**views.for_function(function).sidecar(), **(extra or {})})
    write_json(out / f"{name}.meta.json", meta)
    log.info("saved table %s (%s)", name, label)
    return meta


def load_sidecars(reports_dir: str | Path = "reports") -> list[dict[str, Any]]:
    """All artefact sidecars under ``reports_dir``, in report order."""
    import json

    metas = []
    for sub in ("figures", "tables"):
        for p in sorted((Path(reports_dir) / sub).glob("*.meta.json")):
            meta = json.loads(p.read_text(encoding="utf-8"))
            meta["dir"] = sub
            metas.append(meta)
    return sorted(metas, key=lambda m: (m["order"], m["name"]))


def save_processed(df: pd.DataFrame, path: str | Path, *, function: Callable[..., Any] | str,
                   inputs: Sequence[str | Path], fictional: bool, notebook: str | None = None,
                   csv_copy: bool = False) -> list[Path]:
    """Save a derived data table as Parquet (and optionally a spreadsheet-friendly CSV) with provenance.

    The CSV is UTF-8 with a byte-order mark, so spreadsheet programs read Indonesian text and
    emoji correctly; list columns are joined with ``|``. Provenance goes to
    ``<folder>/.provenance/<file>.json`` and is read by the manifest.
    """
    from .iorw import write_parquet

    path = Path(path)
    if fictional and FICTIONAL_PREFIX.rstrip("_") not in path.name:
        log.debug("%s holds fictional data; its folder and provenance say so", path)
    written = [write_parquet(path, df)]
    if csv_copy:
        flat = df.copy()
        for col in flat.columns:
            # a Python loop, not Series.map: .any() on an empty datetime column raises in pandas 3
            if any(isinstance(v, (list, tuple)) for v in flat[col]):
                flat[col] = flat[col].map(lambda v: "|".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
        written.append(write_csv(path.with_suffix(".csv"), flat, bom=True))
    record_provenance(written, function=function, inputs=inputs, fictional=fictional, notebook=notebook)
    log.info("saved %s (%d rows)", ", ".join(str(w) for w in written), len(df))
    return written


def record_provenance(paths: Sequence[str | Path], *, function: Callable[..., Any] | str,
                      inputs: Sequence[str | Path], fictional: bool, notebook: str | None = None) -> None:
    """Record which function and notebook made derived files, from which inputs (read by the manifest)."""
    prov = {"notebook": notebook or os.environ.get("CIVICPOSTS_NOTEBOOK", "interactive"),
            "function": _qualname(function), "inputs": sorted({str(Path(p)) for p in inputs}),
            "fictional": fictional}
    for w in map(Path, paths):
        write_json(w.parent / ".provenance" / f"{w.name}.json", prov)
