"""The result of the last ``make verify``, kept beside the reports and shown at the top of ``index.html``.

Why not in the PDF or the manifest: the PDF and every page are themselves among the files a verification
checks, so a result printed in them would change them and could never be reproduced. The record is therefore
written *outside* the verified artefacts: ``reports/verification.json`` (for people and programs) and
``reports/verification.js`` (for the index page, which reads it with a plain ``<script>`` tag; a page opened
from disk may not fetch a JSON file). Neither is listed in the manifest. Until a verification has run, the
build writes a placeholder saying so, so the index never shows a result it does not have.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .iorw import dumps_json, write_text

log = logging.getLogger(__name__)

RECORD_NAME = "verification.json"
SCRIPT_NAME = "verification.js"
NOT_RUN = ("No `make verify` has been run on this copy yet: run it to rebuild every artefact from data/raw/ in a "
           "temporary folder and compare each with the published reference.")


def summary(record: dict[str, Any] | None) -> str:
    """One sentence for a reader: when the last verification ran, on what, and what it found."""
    if not record:
        return NOT_RUN
    ok, total = record["reproduced"], record["checked"]
    where = f"commit {record['commit'][:12]}" + (" with uncommitted changes" if record.get("dirty") else "")
    result = (f"all {total} artefacts and inputs reproduced the published reference" if ok == total else
              f"{total - ok} of {total} artefacts and inputs did not reproduce the published reference "
              f"(first: {', '.join(f'{p} ({s})' for p, s in record['not_reproduced'][:3])})")
    return f"Last `make verify` on this copy: {record['finished']} UTC, {where}: {result}."


def record(rows: Iterable[Any], root: str | Path, reports_dir: str | Path, reference: str | Path) -> Path:
    """Write the record of a verification (``rows``: :class:`civicposts.manifest.Row`) into ``reports_dir``
    under ``root``; returns the JSON record's path."""
    from .manifest import git_output  # the manifest imports this module's names: import at call time

    root = Path(root)
    rows = list(rows)
    bad = [(r.path, r.status) for r in rows if r.status != "reproduced"]
    rec = {
        "finished": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "commit": git_output(root, "rev-parse", "HEAD") or "unknown",
        "dirty": bool(git_output(root, "status", "--porcelain", "--untracked-files=no")),
        "reference": Path(reference).as_posix(),
        "checked": len(rows),
        "reproduced": len(rows) - len(bad),
        "not_reproduced": bad,
    }
    out = root / reports_dir
    path = write_text(out / RECORD_NAME, dumps_json(rec))
    write_text(out / SCRIPT_NAME, _script(rec))
    log.info("%s", summary(rec))
    return path


def ensure_placeholder(reports_dir: str | Path) -> None:
    """Write the 'not verified yet' script unless a verification has left its record."""
    target = Path(reports_dir) / SCRIPT_NAME
    if not target.exists():
        write_text(target, _script(None))


def load(reports_dir: str | Path) -> dict[str, Any] | None:
    """The last verification's record in ``reports_dir``, or None."""
    p = Path(reports_dir) / RECORD_NAME
    return json.loads(p.read_text(encoding="utf-8")) if p.exists() else None


def _script(rec: dict[str, Any] | None) -> str:
    ok = rec is not None and rec["reproduced"] == rec["checked"]
    return (f"window.civicpostsVerification = {json.dumps({'text': summary(rec), 'ok': ok, 'ran': rec is not None})};"
            "\n")
