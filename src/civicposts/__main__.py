"""``python -m civicposts <command>``: see :mod:`civicposts.cli`."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
