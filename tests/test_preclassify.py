"""Tests of civicposts.preclassify: the keyword rule, its priority and its honesty label."""

from __future__ import annotations

import pandas as pd
import pytest

from civicposts import preclassify as PC


def frame(texts, hashtags=None, promo=None):
    df = pd.DataFrame({"text_clean": texts})
    df["hashtags"] = hashtags if hashtags is not None else [[] for _ in texts]
    if promo is not None:
        df["is_promo"] = promo
    return df


@pytest.mark.parametrize("text,expected", [
    ("jalan rusak parah belum diperbaiki", "complaint"),
    ("kecelakaan di simpang lima pagi ini", "news"),
    ("laporan warga sudah ditindaklanjuti petugas langsung turun", "official_activity"),
    ("paid promote ready stock", "promotion"),
    ("selamat pagi wong kito", "other"),
    ("info banjir di jalan sudirman", "complaint"),  # complaint outranks news
    ("jalan berlubang sudah diperbaiki", "official_activity"),  # action outranks complaint
    ("perusakan", "other"),  # whole words only: 'rusak' inside another word does not count
])
def test_rule_and_priority(text, expected):
    assert PC.preclassify(frame([text])).iloc[0] == expected


def test_hashtags_and_promo_flag_count():
    out = PC.preclassify(frame(["selamat pagi", "selamat pagi", "jalan rusak"], hashtags=[["banjir"], [], []],
                               promo=[False, False, True]))
    assert out.tolist() == ["complaint", "other", "promotion"]


def test_categorical_in_fixed_order_and_empty_input():
    out = PC.preclassify(frame(["jalan rusak"]))
    assert list(out.cat.categories) == list(PC.TYPES)
    assert len(PC.preclassify(frame([]))) == 0


def test_documented_as_not_coding():
    assert "not coding" in PC.__doc__ and "not coding" in PC.CAPTION_NOTE
