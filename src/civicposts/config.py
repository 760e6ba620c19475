"""The study configuration: a typed, validated :class:`Study` read from one YAML file of flat keys.

``load_study`` reads ``config/study.yaml`` (or another file) and applies
``key=value`` overrides; values in overrides are parsed as YAML scalars, so
``bootstrap_seed=7`` is an integer and ``quarantine=true`` a boolean.
Every key is a field of :class:`Study`, with its type and default; an unknown
key, a value of the wrong type or an impossible value (a period that ends
before it starts, an unknown time zone) is a :class:`ConfigError` naming the
file and the key. The effective parameters are written to
``build/study.json`` only when they change (``python -m civicposts params``),
which is what the notebook rules in the Makefile depend on.

A Study is also a read-only mapping of its parameters (``study["timezone"]``),
which is what papermill injects into the notebooks.
"""

from __future__ import annotations

import datetime as dt
import logging
import shlex
import typing
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Study(Mapping[str, Any]):
    """One study: what it has (corpus, coders, paper facts), how it is analysed, where results go."""

    # what the study is (whether its data are real, fictional or simulated is read from the data's
    # PROVENANCE.yaml markers, never set here: see civicposts.provenance)
    study_title: str = "civicposts study"
    research_question: str = ""                   # shown at the top of the reports
    paper_account: str = ""                       # the account a published paper studied (facts in paper_dir)
    corpus_account: str = ""                      # the collected account (empty: several, or unknown)
    corpus_inputs: tuple[str, ...] = ()           # files and folders the collection tool wrote
    table_columns: dict[str, str] = field(default_factory=dict)  # post field -> column of your own table
    paper_dir: str = ""                           # a paper's facts to compare with (empty: none)
    interview_inputs: tuple[str, ...] = ()        # interview records to code (empty: no interview)
    # cleaning
    quarantine: bool = False                      # set bad records aside and go on, instead of stopping
    remove_stopwords: bool = False
    stem_words: bool = False
    scheduler: str = ""                           # where cleaning runs: synchronous|threads|processes|tcp://HOST:PORT
    slang_extra: dict[str, str] = field(default_factory=dict)  # local slang -> standard form ("=" keeps a word)
    period_start: str = "1970-01-01"              # inclusive, local date
    period_end: str = "2100-12-31"                # inclusive, local date
    timezone: str = "Asia/Jakarta"
    allowlist: tuple[str, ...] = ()               # public accounts whose handles stay readable
    official_accounts: tuple[str, ...] = ()       # officials' accounts whose comments the claims table counts
    privacy_policy: dict[str, str] = field(default_factory=dict)  # field -> pseudonymize|mask|drop|keep
    private_names: tuple[str, ...] = ()           # names masked as [nama] in every text (e.g. an interview's)
    pseudonym_key_file: str = "config/pseudonym.key"
    pseudonym_demo_key: bool = False              # the public demo key: fictional corpora only
    # coding
    codebook_path: str = "data/raw/coding/codebook.yaml"
    coding_dirs: tuple[str, ...] = ("coding",)   # every coder file in these folders is merged
    coder_dir: str = "coding"                     # where the coding app writes this study's coder files
    coder: str = ""
    practice_dir: str = "coding/practice"         # the start-here notebook's practice files: never study data
    sample_n: int | float | str = 200             # posts to code: a number, a fraction of the corpus, or "all"
    overlap_n: int = 60                           # of which every coder codes (clipped to the sample)
    comment_sample_n: int | float | str = 100     # comments to code, if the codebook has comment variables
    comment_overlap_n: int = 30                   # of which every coder codes
    adjudication_files: tuple[str, ...] = ("coding/adjudication.jsonl", "coding/adjudication.csv")
    student_coder: str = ""
    reference_coder: str = ""
    # seeds
    sample_seed: int = 20210227
    bootstrap_seed: int = 20210202
    bootstrap_resamples: int = 1000
    # paths
    raw_dir: str = "data/raw"
    processed_dir: str = "data/processed"
    reports_dir: str = "reports"
    # where this study was read from (set by load_study)
    study_config: str = field(default="config/study.yaml")

    def __post_init__(self) -> None:
        _check(self)

    # -- the mapping papermill and the build steps read
    def as_params(self) -> dict[str, Any]:
        """The parameters as plain JSON values (tuples as lists), by name."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    def build_params(self) -> dict[str, Any]:
        """``as_params`` without :data:`RUNTIME_KEYS`: what the products depend on (``build/study.json``)."""
        return {k: v for k, v in self.as_params().items() if k not in RUNTIME_KEYS}

    def runtime_params(self) -> dict[str, Any]:
        """Only the :data:`RUNTIME_KEYS` (``build/runtime.json``): where the study runs, not what it makes."""
        return {k: v for k, v in self.as_params().items() if k in RUNTIME_KEYS}

    def __getitem__(self, key: str) -> Any:
        if key not in _FIELDS:
            raise KeyError(key)
        value = getattr(self, key)
        return list(value) if isinstance(value, tuple) else value

    def __iter__(self) -> Iterator[str]:
        return iter(_FIELDS)

    def __len__(self) -> int:
        return len(_FIELDS)

    def with_values(self, **values: Any) -> "Study":
        """A copy with some parameters replaced (validated like a loaded file)."""
        return replace(self, **{k: _coerce(k, v, self.study_config) for k, v in values.items()})


_FIELDS: dict[str, Any] = {}  # name -> declared type, filled below
# Keys that say where a study runs, not what it computes (the results are the same on any scheduler): they
# are kept out of build/study.json, so changing them rebuilds nothing.
RUNTIME_KEYS = frozenset({"scheduler"})
# Keys that were parameters once, with what replaced them (so an old study file gets a clear answer).
RETIRED = {
    "corpus_fictional": "whether the corpus is fictional is read from a PROVENANCE.yaml beside the data "
                        "(civicposts.provenance); delete the line",
    "coding_simulated": "whether coder files are simulated is read from a PROVENANCE.yaml beside them "
                        "(civicposts.provenance); delete the line",
}


def _declared_types() -> dict[str, Any]:
    hints = typing.get_type_hints(Study)
    return {f.name: hints[f.name] for f in fields(Study)}


def _coerce(key: str, value: Any, source: str) -> Any:
    """``value`` as the declared type of ``key``, or a ConfigError naming both."""
    if key in RETIRED:
        raise ConfigError(f"{source}: {key!r} is no longer a study parameter: {RETIRED[key]}")
    if key not in _FIELDS:
        raise ConfigError(f"{source}: {key!r} is not a study parameter; known parameters: {', '.join(_FIELDS)}")
    kind = _FIELDS[key]
    where = f"{source}: {key!r}"
    if key in ("sample_n", "comment_sample_n"):
        return _sample_request(value, where)
    if key == "privacy_policy":
        from .policy import parse

        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ConfigError(f"{where} must map fields to actions, e.g. {{caption: mask}}; found {value!r}")
        parse(value, source=source)  # refuses unknown fields and actions a field does not allow
        return dict(value)
    if key == "slang_extra":
        from .lexicon import check_extra

        return check_extra(value, where)
    if typing.get_origin(kind) is dict:
        if value is None:
            return {}
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise ConfigError(f"{where} must map post fields to column names, e.g. {{caption: Caption}}; found {value!r}")
        from .ingest.table import parse_columns

        try:
            return parse_columns(value)
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    if typing.get_origin(kind) is tuple:
        if value is None:
            return ()
        if isinstance(value, (str, Path)):
            value = [value]
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, (str, Path)) for v in value):
            raise ConfigError(f"{where} must be a list of strings, found {value!r}")
        return tuple(str(v) for v in value)
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false, found {value!r}")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where} must be a whole number, found {value!r}")
        return value
    if value is None:
        return ""
    if isinstance(value, (dt.date, int, float)) and not isinstance(value, bool):
        return str(value)  # YAML reads 2020-01-01 as a date
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be text, found {value!r}")
    return value


def _sample_request(value: Any, where: str) -> int | float | str:
    """A sample size as a study may ask for it: a whole number, a fraction in (0, 1], or "all"."""
    if isinstance(value, str) and value.strip().lower() == "all":
        return "all"
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, float) and 0 < value <= 1:
        return value
    raise ConfigError(f"{where} must be a whole number of posts, a fraction such as 0.1, or 'all'; found {value!r}")


def _check(s: Study) -> None:
    """Values that are of the right type but cannot be right."""
    src = s.study_config
    for key in ("period_start", "period_end"):
        try:
            dt.date.fromisoformat(getattr(s, key))
        except ValueError:
            raise ConfigError(f"{src}: {key!r} must be a date YYYY-MM-DD, found {getattr(s, key)!r}") from None
    if s.period_end < s.period_start:
        raise ConfigError(f"{src}: period_end {s.period_end} is before period_start {s.period_start}")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(s.timezone)
    except Exception:
        raise ConfigError(f"{src}: 'timezone' {s.timezone!r} is not an IANA time zone such as Asia/Jakarta") \
            from None
    if s.scheduler:
        from .scale import check_scheduler

        try:
            check_scheduler(s.scheduler)
        except ConfigError as exc:
            raise ConfigError(f"{src}: {exc}") from None
    practice = Path(s.practice_dir)
    if any(Path(d) == practice for d in (*s.coding_dirs, s.coder_dir)):
        raise ConfigError(f"{src}: practice_dir {s.practice_dir!r} is also a study coder folder: practice must "
                          "never be merged into the study; give it a folder of its own")
    for key in ("overlap_n", "comment_overlap_n", "bootstrap_resamples"):
        if getattr(s, key) < 0:
            raise ConfigError(f"{src}: {key!r} must not be negative")
    object.__setattr__(s, "allowlist", tuple(sorted({a.lstrip("@").lower() for a in s.allowlist})))
    object.__setattr__(s, "official_accounts", tuple(sorted({a.lstrip("@").lower() for a in s.official_accounts})))
    if not_public := sorted(set(s.official_accounts) - set(s.allowlist)):
        raise ConfigError(f"{src}: official_accounts {', '.join(not_public)} must be on the allowlist "
                          "too (an official's account is public; a private one would be pseudonymized)")


_FIELDS.update(_declared_types())


def parse_overrides(items: list[str] | str | None) -> dict[str, Any]:
    """Parse ``key=value`` strings (or one space-separated string) into a dict."""
    if not items:
        return {}
    if isinstance(items, str):
        items = shlex.split(items)
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"parameter override {item!r} is not of the form key=value")
        try:
            out[key.strip()] = yaml.safe_load(value) if value != "" else ""
        except yaml.YAMLError as exc:
            raise ConfigError(f"parameter override {item!r}: value is not valid YAML ({exc})") from exc
    return out


def load_study(path: str | Path = "config/study.yaml", overrides: Mapping[str, Any] | None = None) -> Study:
    """Read the study config, apply overrides, and check every key's type and value."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: study configuration not found") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of parameter names to values")
    values = {k: _coerce(str(k), v, str(path)) for k, v in data.items() if k != "study_config"}
    for k, v in (overrides or {}).items():
        values[k] = _coerce(k, v, f"{path} (override)")
    return Study(**values, study_config=str(path))


def find_root(start: str | Path | None = None) -> Path:
    """The repository root: the nearest folder upwards holding ``config/study.yaml``."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "config" / "study.yaml").exists():
            return folder
    raise ConfigError(f"no config/study.yaml found in {here} or any parent folder")


def setup_notebook(namespace: dict[str, Any], names: list[str] | None = None) -> Study:
    """Prepare a notebook: work from the repository root and type-check its parameters.

    Under papermill every parameter arrives injected; opened by hand in
    JupyterLab, parameters left as ``None`` take their value from
    ``study_config`` (default ``config/study.yaml``). The notebook's
    parameters are validated as a :class:`Study`, written back into
    ``namespace`` as typed values, and the Study is returned.
    """
    import os

    root = find_root()
    os.chdir(root)
    setup_logging()
    source = namespace.get("study_config") or "config/study.yaml"
    study = load_study(source)
    names = names or [k for k in _FIELDS if k in namespace and k != "study_config"]
    given = {k: namespace[k] for k in names if namespace.get(k) is not None}
    study = study.with_values(**given) if given else study
    if interactive():
        study = scratch_study(study)
    for name in names:
        namespace[name] = study[name]
    return study


SCRATCH = "build/scratch"
LOG_DIR = "build/logs"


def setup_logging(folder: str | Path = LOG_DIR) -> Path:
    """Send the notebook's log to ``build/logs/<notebook>.log`` (INFO and up) and only warnings and errors
    to the notebook itself, so reports show no INFO boxes while every step stays on record."""
    import os

    name = Path(os.environ.get("CIVICPOSTS_NOTEBOOK") or "interactive").stem
    path = Path(folder) / f"{name}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    to_file = logging.FileHandler(path, mode="w" if os.environ.get("CIVICPOSTS_NOTEBOOK") else "a",
                                  encoding="utf-8")
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    shown = logging.StreamHandler()
    shown.setLevel(logging.WARNING)
    shown.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[to_file, shown], force=True)
    return path


def interactive() -> bool:
    """Whether a person runs this notebook (opened by hand), not the build (``civicposts.run`` sets
    ``CIVICPOSTS_NOTEBOOK``)."""
    import os

    return not os.environ.get("CIVICPOSTS_NOTEBOOK")


def scratch_study(study: Study) -> Study:
    """The study as an interactive session sees it: its processed and report folders moved to a scratch
    copy under ``build/scratch/`` (processed files hard-linked, so reading is as before), so running a
    notebook by hand never rewrites ``reports/`` or ``data/processed/``; ``make all`` makes the real ones."""
    import os
    import shutil

    processed = Path(SCRATCH) / study.processed_dir
    if Path(study.processed_dir).is_dir():
        def link(src: str, dst: str) -> None:
            if os.path.exists(dst):
                os.unlink(dst)
            try:
                os.link(src, dst)
            except OSError:
                shutil.copy2(src, dst)

        shutil.copytree(study.processed_dir, processed, copy_function=link, dirs_exist_ok=True)
    processed.mkdir(parents=True, exist_ok=True)
    reports = Path(SCRATCH) / study.reports_dir
    log.info("interactive session: outputs go to %s and %s (make all rebuilds the real ones)", processed, reports)
    return study.with_values(processed_dir=str(processed), reports_dir=str(reports))
