"""Tables about what was read: counts per source folder and format, and quarantined records."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .views import view


@view(formats={c: "int" for c in ("files", "read", "kept", "duplicates", "quarantined")},
      names={"source_format": "format"})
def ingest_summary(report: pd.DataFrame) -> pd.DataFrame:
    """Records read, kept, duplicated and quarantined, per source folder and format; counts reconcile."""
    df = report.copy()
    df["folder"] = df["source_file"].map(lambda p: Path(p).parent.as_posix())
    out = (df.groupby(["folder", "source_format"], sort=True)[["read", "kept", "duplicates", "quarantined"]]
           .sum().reset_index())
    out.insert(2, "files", df.groupby(["folder", "source_format"], sort=True).size().to_numpy())
    total = out[["files", "read", "kept", "duplicates", "quarantined"]].sum()
    out = pd.concat([out, pd.DataFrame([{"folder": "all sources", "source_format": "", **total.to_dict()}])],
                    ignore_index=True)
    out["reconciles"] = out["read"] == out["kept"] + out["duplicates"] + out["quarantined"]
    return out
