"""The records the ``shot_embeddings`` algo reads and writes."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from reelsearch.sdk import Shot


class ShotWithMedia(Shot):
    """What this algo reads of a ``shots`` record: the shot and its media links.

    Validated from the record's attributes, so this plugin needs no import of the shots plugin.
    """

    model_config = ConfigDict(frozen=True, from_attributes=True)

    thumbnail: str | None = Field(default=None, description="JPEG of a representative frame.")
    clip: str | None = Field(default=None, description="MP4 of the shot, when clips are made.")


class ShotEmbedding(ShotWithMedia):
    """A shot with its visual embedding: the L2-normalised mean of its sampled frames'."""

    frames: list[int] = Field(description="The frames that were embedded.")
    vector: list[float] = Field(description="The shot's unit-length embedding.")
