"""The one command line: ``python -m civicposts <command> ...`` (or the ``civicposts`` script).

Every command is registered in :data:`COMMANDS` below, and only there: its
name, the module and function that run it (imported only when it runs),
and a line of help. A command's function takes ``argv`` (the words after
its name) and returns the exit code. The library modules hold no argparse:
each command here parses its words and calls the library.
"""

from __future__ import annotations

import importlib
import logging
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    """A registered command: ``module:function`` and one line of help; ``group`` orders ``--help``."""

    target: str
    help: str
    group: str = "research"


COMMANDS: dict[str, Command] = {
    # research: what a researcher runs
    "ingest": Command("civicposts.cli.data:ingest", "read Instagram collections into post, comment and "
                                                     "profile tables"),
    "clean": Command("civicposts.cli.data:clean", "clean, pseudonymize, de-duplicate and flag an ingested "
                                                   "table, locally or on a Dask cluster (--scheduler)"),
    "new-study": Command("civicposts.cli.study:new_study", "scaffold a study configuration from a collection "
                                                          "(formats, period, accounts read from the data)"),
    "coding": Command("civicposts.cli.data:coding", "coding sheets: export one for a coder, import a "
                                                     "filled-in one, check every coder file"),
    "export-qdpx": Command("civicposts.cli.exchange:export_qdpx", "write the study's units, codings, spans, "
                                                                  "memos and links as a REFI-QDA project (.qdpx)"),
    "import-qdpx": Command("civicposts.cli.exchange:import_qdpx", "read a REFI-QDA project's codings into one "
                                                                  "coder file per user"),
    "import-codebook": Command("civicposts.cli.exchange:import_codebook", "turn another tool's REFI-QDA "
                                                                          "codebook into a civicposts codebook"),
    "export-codebook": Command("civicposts.cli.exchange:export_codebook", "write a codebook as REFI-QDA .qdc"),
    "scan-leaks": Command("civicposts.cli.data:scan_leaks", "scan folders for private handles, phone numbers, "
                                                            "e-mails and NIKs (fails when any is found)"),
    # build: the steps `make all` runs, one per product
    "params": Command("civicposts.cli.build:params", "write the effective study parameters (build/study.json)",
                      "build"),
    "deps": Command("civicposts.cli.build:deps", "write each notebook's source prerequisites from its imports "
                                                 "(build/deps.mk)", "build"),
    "warm": Command("civicposts.cli.build:warm", "start the build's notebook runner in the background", "build"),
    "execute": Command("civicposts.cli.build:execute", "run one notebook with the study parameters", "build"),
    "html": Command("civicposts.cli.build:html", "export executed notebooks to HTML and write the index",
                    "build"),
    "pdf": Command("civicposts.cli.build:pdf", "typeset the PDF report", "build"),
    "index": Command("civicposts.cli.build:index", "write the HTML index of the reports", "build"),
    "manifest": Command("civicposts.cli.build:manifest", "write reports/manifest.json", "build"),
    "verify": Command("civicposts.cli.build:verify", "rebuild from data/raw and compare with the published "
                                                     "reference", "build"),
    "publish": Command("civicposts.cli.build:publish", "(maintainers) make the current reports the reference",
                       "build"),
}

_GROUPS = {"research": "commands", "build": "build steps (run by make)"}


def usage() -> str:
    """The ``--help`` text: every registered command with its help line, by group."""
    width = max(map(len, COMMANDS))
    out = ["usage: python -m civicposts <command> [options]   (python -m civicposts <command> --help)", ""]
    for group, title in _GROUPS.items():
        out.append(f"{title}:")
        out += [f"  {name:<{width}}  {c.help}" for name, c in COMMANDS.items() if c.group == group]
        out.append("")
    return "\n".join(out)


def setup_logging() -> None:
    """Log lines to stderr as ``civicposts: ...`` (no-op when the caller configured logging)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="civicposts: %(message)s", stream=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run the command named by ``argv[0]``."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        sys.stdout.write(usage())
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        sys.stderr.write(f"civicposts: unknown command {name!r}\n\n" + usage())
        return 2
    module, _, func = COMMANDS[name].target.partition(":")
    setup_logging()
    return int(getattr(importlib.import_module(module), func)(rest) or 0)
