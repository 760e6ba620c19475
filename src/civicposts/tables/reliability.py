"""Agreement tables ready for ``artefacts.save_table``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from .. import reliability

REPORT_COLUMNS = ["variable", "code", "level", "alpha", "alpha_ci_low", "alpha_ci_high", "cohen_kappa", "fleiss_kappa",
                  "ac1", "percent_agreement", "alpha_p_below_tentative", "alpha_p_below_reliable",
                  "n_units", "n_coders", "prevalence", "verdict", "notes"]


def agreement_summary(decisions: pd.DataFrame, kinds: Mapping[str, str], codes: Mapping[str, Sequence[str]], *,
                      seed: int, n_boot: int = 1000, units: Iterable[str] | None = None,
                      digits: int = 3, levels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The agreement table with the columns a report shows, statistics rounded to ``digits``."""
    table = reliability.agreement_table(decisions, kinds, codes, units=units, n_boot=n_boot, seed=seed,
                                        levels=levels)
    out = table[REPORT_COLUMNS].copy()
    num = ["alpha", "alpha_ci_low", "alpha_ci_high", "cohen_kappa", "fleiss_kappa", "ac1",
           "percent_agreement", "alpha_p_below_tentative", "alpha_p_below_reliable", "prevalence"]
    out[num] = out[num].astype(float).round(digits)
    out["code"] = out["code"].fillna("")
    return out


def reliability_verdicts(table: pd.DataFrame) -> pd.DataFrame:
    """How many rows of an agreement table are reliable, tentative, unreliable or undefined."""
    kind = table["verdict"].str.split(":").str[0]
    order = ["reliable", "tentative", "unreliable", "undefined"]
    counts = kind.value_counts().reindex(order, fill_value=0)
    return pd.DataFrame({"verdict": order, "rows": counts.to_numpy()})
