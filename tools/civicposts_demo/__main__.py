"""``python -m civicposts_demo --out data/raw/demo``: write the FICTIONAL demo corpus (maintainers only)."""

from __future__ import annotations

import argparse
import logging
import sys

from civicposts.errors import CivicpostsError

from . import DEFAULT_SEED, SIM_SEED, build

log = logging.getLogger("civicposts_demo")


def main(argv: list[str] | None = None) -> int:
    """CLI: write the FICTIONAL demo corpus, answer key, overlap sample and simulated coders."""
    p = argparse.ArgumentParser(prog="python -m civicposts_demo", description=main.__doc__)
    p.add_argument("--out", default="data/raw/demo")
    p.add_argument("--n-posts", type=int, default=5000)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--start", default="2020-01-01")
    p.add_argument("--end", default="2021-02-28")
    p.add_argument("--sample-size", type=int, default=200)
    p.add_argument("--sim-seed", type=int, default=SIM_SEED)
    a = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="civicposts: %(message)s")
    try:
        build(a.out, n_posts=a.n_posts, seed=a.seed, start=a.start, end=a.end, sample_size=a.sample_size,
              sim_seed=a.sim_seed)
    except (ValueError, CivicpostsError) as exc:
        log.error("%s", exc)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
