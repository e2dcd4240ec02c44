"""SubRip (``.srt``) files: numbered cues with ``HH:MM:SS,mmm --> HH:MM:SS,mmm`` timings.

Tolerated, as players do: a missing cue number, ``.`` instead of ``,`` in timestamps, HTML-like
markup, and a missing blank line between two cues. Anything else that is not SubRip is a
:class:`SubtitleError` naming the line.
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

EXAMPLE = "'00:00:01,000 --> 00:00:04,000'"


def parse_srt(path: Path) -> list[Cue]:
    """The speaker turns of every cue of a SubRip file, in file order.

    Raises:
        SubtitleError: The file is malformed (the message names the line) or holds no cue.
    """
    cues: list[Cue] = []
    for first, block in blocks(read_lines(path)):
        cues.extend(_block_cues(path, first, block))
    if not cues:
        raise SubtitleError(path, 1, "no subtitle cues found")
    return cues


def _block_cues(path: Path, first: int, block: list[str]) -> list[Cue]:
    timings = [k for k, line in enumerate(block) if is_timing(line)]
    lead = 1 if block[0].strip().isdigit() else 0
    if not timings or timings[0] != lead:
        found = block[lead] if lead < len(block) else block[0]
        expected = "a timing line" if lead else "a cue number or a timing line"
        raise SubtitleError(
            path, first + lead, f"expected {expected} like {EXAMPLE}, found {found!r}"
        )
    cues: list[Cue] = []
    for n, at in enumerate(timings):
        after = timings[n + 1] if n + 1 < len(timings) else len(block)
        if after < len(block) and after - 1 > at and block[after - 1].strip().isdigit():
            after -= 1  # the next cue's number, after a missing blank line
        timing = parse_timing(block[at], path, first + at, separator=",.")
        assert timing is not None
        cues.extend(cue_turns(*timing, block[at + 1 : after]))
    return cues
