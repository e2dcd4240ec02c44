"""The record of the ``shots`` algo: a shot with links to its media."""

from __future__ import annotations

from pydantic import Field

from reelsearch.sdk import Shot


class ShotRecord(Shot):
    """A shot and where its thumbnail and clip are.

    Paths are relative to the data home (``media/<asset id>/shots/shot-0000.jpg``) when the
    media folder lies in the standard layout, absolute otherwise.
    """

    thumbnail: str | None = Field(default=None, description="JPEG of a representative frame.")
    clip: str | None = Field(default=None, description="MP4 of the shot, when clips are made.")
