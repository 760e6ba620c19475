"""Showing saved artefacts inside notebooks: the same files the reports use, with their captions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from .tables import formats


def init() -> None:
    """Set up searchable, sortable tables for the HTML export (offline: the JavaScript is embedded)."""
    import itables

    itables.init_notebook_mode(all_interactive=False, connected=False)


def show_table(df: pd.DataFrame, meta: dict[str, Any]) -> None:
    """Display a saved table as a searchable, sortable table with its label and caption, its numbers in the
    formats its view declares (the same text as the PDF), its headers as the reader's names."""
    import itables
    from IPython.display import Markdown, display

    display(Markdown(f"**{meta['label']}.** {meta['caption']}"))
    shown, rendered = for_reading(df, meta)
    paged = len(shown) > 15
    # every table gets its search box, however few its rows (itables hides it for a one-page table)
    layout = {"topStart": "pageLength" if paged else None, "topEnd": "search", "bottomStart": "info",
              "bottomEnd": "paging" if paged else None}
    # text reads from the left, numbers line up on the right; a declared kind draws its number as the PDF does
    text_cols = [i for i, c in enumerate(shown.columns) if not pd.api.types.is_numeric_dtype(shown[c])
                 and c not in rendered]
    defs: list[dict[str, Any]] = [{"className": "dt-left", "targets": text_cols}] if text_cols else []
    long_cols = [i for i in text_cols if shown.iloc[:, i].astype(str).str.len().max() > 60]
    if long_cols:  # offline.html.j2 gives these a readable width
        defs.append({"className": "dt-left cp-long", "targets": long_cols})
    by_kind: dict[str, list[int]] = {}
    for i, c in enumerate(shown.columns):
        if c in rendered:
            by_kind.setdefault(rendered[c], []).append(i)
    defs += [{"targets": cols, "className": "dt-right", "render": itables.JavascriptFunction(formats.JS_RENDER[k])}
             for k, cols in sorted(by_kind.items())]
    itables.show(readable(shown), table_id=f"tbl_{meta['name']}", caption=None, paging=paged,
                 classes="display compact", allow_html=True, layout=layout, showIndex=False,
                 format_floats_in_python=False, columnDefs=defs,
                 # a click on a column's name sorts by it (itables' default sorts only from the small icon)
                 text_in_header_can_be_selected=False)


def for_reading(df: pd.DataFrame, meta: dict[str, Any] | None) -> tuple[pd.DataFrame, dict[str, str]]:
    """``df`` as an HTML table shows it, by the view in the sidecar ``meta`` (civicposts.tables.views): each
    interval's two columns as one "[.57, .79]" column, numbers of a declared kind rounded as shown (a share
    as a percentage), headers as the reader's names. Also returns header -> kind of the columns the
    browser draws with ``formats.JS_RENDER``; sorting uses the numbers."""
    from .tables.views import header

    meta = dict(meta or {})
    if not meta.get("default_format"):  # an undeclared float column reads to 3 decimals, never as ten
        ends = {e for pair in (meta.get("intervals") or {}).values() for e in pair}
        meta["formats"] = {**{c: "num" for c in df.columns if pd.api.types.is_float_dtype(df[c]) and c not in ends},
                           **(meta.get("formats") or {})}
    columns, rows, rendered = formats.for_sorting(list(df.columns), df.itertuples(index=False, name=None), meta)
    heads = {c: header(c, meta.get("names")) for c in columns}
    out = pd.DataFrame(rows, columns=list(heads.values())) if rows else pd.DataFrame(columns=list(heads.values()))
    for c, kind in rendered.items():  # a count column stays whole numbers where it can
        if kind == "int" and out[heads[c]].notna().all():
            out[heads[c]] = out[heads[c]].astype("int64")
    return out, {heads[c]: k for c, k in rendered.items()}

def readable(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` for an HTML table: text escaped (a caption's ``<`` stays a ``<``), line breaks as ``<br>``,
    missing and empty values as "–" (as the PDF prints them); numbers are left to the table (sortable)."""
    import html

    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = [("–" if v is None or (isinstance(v, float) and v != v) or not str(v).strip()
                         else html.escape(str(v)).replace("\n", "<br>")) for v in out[col]]
    return out


def figure_bundle(png: bytes, alt: str, width: int = 720) -> dict[str, str]:
    """A display bundle for a PNG with alternative text: JupyterLab shows the PNG, the HTML export
    (which prefers ``text/html``) gets an ``<img>`` whose ``alt`` a screen reader can read."""
    import base64
    import html

    b64 = base64.b64encode(png).decode("ascii")
    return {"image/png": b64,
            "text/html": f'<img src="data:image/png;base64,{b64}" width="{width}" alt="{html.escape(alt, quote=True)}">',
            "text/plain": alt}


def show_figure(meta: dict[str, Any], reports_dir: str | Path = "reports") -> None:
    """Display a saved figure (the PNG the reports use) with its label and caption as alternative text."""
    from IPython.display import Markdown, display

    png = (Path(reports_dir) / "figures" / f"{meta['name']}.png").read_bytes()
    display(figure_bundle(png, f"{meta['label']}. {meta['caption']}"), raw=True)
    display(Markdown(f"**{meta['label']}.** {meta['caption']}  \n*Data: `{meta['name']}.csv`; "
                     f"made by `{meta['function']}`.*"))


def notes(items: Any) -> None:
    """Show what the run adjusted to fit the data (e.g. a sample clipped to the corpus) as a visible note."""
    from IPython.display import Markdown, display

    items = [str(i) for i in items]
    if items:
        display(Markdown("**Note.** " + " ".join(f"{i}." for i in items)))


def absent(what: str, why: str) -> None:
    """Say plainly that a part of the study has no data here, and why (instead of an empty result)."""
    from IPython.display import Markdown, display

    display(Markdown(f"**{what}: not in this study.** {why}"))
