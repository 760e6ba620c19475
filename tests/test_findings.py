"""The findings read the codebook's roles, never the kit's variable names: figures 2-3, tables 10, 10b, 11, 6b."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402

from civicposts.codebook import load_codebook  # noqa: E402
from civicposts.figures.coding import complaint_cards, followup_pairs  # noqa: E402
from civicposts.reliability import apply_adjudications  # noqa: E402
from civicposts.tables.coding import coding_status_by_type  # noqa: E402
from civicposts.tables.findings import code_frequencies, theme_exemplars, unit_texts  # noqa: E402


def _code(cid: str) -> dict:
    return {"id": cid, "label_id": cid.upper(), "label_en": cid.title(), "definition": f"def {cid}",
            "use_when": "when", "not_when": "not", "example": "FICTIONAL example"}


def _var(vid: str, unit_type: str, kind: str, codes: list[dict]) -> dict:
    return {"id": vid, "unit_type": unit_type, "kind": kind, "label_id": vid, "label_en": vid.title(),
            "description": f"about {vid}", "codes": codes}


@pytest.fixture()
def own_codebook(tmp_path):
    """A researcher's own codebook: none of the kit's variable or code names."""
    data = {"version": "0.1", "title": "Kode sendiri", "roles": {"post_kind": "jenis", "complaint": "aduan",
                                                                "theme": "tema"},
            "variables": [
                _var("jenis", "post", "single", [_code("aduan"), _code("berita"),
                                                 {**_code("tindak_lanjut"), "relation": "follows_up"}]),
                _var("tema", "post", "multi", [_code("jalan"), _code("banjir")]),
                _var("reaksi", "comment", "single", [_code("dukung"), _code("keluh")]),
            ]}
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_codebook(path)


def _posts() -> pd.DataFrame:
    return pd.DataFrame({
        "post_id": ["P1", "P2", "P3"], "account": ["a", "a", "a"],
        "posted_at": pd.to_datetime(["2021-01-01 01:00", "2021-01-02 01:00", "2021-01-05 01:00"], utc=True),
        "caption": ["jalan rusak", "banjir lagi", "sudah diperbaiki"], "likes": pd.array([1, 2, 3], dtype="Int64"),
        "comments": pd.array([0, 1, 0], dtype="Int64"), "media_files": [[], [], []],
    })


def _decisions() -> pd.DataFrame:
    """Two coders agreeing on every post and on comment c2, differing on comment c1."""
    rows = []
    for coder in ("ana", "budi"):
        rows += [(u, t, v, codes, target, coder) for u, t, v, codes, target in [
            ("P1", "post", "jenis", ("aduan",), None), ("P1", "post", "tema", ("jalan",), None),
            ("P2", "post", "jenis", ("aduan",), None), ("P2", "post", "tema", ("banjir",), None),
            ("P3", "post", "jenis", ("tindak_lanjut",), "P1"), ("P3", "post", "tema", ("jalan",), None),
            ("c1", "comment", "reaksi", ("keluh" if coder == "budi" else "dukung",), None),
            ("c2", "comment", "reaksi", ("dukung",), None)]]
    df = pd.DataFrame(rows, columns=["unit_id", "unit_type", "variable", "codes", "relation_target", "coder"])
    df["source_file"] = "coding/" + df["coder"] + ".jsonl"
    return df


def test_figure_2_and_3_follow_the_codebooks_roles(own_codebook):
    final = apply_adjudications(_decisions(), None)
    fig, shown = complaint_cards(_posts(), final, own_codebook.roles, n=6, seed=1)
    assert sorted(shown["post_id"]) == ["P1", "P2"] and set(shown["topics"]) == {"jalan", "banjir"}
    pairs = followup_pairs(_posts(), final, own_codebook.roles)
    assert pairs[["followup_id", "complaint_id", "topic"]].values.tolist() == [["P3", "P1", "jalan"]]
    assert pairs["lag_days"].tolist() == [4.0]


def test_without_a_complaint_role_figure_2_is_a_panel_saying_why(own_codebook):
    from dataclasses import replace

    roles = replace(own_codebook.roles, complaint=None)
    fig, shown = complaint_cards(_posts(), apply_adjudications(_decisions(), None), roles)
    assert shown.empty
    texts = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    assert "names no complaint code" in texts


def test_theme_and_comment_code_tables(own_codebook):
    final = apply_adjudications(_decisions(), None)
    comments = pd.DataFrame({"comment_id": ["c1", "c2"], "text": ["setuju", "mantap"]})
    texts = unit_texts(_posts(), comments)
    themes = theme_exemplars(final, texts, own_codebook, own_codebook.roles.theme)
    assert themes.set_index("code")["units"].to_dict() == {"jalan": 2, "banjir": 1}
    codes = code_frequencies(final, texts, own_codebook, "comment")
    assert codes["variable"].unique().tolist() == ["reaksi"]
    row = codes.set_index("code").loc["dukung"]
    assert row["units"] == 1 and row["exemplars"] == "• c2: mantap"  # c1 is unresolved: the coders differ
    none = theme_exemplars(final, texts, own_codebook, None)
    assert none["label"].iloc[0].startswith("the codebook names no theme variable")


def test_final_codings_say_which_coder_files_they_came_from():
    final = apply_adjudications(_decisions(), None)
    assert set(final["coder_files"]) == {"coding/ana.jsonl; coding/budi.jsonl"}


def test_coding_status_reports_posts_and_comments_separately(own_codebook):
    samples = {"post": pd.DataFrame({"unit_id": ["P1", "P2", "P3"], "overlap": [True, True, False]}),
               "comment": pd.DataFrame({"unit_id": ["c1", "c2"], "overlap": [True, True]})}
    status = coding_status_by_type(samples, _decisions(), own_codebook)
    posts = status[status["units"] == "posts"].set_index("coder")
    comments = status[status["units"] == "comments"].set_index("coder")
    assert posts.loc["ana", "units_coded"] == 3 and comments.loc["ana", "units_coded"] == 2
    assert "agreement measured on 2 overlap units" in comments.loc["all coders", "status"]
