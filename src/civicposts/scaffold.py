"""A new study from a collection: what the data say (formats, period, accounts), written as a study file.

:func:`survey` reads a collection the way the pipeline will and summarises it; :func:`study_yaml`
turns the survey into a commented study configuration that ``make all STUDY=...`` builds with no
further editing: the collected account(s) and the verified accounts found in the data on the
allowlist (each commented with why), a sample size that fits the corpus, a fresh pseudonymization
key file, the study's own coder, processed and reports folders, and no paper facts or interview
unless the researcher adds them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .errors import InputError

DEFAULT_SAMPLE = 200
DEFAULT_OVERLAP = 60
DEFAULT_COMMENT_SAMPLE = 100
NAME_RE = re.compile(r"[^a-z0-9_]+")


@dataclass
class Survey:
    """What a collection holds, as the pipeline reads it."""

    inputs: list[str]
    n_posts: int
    n_comments: int
    formats: dict[str, int]                 # source format -> files
    accounts: dict[str, int]                # post owner -> posts
    verified: list[str] = field(default_factory=list)  # verified accounts among the profiles
    first_day: str = ""
    last_day: str = ""
    undated: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)   # the column mapping it was read with


def survey(paths: Iterable[str | Path], *, timezone: str = "Asia/Jakarta", columns: str | Mapping[str, str] = "",
           account: str | None = None) -> Survey:
    """Read every file under ``paths`` (bad records quarantined, so the survey sees all of it) and
    summarise it; InputError naming each skipped file when nothing in them is a post."""
    from .ingest import ingest

    paths = [str(p) for p in paths]
    from .ingest.table import parse_columns

    try:
        mapping = parse_columns(columns)
    except ValueError as exc:
        raise InputError("--columns", str(exc)) from None
    result = ingest(*paths, quarantine=True, columns=mapping, account=account)
    posts = result.posts
    if posts.empty:
        why = "; ".join(f"{p}: {reason}" for p, reason in result.skipped) or "no file in them holds a post"
        raise InputError(", ".join(paths), f"no post could be read ({why})")
    local = posts["posted_at"].dropna().dt.tz_convert(timezone)
    verified = []
    if len(result.profiles):
        prof = result.profiles
        verified = sorted(prof.loc[prof["is_verified"].fillna(False).astype(bool), "account"].dropna())
    return Survey(
        inputs=paths, columns=mapping, n_posts=len(posts), n_comments=len(result.comments),
        formats=result.report.groupby("source_format")["source_file"].nunique().sort_index().to_dict(),
        accounts=posts["account"].dropna().value_counts().sort_index().to_dict(),
        verified=verified,
        first_day=local.min().date().isoformat() if len(local) else "",
        last_day=local.max().date().isoformat() if len(local) else "",
        undated=int(posts["posted_at"].isna().sum()), skipped=list(result.skipped))


def study_name(config_path: str | Path) -> str:
    """A folder-safe name for the study, from its configuration file's name."""
    return NAME_RE.sub("_", Path(config_path).stem.lower()).strip("_") or "study"


def proposal(s: Survey, config_path: str | Path, *, title: str = "", question: str = "",
             timezone: str = "Asia/Jakarta") -> dict[str, Any]:
    """The study configuration (parameter -> value) proposed for a surveyed collection."""
    name = study_name(config_path)
    main = max(s.accounts.items(), key=lambda kv: (kv[1], kv[0]))[0] if s.accounts else ""
    sample = min(DEFAULT_SAMPLE, s.n_posts)
    return {
        "study_title": title or (f"Posts of @{main}" if main else "civicposts study"),
        "research_question": question,
        "corpus_account": main if len(s.accounts) == 1 else "",
        "corpus_inputs": list(s.inputs),
        "table_columns": dict(s.columns),
        "period_start": s.first_day or "1970-01-01",
        "period_end": s.last_day or "2100-12-31",
        "timezone": timezone,
        "allowlist": sorted(set(s.accounts) | set(s.verified)),
        "pseudonym_key_file": f".secrets/{name}.key",
        "pseudonym_demo_key": False,
        "codebook_path": "data/raw/coding/codebook.yaml",
        "coder_dir": f"coding/{name}",
        "coding_dirs": [f"coding/{name}"],
        "adjudication_files": [f"coding/{name}/adjudication.jsonl", f"coding/{name}/adjudication.csv"],
        "sample_n": sample,
        "overlap_n": min(DEFAULT_OVERLAP, sample // 3),
        "comment_sample_n": min(DEFAULT_COMMENT_SAMPLE, s.n_comments),
        "comment_overlap_n": min(DEFAULT_COMMENT_SAMPLE, s.n_comments) // 3,
        "processed_dir": f"data/processed/{name}",
        "reports_dir": f"reports/{name}",
    }


def _why_allowed(account: str, s: Survey) -> str:
    reasons = []
    if account in s.accounts:
        reasons.append(f"the collected account ({s.accounts[account]} posts)")
    if account in s.verified:
        reasons.append("a verified account in the collected profiles")
    return " and ".join(reasons)


def study_yaml(values: Mapping[str, Any], s: Survey) -> str:
    """The proposal as a commented YAML study file (every value checked by ``config.load_study``)."""
    def dump(key: str) -> str:
        return yaml.safe_dump({key: values[key]}, allow_unicode=True, sort_keys=False, width=1000).rstrip()

    fmts = ", ".join(f"{k} ({v} files)" for k, v in s.formats.items())
    lines = [
        "# Study configuration written by `python -m civicposts new-study`. Every key is a parameter of",
        "# civicposts.config.Study; edit freely, then `make all STUDY=<this file>`.",
        f"# Surveyed: {s.n_posts} posts, {s.n_comments} comments from {fmts}.",
        "",
        dump("study_title"),
        dump("research_question") + "   # shown at the top of the reports",
        "",
        "# The collection. Whether it is real or made up is read from the data (a PROVENANCE.yaml beside",
        "# made-up data); a collection without one is treated, and labelled, as real.",
        dump("corpus_inputs"),
        dump("table_columns") + "   # post field -> column, for your own CSV/XLSX tables",
        dump("corpus_account"),
        f"{dump('period_start')}   # first local date in the data",
        f"{dump('period_end')}   # last local date in the data"
        + (f"; {s.undated} posts without a time are dropped by the period filter" if s.undated else ""),
        dump("timezone"),
        "slang_extra: {}   # local words -> standard Indonesian, e.g. {wong: orang}; '=' keeps a word as written",
        "",
        "# Public accounts whose handles stay readable; every other handle becomes a keyed pseudonym.",
        "allowlist:",
        *[f"  - {a}   # {_why_allowed(a, s)}" for a in values["allowlist"]],
        "",
        "# What happens to each field that can identify a person (docs/privacy.md); left out: the safe default.",
        "privacy_policy:",
        "  post_account: pseudonymize   # or drop",
        "  comment_author: pseudonymize   # or drop",
        "  caption: mask   # handles pseudonymized, contacts masked; or drop",
        "  comment_text: mask   # or drop",
        "  location_name: mask   # or keep (place names), or drop",
        "private_names: []   # names masked as [nama] in every text, e.g. the private persons an interview names",
        "official_accounts: []   # officials (on the allowlist) whose comments under the posts the claims table counts",
        "",
        "# A fresh secret key, created on the first run in a git-ignored folder: keep it, never commit it.",
        dump("pseudonym_key_file"),
        dump("pseudonym_demo_key"),
        "",
        "# No paper's facts and no interview: add `paper_dir:` (the paper's facts in the kit's layout, as in",
        "# data/raw/paper/) to compare with a published study, and `interview_inputs:` for interview records.",
        "paper_dir: ''",
        "interview_inputs: []",
        "",
        "# Coding: the app writes each coder's file to coder_dir; every file in coding_dirs is merged.",
        dump("codebook_path"),
        dump("coder_dir"),
        dump("coding_dirs"),
        dump("adjudication_files"),
        f"{dump('sample_n')}   # fits the corpus of {s.n_posts} posts; a number, a fraction such as 0.1, or all",
        f"{dump('overlap_n')}   # of which every coder codes (agreement is measured on these)",
        f"{dump('comment_sample_n')}   # comments to code ({s.n_comments} collected), used only if the codebook "
        "has a variable with unit_type: comment",
        dump("comment_overlap_n"),
        "",
        "# This study's own output folders (another study's are never touched).",
        dump("processed_dir"),
        dump("reports_dir"),
    ]
    return "\n".join(lines) + "\n"


def next_steps(config_path: str | Path, values: Mapping[str, Any]) -> str:
    """What to run next, printed by ``new-study``."""
    return "\n".join([
        f"Study written to {config_path}. Next:",
        f"  make all STUDY={config_path}     # the reports of this study in {values['reports_dir']}/",
        "  make lab                         # code posts in JupyterLab (notebooks/02_code_posts.ipynb;",
        f"                                   #   set study_config = \"{config_path}\" in its first cell)",
        f"Then `make all STUDY={config_path}` again: agreement, findings and the PDF use the new codings.",
    ])


def posts_frame_summary(s: Survey) -> pd.DataFrame:
    """The survey as a small table (for printing)."""
    rows = [("posts", s.n_posts), ("comments", s.n_comments), ("first local date", s.first_day),
            ("last local date", s.last_day), ("accounts", ", ".join(s.accounts) or "-"),
            ("formats", ", ".join(s.formats) or "-"), ("files skipped", len(s.skipped))]
    return pd.DataFrame(rows, columns=["what", "value"])
