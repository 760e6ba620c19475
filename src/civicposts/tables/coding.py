"""Tables about the codebook and the coders' decisions, ready for ``artefacts.save_table``."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..codebook import Codebook
from .views import view


def _exploded(decisions: pd.DataFrame) -> pd.DataFrame:
    """One row per (decision, code)."""
    if decisions.empty:
        return pd.DataFrame(columns=["unit_id", "variable", "coder", "code"])
    df = decisions[["unit_id", "variable", "coder", "codes"]].copy()
    df["code"] = df["codes"].map(list)
    return df.drop(columns="codes").explode("code").dropna(subset=["code"])


@view(formats={"n_decisions": "int", "n_units": "int", "n_coders": "int"},
      columns=("variable", "code", "label_en", "definition", "n_decisions", "n_units"),
      names={"label_id": "label (Indonesian)", "label_en": "label", "use_when": "use when", "not_when": "not when",
             "n_decisions": "decisions", "n_units": "units", "n_coders": "coders"})
def codebook_table(codebook: Codebook, decisions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every code with its kind, labels, parent, definition and usage notes, and how often the
    coders used it: n_decisions (coder decisions containing the code), n_units (distinct units
    with the code from at least one coder), n_coders (coders who used it). Codebook order."""
    table = codebook.table()
    table.insert(1, "kind", table["variable"].map(codebook.kinds()))
    parents = codebook.parents()
    table.insert(3, "parent", [parents[(v, c)] or "" for v, c in zip(table["variable"], table["code"], strict=True)])
    ex = _exploded(decisions if decisions is not None else pd.DataFrame(columns=["unit_id", "variable", "coder",
                                                                                    "codes"]))
    if len(ex):
        counts = ex.groupby(["variable", "code"]).agg(n_decisions=("unit_id", "size"),
                                                       n_units=("unit_id", "nunique"),
                                                       n_coders=("coder", "nunique"))
    else:
        counts = pd.DataFrame(columns=["n_decisions", "n_units", "n_coders"],
                              index=pd.MultiIndex.from_arrays([[], []], names=["variable", "code"]))
    table = table.merge(counts, how="left", left_on=["variable", "code"], right_index=True)
    for c in ("n_decisions", "n_units", "n_coders"):
        table[c] = table[c].fillna(0).astype("int64")
    return table.reset_index(drop=True)


def theme_frequencies(decisions: pd.DataFrame, codebook: Codebook, variable: str) -> pd.DataFrame:
    """How often each code of ``variable`` was applied, in codebook order.

    Columns: code, label_en, label_id, n_units (units where at least one coder applied the
    code), n_units_all_coders (units where every coder who coded the unit on this variable
    applied it), share_units (n_units / units coded on the variable), then one column
    ``n_<coder>`` per coder (units that coder gave the code).
    """
    var = codebook.variable(variable)
    mine = decisions[decisions["variable"] == variable] if len(decisions) else decisions
    ex = _exploded(mine)
    n_coded = mine["unit_id"].nunique() if len(mine) else 0
    coders_per_unit = mine.groupby("unit_id")["coder"].nunique() if len(mine) else pd.Series(dtype="int64")
    rows = []
    coders = sorted(mine["coder"].unique()) if len(mine) else []
    for code in var.codes:
        hits = ex[ex["code"] == code.id]
        per_unit = hits.groupby("unit_id")["coder"].nunique()
        all_agree = int((per_unit == coders_per_unit.reindex(per_unit.index)).sum()) if len(per_unit) else 0
        row = {
            "code": code.id, "label_en": code.label_en, "label_id": code.label_id,
            "n_units": int(hits["unit_id"].nunique()), "n_units_all_coders": all_agree,
            "share_units": (hits["unit_id"].nunique() / n_coded) if n_coded else 0.0,
        }
        for coder in coders:
            row[f"n_{coder}"] = int((hits["coder"] == coder).sum())
        rows.append(row)
    return pd.DataFrame(rows, columns=["code", "label_en", "label_id", "n_units", "n_units_all_coders", "share_units",
                                       *[f"n_{c}" for c in coders]])


def coding_status(sample: pd.DataFrame, decisions: pd.DataFrame, codebook: Codebook,
                  unit_type: str = "post") -> pd.DataFrame:
    """How far the coding of the sample has got, per coder, and whether agreement can be measured.

    One row per coder with: units of the sample fully coded (every variable of the unit type),
    units started, double-coded (overlap) units fully coded, and the coder file(s) the decisions
    came from; then a row "all coders" counting the overlap units that at least two coders fully
    coded, which agreement needs. With no coder yet, one row says "not coded yet".
    """
    needed = set(codebook.variables_for(unit_type))
    in_sample = set(sample["unit_id"])
    overlap = set(sample.loc[sample["overlap"], "unit_id"]) if "overlap" in sample.columns else set()
    mine = decisions[decisions["unit_id"].isin(in_sample)] if len(decisions) else decisions
    rows = []
    full_by_coder: dict[str, set[str]] = {}
    for coder, g in (mine.groupby("coder") if len(mine) else []):
        have = g.groupby("unit_id")["variable"].agg(set)
        full = {u for u, vs in have.items() if needed <= vs}
        full_by_coder[coder] = full
        rows.append({"coder": coder, "units_coded": len(full), "units_started": len(have),
                     "overlap_coded": len(full & overlap), "sample_units": len(in_sample),
                     "status": "complete" if len(full) == len(in_sample) else "in progress",
                     "coder_files": ", ".join(sorted(set(g["source_file"].astype(str))))})
    if not rows:
        return pd.DataFrame([{"coder": "(none yet)", "units_coded": 0, "units_started": 0, "overlap_coded": 0,
                              "sample_units": len(in_sample),
                              "status": "not coded yet: no coder file holds decisions on the sample",
                              "coder_files": ""}])
    counts: dict[str, int] = {}
    for full in full_by_coder.values():
        for u in full & overlap:
            counts[u] = counts.get(u, 0) + 1
    shared = sum(1 for n in counts.values() if n >= 2)
    agreement = (f"agreement measured on {shared} overlap units coded by 2 or more of {len(rows)} coders"
                 if shared else f"agreement not measurable yet: needs 2 coders on the same overlap units "
                                f"({len(rows)} coder{'s' if len(rows) != 1 else ''} so far)")
    rows.append({"coder": "all coders", "units_coded": len(set().union(*full_by_coder.values())),
                 "units_started": mine["unit_id"].nunique(), "overlap_coded": shared,
                 "sample_units": len(in_sample), "status": agreement, "coder_files": ""})
    return pd.DataFrame(rows)


UNIT_TYPE_NAMES = {"post": "posts", "comment": "comments", "interview": "interview segments"}


@view(formats={"units_coded": "int", "units_started": "int", "overlap_coded": "int", "sample_units": "int"},
      names={"units_coded": "coded", "units_started": "started", "overlap_coded": "overlap coded",
             "sample_units": "in sample", "coder_files": "coder file"})
def coding_status_by_type(samples: Mapping[str, pd.DataFrame], decisions: pd.DataFrame,
                          codebook: Codebook) -> pd.DataFrame:
    """``coding_status`` for each kind of unit's sample (``{"post": sample, "comment": ...}``), one
    block per kind, with a first column ``units`` naming the kind."""
    parts = []
    for unit_type, sample in samples.items():
        mine = decisions[decisions["unit_type"] == unit_type] if len(decisions) else decisions
        part = coding_status(sample, mine, codebook, unit_type=unit_type)
        part.insert(0, "units", UNIT_TYPE_NAMES.get(unit_type, unit_type))
        parts.append(part)
    return pd.concat(parts, ignore_index=True)