import json

import pytest

from civicposts import config
from civicposts.cli.build import params as params_cli
from civicposts.errors import ConfigError


def test_load_study_defaults(root):
    p = config.load_study(root / "config/study.yaml")
    assert p["timezone"] == "Asia/Jakarta"
    assert "palembang.update" in p["allowlist"] and "ratudewa" in p["allowlist"]
    assert isinstance(p["sample_seed"], int)


def test_overrides_are_typed_and_validated(root):
    p = config.load_study(root / "config/study.yaml", config.parse_overrides("bootstrap_seed=7 quarantine=true"))
    assert p["bootstrap_seed"] == 7 and p["quarantine"] is True
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
    assert params_cli(["--study", str(root / "config/study.yaml"), "--out", str(out)]) == 0
    first = out.stat().st_mtime_ns
    assert params_cli(["--study", str(root / "config/study.yaml"), "--out", str(out)]) == 0
    assert out.stat().st_mtime_ns == first
    assert params_cli(["--study", str(root / "config/study.yaml"), "--set", "sample_seed=1", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["sample_seed"] == 1
    assert params_cli(["--study", str(root / "config/study.yaml"), "--set", "oops=1", "--out", str(out)]) == 2


def test_a_new_scheduler_changes_no_build_parameter(root, tmp_path):
    """Where cleaning runs changes no product, so build/study.json (every notebook's prerequisite) stays as
    it was; the scheduler is kept beside it in runtime.json, which the notebook runner reads too."""
    from civicposts.cli.build import _run_params

    out = tmp_path / "study.json"
    study = str(root / "config/study.yaml")
    assert params_cli(["--study", study, "--out", str(out)]) == 0
    before = out.read_bytes()
    assert "scheduler" not in json.loads(before)
    assert params_cli(["--study", study, "--set", "scheduler=threads", "--out", str(out)]) == 0
    assert out.read_bytes() == before
    assert json.loads((tmp_path / "runtime.json").read_text()) == {"scheduler": "threads"}
    assert _run_params(str(out))["scheduler"] == "threads" and _run_params(str(out))["sample_seed"]


def test_the_study_is_typed_with_defaults(root, tmp_path):
    study = config.load_study(root / "config/study.yaml")
    assert isinstance(study, config.Study)
    assert isinstance(study.corpus_inputs, tuple) and isinstance(study.sample_n, int)
    minimal = tmp_path / "study.yaml"
    minimal.write_text("corpus_inputs: data/raw/mine\nperiod_start: 2021-01-01\n")
    s = config.load_study(minimal)
    assert s.corpus_inputs == ("data/raw/mine",) and s.period_start == "2021-01-01"  # YAML date read as text
    assert s.pseudonym_demo_key is False and s.paper_dir == "" and s.interview_inputs == ()  # nothing assumed
    assert s["corpus_inputs"] == ["data/raw/mine"] and s.as_params()["study_config"] == str(minimal)


@pytest.mark.parametrize("text, message", [
    ("sample_n: many\n", "'sample_n' must be a whole number"),
    ("quarantine: 'yes'\n", "'quarantine' must be true or false"),
    ("corpus_fictional: true\n", "no longer a study parameter: whether the corpus is fictional is read from a "
                                  "PROVENANCE.yaml"),
    ("sample_n: most\n", "'sample_n' must be a whole number of posts, a fraction such as 0.1, or 'all'"),
    ("allowlist: {a: 1}\n", "'allowlist' must be a list of strings"),
    ("sampel_n: 3\n", "'sampel_n' is not a study parameter"),
    ("period_start: 2021-03-01\nperiod_end: 2021-02-01\n", "period_end 2021-02-01 is before period_start"),
    ("timezone: Mars/Olympus\n", "'timezone' 'Mars/Olympus' is not an IANA time zone"),
])
def test_bad_values_name_the_file_and_the_key(tmp_path, text, message):
    f = tmp_path / "study.yaml"
    f.write_text(text)
    with pytest.raises(ConfigError, match=message) as info:
        config.load_study(f)
    assert str(f) in str(info.value)


def test_a_notebook_opened_by_hand_writes_to_scratch_not_to_the_study(tmp_path, monkeypatch):
    from civicposts import config as C

    monkeypatch.chdir(tmp_path)
    (tmp_path / "data/processed").mkdir(parents=True)
    (tmp_path / "data/processed/posts.parquet").write_bytes(b"original")
    study = C.Study(processed_dir="data/processed", reports_dir="reports")
    s = C.scratch_study(study)
    assert s.processed_dir == "build/scratch/data/processed" and s.reports_dir == "build/scratch/reports"
    copy = tmp_path / s.processed_dir / "posts.parquet"
    assert copy.read_bytes() == b"original"  # read as before
    from civicposts.iorw import write_bytes

    write_bytes(copy, b"rewritten by hand")  # written atomically: a new file, never the study's
    assert (tmp_path / "data/processed/posts.parquet").read_bytes() == b"original"


def test_practice_can_never_be_a_study_coder_folder():
    from civicposts import config as C

    with pytest.raises(C.ConfigError, match="practice must never be merged"):
        C.Study(practice_dir="coding", coding_dirs=("coding",))
