"""Readable table cells: excerpts cut at a word with an ellipsis, line breaks kept, nothing lost when short."""

from civicposts.tables.cells import excerpt


def test_short_text_is_kept_with_its_line_breaks():
    assert excerpt("Keluhan warga:\n\njalan   rusak", 160) == "Keluhan warga:\njalan rusak"


def test_long_text_is_cut_at_a_word_with_an_ellipsis():
    text = "jalan rusak di depan pasar sudah lama belum diperbaiki mohon ditinjau"
    out = excerpt(text, 30)
    assert out == "jalan rusak di depan pasar…"
    assert len(out) <= 31 and text.startswith(out[:-1])


def test_a_cut_never_ends_in_punctuation_or_a_break():
    assert excerpt("satu dua, tiga\nempat lima enam tujuh", 15) == "satu dua, tiga…"


def test_one_overlong_word_is_cut_inside_it():
    assert excerpt("x" * 50, 10) == "x" * 10 + "…"
    assert excerpt(None) == "" and excerpt(float("nan"), 3) == ""
