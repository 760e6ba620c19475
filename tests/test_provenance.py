"""Labels follow the data: the nearest PROVENANCE.yaml decides, and no marker means real."""

from __future__ import annotations

import pytest

from civicposts import provenance
from civicposts.errors import InputError


def test_the_nearest_marker_decides_and_no_marker_is_real(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "demo" / "coding").mkdir(parents=True)
    (tmp_path / "mine").mkdir()
    (tmp_path / "demo" / "PROVENANCE.yaml").write_text("kind: fictional\nnote: made up for a test\n")
    (tmp_path / "demo" / "coding" / "PROVENANCE.yaml").write_text("kind: simulated\n")
    (tmp_path / "demo" / "coding" / "sim.jsonl").write_text("")
    assert provenance.provenance_of("demo/posts.json").kind == "fictional"
    sim = provenance.provenance_of("demo/coding/sim.jsonl")
    assert sim.kind == "simulated" and sim.marker == "demo/coding/PROVENANCE.yaml"  # relative: reports stay stable
    assert provenance.provenance_of("mine").kind == "real" and not provenance.provenance_of("mine").made_up
    labels = provenance.labels(["mine"], ["demo/coding/sim.jsonl"])
    assert labels.fictional and labels.simulated
    assert provenance.labels(["mine"], []) == provenance.Labels(False, False)
    assert [r["kind"] for r in provenance.describe(["demo", "mine", "mine/x"])] == ["fictional", "real"]


def test_a_malformed_marker_is_named(tmp_path):
    (tmp_path / "PROVENANCE.yaml").write_text("kind: imaginary\n")
    with pytest.raises(InputError, match="PROVENANCE.yaml"):
        provenance.provenance_of(tmp_path / "x.csv")
