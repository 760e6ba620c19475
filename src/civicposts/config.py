"""The study configuration: one YAML file of flat keys, overridable per run.

``load_study`` reads ``config/study.yaml`` (or another file) and applies
``key=value`` overrides; values in overrides are parsed as YAML scalars, so
``bootstrap_seed=7`` is an integer and ``corpus_fictional=false`` a boolean.
The effective parameters are written to ``build/study.json`` only when they
change, which is what the notebook rules in the Makefile depend on.
"""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError
from .iorw import dumps_json, write_text_if_changed

log = logging.getLogger(__name__)

REQUIRED_KEYS = (
    "paper_account", "corpus_account", "corpus_fictional", "corpus_inputs",
    "period_start", "period_end", "timezone", "allowlist",
    "sample_seed", "bootstrap_seed", "raw_dir", "paper_dir", "processed_dir", "reports_dir",
)


def parse_overrides(items: list[str] | str | None) -> dict[str, Any]:
    """Parse ``key=value`` strings (or one space-separated string) into a dict."""
    if not items:
        return {}
    if isinstance(items, str):
        items = shlex.split(items)
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"parameter override {item!r} is not of the form key=value")
        try:
            out[key.strip()] = yaml.safe_load(value) if value != "" else ""
        except yaml.YAMLError as exc:
            raise ConfigError(f"parameter override {item!r}: value is not valid YAML ({exc})") from exc
    return out


def load_study(path: str | Path = "config/study.yaml", overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Read the study config, apply overrides, and check required keys and types."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: study configuration not found") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of parameter names to values")
    overrides = overrides or {}
    unknown = sorted(set(overrides) - set(data))
    if unknown:
        raise ConfigError(
            f"{path}: override(s) {', '.join(unknown)} name no parameter of the study; "
            f"known parameters: {', '.join(sorted(data))}"
        )
    data = {**data, **overrides}
    missing = [k for k in REQUIRED_KEYS if k not in data]
    if missing:
        raise ConfigError(f"{path}: missing required parameter(s): {', '.join(missing)}")
    if not isinstance(data["allowlist"], list):
        raise ConfigError(f"{path}: 'allowlist' must be a list of account handles")
    if isinstance(data["corpus_inputs"], str):
        data["corpus_inputs"] = [data["corpus_inputs"]]
    data["allowlist"] = sorted({str(a).lstrip("@").lower() for a in data["allowlist"]})
    for key in ("period_start", "period_end"):
        data[key] = str(data[key])
    data["study_config"] = str(path)
    return data


def main(argv: list[str] | None = None) -> int:
    """CLI: write the effective study parameters as JSON, only if they changed."""
    p = argparse.ArgumentParser(prog="python -m civicposts.config", description=main.__doc__)
    p.add_argument("--study", default="config/study.yaml")
    p.add_argument("--set", default="", help='space-separated overrides, e.g. "bootstrap_seed=7"')
    p.add_argument("--out", required=True)
    p.add_argument("--mk", default=None, help="also write Make variables (corpus inputs) to this file")
    a = p.parse_args(argv)
    try:
        params = load_study(a.study, parse_overrides(a.set))
    except ConfigError as exc:
        print(f"civicposts: {exc}", file=sys.stderr)
        return 2
    changed = write_text_if_changed(a.out, dumps_json(params))
    if a.mk:
        inputs = " ".join(shlex.quote(str(i)) for i in params["corpus_inputs"])
        write_text_if_changed(a.mk, f"# written by civicposts.config from {a.study}\nCORPUS_INPUTS := {inputs}\n")
    if changed:
        print(f"civicposts: study parameters written to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())


def find_root(start: str | Path | None = None) -> Path:
    """The repository root: the nearest folder upwards holding ``config/study.yaml``."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "config" / "study.yaml").exists():
            return folder
    raise ConfigError(f"no config/study.yaml found in {here} or any parent folder")


def setup_notebook(namespace: dict[str, Any], names: list[str] | None = None) -> dict[str, Any]:
    """Prepare a notebook: work from the repository root and fill unset parameters from the study.

    Under papermill every parameter arrives injected; opened by hand in
    JupyterLab, parameters left as ``None`` take their value from
    ``study_config`` (default ``config/study.yaml``). Returns the resolved
    parameters and writes them back into ``namespace``.
    """
    import os

    root = find_root()
    os.chdir(root)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", force=True)
    study = load_study(namespace.get("study_config") or "config/study.yaml")
    names = names or [k for k in study if k in namespace]
    resolved = {}
    for name in names:
        value = namespace.get(name)
        resolved[name] = study[name] if value is None else value
        namespace[name] = resolved[name]
    return resolved
