"""environment.yml installs exactly the locked set, and lock files carry no URLs."""

import re

import yaml


def _pins_from_lock(text):
    return {line.rstrip(" \\").strip() for line in text.splitlines() if re.match(r"^[A-Za-z0-9]", line)}


def test_environment_yml_matches_lock(root):
    lock = _pins_from_lock((root / "requirements.lock").read_text())
    env = yaml.safe_load((root / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    env_pins = {p for p in pip_section if p != "-e ."}
    assert env_pins == lock, f"environment.yml drifted from requirements.lock: {sorted(env_pins ^ lock)[:10]}"
    assert "python=3.11" in env["dependencies"]


def test_every_lock_entry_is_pinned_with_hashes(root):
    text = (root / "requirements.lock").read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 1)[1] if text.startswith("#") else text)
    for entry in entries:
        if not entry.strip() or entry.startswith("#"):
            continue
        assert "==" in entry.split("\n")[0], entry[:80]
        assert "--hash=sha256:" in entry, f"no hash: {entry[:80]}"


def test_no_urls_in_lock_or_environment(root):
    for name in ("requirements.lock", "environment.yml"):
        text = (root / name).read_text()
        assert not re.search(r"https?://|index-url|find-links", text), f"{name} holds a URL or index option"


def test_installed_versions_match_lock(root):
    """The environment running the tests is the locked one."""
    from importlib import metadata

    lock = _pins_from_lock((root / "requirements.lock").read_text())
    for pin in lock:
        spec, _, marker = pin.partition(" ; ")
        name, _, version = spec.partition("==")
        if marker:
            from packaging.markers import Marker

            if not Marker(marker).evaluate():
                continue
        assert metadata.version(name) == version, f"{name}: installed {metadata.version(name)}, locked {version}"


def test_ci_runs_exactly_the_readme_commands(root):
    """Every command of the README's 'Two commands' block stands verbatim in .ci/run."""
    import re

    block = re.search(r"## Two commands.*?```bash\n(.*?)```", (root / "README.md").read_text(), re.S).group(1)
    commands = [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]
    ci = [line.strip() for line in (root / ".ci/run").read_text().splitlines()]
    assert commands == ["sudo apt-get update && sudo apt-get install -y make python3-venv chromium poppler-utils",
                        "make all", "make test"]
    missing = [c for c in commands if c not in ci]
    assert not missing, f".ci/run does not run the README's commands: {missing}"
