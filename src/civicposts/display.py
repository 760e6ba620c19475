"""Showing saved artefacts inside notebooks: the same files the reports use, with their captions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd


def init() -> None:
    """Set up searchable, sortable tables for the HTML export (offline: the JavaScript is embedded)."""
    import itables

    itables.init_notebook_mode(all_interactive=False, connected=False)


def show_table(df: pd.DataFrame, meta: dict[str, Any]) -> None:
    """Display a saved table as a searchable, sortable table with its label and caption."""
    import itables
    from IPython.display import Markdown, display

    display(Markdown(f"**{meta['label']}.** {meta['caption']}"))
    df = for_reading(df, meta.get("formats"), meta.get("intervals"))
    paged = len(df) > 15
    # every table gets its search box, however few its rows (itables hides it for a one-page table)
    layout = {"topStart": "pageLength" if paged else None, "topEnd": "search", "bottomStart": "info",
              "bottomEnd": "paging" if paged else None}
    shown = readable(df)
    # text reads from the left, numbers line up on the right
    text_cols = [i for i, c in enumerate(df.columns) if not pd.api.types.is_numeric_dtype(df[c])]
    itables.show(shown, table_id=f"tbl_{meta['name']}", caption=None, paging=paged, classes="display compact",
                 allow_html=True, layout=layout, showIndex=False,
                 columnDefs=[{"className": "dt-left", "targets": text_cols}] if text_cols else [])


def for_reading(df: pd.DataFrame, formats: dict[str, str] | None, intervals: dict[str, list[str]] | None = None
                ) -> pd.DataFrame:
    """``df`` with its declared formats (civicposts.tables.formats) for an HTML table that stays sortable:
    coefficients and numbers rounded to 3 decimals, shares as percentages (column "name (%)"), counts as
    integers, each interval's two columns as one "[.57, .79]" column."""
    from .tables.formats import format_interval

    if not formats and not intervals:
        return df
    out = df.copy()
    for name, (lo, hi) in (intervals or {}).items():
        if lo in out.columns and hi in out.columns:
            at = out.columns.get_loc(lo)
            out.insert(at, name, [format_interval(a, b) for a, b in zip(out[lo], out[hi])])
            out = out.drop(columns=[lo, hi])
    for col, kind in (formats or {}).items():
        if col not in out.columns:
            continue
        x = pd.to_numeric(out[col], errors="coerce")
        if kind in ("coef", "num"):
            out[col] = x.round(3)
        elif kind == "pct":
            out[col] = x.round(1)
        elif kind == "share":
            out[col] = (100 * x).round(1)
            out = out.rename(columns={col: f"{col} (%)"})
        elif kind == "int":
            out[col] = x.round().astype("Int64")
    return out


def readable(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` for an HTML table: text escaped (a caption's ``<`` stays a ``<``), line breaks as ``<br>``,
    missing values as "–"; numbers are left to the table (sortable)."""
    import html

    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = [("–" if v is None or (isinstance(v, float) and v != v)
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
