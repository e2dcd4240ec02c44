"""From subtitle cues or transcribed speech to numbered dialogue lines placed in their shots."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

from reelsearch.plugins.dialogue.record import DialogueLine, ShotChange, ShotSpan
from reelsearch.plugins.dialogue.speech import Utterance
from reelsearch.plugins.dialogue.timed_text import Cue


def from_cues(cues: Iterable[Cue], language: str | None) -> list[DialogueLine]:
    """A line per speaker turn of each cue (numbered later by :func:`placed_in_shots`)."""
    return [
        DialogueLine(
            index=0,
            text=cue.text,
            start=cue.start,
            end=cue.end,
            speaker=cue.speaker,
            language=language,
            source="subtitles",
        )
        for cue in cues
    ]


def from_speech(utterances: Iterable[Utterance]) -> list[DialogueLine]:
    """A line per transcribed segment, with its word timings."""
    return [
        DialogueLine(
            index=0,
            text=u.text,
            start=u.start,
            end=max(u.start, u.end),
            language=u.language,
            source="speech",
            words=u.words,
        )
        for u in utterances
    ]


def placed_in_shots(lines: Iterable[DialogueLine], shots: Sequence[ShotSpan]) -> list[DialogueLine]:
    """``lines`` in time order, numbered from 0, each with the shot it starts in (``None``
    outside every shot), the shots that begin while it is spoken and its shot's media."""
    shots = sorted(shots, key=lambda s: s.start_frame)
    starts = [shot.start for shot in shots]
    placed = []
    for index, line in enumerate(sorted(lines, key=lambda line: (line.start, line.end))):
        at = bisect_right(starts, line.start) - 1
        shot = shots[at] if at >= 0 and line.start < shots[at].end else None
        later = shots[bisect_right(starts, line.start) : bisect_left(starts, line.end)]
        placed.append(
            line.model_copy(
                update={
                    "index": index,
                    "shot_index": shot.index if shot else None,
                    "thumbnail": shot.thumbnail if shot else None,
                    "clip": shot.clip if shot else None,
                    "shot_changes": [
                        ShotChange(
                            time=s.start, shot_index=s.index, thumbnail=s.thumbnail, clip=s.clip
                        )
                        for s in later
                    ],
                }
            )
        )
    return placed
