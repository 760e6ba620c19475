"""Feedback for a learner: a student's coding compared with a reference coder's."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

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
