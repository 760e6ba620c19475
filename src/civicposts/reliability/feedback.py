"""Feedback for a learner: a student's coding compared with a reference coder's."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..tables.cells import excerpt
from ..tables.views import view
from .adjudication import _fmt
from .agreement import _check_decisions
from .stats import cohen_kappa

log = logging.getLogger("civicposts.reliability")


# ---------------------------------------------------------------------------------------------
# Student mode
# ---------------------------------------------------------------------------------------------

def _reference_answers(reference: pd.DataFrame) -> dict[tuple[str, str], tuple[str, ...]]:
    ref = {}
    for (unit, variable), g in reference.groupby(["unit_id", "variable"], sort=True):
        answers = set(g["codes"])
        if len(answers) == 1:
            ref[(unit, variable)] = answers.pop()
        else:
            log.info("reference coders disagree on unit %s, variable %s: left out of feedback", unit, variable)
    return ref


def student_feedback(student_decisions: pd.DataFrame, reference_decisions: pd.DataFrame,
                     kinds: Mapping[str, str], definitions: Mapping[tuple[str, str], str]) -> pd.DataFrame:
    """Feedback for each student coder against reference codes.

    Two kinds of rows (column ``row``):

    - "summary": per student and variable (single-choice, code empty) and per student, variable
      and code (presence or absence of the code, for both kinds; codes from ``definitions`` are
      listed even when nobody used them): n_units compared, agreement (share of units where the
      student matches the reference) and cohen_kappa (NaN with ``note`` when undefined).
    - "disagreement": per unit where the student differs: the student's and the reference
      answer, the code in question, and the codebook ``definitions`` of the student's code and
      of the reference code, so the student can see which definition applied.

    Reference units where reference coders disagree are left out.
    """
    stu = _check_decisions(student_decisions, "student decisions")
    ref = _reference_answers(_check_decisions(reference_decisions, "reference decisions"))

    def define(variable: str, code: str | None) -> str:
        if code is None:
            return ""
        return definitions.get((variable, code), f"(no definition for {code!r} in the codebook)")

    summary, detail = [], []
    for student, sg in stu.groupby("coder", sort=True):
        for variable, kind in kinds.items():
            vg = sg[sg["variable"] == variable]
            pairs = [(u, c, ref[(u, variable)]) for u, c in zip(vg["unit_id"], vg["codes"]) if (u, variable) in ref]
            pairs.sort()
            if not pairs:
                continue
            if kind == "single":
                a = [c[0] if c else None for _, c, _ in pairs]
                b = [r[0] if r else None for _, _, r in pairs]
                k = cohen_kappa(a, b)
                agree = float(np.mean([x == y for x, y in zip(a, b)]))
                summary.append({"row": "summary", "coder": student, "variable": variable, "code": None,
                                "n_units": len(pairs), "agreement": agree, "cohen_kappa": k.value,
                                "note": k.reason or ""})
                for (unit, s, r), x, y in zip(pairs, a, b):
                    if x != y:
                        detail.append({"row": "disagreement", "coder": student, "variable": variable, "code": None,
                                       "unit_id": unit, "student_codes": _fmt(s), "reference_codes": _fmt(r),
                                       "student_code": x, "reference_code": y,
                                       "student_definition": define(variable, x),
                                       "reference_definition": define(variable, y),
                                       "note": f"you chose {x!r}; the reference chose {y!r}"})
            codes_seen = sorted({c for _, s, r in pairs for c in (*s, *r)} |
                                {code for (v, code) in definitions if v == variable})
            for code in codes_seen:
                a = ["present" if code in s else "absent" for _, s, _ in pairs]
                b = ["present" if code in r else "absent" for _, _, r in pairs]
                k = cohen_kappa(a, b)
                summary.append({"row": "summary", "coder": student, "variable": variable, "code": code,
                                "n_units": len(pairs), "agreement": float(np.mean(np.equal(a, b))),
                                "cohen_kappa": k.value, "note": k.reason or ""})
                if kind == "single":
                    continue  # single-choice disagreements are listed once per unit above
                for (unit, s, r), x, y in zip(pairs, a, b):
                    if x != y:
                        x, y = x == "present", y == "present"
                        detail.append({"row": "disagreement", "coder": student, "variable": variable, "code": code,
                                       "unit_id": unit, "student_codes": _fmt(s), "reference_codes": _fmt(r),
                                       "student_code": code if x else None, "reference_code": code if y else None,
                                       "student_definition": define(variable, code) if x else "",
                                       "reference_definition": define(variable, code) if y else "",
                                       "note": (f"you coded {code!r}; the reference did not" if x else
                                                f"the reference coded {code!r}; you did not")})
    cols = ["row", "coder", "variable", "code", "unit_id", "n_units", "agreement", "cohen_kappa",
            "student_codes", "reference_codes", "student_code", "reference_code",
            "student_definition", "reference_definition", "note"]
    out = pd.DataFrame(summary + detail, columns=cols)
    if out.empty:
        return out
    out["_o"] = out["row"].map({"summary": 0, "disagreement": 1})
    out = out.sort_values(["coder", "_o", "variable", "code", "unit_id"], kind="stable", na_position="first")
    return out.drop(columns="_o").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# For the learner: plain sentences and rounded numbers, no NaN
# ---------------------------------------------------------------------------------------------

def _meaning(agreement: float, kappa: float | None) -> str:
    """One line on what an agreement level means for a learner."""
    if agreement == 1:
        return "you matched the reference on every post"
    if kappa is not None and not np.isnan(kappa) and kappa < 0.4:
        return "often different from the reference: re-read this variable's definitions"
    if agreement >= 0.8:
        return "close to the reference; look at the few posts where you differ"
    if agreement >= 0.6:
        return "sometimes different from the reference: compare the definitions below"
    return "mostly different from the reference: re-read the definitions before coding more"


def learner_summary(student: pd.DataFrame, reference: pd.DataFrame, codebook: "Codebook") -> pd.DataFrame:  # noqa: F821
    """How a student's coding compares with the reference, as a learner reads it: one row for the units
    compared ("you agreed on 7 of 10 posts on every variable"), then one per variable (agreement as
    "8 of 10", percent, chance-corrected kappa rounded, and a one-line meaning). Columns: what, result,
    meaning. Only units both coded are compared; the first row says how many."""
    fb = student_feedback(student, reference, codebook.kinds(), codebook.definitions())
    shared = sorted(set(student["unit_id"]) & set(reference["unit_id"]))
    rows = []
    if not shared:
        return pd.DataFrame([{"what": "posts compared", "result": "0",
                              "meaning": "nothing to compare yet: code posts the reference coded"}],
                            columns=["what", "result", "meaning"])
    wrong = set(fb.loc[fb["row"] == "disagreement", "unit_id"])
    n = len(shared)
    rows.append({"what": "posts compared", "result": f"{n}",
                 "meaning": f"every post you coded that the reference also coded ({len(set(student['unit_id']))} "
                            "coded by you)"})
    rows.append({"what": "posts where you agree on every variable", "result": f"{n - len(wrong & set(shared))} of {n}",
                 "meaning": "the rest are listed below, with both codes' definitions"})
    order = {v: i for i, v in enumerate(codebook.variables)}
    summary = fb[(fb["row"] == "summary") & fb["code"].isna()] if len(fb) else fb
    summary = summary.sort_values("variable", key=lambda s: s.map(order), kind="stable") if len(summary) else summary
    for r in summary.itertuples(index=False):
        k = None if pd.isna(r.cohen_kappa) else float(r.cohen_kappa)
        agreed = int(round(r.agreement * r.n_units))
        kappa = f"kappa {k:.2f}" if k is not None else "kappa not defined (too little variation in these posts)"
        label = codebook.variables[r.variable].label_en if r.variable in codebook.variables else r.variable
        rows.append({"what": label, "result": f"{agreed} of {int(r.n_units)} ({100 * r.agreement:.0f}%), {kappa}",
                     "meaning": _meaning(float(r.agreement), k)})
    for variable in [v for v, kind in codebook.kinds().items() if kind == "multi"]:
        part = fb[(fb["row"] == "summary") & (fb["variable"] == variable) & fb["code"].notna()] if len(fb) else fb
        if part.empty:
            continue
        same = fb[(fb["row"] == "disagreement") & (fb["variable"] == variable)]["unit_id"].nunique()
        m = int(part["n_units"].iloc[0])
        label = codebook.variables[variable].label_en
        rows.append({"what": label, "result": f"{m - same} of {m} ({100 * (m - same) / m:.0f}%) with the same set",
                     "meaning": _meaning((m - same) / m, None)})
    return pd.DataFrame(rows, columns=["what", "result", "meaning"])


@view(columns=("post", "variable", "your_code", "reference_code", "rule"),
      names={"your_code": "your code", "reference_code": "reference code", "your_definition": "your code means",
             "reference_definition": "the reference code means"})
def learner_disagreements(student: pd.DataFrame, reference: pd.DataFrame, codebook: "Codebook",  # noqa: F821
                          texts: Mapping[str, str], *, max_chars: int = 220) -> pd.DataFrame:
    """Each place the student differs from the reference, with the post, both choices, both codes'
    definitions and the rule that decides (the reference code's "use when" and the student code's
    "not when"). Columns: post, text, variable, your_code, reference_code, your_definition,
    reference_definition, rule."""
    fb = student_feedback(student, reference, codebook.kinds(), codebook.definitions())
    cols = ["post", "text", "variable", "your_code", "reference_code", "your_definition", "reference_definition",
            "rule"]
    rows = []
    for r in fb[fb["row"] == "disagreement"].itertuples(index=False) if len(fb) else []:
        var = codebook.variables[r.variable]

        def code_of(cid: Any) -> Any:
            return var.code(cid) if isinstance(cid, str) and cid in var.code_ids() else None

        mine, ref = code_of(r.student_code), code_of(r.reference_code)
        multi = var.multiple
        rule = []
        if ref is not None and ref.use_when:
            rule.append(f"use '{ref.label_en}' when: {ref.use_when}")
        if mine is not None and mine.not_when:
            rule.append(f"not '{mine.label_en}' when: {mine.not_when}")
        if multi and mine is None and ref is not None:
            yours = "(not ticked)"
        else:
            yours = mine.label_en if mine is not None else "(none)"
        theirs = ref.label_en if ref is not None else ("(not ticked)" if multi else "(none)")
        text = str(texts.get(r.unit_id, ""))
        rows.append({"post": r.unit_id, "text": excerpt(text, max_chars),
                     "variable": var.label_en, "your_code": yours, "reference_code": theirs,
                     "your_definition": mine.definition if mine is not None else "",
                     "reference_definition": ref.definition if ref is not None else "",
                     "rule": " ".join(rule)})
    return pd.DataFrame(rows, columns=cols)
