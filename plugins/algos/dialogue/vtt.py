"""WebVTT (``.vtt``) files: a ``WEBVTT`` header, then cues with optional identifiers.

``NOTE``, ``STYLE`` and ``REGION`` blocks are skipped; voice tags (``<v Eleven>``) name the
speaker. Anything else that is not WebVTT is a :class:`SubtitleError` naming the line.
"""

from __future__ import annotations

from pathlib import Path

from reelsearch.plugins.algos.dialogue.timed_text import (
    Cue,
    SubtitleError,
    blocks,
    cue_turns,
    is_timing,
    parse_timing,
    read_lines,
)

EXAMPLE = "'00:01.000 --> 00:04.000'"
_SKIPPED = ("NOTE", "STYLE", "REGION")


def parse_vtt(path: Path) -> list[Cue]:
    """The speaker turns of every cue of a WebVTT file, in file order.

    Raises:
        SubtitleError: The file is malformed (the message names the line) or holds no cue.
    """
    found = blocks(read_lines(path))
    header = found[0][1][0] if found else ""
    if not found or found[0][0] != 1 or not _is_signature(header):
        raise SubtitleError(path, 1, f"a WebVTT file starts with 'WEBVTT', found {header!r}")
    cues: list[Cue] = []
    for first, block in found[1:]:
        if block[0].split(maxsplit=1)[0] in _SKIPPED:
            continue
        at = 0 if is_timing(block[0]) else 1
        if at >= len(block) or not is_timing(block[at]):
            found_line = block[at] if at < len(block) else ""
            raise SubtitleError(
                path,
                first + at,
                f"expected a timing line like {EXAMPLE} after cue identifier {block[0]!r}, "
                f"found {found_line!r}",
            )
        timing = parse_timing(block[at], path, first + at, separator=".")
        assert timing is not None
        cues.extend(cue_turns(*timing, block[at + 1 :]))
    if not cues:
        raise SubtitleError(path, 1, "no subtitle cues found")
    return cues


def _is_signature(line: str) -> bool:
    return line == "WEBVTT" or (line.startswith("WEBVTT") and line[6] in " \t")
