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
    itables.show(df, table_id=f"tbl_{meta['name']}", caption=None, paging=len(df) > 15,
                 classes="display compact")


def show_figure(meta: dict[str, Any], reports_dir: str | Path = "reports") -> None:
    """Display a saved figure (the PNG the reports use) with its label and caption."""
    from IPython.display import Image, Markdown, display

    display(Image(filename=str(Path(reports_dir) / "figures" / f"{meta['name']}.png"), width=720))
    display(Markdown(f"**{meta['label']}.** {meta['caption']}  \n*Data: `{meta['name']}.csv`; "
                     f"made by `{meta['function']}`.*"))
