"""Command line: ``python -m civicposts <subcommand> ...`` (or the ``civicposts`` script).

Each subcommand is a module with ``main(argv) -> int``; to add one, add a line
to ``SUBCOMMANDS``. The module is imported only when its subcommand runs.
"""

from __future__ import annotations

import importlib
import sys

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    # name: (module, one-line help)
    "ingest": ("civicposts.ingest", "read Instagram collections into one post table"),
}


def _usage() -> str:
    width = max(map(len, SUBCOMMANDS))
    lines = [f"  {name:<{width}}  {help_}" for name, (_, help_) in sorted(SUBCOMMANDS.items())]
    return "usage: python -m civicposts <subcommand> [options]\n\nsubcommands:\n" + "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Dispatch to a subcommand's ``main``."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        sys.stderr.write(_usage())
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in SUBCOMMANDS:
        sys.stderr.write(f"civicposts: unknown subcommand {name!r}\n\n" + _usage())
        return 2
    module = importlib.import_module(SUBCOMMANDS[name][0])
    return int(module.main(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
