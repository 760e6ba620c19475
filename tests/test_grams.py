"""civicposts.grams: the sparse k-gram sets are the string sets, exactly (sizes and intersections)."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicposts import duplicates as D
from civicposts import grams


def _string_sets(texts):
    return [D._shingles(t) for t in texts]


def _check(texts, x, y):
    rows = grams.gram_rows(texts, D.SHINGLE, D.MAX_SHINGLE_CHARS)
    inter, sx, sy = grams.overlaps(rows, x, y)
    sets = _string_sets(texts)
    assert grams.set_sizes(rows).tolist() == [len(s) for s in sets]
    assert inter.tolist() == [len(sets[i] & sets[j]) for i, j in zip(x, y)]
    assert sx.tolist() == [len(sets[i]) for i in x] and sy.tolist() == [len(sets[j]) for j in y]


EDGE = ["", "abcd", "abcde", "a" * 700, "ab" * 400, "jalan rusak jalan rusak jalan rusak", "x" * 5 + "y" * 5,
        "hujan 🌧️ deras 👩‍🚒 datang", "ÀÁÂÃÄ àáâãä", "𝒂𝒃𝒄𝒅𝒆𝒇 𝒂𝒃𝒄𝒅𝒆𝒇", "tab\tnew\nline  spaces"]


def test_edge_texts_have_the_string_sets():
    n = len(EDGE)
    x, y = np.repeat(np.arange(n), n), np.tile(np.arange(n), n)
    _check(EDGE, x, y)


def test_a_k_gram_repeated_hundreds_of_times_counts_once():
    rows = grams.gram_rows(["a" * 600, "ab" * 300], 5, 600)
    assert grams.set_sizes(rows).tolist() == [1, 2]


def test_a_large_alphabet_falls_back_to_strings_with_the_same_sets():
    # 7,000 distinct characters: 7000**5 does not fit in 63 bits
    rng = random.Random(3)
    alphabet = [chr(0x4E00 + i) for i in range(7000)]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300))) for _ in range(60)]
    texts += [texts[1][:100] + texts[2][:100], texts[3] * 2]
    n = len(texts)
    x = np.array([rng.randrange(n) for _ in range(300)])
    y = np.array([rng.randrange(n) for _ in range(300)])
    _check(texts, x, y)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="ab c", max_size=40), min_size=1, max_size=12), st.data())
def test_random_texts_over_a_small_alphabet(texts, data):
    n = len(texts)
    pairs = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), min_size=1, max_size=30))
    x, y = (np.array(v) for v in zip(*pairs))
    _check(texts, x, y)


def test_no_texts_and_no_pairs():
    rows = grams.gram_rows([], 5, 600)
    assert rows.shape[0] == 0
    inter, sx, sy = grams.overlaps(grams.gram_rows(["abcdef"], 5, 600), np.zeros(0, int), np.zeros(0, int))
    assert len(inter) == len(sx) == len(sy) == 0


@pytest.mark.parametrize("k", [3, 5])
def test_other_k(k):
    texts = ["jalan rusak parah", "jalan rusak sekali", "rusak"]
    rows = grams.gram_rows(texts, k, 600)
    want = [len({t[i:i + k] for i in range(len(t) - k + 1)}) for t in texts]
    assert grams.set_sizes(rows).tolist() == want
