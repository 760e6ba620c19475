"""Table 1: the background statistics the paper cites, with their sources."""

from __future__ import annotations

import pandas as pd

from .views import view


@view(formats={"Value": "num"})
def background_statistics(background: pd.DataFrame) -> pd.DataFrame:
    """Table 1 from ``background_stats.csv``: statistic, value as printed, number, unit, year, source."""
    out = pd.DataFrame({
        "Statistic": background["statistic"],
        "As printed": background["value_as_printed"],
        "Value": background["value"],
        "Unit": background["unit"],
        "Year": background["reference_year"].replace("", "n.d."),
        "Paper section": background["paper_section"],
        "Source cited by the paper": background["source_cited_by_paper"],
    })
    return out.reset_index(drop=True)


@view(formats={"Date": "date"})
def interview_record(interview: pd.DataFrame) -> pd.DataFrame:
    """The interview record with verbatim and paraphrased statements kept apart."""
    return pd.DataFrame({
        "Segment": interview["segment_id"],
        "Date": interview["interview_date"],
        "Speaker (role)": interview["speaker"] + " (" + interview["speaker_role"] + ")",
        "Kind": interview["kind"],
        "Statement": interview["text"],
        "Source": interview["source"],
    })
