import json

import pytest

from civicposts import config
from civicposts.errors import ConfigError


def test_load_study_defaults(root):
    p = config.load_study(root / "config/study.yaml")
    assert p["timezone"] == "Asia/Jakarta"
    assert "palembang.update" in p["allowlist"] and "ratudewa" in p["allowlist"]
    assert isinstance(p["sample_seed"], int)


def test_overrides_are_typed_and_validated(root):
    p = config.load_study(root / "config/study.yaml", config.parse_overrides("bootstrap_seed=7 corpus_fictional=false"))
    assert p["bootstrap_seed"] == 7 and p["corpus_fictional"] is False
    with pytest.raises(ConfigError, match="nosuchkey"):
        config.load_study(root / "config/study.yaml", {"nosuchkey": 1})
    with pytest.raises(ConfigError, match="key=value"):
        config.parse_overrides(["justakey"])


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        config.load_study(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1,\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        config.load_study(bad)


def test_params_file_written_only_on_change(root, tmp_path):
    out = tmp_path / "study.json"
    assert config.main(["--study", str(root / "config/study.yaml"), "--out", str(out)]) == 0
    first = out.stat().st_mtime_ns
    assert config.main(["--study", str(root / "config/study.yaml"), "--out", str(out)]) == 0
    assert out.stat().st_mtime_ns == first
    assert config.main(["--study", str(root / "config/study.yaml"), "--set", "sample_seed=1", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["sample_seed"] == 1
    assert config.main(["--study", str(root / "config/study.yaml"), "--set", "oops=1", "--out", str(out)]) == 2
