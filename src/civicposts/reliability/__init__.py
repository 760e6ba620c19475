"""Inter-coder reliability: statistics, agreement tables, reconciliation, learner feedback.

The package is layered, each module using only those above it:

- :mod:`~civicposts.reliability.stats`: the coefficients (Krippendorff's alpha, Cohen's and
  Fleiss' kappa, Gwet's AC1, percent agreement) and their seeded bootstrap, on arrays;
- :mod:`~civicposts.reliability.agreement`: the same on a decisions table, per variable and code
  (``agreement_table``), on follow-up links, and confusion matrices;
- :mod:`~civicposts.reliability.adjudication`: the disagreement sheet, reconcilers' decisions and
  the final coded data set;
- :mod:`~civicposts.reliability.feedback`: a student's coding against a reference;
- :mod:`~civicposts.reliability.unitizing`: agreement on passages (spans): Krippendorff's alpha_u and a
  token-level alpha per code, and the span disagreement sheet.

Everything public is importable from ``civicposts.reliability`` itself, as before the split.
"""

from .adjudication import (
    ADJUDICATION_COLUMNS, apply_adjudications, disagreements, final_status, read_adjudications,
    read_all_adjudications, write_disagreement_sheet,
)
from .agreement import (
    DECISION_COLUMNS, NO_CODE, NOT_CODED, agreement_table, confusion_matrix, relation_agreement,
    reliability_data,
)
from .feedback import learner_disagreements, learner_summary, student_feedback
from .unitizing import span_agreement_table, span_disagreements, unitizing_alpha
from .stats import (
    LEVELS, RELIABLE, STATISTICS, TENTATIVE, Agreement, UndefinedAgreement, alpha_ci, bootstrap_weights,
    cohen_kappa, fleiss_kappa, gwet_ac1, krippendorff_alpha, percent_agreement, value_counts, verdict,
)

__all__ = [
    "ADJUDICATION_COLUMNS", "DECISION_COLUMNS", "LEVELS", "NO_CODE", "NOT_CODED", "RELIABLE", "STATISTICS",
    "TENTATIVE", "Agreement", "UndefinedAgreement", "agreement_table", "alpha_ci", "apply_adjudications",
    "bootstrap_weights", "cohen_kappa", "confusion_matrix", "disagreements", "final_status", "fleiss_kappa",
    "gwet_ac1", "krippendorff_alpha", "percent_agreement", "read_adjudications", "read_all_adjudications",
    "learner_disagreements", "learner_summary", "relation_agreement", "reliability_data", "student_feedback", "value_counts", "verdict",
    "span_agreement_table", "span_disagreements", "unitizing_alpha", "write_disagreement_sheet",
]
