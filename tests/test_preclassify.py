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


def test_column_rule_matches_the_word_set_rule_text_by_text():
    # the column route (one pattern per rule) must decide as the per-text word sets do, whatever the spacing
    import random

    r = random.Random(3)
    words = [w for _, (single, phrases) in PC.RULES for w in [*single, *(p.strip() for p in phrases)]]
    words += ["jalan", "a.b", "c+d", "rusaknya"]
    texts = ["".join(r.choice(words) + r.choice([" ", " ", "  ", "\t", "\u00a0", "\u3000", ""])
                     for _ in range(r.randint(0, 6))) for _ in range(3000)]
    got = PC._classify_many(texts)
    assert got == [PC._classify(t) for t in texts]
    assert len(set(got)) == 5
