"""A study's privacy policy: what happens to each field that can identify a person.

Set per study under ``privacy_policy`` (a mapping of field to action) and ``private_names`` (names to
mask in every text, e.g. the private persons an interview mentions). Fields left out keep the safe
default. Actions:

- ``pseudonymize``: a handle or account id becomes its keyed pseudonym (``user_…``, ``id_…``);
- ``mask``: a text keeps its words, with handles pseudonymized, contacts masked (``civicposts.pii``) and
  ``private_names`` replaced by ``[nama]``;
- ``drop``: the field is emptied in every processed table and report;
- ``keep``: left as collected (only where a field names places, never people).

Each field allows only the actions that cannot leak: a caption may be masked or dropped, never kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .errors import ConfigError

# field -> (allowed actions, default)
FIELDS: dict[str, tuple[tuple[str, ...], str]] = {
    "post_account": (("pseudonymize", "drop"), "pseudonymize"),
    "post_owner_id": (("pseudonymize", "drop"), "pseudonymize"),
    "caption": (("mask", "drop"), "mask"),
    "location_name": (("mask", "keep", "drop"), "mask"),
    "comment_author": (("pseudonymize", "drop"), "pseudonymize"),
    "comment_text": (("mask", "drop"), "mask"),
    "profile_full_name": (("drop",), "drop"),
    "profile_biography": (("mask", "drop"), "mask"),
    "interview_text": (("mask",), "mask"),
    "coder_memo": (("mask", "drop"), "mask"),
}
NAME_MASK = "[nama]"


@dataclass(frozen=True)
class Policy:
    """The action for every field, and the private names masked in texts."""

    actions: Mapping[str, str] = field(default_factory=lambda: {f: d for f, (_, d) in FIELDS.items()})
    private_names: tuple[str, ...] = ()

    def __getitem__(self, name: str) -> str:
        return self.actions[name]

    def drops(self, name: str) -> bool:
        return self.actions[name] == "drop"

    def mask_names(self, text: str) -> str:
        """``text`` with each private name (whole words, any case) replaced by ``[nama]``."""
        rx = _names_re(self.private_names)
        return rx.sub(NAME_MASK, text) if rx is not None else text


DEFAULT = Policy()


def parse(raw: Mapping[str, Any] | None, private_names: Iterable[str] = (), source: str = "study") -> Policy:
    """A Policy from a study file's ``privacy_policy`` mapping (ConfigError naming the field and the
    allowed actions for anything else)."""
    actions = dict(DEFAULT.actions)
    for name, action in (raw or {}).items():
        if name not in FIELDS:
            raise ConfigError(f"{source}: privacy_policy: unknown field {name!r}; fields: {', '.join(FIELDS)}")
        allowed = FIELDS[name][0]
        if action not in allowed:
            raise ConfigError(f"{source}: privacy_policy: {name}: {action!r} is not allowed; choose "
                              f"{' or '.join(allowed)}")
        actions[name] = action
    names = tuple(n.strip() for n in private_names if str(n).strip())
    return Policy(actions, names)


@lru_cache(maxsize=64)
def _names_re(names: tuple[str, ...]) -> re.Pattern[str] | None:
    if not names:
        return None
    alts = sorted((re.escape(n) for n in names), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)", re.IGNORECASE)
