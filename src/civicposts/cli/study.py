"""``new-study``: scaffold a study configuration from a collection."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from ..errors import CivicpostsError

log = logging.getLogger("civicposts.cli")


def new_study(argv: list[str]) -> int:
    """Write a study configuration for a collection: formats, period and accounts read from the data."""
    from ..config import load_study
    from ..privacy import load_or_create_key
    from ..scaffold import next_steps, posts_frame_summary, proposal, study_yaml, survey

    p = argparse.ArgumentParser(prog="python -m civicposts new-study", description=new_study.__doc__)
    p.add_argument("--posts", nargs="+", required=True, metavar="PATH",
                   help="the collection: files or folders (instaloader, Zeeschuimer/4CAT, Apify, tables)")
    p.add_argument("--out", required=True, help="the study file to write, e.g. config/my_study.yaml")
    p.add_argument("--title", default="", help="the study's title (default: from the collected account)")
    p.add_argument("--question", default="", help="the research question, shown in the reports")
    p.add_argument("--timezone", default="Asia/Jakarta", help="local time zone of the study (default WIB)")
    p.add_argument("--columns", default="", help="for your own CSV/XLSX tables: post field=column pairs, e.g. "
                                                 "caption=Caption,account=Username,posted_at=Date")
    p.add_argument("--account", default=None, help="the account of tables that have no account column")
    p.add_argument("--force", action="store_true", help="overwrite an existing study file")
    a = p.parse_args(argv)
    out = Path(a.out)
    if out.exists() and not a.force:
        log.error("%s exists already; choose another --out or add --force", out)
        return 2
    try:
        found = survey(a.posts, timezone=a.timezone, columns=a.columns, account=a.account)
        values = proposal(found, out, title=a.title, question=a.question, timezone=a.timezone)
        text = study_yaml(values, found)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        load_study(tmp)  # the file must be a valid study before it takes the name
        tmp.replace(out)
        load_or_create_key(values["pseudonym_key_file"])  # a fresh key for this study, never the demo's
    except CivicpostsError as exc:
        log.error("%s", exc)
        return 2
    for path, why in found.skipped:
        log.warning("skipped %s: %s", path, why)
    sys.stdout.write(posts_frame_summary(found).to_string(index=False) + "\n\n" + next_steps(out, values) + "\n")
    return 0
