"""The paper's claims with their evidence: what the paper says, what it shows for it, what the kit computes to
test it, the result in this build, and the status of that result.

A paper's claims are data (``claims.csv`` in its ``paper_dir``: each claim paraphrased and cited by section,
the paper's evidence, and the name of a *measure*). A measure is one function registered in :data:`MEASURES`
with :func:`measure`; it reads the study's data (:class:`Data`) and returns :class:`Evidence`. A new kind of
test is one function here, nothing else.

Statuses (:data:`STATUSES`) are derived, never typed: a paper fact is *reported from the paper's facts*; a
measure on data labelled fictional or simulated *demonstrates* the method; on real data it is *measured*; a
measure whose data the study lacks says which.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .codebook import Codebook
from .errors import InputError
from .tables.findings import final_codes
from .tables.views import view

PAPER_FACT = "reported from the paper's facts"
DEMONSTRATED = "demonstrated on fictional data"
MEASURED = "measured on this study's data"
LACKING = "needs data the study lacks"
STATUSES = (PAPER_FACT, DEMONSTRATED, MEASURED, LACKING)

CLAIM_COLUMNS = ("claim_id", "claim", "paper_section", "paper_evidence", "measure", "argument")
TABLE_COLUMNS = ["claim", "claim_text", "paper_section", "paper_evidence", "kit_computes", "result", "status"]


@dataclass(frozen=True)
class Data:
    """What the measures read. ``demo_posts`` / ``demo_interview``: whether the post data (corpus or codings)
    and the interview coding are labelled fictional or simulated."""

    codebook: Codebook
    final: pd.DataFrame
    posts: pd.DataFrame
    comments: pd.DataFrame | None = None
    paper_dir: str | Path | None = None
    official_accounts: tuple[str, ...] = ()
    followups: pd.DataFrame | None = None  # civicposts.figures.coding.followup_pairs
    demo_posts: bool = False
    demo_interview: bool = False


@dataclass(frozen=True)
class Evidence:
    """What a measure found: what it computes, its result in words, and the result's status."""

    computes: str
    result: str
    status: str = field(default=MEASURED)


MEASURES: dict[str, Callable[[Data, str], Evidence]] = {}


def measure(name: str) -> Callable[[Callable[[Data, str], Evidence]], Callable[[Data, str], Evidence]]:
    """Register a measure under ``name`` (the ``measure`` column of claims.csv)."""
    def register(fn: Callable[[Data, str], Evidence]) -> Callable[[Data, str], Evidence]:
        MEASURES[name] = fn
        return fn
    return register


def load_claims(paper_dir: str | Path | None) -> pd.DataFrame:
    """``paper_dir``/claims.csv, checked: its columns, a claim and a known measure on every row. No paper or no
    file: no rows."""
    path = Path(paper_dir or ".") / "claims.csv"
    if not paper_dir or not path.exists():
        return pd.DataFrame(columns=list(CLAIM_COLUMNS))
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in CLAIM_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(str(path), f"missing column(s) {', '.join(missing)}; expected {', '.join(CLAIM_COLUMNS)}")
    for i, row in enumerate(df.itertuples(index=False), start=2):
        if not row.claim.strip():
            raise InputError(str(path), f"line {i} ({row.claim_id}): the claim is empty")
        if row.measure not in MEASURES:
            raise InputError(str(path), f"line {i} ({row.claim_id}): unknown measure {row.measure!r}; "
                                        f"known: {', '.join(sorted(MEASURES))}")
    return df


@view(names={"claim_text": "the paper's statement", "paper_section": "section",
             "paper_evidence": "the paper's evidence",
             "kit_computes": "what the kit computes", "result": "result in this build"})
def claims_table(claims: pd.DataFrame, data: Data) -> pd.DataFrame:
    """One row per claim: the claim, its section, the paper's evidence, what the kit computes, the result in
    this build and its status; with no claims, one row saying so."""
    if claims.empty:  # one row saying why, as every table without data does, not a bare header
        return pd.DataFrame([{"claim": "(none)", "claim_text": "this study names no paper with claims to test "
                              "(paper_dir with a claims.csv in the study configuration)", "paper_section": "",
                              "paper_evidence": "", "kit_computes": "", "result": "", "status": "no claims"}],
                            columns=TABLE_COLUMNS)
    rows = []
    for c in claims.itertuples(index=False):
        ev = MEASURES[c.measure](data, c.argument)
        rows.append({"claim": c.claim_id, "claim_text": c.claim, "paper_section": c.paper_section,
                     "paper_evidence": c.paper_evidence, "kit_computes": ev.computes, "result": ev.result,
                     "status": ev.status})
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def _post_status(data: Data) -> str:
    return DEMONSTRATED if data.demo_posts else MEASURED


# --- measures ------------------------------------------------------------------------------------------


@measure("paper_fact")
def paper_fact(data: Data, argument: str) -> Evidence:
    """The values the paper prints, from a file of its facts (``account_snapshot`` or ``background_stats``),
    read and checked by :mod:`civicposts.paper`."""
    from . import paper

    loaders = {"account_snapshot": paper.load_snapshot, "background_stats": paper.load_background}
    name = f"{argument}.csv"
    if argument not in loaders or not data.paper_dir or not (Path(data.paper_dir) / name).exists():
        return Evidence("the paper's printed values", f"no {name} among the paper's facts", LACKING)
    df = loaders[argument](data.paper_dir)
    if argument == "account_snapshot":
        parts = [f"{r.metric}: {r.value_as_printed} ({r.snapshot_date})" for r in df.itertuples(index=False)]
    else:
        parts = [f"{r.statistic}: {r.value_as_printed}" for r in df.itertuples(index=False)]
    return Evidence(f"the values as printed, from {name}", "; ".join(parts), PAPER_FACT)


@measure("post_share")
def post_share(data: Data, argument: str) -> Evidence:
    """The share of coded posts whose post kind is ``argument`` (``complaint``: the codebook's complaint role)."""
    variable = data.codebook.roles.post_kind
    code = data.codebook.roles.complaint if argument == "complaint" else argument
    computes = f"share of coded posts whose kind ({variable or 'no post_kind role'}) is '{code}'"
    if variable is None or code is None or code not in data.codebook.codes().get(variable, []):
        return Evidence(computes, f"the codebook has no such code ({'roles: ' + argument if code is None else code})",
                        LACKING)
    kinds = final_codes(data.final, variable, "post")
    if kinds.empty:
        return Evidence(computes, "no post coded yet", LACKING)
    n = int(sum(code in k for k in kinds))
    return Evidence(computes, f"{n} of {len(kinds)} coded posts ({100 * n / len(kinds):.0f}%)", _post_status(data))


@measure("official_comments")
def official_comments(data: Data, argument: str) -> Evidence:
    """Comments the study's official accounts wrote under the collected posts."""
    who = ", ".join(f"@{a}" for a in data.official_accounts)
    computes = f"comments by the official accounts ({who or 'none set'}) under the collected posts"
    if not data.official_accounts:
        return Evidence(computes, "no official_accounts in the study file", LACKING)
    if data.comments is None or data.comments.empty:
        return Evidence(computes, "no comments collected", LACKING)
    mine = data.comments[data.comments["author"].astype(str).str.lower().isin(data.official_accounts)]
    return Evidence(computes, f"{len(mine)} comments under {mine['post_id'].nunique()} of "
                              f"{data.comments['post_id'].nunique()} posts with comments", _post_status(data))


@measure("followups")
def followups(data: Data, argument: str) -> Evidence:
    """Coded follow-up posts linked to the complaint they answer, the lag, and how many coded complaints got one
    (Figure 3's data)."""
    roles = data.codebook.roles
    computes = "coded follow-up posts linked to the complaint they answer, the lag between them, and the coded " \
               "complaints that have one"
    if roles.post_kind is None or roles.complaint is None or roles.followup is None:
        return Evidence(computes, "the codebook has no complaint or follow-up code (roles)", LACKING)
    pairs = data.followups if data.followups is not None else pd.DataFrame(columns=["complaint_id", "lag_days"])
    kinds = final_codes(data.final, roles.post_kind, "post")
    complaints = {u for u, k in kinds.items() if roles.complaint in k}
    if kinds.empty:
        return Evidence(computes, "no post coded yet", LACKING)
    lag = pd.to_numeric(pairs["lag_days"], errors="coerce").dropna()
    lag_text = f", median lag {lag.median():.1f} days" if len(lag) else ""
    answered = pairs["complaint_id"].isin(complaints).sum()
    return Evidence(computes, f"{len(pairs)} coded follow-ups answer {pairs['complaint_id'].nunique()} complaints"
                              f"{lag_text}; {answered} of the {len(complaints)} complaints in the coded sample "
                              "have a coded follow-up", _post_status(data))


@measure("interview_theme")
def interview_theme(data: Data, argument: str) -> Evidence:
    """Interview segments coded with theme ``argument``, verbatim or paraphrase."""
    variable = data.codebook.roles.interview_theme
    computes = f"interview segments coded '{argument}'"
    if variable is None or argument not in data.codebook.codes().get(variable, []):
        return Evidence(computes, f"the codebook has no interview theme '{argument}'", LACKING)
    themes = final_codes(data.final, variable, "interview")
    if themes.empty:
        return Evidence(computes, "no interview coded (or no interview in this study)", LACKING)
    ids = sorted(u for u, k in themes.items() if argument in k)
    return Evidence(computes, f"{len(ids)} of {len(themes)} coded segments" + (f" ({', '.join(ids)})" if ids else ""),
                    DEMONSTRATED if data.demo_interview else MEASURED)
