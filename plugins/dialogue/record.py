"""The record of the ``dialogue`` algo: one line of dialogue, timed, with its speaker and shot."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Word(BaseModel):
    """A word of a transcribed line and when it is spoken."""

    start: float = Field(ge=0, description="Seconds.")
    end: float = Field(ge=0)
    text: str


class ShotChange(BaseModel):
    """A shot that begins while a line is spoken."""

    time: float = Field(ge=0, description="Seconds.")
    shot_index: int = Field(ge=0)
    thumbnail: str | None = None
    clip: str | None = None


class DialogueLine(BaseModel):
    """One line of dialogue: a subtitle cue's speaker turn or a transcribed speech segment."""

    index: int = Field(ge=0, description="Position of the line in its asset, from 0.")
    text: str = Field(min_length=1)
    start: float = Field(ge=0, description="Seconds from the start of the asset.")
    end: float = Field(ge=0)
    speaker: str | None = Field(default=None, description="Who speaks, where the source says.")
    language: str | None = Field(default=None, description="Language code, e.g. en or eng.")
    shot_index: int | None = Field(default=None, description="The shot the line starts in.")
    shot_changes: list[ShotChange] = Field(
        default_factory=list, description="Later shots that begin during the line."
    )
    thumbnail: str | None = Field(default=None, description="Thumbnail of the line's shot.")
    clip: str | None = Field(default=None, description="Clip of the line's shot.")
    source: Literal["subtitles", "speech"]
    words: list[Word] = Field(default_factory=list, description="Word timings (speech only).")
    vector: list[float] = Field(
        default_factory=list, description="The text's unit-length embedding (the algo's encoder)."
    )


class ShotSpan(BaseModel):
    """What this algo reads of a ``shots`` record (any record with these fields will do)."""

    model_config = ConfigDict(from_attributes=True)

    index: int
    start_frame: int
    end_frame: int
    fps: float
    thumbnail: str | None = None
    clip: str | None = None

    @property
    def start(self) -> float:
        return self.start_frame / self.fps

    @property
    def end(self) -> float:
        return self.end_frame / self.fps
