"""The one command line: every command registered in one place, listed by --help, importable."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

from civicposts import cli

PKG = Path(cli.__file__).resolve().parents[1]


def test_help_lists_every_registered_command():
    run = subprocess.run([sys.executable, "-m", "civicposts", "--help"], capture_output=True, text=True)
    assert run.returncode == 0
    for name, command in cli.COMMANDS.items():
        assert f"  {name} " in run.stdout and command.help in run.stdout


def test_every_command_target_exists_and_has_its_own_help(capsys):
    for name, command in cli.COMMANDS.items():
        module, _, func = command.target.partition(":")
        target = getattr(importlib.import_module(module), func)
        try:
            target(["--help"])
        except SystemExit as stop:  # argparse exits 0 after printing help
            assert stop.code == 0, name
        assert f"python -m civicposts {name}" in capsys.readouterr().out, name


def test_no_module_outside_cli_parses_arguments():
    """argparse lives in civicposts.cli only: a library module has no command line of its own."""
    offenders = [p.relative_to(PKG) for p in PKG.rglob("*.py")
                 if "cli" not in p.relative_to(PKG).parts and "argparse" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_unknown_command_exits_2(capsys):
    assert cli.main(["no-such-command"]) == 2
    assert "unknown command" in capsys.readouterr().err
