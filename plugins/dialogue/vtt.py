"""WebVTT (``.vtt``) files, read as the WebVTT parser of the W3C specification reads them.

A ``WEBVTT`` signature line and header lines, then blocks: cues (an optional identifier line,
a timing line ``[HH:]MM:SS.mmm --> [HH:]MM:SS.mmm`` with optional cue settings, and text
lines), and ``NOTE``, ``STYLE`` and ``REGION`` blocks, which are skipped. A line holding
``-->`` after a cue's text starts the next cue even without a blank line before it. A file
with the header only is valid and has no cues. Voice tags (``<v Eleven>``) name the speaker.
Where the specification drops a block silently, e.g. one with no timing line, this parser
raises a :class:`SubtitleError` naming the line instead, so that a broken file is fixed
rather than half indexed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from reelsearch.plugins.dialogue.timed_text import (
    DEFAULT_LIMITS,
    Cue,
    SubtitleError,
    SubtitleLimits,
    cue_turns,
    is_blank,
    parse_timing,
    read_lines,
)

EXAMPLE = "'00:01.000 --> 00:04.000'"
_SKIPPED = ("NOTE", "STYLE", "REGION")
ARROW = "-->"


def parse_vtt(path: Path, limits: SubtitleLimits = DEFAULT_LIMITS) -> list[Cue]:
    """The speaker turns of every cue of a WebVTT file, in file order.

    Raises:
        SubtitleError: The file is malformed (the message names the line) or larger than
            ``limits`` allow.
    """
    lines = read_lines(path, limits)
    header = lines[0] if lines else ""
    if not _is_signature(header):
        raise SubtitleError(path, 1, f"a WebVTT file starts with 'WEBVTT', found {header!r}")
    start = 1
    while start < len(lines) and not is_blank(lines[start]) and ARROW not in lines[start]:
        start += 1  # header lines (Kind:, Language:, X-TIMESTAMP-MAP=...)
    cues: list[Cue] = []
    for first, block, timing_at in _blocks(lines, start):
        if timing_at is None:
            if block[0].split(maxsplit=1)[0] in _SKIPPED:
                continue
            if len(block) == 1:
                raise SubtitleError(
                    path, first + 1, f"expected a timing line like {EXAMPLE}, found {block[0]!r}"
                )
            raise SubtitleError(
                path,
                first + 2,
                f"expected a timing line like {EXAMPLE} after cue identifier {block[0]!r}, "
                f"found {block[1]!r}",
            )
        timing = parse_timing(block[timing_at], path, first + timing_at + 1, separator=".")
        if timing is None:
            raise SubtitleError(
                path,
                first + timing_at + 1,
                f"expected a timing line like {EXAMPLE}, found {block[timing_at]!r}",
            )
        cues.extend(cue_turns(*timing, block[timing_at + 1 :]))
    return cues


def _blocks(lines: list[str], start: int) -> Iterator[tuple[int, list[str], int | None]]:
    """Each block from line ``start`` (from 0): its first line (from 0), its lines and which of
    them is its timing line; a block ends at a blank line or at a line holding ``-->`` that
    cannot be its timing line (the next cue's)."""
    k = start
    while k < len(lines):
        if is_blank(lines[k]):
            k += 1
            continue
        first, block, timing_at = k, [], None
        while k < len(lines) and not is_blank(lines[k]):
            if ARROW in lines[k]:
                if timing_at is not None or len(block) > 1:
                    break
                timing_at = len(block)
            block.append(lines[k].rstrip())
            k += 1
        yield first, block, timing_at


def _is_signature(line: str) -> bool:
    return line == "WEBVTT" or (line.startswith("WEBVTT") and line[6] in " \t")
