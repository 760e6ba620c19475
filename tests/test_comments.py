"""Tests of comments as part of the corpus: cleaning, counting, summary and comment coding units."""

from __future__ import annotations

import pandas as pd
import pytest

from civicposts import comments as C
from civicposts import units
from civicposts.clean import clean_text
from civicposts.errors import InputError
from civicposts.tables.corpus import corpus_flow

KEY = b"k" * 32
ALLOW = ["kota.update", "sekda.kota"]


def clean_posts() -> pd.DataFrame:
    """Three in-period posts as ``clean_corpus`` leaves them (P3 a duplicate, so not analysed)."""
    return pd.DataFrame({
        "post_id": ["P1", "P2", "P3"], "account": ["kota.update"] * 3,
        "posted_at": pd.to_datetime(["2021-01-05 02:00", "2021-02-01 03:00", "2021-02-02 03:00"], utc=True),
        "caption": ["Jalan rusak di depan pasar", "Banjir di lorong 5", "Banjir di lorong 5"],
        "likes": pd.array([10, 20, 5], dtype="Int64"), "comments": pd.array([3, 4, 0], dtype="Int64"),
        "url": ["https://www.instagram.com/p/P1/", "https://www.instagram.com/p/P2/", ""],
        "media_files": [["a.jpg"], [], []], "pretype": ["complaint", "complaint", "complaint"],
        "text_clean": ["jalan rusak di depan pasar", "banjir di lorong", "banjir di lorong"],
        "analysed": [True, True, False],
    })


def raw_comments() -> pd.DataFrame:
    return pd.DataFrame({
        "comment_id": ["c1", "c2", "c2", "c3", "c4", "c5", None],
        "post_id": ["P1", "P1", "P1", "P2", "P3", "P9", "P1"],
        "parent_id": [None, "c1", "c1", None, None, None, None],
        "author": ["Warga.Satu", "sekda.kota", "sekda.kota", "warga.dua", "warga.tiga", "x", "y"],
        "posted_at": pd.to_datetime(["2021-01-05 03:00", "2021-01-05 04:00", "2021-01-05 04:00", None,
                                     "2021-02-02 05:00", "2021-03-01 00:00", "2021-01-06 00:00"], utc=True),
        "text": ["Betul sekali @warga.dua, hubungi 0812-3456-7890 😭", "Sudah kami tindaklanjuti @Warga.Satu",
                 "Sudah kami tindaklanjuti @Warga.Satu", "Gak ada yg peduli bgt", "sama", "lain", "tanpa id"],
        "likes": pd.array([1, 5, 5, 0, 0, 0, 0], dtype="Int64"),
    })


def test_comments_are_pseudonymized_cleaned_and_counted():
    comments, flow = C.clean_comments(raw_comments(), clean_posts(), allowlist=ALLOW, key=KEY)
    assert flow["comments"].tolist() == [7, 5, 4, 3]  # read, parsed, under in-period post, under analysed post
    assert "1 rows without comment_id and 1 repeated" in flow.loc[1, "note"]
    assert list(comments["comment_id"]) == ["c1", "c2", "c3", "c4"]
    text = " ".join(comments["text"])
    assert "Warga.Satu" not in text and "warga.dua" not in text and "0812" not in text
    assert "@sekda.kota" not in text and comments.loc[1, "author"] == "sekda.kota"  # public stays readable
    assert comments.loc[0, "author"].startswith("user_")
    assert comments.loc[0, "emojis"] == ["😭"] and "menangis" in comments.loc[0, "text_clean"]
    # cleaned exactly as a caption would be: slang normalised ("yg" -> "yang", "bgt" -> "sekali")
    assert comments.loc[2, "text_clean"] == clean_text(["Gak ada yg peduli bgt"])[0]
    assert comments.loc[2, "text_clean"] == "tidak ada yang peduli sekali"
    assert comments["is_reply"].tolist() == [False, True, False, False]
    assert comments["by_public"].tolist() == [False, True, False, False]
    assert comments["analysed"].tolist() == [True, True, True, False]
    table = corpus_flow(flow)
    assert table["removed"].tolist() == [0, 2, 1, 1]


def test_comment_flow_of_a_collection_without_comments_is_all_zero():
    empty = raw_comments().iloc[0:0]
    comments, flow = C.clean_comments(empty, clean_posts(), allowlist=ALLOW, key=KEY)
    assert comments.empty and flow["comments"].tolist() == [0, 0, 0, 0]
    summary = C.comment_summary(comments, clean_posts())
    assert summary.loc[0, "value"] == "0" and summary.loc[1, "value"] == "0 of 2"


def test_comment_summary_names_public_commenters_only():
    comments, _ = C.clean_comments(raw_comments(), clean_posts(), allowlist=ALLOW, key=KEY)
    s = C.comment_summary(comments, clean_posts()).set_index("measure")
    assert s.loc["comments collected", "value"] == "3"
    assert s.loc["posts with a collected comment", "value"] == "2 of 2"
    assert s.loc["comments per commented post", "value"] == "median 1.5, max 2"
    assert s.loc["  by @sekda.kota", "note"] == "on 1 posts, 1 replies"
    assert s.loc["comments the posts report", "value"] == "7"
    assert s.loc["comments the posts report", "note"] == "42.9% of them collected"
    assert not any("user_" in m for m in s.index)  # private commenters are counted, never listed


def test_comment_units_carry_their_post():
    posts = clean_posts()
    post_units = units.post_units(posts[posts["analysed"]])
    comments, _ = C.clean_comments(raw_comments(), posts, allowlist=ALLOW, key=KEY)
    cu = units.comment_units(comments[comments["analysed"]], post_units)
    assert list(cu.columns) == units.COMMENT_UNIT_COLUMNS
    assert cu["unit_id"].tolist() == ["c1", "c2", "c3"]
    assert set(cu["unit_type"]) == {"comment"}
    c3 = cu.set_index("unit_id").loc["c3"]
    assert c3["post_id"] == "P2" and c3["post_caption"] == "Banjir di lorong 5"
    assert c3["local_time"] == "" and c3["month"] == "2021-02"  # no time: the post's month is the stratum
    assert cu.set_index("unit_id").loc["c2", "reply_to"] == "c1"
    assert cu.set_index("unit_id").loc["c1", "media_files"] == ["a.jpg"]


def test_comment_units_of_no_comments_is_an_empty_table_with_the_columns():
    posts = clean_posts()
    cu = units.comment_units(raw_comments().iloc[0:0], units.post_units(posts[posts["analysed"]]))
    assert cu.empty and list(cu.columns) == units.COMMENT_UNIT_COLUMNS


def test_the_app_shows_a_comment_under_its_post():
    from civicposts.app.units import normalise_units

    posts = clean_posts()
    comments, _ = C.clean_comments(raw_comments(), posts, allowlist=ALLOW, key=KEY)
    cu = units.comment_units(comments[comments["analysed"]], units.post_units(posts[posts["analysed"]]))
    shown = normalise_units(cu)
    c1 = shown[0]
    assert c1["unit_type"] == "comment" and c1["post_id"] == "P1"
    assert c1["post_text"] == "Jalan rusak di depan pasar" and c1["text"].startswith("Betul sekali")
    assert shown[1]["reply_to"] == "c1"


def test_clean_comments_needs_its_columns():
    with pytest.raises(InputError, match="comment_id"):
        C.clean_comments(pd.DataFrame({"text": ["x"]}), clean_posts(), allowlist=ALLOW, key=KEY)
