"""Shared fixtures: the repository root and a full pipeline build in a temporary copy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas  # noqa: F401  (the test process reads tables: civicposts.run then blocks no optional import in it,
#                              whichever test runs a notebook in-process first)
import pytest

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(sys.executable).resolve().parent.parent if (Path(sys.prefix) / "pyvenv.cfg").exists() else None


def copy_sources(dst: Path) -> Path:
    """Copy the repository's sources (not reports or processed data) to ``dst``."""
    from civicposts.manifest import copy_sources as _copy

    return _copy(ROOT, dst)


def make(tree: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run make in ``tree`` with this test run's environment."""
    venv = os.environ.get("VIRTUAL_ENV") or str(Path(sys.prefix))
    return subprocess.run(["make", "--no-print-directory", *args, f"VENV={venv}"], cwd=tree,
                          capture_output=True, text=True, check=check)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def built_tree(tmp_path_factory) -> Path:
    """A clean copy of the repository after a full ``make all`` (shared; do not modify it)."""
    tree = copy_sources(tmp_path_factory.mktemp("build-a"))
    proc = make(tree, "all", check=False)
    assert proc.returncode == 0, f"make all failed in a clean copy:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return tree


@pytest.fixture
def mutable_tree(built_tree, tmp_path) -> Path:
    """A private copy of the built tree, for tests that change it (timestamps kept)."""
    dst = tmp_path / "tree"
    shutil.copytree(built_tree, dst, symlinks=True)
    return dst
