"""Commands that move coding between civicposts and other tools: REFI-QDA projects and codebooks, and
the wide table for statistics packages."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import pandas as pd


def _study(path: str | None, sets: str = ""):  # noqa: ANN202
    from ..config import load_study, parse_overrides

    return load_study(path or "config/study.yaml", parse_overrides(sets))


def study_units(study, history: pd.DataFrame | None = None, *, every_post: bool = False) -> pd.DataFrame:  # noqa: ANN001
    """The units of a study to exchange, from its processed folder: the post and comment samples, the
    interview segments, and every other analysed post a coder coded or a relation points to (a
    follow-up's complaint may lie outside the sample); with ``every_post`` every analysed post (what
    an imported project may have coded)."""
    from .. import units as units_mod
    from ..errors import InputError

    proc = Path(study.processed_dir)
    parts = [pd.read_parquet(proc / n) for n in ("coding_sample.parquet", "coding_sample_comments.parquet",
                                                 "interview_units.parquet") if (proc / n).exists()]
    if not parts:
        raise InputError(proc, "no unit tables (coding_sample*.parquet, interview_units.parquet): run `make all` "
                         "first")
    out = pd.concat(parts, ignore_index=True, sort=False)
    dec = None
    if history is not None and len(history):
        from ..coding import latest, span_decisions

        dec = latest(history)  # the coders' current decisions: an earlier, replaced line names nothing
    if (every_post or dec is not None) and (proc / "posts.parquet").exists():
        posts = pd.read_parquet(proc / "posts.parquet")
        pool = units_mod.post_units(posts[posts["analysed"]], timezone=study.timezone)
        extra = pool.loc[~pool["unit_id"].isin(set(out["unit_id"]))]
        if not every_post:
            known = set(out["unit_id"]) | set(pool["unit_id"])
            coded = dec.loc[dec["unit_id"].isin(known)]
            # a relation counts only from a unit that is exported itself, so the set is a fixed point
            wanted = (set(coded["unit_id"]) | set(span_decisions(history)["unit_id"])
                      | {t for t in coded["relation_target"] if isinstance(t, str)})
            extra = extra.loc[extra["unit_id"].isin(wanted)]
        if len(extra):
            out = pd.concat([out, extra], ignore_index=True, sort=False)
    return out


def _coder_dirs(study, given: list[str] | None) -> list[str]:  # noqa: ANN001
    return list(given) if given else list(study.coding_dirs)


def export_qdpx(argv: list[str]) -> int:
    """Write a study's units, codings, spans, memos and links as a REFI-QDA project (.qdpx).

    A build hands it to its warm runner when one is up (pandas, lxml and the coding code are loaded there
    already; its own process spent 0.7 s of a CPU on imports beside the build's last notebook)."""
    from ..runner import command_here_or_on_runner

    _export_parser().parse_args(argv)  # a wrong argument is this process's usage error, not the runner's
    return command_here_or_on_runner("export", argv, export_outcome)


def _export_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m civicposts export-qdpx", description=export_qdpx.__doc__)
    p.add_argument("--out", required=True, help="the .qdpx file to write")
    p.add_argument("--study", default=None, help="study configuration (default config/study.yaml)")
    p.add_argument("--coding", action="append", default=None,
                   help="coder folder or file (repeatable; default: the study's coding_dirs)")
    p.add_argument("--set", default="", help='study overrides as `make SET=` takes them, e.g. "reports_dir=x"')
    p.add_argument("--leak-cache", default=None, help="then scan the project into this leak-scan cache")
    return p


def export_outcome(argv: list[str]) -> tuple[int, list[tuple[int, str]]]:
    """``export-qdpx argv``'s exit code and messages (logging level, text), without printing them: what the
    command and the build's runner both call."""
    from .. import coding, privacy, provenance
    from ..codebook import load_codebook
    from ..errors import CivicpostsError
    from ..iorw import write_bytes
    from ..refi.project import project_bytes

    a = _export_parser().parse_args(argv)
    try:
        study = _study(a.study, a.set)
        book = load_codebook(study.codebook_path)
        dirs = _coder_dirs(study, a.coding)
        history = coding.load_history(*dirs, missing_ok=True)
        params = study.as_params()
        # memos are free text a coder typed: masked as the reports mask them
        history = privacy.redact_memos(history, params["allowlist"], privacy.key_for_study(params),
                                       privacy.policy_for_study(params))
        labels = provenance.labels(study.corpus_inputs, [*dirs])
        kind = ("SIMULATED codings of a FICTIONAL corpus" if labels.simulated else
                "FICTIONAL corpus" if labels.fictional else "collected data")
        desc = f"{study.study_title}. Exported by civicposts from {', '.join(dirs)} ({kind})."
        data, counts = project_bytes(book, study_units(study, history), history, name=study.study_title, description=desc)
        write_bytes(a.out, data)
        if a.leak_cache:
            from ..leaks import scan_into_cache

            scan_into_cache([a.out], params, a.leak_cache)
    except CivicpostsError as exc:
        return 2, [(logging.ERROR, str(exc))]
    out = [(logging.WARNING, f"not exported (no matching unit): {o}") for o in counts.orphans]
    out.append((logging.INFO, f"wrote {a.out}: {counts.sources} sources, {counts.users} coders, {counts.whole_unit} "
                              f"whole-unit decisions, {counts.spans} spans, {counts.notes} memos, {counts.links} links"
                + (f"; {len(counts.orphans)} coding(s) without a unit listed above" if counts.orphans else "")))
    return 0, out


def import_qdpx(argv: list[str]) -> int:
    """Read a REFI-QDA project's codings into one coder file per user (appended, never overwritten)."""
    from ..codebook import load_codebook
    from ..coding import CodingStore
    from ..errors import CivicpostsError
    from ..iorw import write_csv
    from ..refi.project import import_records, read_project

    p = argparse.ArgumentParser(prog="python -m civicposts import-qdpx", description=import_qdpx.__doc__)
    p.add_argument("project", help="the .qdpx (or .qde) file another tool wrote")
    p.add_argument("--out", required=True, help="folder for the coder files (<coder>.jsonl)")
    p.add_argument("--study", default=None)
    p.add_argument("--report", default=None, help="CSV of what was not imported (default <out>/import-report.csv)")
    a = p.parse_args(argv)
    try:
        study = _study(a.study)
        book = load_codebook(study.codebook_path)
        project = read_project(a.project)
        records, report = import_records(project, book, study_units(study, every_post=True))
        written = CodingStore(a.out, book).append_many(records)
        write_csv(a.report or Path(a.out) / "import-report.csv", report)
    except CivicpostsError as exc:
        print(f"civicposts: {exc}", file=sys.stderr)
        return 2
    skipped = report.loc[~report["what"].str.startswith("coder ")]
    for row in skipped.itertuples():
        print(f"civicposts: not imported: {row.what}: {row.problem}", file=sys.stderr)
    print(f"civicposts: {len(written)} new line(s) in {a.out} from {len(records)} coding(s) read; "
          f"{len(skipped)} problem(s) listed in the import report", file=sys.stderr)
    return 0


def import_codebook(argv: list[str]) -> int:
    """Turn another tool's REFI-QDA codebook (.qdc, .qde, .qdpx) into a civicposts codebook YAML."""
    from ..codebook import KINDS, UNIT_TYPES, load_codebook
    from ..errors import CivicpostsError, InputError
    from ..iorw import atomic_path
    from ..refi.codebook import dump_yaml, read_codebook_file

    p = argparse.ArgumentParser(prog="python -m civicposts import-codebook", description=import_codebook.__doc__)
    p.add_argument("file")
    p.add_argument("--out", required=True, help="the codebook.yaml to write (refused if it exists)")
    p.add_argument("--unit-type", choices=UNIT_TYPES, default="post",
                   help="unit type of categories whose description does not say (default post)")
    p.add_argument("--kind", choices=KINDS, default="multi",
                   help="single- or multi-choice for categories whose description does not say (default multi)")
    a = p.parse_args(argv)
    try:
        if Path(a.out).exists():
            raise InputError(a.out, "exists already; choose a new file (a codebook is never overwritten)")
        data = read_codebook_file(a.file, unit_type=a.unit_type, kind=a.kind)
        with atomic_path(a.out) as tmp:
            tmp.write_text(dump_yaml(data), encoding="utf-8")
            book = load_codebook(tmp)  # only a valid codebook is ever written
    except CivicpostsError as exc:
        print(f"civicposts: {exc}", file=sys.stderr)
        return 2
    print(f"civicposts: wrote {a.out}: {len(book.variables)} variable(s), "
          f"{sum(len(v.codes) for v in book.variables.values())} code(s)", file=sys.stderr)
    return 0


def export_codebook(argv: list[str]) -> int:
    """Write a civicposts codebook as a REFI-QDA codebook (.qdc), valid against the official schema."""
    from ..codebook import load_codebook
    from ..errors import CivicpostsError
    from ..iorw import write_bytes

    p = argparse.ArgumentParser(prog="python -m civicposts export-codebook", description=export_codebook.__doc__)
    p.add_argument("codebook")
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)
    try:
        write_bytes(a.out, load_codebook(a.codebook).to_qdc())
    except CivicpostsError as exc:
        print(f"civicposts: {exc}", file=sys.stderr)
        return 2
    return 0
