"""What subtitle formats share: cues, timestamps, markup and speakers, and the error type.

A cue is a time range with one or more lines of text. Each line may name its speaker: a
WebVTT voice tag (``<v Eleven>``), an ASS event's name field, or a ``NAME:`` prefix
(``ELEVEN: Friends don't lie.``). A cue whose lines change speaker, or start with a dialogue
dash (``- Hi.`` / ``- Hello.``), gives one :class:`Cue` per speaker turn, all with its times.
"""

from __future__ import annotations

import codecs
import html
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from reelsearch.sdk import MediaError


class SubtitleError(MediaError):
    """A subtitle file is malformed; the message is ``<file>:<line>: <problem>``
    (``<source>: <problem>`` for a subtitle stream, or a problem of the whole file's cues).

    Attributes:
        source: The file (or stream).
        line: The line (from 1) where the problem is, or ``None``.
        problem: What is wrong, and where it helps, what was expected.
    """

    def __init__(self, source: str | Path, line: int | None, problem: str) -> None:
        self.source, self.line, self.problem = str(source), line, problem
        where = str(source) if line is None else f"{source}:{line}"
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Cue:
    """One speaker turn of a subtitle cue."""

    start: float
    end: float
    text: str
    speaker: str | None = None


@dataclass(frozen=True)
class SubtitleLimits:
    """How much subtitle input one video may bring (the ``dialogue`` algo's settings).

    Attributes:
        max_file_bytes: Size of one subtitle file.
        max_line_chars: Characters in one line of a file.
        max_cue_chars: Characters in one cue's text, markup removed.
        max_cues_per_minute: Cues per minute of video (a video shorter than a minute is
            allowed a minute's worth).
    """

    max_file_bytes: int = 20_000_000
    max_line_chars: int = 2_000
    max_cue_chars: int = 5_000
    max_cues_per_minute: int = 600


DEFAULT_LIMITS = SubtitleLimits()

_TIMESTAMP = re.compile(r"^(?:(\d{1,6}):)?(\d{1,2}):(\d{1,2})([,.])(\d{1,3})$")
_ARROW = re.compile(r"^\s*(\S+?)\s*-->\s*(\S+)(?:\s+.*)?$")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_VOICE = re.compile(r"^<v(?:\.[^\s>]*)?\s+([^>]+)>")
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")
_DASH = re.compile(r"^[-\u2010-\u2014]\s*")
_NAME = re.compile(r"^([A-Z][\w.'#\-]*(?: [A-Z0-9#][\w.'#\-]*){0,2}):\s+(?=\S)")
"""A ``NAME:`` prefix: one to three capitalised words (``ELEVEN``, ``Dr. Owens``, ``MAN #2``)."""


def read_lines(path: Path, limits: SubtitleLimits = DEFAULT_LIMITS) -> list[str]:
    """The lines of a text file in UTF-8 (with or without BOM) or UTF-16 (with BOM).

    Lines end at CR LF, LF or CR; NUL characters become U+FFFD.

    Raises:
        MediaError: The file cannot be read.
        SubtitleError: The file is not UTF-8 text (naming the line), or it or one of its
            lines is larger than ``limits`` allow.
    """
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise SubtitleError(
                path,
                1,
                f"the file is {size:,} bytes, more than the {limits.max_file_bytes:,} allowed "
                "(the dialogue algo's max_subtitle_bytes setting)",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise MediaError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SubtitleError(
            path, line, f"not {encoding.removesuffix('-sig').upper()} text; save it as UTF-8"
        ) from None
    lines = _NEWLINE.split(text.replace("\0", "\ufffd"))
    if lines and not lines[-1]:
        lines.pop()
    for number, line in enumerate(lines, start=1):
        if len(line) > limits.max_line_chars:
            raise SubtitleError(
                path,
                number,
                f"the line is {len(line):,} characters long, more than the "
                f"{limits.max_line_chars:,} allowed "
                "(the dialogue algo's max_subtitle_line_chars setting)",
            )
    return lines


def parse_timestamp(value: str, source: str | Path, line: int, *, separator: str) -> float:
    """Seconds of a ``[HH:]MM:SS<sep>mmm`` timestamp.

    Args:
        value: The timestamp.
        source: The file, for errors.
        line: The line number, for errors.
        separator: The decimal separators the format allows (``",."`` or ``"."``).

    Raises:
        SubtitleError: ``value`` is not a valid timestamp.
    """
    match = _TIMESTAMP.match(value)
    if match is None or match.group(4) not in separator:
        example = "00:01:02" + separator[0] + "500"
        raise SubtitleError(source, line, f"invalid timestamp {value!r}, expected like {example}")
    hours, minutes, seconds, _, fraction = match.groups()
    if int(minutes) > 59 or int(seconds) > 59:
        raise SubtitleError(source, line, f"invalid timestamp {value!r}: minutes or seconds > 59")
    whole = (int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)
    return (whole * 1000 + int(fraction.ljust(3, "0"))) / 1000


def parse_timing(
    text: str, source: str | Path, line: int, *, separator: str
) -> tuple[float, float] | None:
    """``(start, end)`` of a timing line ``<start> --> <end> [settings]``; ``None`` if ``text``
    is not a timing line.

    Raises:
        SubtitleError: It is a timing line, but a timestamp is invalid or the cue ends before
            it starts.
    """
    match = _ARROW.match(text)
    if match is None:
        return None
    start = parse_timestamp(match.group(1), source, line, separator=separator)
    end = parse_timestamp(match.group(2), source, line, separator=separator)
    if end < start:
        raise SubtitleError(
            source, line, f"the cue ends ({match.group(2)}) before it starts ({match.group(1)})"
        )
    return start, end


def is_timing(text: str) -> bool:
    """Whether ``text`` looks like a timing line (``... --> ...``)."""
    return _ARROW.match(text) is not None


def cue_turns(
    start: float, end: float, lines: Iterable[str], speaker: str | None = None
) -> list[Cue]:
    """The speaker turns of one cue's text lines, markup removed.

    Args:
        start: The cue's start, seconds.
        end: The cue's end, seconds.
        lines: Its text lines, with markup (HTML-like tags, WebVTT voice tags, ASS overrides).
        speaker: Who speaks where the text does not say (an ASS event's name field).
    """
    turns: list[tuple[str | None, list[str]]] = []
    current = speaker
    for raw in lines:
        voice = _VOICE.match(raw.strip())
        if voice:
            current = speaker_name(voice.group(1))
        text = plain_text(raw)
        dash = _DASH.match(text)
        if dash:
            text = text[dash.end() :]
            if not voice:
                current = speaker
        named = _NAME.match(text)
        if named:
            current = speaker_name(named.group(1))
            text = text[named.end() :]
        if not text:
            continue
        if turns and turns[-1][0] == current and not dash and not named and not voice:
            turns[-1][1].append(text)
        else:
            turns.append((current, [text]))
    return [Cue(start, end, " ".join(parts), who) for who, parts in turns]


def plain_text(raw: str) -> str:
    """``raw`` without markup, entities decoded and whitespace collapsed."""
    text = raw.replace("\\N", " ").replace("\\n", " ").replace("\\h", " ")
    return " ".join(html.unescape(_TAG.sub("", text)).split())


def speaker_name(raw: str) -> str | None:
    """A speaker's name as written, in title case when written in capitals (``MIKE`` -> Mike)."""
    name = " ".join(plain_text(raw).split())
    if not name:
        return None
    return name.title() if name.isupper() else name


def is_blank(line: str) -> bool:
    """Whether ``line`` separates cues (empty, or white space only)."""
    return not line.strip()


def bounded_cues(
    cues: Sequence[Cue],
    source: str | Path,
    duration: float | None,
    limits: SubtitleLimits = DEFAULT_LIMITS,
) -> tuple[list[Cue], int]:
    """``cues`` checked against ``limits`` for a video of ``duration`` seconds, without those
    that start at or after its end (and those that end after it, cut there).

    Args:
        cues: The cues of one subtitle file or stream.
        source: The file or stream, for errors.
        duration: The video's duration in seconds, or ``None`` when unknown (nothing dropped).
        limits: The bounds.

    Returns:
        The cues kept, and how many were dropped for starting past the end.

    Raises:
        SubtitleError: More cues than ``limits.max_cues_per_minute`` allow for ``duration``, or a
            cue's text is longer than ``limits.max_cue_chars``.
    """
    for cue in cues:
        if len(cue.text) > limits.max_cue_chars:
            raise SubtitleError(
                source,
                None,
                f"the cue at {cue.start:.3f} s has {len(cue.text):,} characters of text, more "
                f"than the {limits.max_cue_chars:,} allowed "
                "(the dialogue algo's max_subtitle_cue_chars setting)",
            )
    if duration is None:
        return list(cues), 0
    allowed = math.ceil(limits.max_cues_per_minute * max(duration, 60.0) / 60.0)
    if len(cues) > allowed:
        raise SubtitleError(
            source,
            None,
            f"{len(cues):,} cues for a video of {duration:.1f} s, more than the "
            f"{limits.max_cues_per_minute:,} per minute allowed "
            "(the dialogue algo's max_subtitle_cues_per_minute setting)",
        )
    kept = [
        cue if cue.end <= duration else replace(cue, end=duration)
        for cue in cues
        if cue.start < duration
    ]
    return kept, len(cues) - len(kept)
