"""Tests of civicposts.promotions on a labelled fixture set (institutional news with contact footers,
donation and disaster appeals, public events, real promotions and endorsements, complaints)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from civicposts import promotions as P

FIX = pd.read_csv(Path(__file__).parent / "fixtures" / "clean" / "promotions.csv")


def _scores(flags) -> tuple[float, float]:
    truth = FIX["expected_promo"].to_numpy(bool)
    tp = int((flags & truth).sum())
    return tp / max(int(flags.sum()), 1), tp / int(truth.sum())


def test_fixture_set_covers_every_kind():
    assert set(FIX["kind"]) == {"institutional", "charity", "event", "promotion", "endorsement", "complaint"}
    assert (FIX["kind"].isin(["institutional", "charity", "event"])).sum() >= 15


def test_no_institutional_charity_or_event_post_is_flagged():
    flags, _ = P.detect(FIX["caption"])
    noncommercial = FIX["kind"].isin(["institutional", "charity", "event", "complaint"]).to_numpy()
    assert not flags[noncommercial].any(), FIX.loc[flags & noncommercial, "caption"].tolist()


def test_precision_and_recall_on_the_fixtures():
    precision, recall = _scores(P.detect(FIX["caption"])[0])
    assert precision == 1.0 and recall == 1.0


def test_a_contact_rule_alone_would_fail_these_fixtures():
    # the previous rule's failure mode: "info lebih lanjut hubungi" or a contact with "gratis" made a promotion
    naive = FIX["caption"].str.contains(r"hubungi|\bWA\b|\bDM\b|Line", case=False, regex=True).to_numpy()
    precision, _ = _scores(naive)
    assert precision < 0.6


def test_cues_say_why_and_never_copy_a_phone_number():
    flags, cues = P.detect(FIX["caption"])
    for f, c in zip(flags, cues):
        assert bool(c) == bool(f)
        assert not any(ch.isdigit() for ch in c)
    assert P.detect_one("Open order kue lebaran, WA 0812 3456 7890") == (True, "strong: open order")
    assert P.detect_one("Diskon 50% order via WA 081234567890")[1] == \
        "commercial: diskon, order; contact: phone number, wa"
