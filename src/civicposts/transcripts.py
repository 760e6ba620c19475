"""Interview transcripts and subtitles as interview records: one segment per speaker turn.

A study brings its own interview as a transcript (``.txt``, ``.md`` or ``.docx``) with speaker turns, or
as subtitles (``.vtt``, ``.srt``) with times. Each reader is registered by suffix in :data:`READERS`
(a new format is one function and one line there) and yields :class:`Turn`\\ s; :func:`read_transcript`
turns them into rows of the kit's interview layout (:mod:`civicposts.paper`): ``segment_id``
``<file stem>-T001``..., ``speaker``, ``kind`` ``verbatim`` (a transcript is the speaker's words),
``text``, ``source`` (the file), and ``turn``, ``start_time``, ``end_time`` (``HH:MM:SS.mmm``, subtitles
only). The date comes from a ``Date: YYYY-MM-DD`` line at the top of a transcript, else stays empty.

Transcripts: a turn starts at a line ``Name: words`` (a name of at most six words, starting with a
letter; ``**Name:**`` in Markdown and ``[00:01:02] Name:`` with a time are read too); following lines
without a name continue the turn; Markdown headings and blank lines separate nothing. Subtitles: every cue
is timed; a WebVTT voice tag ``<v Name>`` or a leading ``Name:`` gives the speaker, and consecutive cues of
the same speaker make one turn. A file in which no turn is found is an error naming the file, never an
empty interview.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import InputError

_NAME = r"[^\W\d_][\w .'()-]{0,60}?"
_TURN = re.compile(rf"^\s*(?:\[(?P<time>\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?:[.,]\d+)?)\]\s*)?(?:\*\*)?(?P<name>{_NAME})"
                   r"(?:\*\*)?\s*:(?:\*\*)?\s+(?P<text>\S.*)$")
_DATE = re.compile(r"^\s*(?:date|tanggal)\s*:\s*(\d{4}-\d{2}-\d{2})\s*$", re.IGNORECASE)
_CUE_TIME = re.compile(r"^\s*(?P<a>[\d:.,]+)\s*-->\s*(?P<b>[\d:.,]+)")
_VOICE = re.compile(r"^<v(?:\.[\w.-]+)?\s+(?P<name>[^>]+)>(?P<text>.*?)(?:</v>)?$")
_TAG = re.compile(r"<[^>]+>")
COLUMNS = ["segment_id", "interview_date", "speaker", "speaker_role", "kind", "language", "text", "paper_section",
           "source", "turn", "start_time", "end_time"]


@dataclass
class Turn:
    """One speaker turn: who, what, and (subtitles) when, in seconds."""

    speaker: str
    text: str
    start: float | None = None
    end: float | None = None


def _seconds(value: str, path: Path, where: str) -> float:
    parts = value.replace(",", ".").split(":")
    try:
        nums = [float(p) for p in parts]
    except ValueError:
        raise InputError(path, f"time {value!r} is not HH:MM:SS.mmm", where) from None
    if not 1 <= len(nums) <= 3:
        raise InputError(path, f"time {value!r} is not HH:MM:SS.mmm", where)
    total = 0.0
    for n in nums:
        total = total * 60 + n
    return total


def clock(seconds: float | None) -> str:
    """``HH:MM:SS.mmm`` of a time in seconds ("" for none)."""
    if seconds is None:
        return ""
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def _text_turns(lines: list[str], path: Path) -> Iterator[Turn]:
    current: Turn | None = None
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#") or _DATE.match(line):
            continue
        m = _TURN.match(line)
        if m and len(m["name"].split()) <= 6:
            if current:
                yield current
            start = _seconds(m["time"], path, line[:40]) if m["time"] else None
            current = Turn(m["name"].strip(), m["text"].strip(), start)
        elif current:
            current.text = f"{current.text} {line}"
        else:
            raise InputError(path, "text before the first speaker turn (expected a line like 'Name: words')",
                             line[:60])
    if current:
        yield current


def _date(lines: list[str]) -> str:
    for line in lines[:10]:
        m = _DATE.match(line)
        if m:
            return m.group(1)
    return ""


def read_txt(path: Path) -> tuple[list[Turn], str]:
    """A plain-text or Markdown transcript."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text ({exc})") from None
    return list(_text_turns(lines, path)), _date(lines)


def read_docx(path: Path) -> tuple[list[Turn], str]:
    """A Word transcript: its paragraphs read as the lines of a text transcript."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        lines = [p.text for p in docx.Document(str(path)).paragraphs]
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise InputError(path, f"not a Word (.docx) document ({exc})") from None
    return list(_text_turns(lines, path)), _date(lines)


def _cues(blocks: list[list[str]], path: Path) -> Iterator[Turn]:
    for n, block in enumerate(blocks, start=1):
        timing = next((i for i, line in enumerate(block) if "-->" in line), None)
        if timing is None:
            continue  # a cue number alone, a NOTE or STYLE block
        m = _CUE_TIME.match(block[timing])
        if not m:
            raise InputError(path, f"cue timing {block[timing]!r} is not 'start --> end'", f"cue {n}")
        start, end = _seconds(m["a"], path, f"cue {n}"), _seconds(m["b"], path, f"cue {n}")
        if end < start:
            raise InputError(path, f"cue ends ({m['b']}) before it starts ({m['a']})", f"cue {n}")
        text = " ".join(line.strip() for line in block[timing + 1:] if line.strip())
        speaker = ""
        v = _VOICE.match(text)
        if v:
            speaker, text = v["name"].strip(), v["text"]
        else:
            t = _TURN.match(text)
            if t and len(t["name"].split()) <= 6:
                speaker, text = t["name"].strip(), t["text"]
        text = _TAG.sub("", text).strip()
        if text:
            yield Turn(speaker or "(speaker not given)", text, start, end)


def read_subtitles(path: Path) -> tuple[list[Turn], str]:
    """WebVTT or SubRip subtitles; consecutive cues of one speaker become one turn."""
    try:
        body = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text ({exc})") from None
    if path.suffix.lower() == ".vtt" and not body.lstrip().startswith("WEBVTT"):
        raise InputError(path, "a WebVTT file starts with 'WEBVTT'", "line 1")
    blocks = [b.splitlines() for b in re.split(r"\n\s*\n", body) if b.strip()]
    turns: list[Turn] = []
    for cue in _cues(blocks, path):
        if turns and turns[-1].speaker == cue.speaker:
            turns[-1].text = f"{turns[-1].text} {cue.text}"
            turns[-1].end = cue.end
        else:
            turns.append(cue)
    return turns, ""


# The transcript formats, by suffix: a new one is a reader here.
READERS: dict[str, Callable[[Path], tuple[list[Turn], str]]] = {
    ".txt": read_txt, ".md": read_txt, ".docx": read_docx, ".vtt": read_subtitles, ".srt": read_subtitles,
}


def read_transcript(path: str | Path) -> pd.DataFrame:
    """The interview record of one transcript or subtitle file (columns :data:`COLUMNS`)."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError(path, f"not a transcript format civicposts reads (.csv, {', '.join(READERS)})")
    if not path.exists():
        raise InputError(path, "file not found")
    turns, date = reader(path)
    if not turns:
        raise InputError(path, "no speaker turns found (a transcript needs lines like 'Name: words'; subtitles "
                         "need timed cues)")
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", path.stem)
    return pd.DataFrame([{
        "segment_id": f"{stem}-T{i:03d}", "interview_date": date, "speaker": t.speaker, "speaker_role": "",
        "kind": "verbatim", "language": "", "text": t.text, "paper_section": "", "source": str(path),
        "turn": str(i), "start_time": clock(t.start), "end_time": clock(t.end),
    } for i, t in enumerate(turns, start=1)], columns=COLUMNS)
