"""The paper's facts: present, sourced, and exactly as printed in the paper."""

import os
import re
from pathlib import Path

import pandas as pd
import pytest

from civicposts import paper
from civicposts.errors import InputError
from civicposts.figures.profile import profile_card
from civicposts.tables.paper import background_statistics

PAPER_TXT = "../shared/seed/paper.txt"


@pytest.fixture(scope="module")
def paper_dir(root):
    return root / "data/raw/paper"


def test_snapshot_values(paper_dir):
    s = paper.load_snapshot(paper_dir).set_index("metric")
    assert s.loc["followers", "value"] == 308000
    assert s.loc["posts", "value"] == 25000
    assert str(s.loc["followers", "snapshot_date"]) == "2021-02-02"


def test_values_as_printed_occur_in_the_paper(root, paper_dir):
    """Every value_as_printed and the verbatim quote appear word for word in the paper's text."""
    txt_path = Path(os.environ.get("CIVICPOSTS_PAPER_TXT", root / PAPER_TXT))
    if not txt_path.exists():  # the paper's text is not distributed with the kit; CI has it beside the clone
        pytest.skip(f"paper text not found at {txt_path} (set CIVICPOSTS_PAPER_TXT)")
    text = " ".join(txt_path.read_text(encoding="utf-8").split())
    for name in ("account_snapshot.csv", "background_stats.csv"):
        for v in pd.read_csv(paper_dir / name, dtype=str)["value_as_printed"]:
            assert v in text, f"{name}: {v!r} is not printed in the paper"
    interview = paper.load_interview(paper_dir)
    verbatim = interview.loc[interview["kind"] == "verbatim", "text"]
    assert len(verbatim) == 1 and verbatim.iloc[0] in text
    para = interview.loc[interview["kind"] == "paraphrase", "text"]
    assert para.str.startswith("[Paraphrase").all()


def test_background_numbers_match_printed(paper_dir):
    b = paper.load_background(paper_dir)
    for _, row in b.iterrows():
        printed = re.search(r"[\d,]+", row["value_as_printed"])
        if printed:
            assert float(printed.group().replace(",", ".")) == row["value"]
    t = background_statistics(b)
    assert t["Source cited by the paper"].str.len().min() > 10


def test_missing_source_is_a_clear_error(tmp_path, paper_dir):
    for f in paper_dir.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    df = pd.read_csv(tmp_path / "background_stats.csv", dtype=str, keep_default_na=False)
    df.loc[2, "source_cited_by_paper"] = ""
    df.to_csv(tmp_path / "background_stats.csv", index=False)
    with pytest.raises(InputError, match=r"background_stats.csv, record 4: empty 'source_cited_by_paper'"):
        paper.load_background(tmp_path)


def test_profile_card_plots_the_snapshot(paper_dir):
    fig, data = profile_card(paper.load_snapshot(paper_dir))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "@palembang.update" in texts and "≈ 308K" in texts and "25K+" in texts
    assert set(data["metric"]) == {"followers", "posts"}


def test_captions_describe_the_papers_own_rows(tmp_path):
    from civicposts import paper as P

    snap = P.load_snapshot("data/raw/paper")
    assert P.describe_snapshot(snap) == ("@palembang.update on 2021-02-02: followers approximately 308,000; "
                                         "posts more than 25,000")
    other = snap.assign(account="kota.lain", value=[1200, 40])
    assert P.describe_snapshot(other).startswith("@kota.lain on 2021-02-02: followers approximately 1,200")
    assert P.describe_interview(P.load_interview("data/raw/paper")).startswith("Ratu Dewa (Sekretaris Daerah")
