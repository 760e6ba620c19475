"""Research commands on data: ``ingest``, ``clean``, ``coding`` and ``scan-leaks``."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger("civicposts.cli")


def ingest(argv: list[str]) -> int:
    """Ingest Instagram collections into one post table (.parquet or .csv)."""
    from ..ingest import ingest as read_all, to_flat
    from ..iorw import write_csv, write_parquet

    p = argparse.ArgumentParser(prog="python -m civicposts ingest", description=ingest.__doc__)
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (searched recursively)")
    p.add_argument("--out", required=True, help="post table to write: .parquet or .csv")
    p.add_argument("--quarantine", action="store_true",
                   help="set bad records aside (listed in --quarantine-out) instead of stopping at the first")
    p.add_argument("--comments-out", help="also write the comment table (.parquet or .csv)")
    p.add_argument("--profiles-out", help="also write the profile table (.parquet or .csv)")
    p.add_argument("--report-out", help="also write the per-source count table (.csv)")
    p.add_argument("--quarantine-out", help="where to write quarantined records (.csv); "
                                            "default <out stem>.quarantine.csv when --quarantine is given")
    p.add_argument("--columns", default="", help="for your own CSV/XLSX tables: post field=column pairs, e.g. "
                                                 "caption=Caption,account=Username,posted_at=Date")
    p.add_argument("--account", default=None, help="the account of tables that have no account column")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    a = p.parse_args(argv)
    for out in filter(None, [a.out, a.comments_out, a.profiles_out]):
        if Path(out).suffix not in (".parquet", ".csv"):
            p.error(f"{out}: output must end in .parquet or .csv")
    try:
        result = read_all(*a.paths, quarantine=a.quarantine, progress=not a.no_progress, columns=a.columns,
                          account=a.account)
    except InputError as exc:
        log.error("%s", exc)
        return 2

    def write(target: str, df: pd.DataFrame) -> None:
        if target.endswith(".parquet"):
            write_parquet(target, df)
        else:
            write_csv(target, to_flat(df))
        log.info("wrote %d rows to %s", len(df), target)

    write(a.out, result.posts)
    if a.comments_out:
        write(a.comments_out, result.comments)
    if a.profiles_out:
        write(a.profiles_out, result.profiles)
    if a.report_out:
        write_csv(a.report_out, result.report)
    log.info("per-source counts:\n%s", result.report.to_string(index=False) if len(result.report) else "(none)")
    if a.quarantine:
        target = a.quarantine_out or str(Path(a.out).with_suffix("")) + ".quarantine.csv"
        write_csv(target, result.quarantine)
        if len(result.quarantine):
            log.warning("%d bad records set aside in %s", len(result.quarantine), target)
    return 0


def _read_units(path: str | Path) -> pd.DataFrame:
    import pandas as pd

    path = Path(path)
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    raise InputError(path, "unit table must be .parquet or .csv")


def coding(argv: list[str]) -> int:
    """Export a coder's spreadsheet, import a filled-in one into the store, or check the store."""
    from ..codebook import DEFAULT_PATH, load_codebook
    from ..coding import CodingStore, latest, orphans
    from ..sheets import export_sheet, import_sheet

    p = argparse.ArgumentParser(prog="python -m civicposts coding", description=coding.__doc__)
    p.add_argument("--codebook", default=str(DEFAULT_PATH))
    p.add_argument("--store", default="coding", help="folder of coder files (default: coding)")
    sub = p.add_subparsers(dest="cmd", required=True)
    ex = sub.add_parser("export", help="write a coding sheet (CSV and/or XLSX) for one coder")
    ex.add_argument("--units", required=True, help="unit table (.parquet or .csv)")
    ex.add_argument("--coder", required=True)
    ex.add_argument("--csv")
    ex.add_argument("--xlsx")
    im = sub.add_parser("import", help="append the codings of a filled-in sheet to the coder's file")
    im.add_argument("--sheet", required=True)
    im.add_argument("--coder", required=True)
    ch = sub.add_parser("check", help="validate every coder file against the codebook; list orphans")
    ch.add_argument("--units", help="unit table (.parquet or .csv) to find orphaned codings")
    a = p.parse_args(argv)
    try:
        book = load_codebook(a.codebook)
        store = CodingStore(a.store, book)
        if a.cmd == "export":
            if not (a.csv or a.xlsx):
                p.error("export needs --csv and/or --xlsx")
            sheet = export_sheet(_read_units(a.units), book, a.coder, a.csv, a.xlsx,
                                 decisions=store.decisions(a.coder))
            log.info("sheet for %s: %d unit(s) -> %s", a.coder, len(sheet),
                     ", ".join(x for x in (a.csv, a.xlsx) if x))
        elif a.cmd == "import":
            written = store.append_many(import_sheet(a.sheet, book, a.coder))
            log.info("%d new coding line(s) appended to %s", len(written), store.path_for(a.coder))
        else:
            history = store.history()
            book.validate_codings(history)
            dec = latest(history)
            log.info("%d line(s), %d decision(s) by %d coder(s): all codes in codebook %s (version %s)",
                     len(history), len(dec), dec["coder"].nunique(), book.path, book.version)
            if a.units:
                orph = orphans(dec, _read_units(a.units)["unit_id"])
                for row in orph.itertuples(index=False):
                    log.warning("orphan: %s %s %s (%s line %s)", row.coder, row.unit_id, row.variable,
                                row.source_file, row.line)
                return 1 if len(orph) else 0
    except (InputError, ValueError) as exc:
        log.error("%s", exc)
        return 2
    return 0


def scan_leaks(argv: list[str]) -> int:
    """Scan output folders for private handles, phone numbers, e-mails and NIK numbers (civicposts.leaks).

    Exit 1, naming every file and line, when anything is found; 0 when nothing is. The build's final scan is
    handed to its warm runner when one is up (pandas and the scanner are loaded there already)."""
    from ..runner import command_here_or_on_runner

    _scan_parser().parse_args(argv)  # a wrong argument is this process's usage error, not the runner's
    return command_here_or_on_runner("scan", argv, scan_outcome)


def _scan_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m civicposts scan-leaks", description=scan_leaks.__doc__)
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (searched recursively)")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--params", help="effective parameters whose allowlist applies (build/study.json)")
    src.add_argument("--study", help="a study file whose allowlist applies")
    p.add_argument("--allow", default="", help="more public accounts, comma-separated")
    p.add_argument("--report", help="also write every finding to this CSV")
    p.add_argument("--cache", help="a folder keeping each file's findings by its content (see civicposts.leaks.scan)")
    p.add_argument("--prune-cache", action="store_true", help="drop the cache's entries of files not scanned now")
    p.add_argument("--jobs", type=int, default=None, help="processes scanning files side by side (default: CPUs)")
    return p


def scan_outcome(argv: list[str], jobs: int | None = None) -> tuple[int, list[tuple[int, str]]]:
    """``scan-leaks argv``'s exit code and messages (logging level, text), without printing them; ``jobs``
    overrides ``--jobs`` (the runner scans in its own process)."""
    import json

    from ..config import load_study
    from ..errors import CivicpostsError
    from ..leaks import files_to_scan, scan

    a = _scan_parser().parse_args(argv)
    allow = [x for x in a.allow.split(",") if x.strip()]
    if a.params:
        from ..leaks import study_allowlist

        allow += study_allowlist(json.loads(Path(a.params).read_text(encoding="utf-8")))
    elif a.study:
        allow += list(load_study(a.study).allowlist)
    try:
        n_files = len(files_to_scan(a.paths))
        found = scan(a.paths, allow, cache=a.cache, prune=a.prune_cache, jobs=a.jobs if jobs is None else jobs)
    except CivicpostsError as exc:
        return 1, [(logging.ERROR, str(exc))]
    if a.report:
        from ..iorw import write_csv

        write_csv(a.report, found)
    if found.empty:
        return 0, [(logging.INFO, f"leak scan: nothing found in {n_files} files below {', '.join(a.paths)}")]
    out = [(logging.ERROR, f"{r.file}:{r.line}: {r.kind} {r.match!r}") for r in found.head(50).itertuples(index=False)]
    more = f" (first 50 shown{'; all in ' + a.report if a.report else ''})" if len(found) > 50 else ""
    out.append((logging.ERROR, f"leak scan: {len(found)} suspected piece(s) of personal data in "
                               f"{found['file'].nunique()} file(s){more}; the build is not finished"))
    return 1, out


def _read_table(path: str) -> pd.DataFrame:
    import pandas as pd

    p = Path(path)
    if not p.is_file():
        raise InputError(path, "no such file (give the table `python -m civicposts ingest` wrote)")
    if p.suffix == ".parquet":
        return pd.read_parquet(p)
    if p.suffix == ".csv":
        return pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[""])
    raise InputError(path, "a table must be .parquet or .csv")


def clean(argv: list[str]) -> int:
    """Clean, pseudonymize, de-duplicate and flag an ingested post table (and its comments), as notebook 01
    does, on one machine or a Dask cluster."""
    from .. import comments as comment_steps
    from .. import config, privacy
    from ..clean import clean_corpus
    from ..errors import ConfigError
    from ..iorw import write_csv, write_parquet

    p = argparse.ArgumentParser(prog="python -m civicposts clean", description=clean.__doc__)
    p.add_argument("posts", help="post table from `python -m civicposts ingest` (.parquet or .csv)")
    p.add_argument("--out", required=True, help="clean post table to write (.parquet)")
    p.add_argument("--comments", help="comment table from `ingest --comments-out` to clean with the posts")
    p.add_argument("--comments-out", help="clean comment table to write (.parquet); needed with --comments")
    p.add_argument("--flow-out", help="corpus flow table (.csv); default <out stem>.flow.csv")
    p.add_argument("--study", default=None,
                   help="study configuration for period, allowlist, privacy policy, key file and cleaning options "
                        "(default: the built-in defaults, every date, a key in config/pseudonym.key)")
    p.add_argument("--set", default="", help="override study parameters: \"key=value key=value\"")
    p.add_argument("--scheduler", default=None,
                   help="synchronous, threads, processes (default) or a Dask cluster address tcp://HOST:8786")
    p.add_argument("--partitions", type=int, default=None, help="pieces the table is cut into (default: by size)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    a = p.parse_args(argv)
    if a.comments and not a.comments_out:
        p.error("--comments needs --comments-out")
    for out in filter(None, [a.out, a.comments_out]):
        if Path(out).suffix != ".parquet":
            p.error(f"{out}: output must end in .parquet")
    try:
        overrides = config.parse_overrides(a.set)
        study = (config.load_study(a.study, overrides) if a.study
                 else config.Study().with_values(**overrides) if overrides else config.Study())
        scheduler = a.scheduler or study.scheduler or None
        key = privacy.key_for_study(study)
        policy = privacy.policy_for_study(study)
        posts = _read_table(a.posts)
        comments = _read_table(a.comments) if a.comments else None
        known = privacy.corpus_handles(study.allowlist, posts=posts, comments=comments)
        options = dict(tz=study.timezone, stopwords=study.remove_stopwords, stem=study.stem_words,
                       slang_extra=study.slang_extra, scheduler=scheduler, partitions=a.partitions,
                       progress=not a.no_progress)
        clean_posts, flow = clean_corpus(posts, period_start=study.period_start, period_end=study.period_end,
                                         allowlist=study.allowlist, key=key, known=known, policy=policy, **options)
        if comments is not None:
            clean_comments, comment_flow = comment_steps.clean_comments(
                comments, clean_posts, allowlist=study.allowlist, key=key, known=known, policy=policy, **options)
    except (InputError, ConfigError) as exc:
        log.error("%s", exc)
        return 2
    write_parquet(a.out, clean_posts)
    flow_out = a.flow_out or str(Path(a.out).with_suffix("")) + ".flow.csv"
    write_csv(flow_out, flow)
    log.info("wrote %d posts to %s and the flow to %s:\n%s", len(clean_posts), a.out, flow_out,
             flow.to_string(index=False))
    if comments is not None:
        write_parquet(a.comments_out, clean_comments)
        write_csv(str(Path(a.comments_out).with_suffix("")) + ".flow.csv", comment_flow)
        log.info("wrote %d comments to %s:\n%s", len(clean_comments), a.comments_out,
                 comment_flow.to_string(index=False))
    return 0
