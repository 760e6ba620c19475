"""The paper's facts as data: account snapshot, background statistics, interview record.

Read from ``data/raw/paper/`` and checked: every row must name the paper's
section and its source, and values must be present. These are the only real
data in the kit; everything else in the default run is fictional.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from pathlib import Path

import yaml

from .errors import InputError

if TYPE_CHECKING:  # pandas is imported where it is used: the PDF step reads the citation only
    import pandas as pd

SNAPSHOT = "account_snapshot.csv"
BACKGROUND = "background_stats.csv"
INTERVIEW = "interview.csv"
CITATION = "citation.yaml"

_REQUIRED = {
    SNAPSHOT: ["account", "metric", "value", "qualifier", "value_as_printed", "snapshot_date", "paper_section", "source"],
    BACKGROUND: ["stat_id", "statistic", "value", "unit", "value_as_printed", "paper_section", "source_cited_by_paper"],
    INTERVIEW: ["segment_id", "interview_date", "speaker", "speaker_role", "kind", "language", "text",
                "paper_section", "source"],
}


def _read(paper_dir: str | Path, name: str, layout: str | None = None) -> pd.DataFrame:
    import pandas as pd

    path = Path(paper_dir) / name
    layout = layout or name
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, "file not found (the paper's facts must be under data/raw/paper/)") from None
    missing = [c for c in _REQUIRED[layout] if c not in df.columns]
    if missing:
        raise InputError(path, f"missing column(s) {', '.join(missing)}")
    for col in ("paper_section", "source", "source_cited_by_paper", "value", "text"):
        if col in df.columns:
            for i, v in enumerate(df[col]):
                if not v.strip():
                    raise InputError(path, f"empty '{col}': every fact must carry its value and source",
                                     record=i + 2)
    return df


def load_snapshot(paper_dir: str | Path) -> pd.DataFrame:
    """The account snapshot: one row per metric (followers, posts) with value, qualifier and source."""
    import pandas as pd

    df = _read(paper_dir, SNAPSHOT)
    df["value"] = pd.to_numeric(df["value"], errors="raise").astype("int64")
    df["snapshot_date"] = pd.to_datetime(df["snapshot_date"]).dt.date
    return df


def load_background(paper_dir: str | Path) -> pd.DataFrame:
    """The background statistics the paper cites, with their sources."""
    import pandas as pd

    df = _read(paper_dir, BACKGROUND)
    df["value"] = pd.to_numeric(df["value"], errors="raise")
    return df


def read_interview(path: str | Path) -> pd.DataFrame:
    """One interview record in the kit's layout (segment_id, interview_date, speaker, speaker_role, kind
    verbatim|paraphrase, language, text, paper_section, source): quotes and paraphrases, each marked."""
    path = Path(path)
    df = _read(path.parent, path.name, INTERVIEW)
    bad = sorted(set(df["kind"]) - {"verbatim", "paraphrase"})
    if bad:
        raise InputError(path, f"'kind' must be verbatim or paraphrase, found {bad}")
    if df["segment_id"].duplicated().any():
        dup = df.loc[df["segment_id"].duplicated(), "segment_id"].iloc[0]
        raise InputError(path, f"duplicate segment_id {dup!r}")
    return df


def load_interviews(paths: Iterable[str | Path]) -> pd.DataFrame:
    """Every interview record a study names, one table (no rows, same columns, when it names none).

    A ``.csv`` is an interview record in the kit's layout (:func:`read_interview`); a transcript or
    subtitle file (``.txt``, ``.md``, ``.docx``, ``.vtt``, ``.srt``) becomes one verbatim segment per
    speaker turn (:mod:`civicposts.transcripts`); a folder stands for every such file in it, by name."""
    import pandas as pd

    from .transcripts import READERS, read_transcript

    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.suffix.lower() in {".csv", *READERS})
            if not found:
                raise InputError(p, f"no interview record or transcript in this folder (.csv, {', '.join(READERS)})")
            files += found
        else:
            files.append(p)
    frames = [read_interview(f) if f.suffix.lower() == ".csv" else read_transcript(f) for f in files]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in _REQUIRED[INTERVIEW]})
    out = pd.concat(frames, ignore_index=True)
    for col in ("turn", "start_time", "end_time"):  # transcripts' own columns; empty for a CSV record
        if col in out.columns:
            out[col] = out[col].fillna("")
    dup = out["segment_id"].duplicated()
    if dup.any():
        i = int(dup.to_numpy().argmax())
        raise InputError(out["source"].iat[i] if "source" in out.columns else "interview_inputs",
                         f"segment_id {out['segment_id'].iat[i]!r} appears in two interview inputs")
    return out


def load_interview(paper_dir: str | Path) -> pd.DataFrame:
    """The paper's interview record (``<paper_dir>/interview.csv``)."""
    return read_interview(Path(paper_dir) / INTERVIEW)


def load_citation(paper_dir: str | Path) -> dict[str, str]:
    """Bibliographic record of the paper."""
    path = Path(paper_dir) / CITATION
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, "file not found") from None


def citation_text(cit: dict[str, str]) -> str:
    """One-line citation of the paper."""
    return (f"{cit['author']}. {cit['title']}. {cit['author_affiliation']}. "
            f"({cit['year_note']})")


def describe_snapshot(snapshot: pd.DataFrame) -> str:
    """The snapshot in words, from its rows ("@acct on 2021-02-02: followers approximately 308,000; ..."),
    so a caption states what the data say and nothing typed beside them."""
    parts = []
    for (account, date), g in snapshot.groupby(["account", "snapshot_date"], sort=True):
        metrics = "; ".join(f"{r.metric} {r.qualifier + ' ' if r.qualifier else ''}{int(r.value):,}"
                            for r in g.itertuples(index=False))
        parts.append(f"@{account} on {date}: {metrics}")
    return " | ".join(parts)


def describe_interview(interview: pd.DataFrame) -> str:
    """Who was interviewed when, from the records ("Ratu Dewa (role), 2021-02-27"), one entry per interview."""
    seen = interview.drop_duplicates(["speaker", "interview_date"])
    return "; ".join(f"{r.speaker} ({r.speaker_role}), {r.interview_date}" for r in seen.itertuples(index=False))
