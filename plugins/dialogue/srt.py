"""SubRip (``.srt``) files: numbered cues with ``HH:MM:SS,mmm --> HH:MM:SS,mmm`` timings.

Tolerated, as players do: a missing cue number, ``.`` instead of ``,`` in timestamps, hours
and milliseconds of any width, cue settings after the timing (``X1:10 X2:20``), HTML-like
markup, extra blank lines (between cues, or inside a cue's text), and a missing blank line
between two cues. A file with no cue has no lines. Anything else that is not SubRip is a
:class:`SubtitleError` naming the line.
"""

from __future__ import annotations

from pathlib import Path

from reelsearch.plugins.dialogue.timed_text import (
    DEFAULT_LIMITS,
    Cue,
    SubtitleError,
    SubtitleLimits,
    cue_turns,
    is_blank,
    is_timing,
    parse_timing,
    read_lines,
)

EXAMPLE = "'00:00:01,000 --> 00:00:04,000'"


def parse_srt(path: Path, limits: SubtitleLimits = DEFAULT_LIMITS) -> list[Cue]:
    """The speaker turns of every cue of a SubRip file, in file order.

    Raises:
        SubtitleError: The file is malformed (the message names the line) or larger than
            ``limits`` allow.
    """
    lines = read_lines(path, limits)
    timings = [k for k, line in enumerate(lines) if is_timing(line)]
    _check_lead(path, lines, timings[0] if timings else len(lines))
    cues: list[Cue] = []
    for n, at in enumerate(timings):
        after = timings[n + 1] if n + 1 < len(timings) else len(lines)
        text = _cue_text(path, lines, at + 1, after, last=n + 1 == len(timings))
        timing = parse_timing(lines[at], path, at + 1, separator=",.")
        assert timing is not None
        cues.extend(cue_turns(*timing, text))
    return cues


def _check_lead(path: Path, lines: list[str], first_timing: int) -> None:
    """Before the first timing line: blank lines, then at most the first cue's number."""
    lead = [(k, line) for k, line in enumerate(lines[:first_timing]) if not is_blank(line)]
    if not lead:
        return
    number, line = lead[0]
    if not line.strip().isdigit():
        expected = "a cue number or a timing line"
    elif number + 1 == first_timing:
        return
    else:
        number, line, expected = number + 1, _line(lines, number + 1), "a timing line"
    raise SubtitleError(path, number + 1, f"expected {expected} like {EXAMPLE}, found {line!r}")


def _cue_text(path: Path, lines: list[str], first: int, after: int, *, last: bool) -> list[str]:
    """The text lines of the cue whose timing line is just before ``first``, up to the next
    timing line at ``after``: without the next cue's number and blank lines around it."""
    end = after
    while end > first and is_blank(lines[end - 1]):
        end -= 1
    number_last = end > first and lines[end - 1].strip().isdigit()
    if number_last and (not last or is_blank(lines[end - 2])):
        end -= 1
    for k in range(first + 1, end - 1):
        if is_blank(lines[k - 1]) and lines[k].strip().isdigit() and not is_blank(lines[k + 1]):
            raise SubtitleError(
                path, k + 2, f"expected a timing line like {EXAMPLE}, found {lines[k + 1]!r}"
            )
    return lines[first:end]


def _line(lines: list[str], k: int) -> str:
    return lines[k] if k < len(lines) else ""
