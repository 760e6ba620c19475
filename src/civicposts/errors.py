"""Exceptions raised by civicposts, each with a message a researcher can act on."""

from __future__ import annotations

from pathlib import Path


class CivicpostsError(Exception):
    """Base class for every error civicposts raises on purpose."""


class ConfigError(CivicpostsError):
    """The study configuration or a parameter override is wrong."""


class InputError(CivicpostsError):
    """An input file or one of its records cannot be used.

    The message always names the file, the record (when there is one) and
    what is wrong, e.g. ``data/raw/x.json, record 12 (post 'B1x'): missing
    field 'shortcode'``.
    """

    def __init__(self, path: str | Path, problem: str, record: str | int | None = None):
        self.path = str(path)
        self.record = record
        self.problem = problem
        where = self.path if record is None else f"{self.path}, record {record}"
        super().__init__(f"{where}: {problem}")


class VerificationError(CivicpostsError):
    """A rebuilt artefact does not match the reference manifest."""
