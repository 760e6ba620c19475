"""The study's privacy policy: per-field actions, safe defaults, and refusals that name the field."""

from __future__ import annotations

import pandas as pd
import pytest

from civicposts import config, policy, privacy
from civicposts.errors import ConfigError

KEY = b"k" * 32


def test_defaults_are_safe():
    p = policy.DEFAULT
    assert p["caption"] == "mask" and p["post_account"] == "pseudonymize" and p["profile_full_name"] == "drop"


@pytest.mark.parametrize("raw, needle", [
    ({"caption": "keep"}, "caption: 'keep' is not allowed; choose mask or drop"),
    ({"captions": "mask"}, "unknown field 'captions'"),
    ({"profile_full_name": "keep"}, "choose drop"),
])
def test_a_policy_that_could_leak_is_refused(raw, needle):
    with pytest.raises(ConfigError, match=needle.replace("(", r"\(")):
        policy.parse(raw)


def test_drop_empties_the_field_of_private_persons_only():
    pol = policy.parse({"post_account": "drop", "comment_text": "drop"})
    posts = pd.DataFrame({"post_id": ["1", "2"], "account": ["warga.satu", "ratudewa"], "caption": ["a", "b"]})
    out = privacy.pseudonymize_posts(posts, ["ratudewa"], KEY, policy=pol)
    assert out["account"].isna().tolist() == [True, False] and out.loc[1, "account"] == "ratudewa"
    comments = pd.DataFrame({"comment_id": ["c"], "post_id": ["1"], "author": ["x.y"], "text": ["hubungi 08121111222"]})
    assert privacy.pseudonymize_comments(comments, [], KEY, policy=pol)["text"].tolist() == [None]


def test_private_names_are_masked_in_every_text():
    pol = policy.parse({}, ["Budi Santoso", "Siti"])
    out = privacy.redact("Kata Budi Santoso dan SITI, bukan Sitiawan: hubungi 0812-1111-2222", frozenset(), KEY,
                         policy=pol)
    assert out == "Kata [nama] dan [nama], bukan Sitiawan: hubungi [telepon]"
    interview = pd.DataFrame({"speaker": ["Ratu Dewa"], "text": ["Saya ditelepon Siti kemarin"]})
    assert privacy.redact_interview(interview, [], KEY, pol)["text"].item() == "Saya ditelepon [nama] kemarin"


def test_memos_are_masked_or_dropped():
    dec = pd.DataFrame({"unit_id": ["1"], "memo": ["tanya @warga.satu di 0812-1111-2222"]})
    masked = privacy.redact_memos(dec, [], KEY)["memo"].item()
    assert "warga.satu" not in masked and "[telepon]" in masked
    assert privacy.redact_memos(dec, [], KEY, policy.parse({"coder_memo": "drop"}))["memo"].item() == ""


def test_the_study_file_carries_the_policy(tmp_path):
    study = config.load_study("config/study.yaml")
    assert privacy.policy_for_study(study)["caption"] == "mask"
    bad = tmp_path / "s.yaml"
    bad.write_text("privacy_policy:\n  caption: keep\n")
    with pytest.raises(ConfigError, match="caption: 'keep' is not allowed"):
        config.load_study(bad)
