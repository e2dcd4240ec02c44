"""The domain models shared by the core, plugins, the CLI and the HTTP server."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from reelsearch.core.timecode import frames_to_timecode, seconds_to_timecode

MetadataValue = str | int | float | bool | list[str]
"""A value of an asset's metadata: what filters can match on."""

POINT_NAMESPACE = uuid.UUID("6f1b8a52-5b0f-4f0e-9d8e-3c9a5d8e2b71")


def point_id(asset_id: str, algo: str, version: str, key: str | int) -> str:
    """The deterministic id of one record in the store.

    The same asset bytes, algo, version and record key always give the same id, so re-ingesting
    is idempotent and an interrupted ingest can simply run again.
    """
    return str(uuid.uuid5(POINT_NAMESPACE, f"{asset_id}/{algo}/{version}/{key}"))


class MediaInfo(BaseModel):
    """What probing a media file found."""

    model_config = ConfigDict(frozen=True)

    duration: float = Field(description="Duration in seconds.")
    fps: float = Field(gt=0, description="Average video frame rate.")
    frame_count: int = Field(ge=0, description="Number of video frames.")
    width: int = Field(gt=0)
    height: int = Field(gt=0)
    video_codec: str
    audio_streams: int = 0
    subtitle_streams: int = 0
    size_bytes: int = Field(ge=0)


class Asset(BaseModel):
    """One video in the catalog, identified by a hash of its bytes."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Hex digest of the file's bytes (content address).")
    uri: str = Field(description="Where the bytes were read from: a path or an fsspec URL.")
    title: str = Field(description="Human title; several assets may share one (episodes, cuts).")
    metadata: dict[str, MetadataValue] = Field(default_factory=dict)
    media: MediaInfo | None = None


class Shot(BaseModel):
    """A contiguous run of frames between two cuts: the unit every search hangs on."""

    model_config = ConfigDict(frozen=True)

    asset_id: str
    index: int = Field(ge=0, description="Position of the shot in its asset, from 0.")
    start_frame: int = Field(ge=0)
    end_frame: int = Field(description="First frame after the shot (exclusive).")
    fps: float = Field(gt=0)

    @model_validator(mode="after")
    def _non_empty(self) -> Shot:
        if self.end_frame <= self.start_frame:
            raise ValueError(
                f"shot {self.index} is empty: frames {self.start_frame}-{self.end_frame}"
            )
        return self

    @property
    def start(self) -> float:
        """Start time in seconds."""
        return self.start_frame / self.fps

    @property
    def end(self) -> float:
        """End time in seconds (exclusive)."""
        return self.end_frame / self.fps

    @property
    def frame_count(self) -> int:
        return self.end_frame - self.start_frame

    @property
    def start_timecode(self) -> str:
        return frames_to_timecode(self.start_frame, self.fps)

    @property
    def end_timecode(self) -> str:
        return frames_to_timecode(self.end_frame, self.fps)


class TimeRange(BaseModel):
    """Keep hits that overlap ``[start, end]`` (seconds); either side may be open."""

    start: float | None = Field(default=None, ge=0)
    end: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"time range ends ({self.end}) before it starts ({self.start})")
        return self


class SearchFilter(BaseModel):
    """Which part of the catalog a search looks at; empty means the whole catalog."""

    model_config = ConfigDict(extra="forbid")

    asset_ids: list[str] = Field(default_factory=list)
    titles: list[str] = Field(default_factory=list)
    metadata: dict[str, MetadataValue] = Field(
        default_factory=dict, description="Exact matches; a list matches any of its values."
    )
    time_range: TimeRange | None = None
    exclude_ids: list[str] = Field(default_factory=list, description="Point ids to leave out.")


MAX_QUERY_CHARS = 2_000
MAX_LIMIT = 1_000


class SearchRequest(BaseModel):
    """One query: text, an image, an indexed shot or a clip, plus where to look and how many."""

    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, Field(min_length=1, max_length=MAX_QUERY_CHARS)] | None = None
    image: str | None = Field(default=None, description="Path of a still to search by.")
    like: str | None = Field(default=None, description="Id of an indexed hit to search by.")
    clip: str | None = Field(default=None, description="Path of a short video to search by.")
    algos: list[str] = Field(default_factory=list, description="Searches to run; empty: all.")
    filter: SearchFilter = Field(default_factory=SearchFilter)
    limit: int = Field(default=10, ge=1, le=MAX_LIMIT)
    offset: int = Field(default=0, ge=0)
    min_score: float | None = None
    postprocessors: list[str] = Field(
        default_factory=list, description="Post-processors to apply, in this order."
    )
    options: dict[str, Any] = Field(
        default_factory=dict, description="Per-post-processor options, keyed by its name."
    )

    @model_validator(mode="after")
    def _one_query(self) -> SearchRequest:
        given = [k for k in ("text", "image", "like", "clip") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "a search needs exactly one of text, image, like or clip"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self

    @property
    def query_kind(self) -> Literal["text", "image", "like", "clip"]:
        for kind in ("text", "image", "like", "clip"):
            if getattr(self, kind) is not None:
                return kind
        raise AssertionError("validated: one query is set")


class Hit(BaseModel):
    """A time range in one asset that matched a query."""

    id: str = Field(description="Point id; pass it as ``like`` to search by this hit.")
    asset_id: str
    title: str
    algo: str = Field(description="The algo whose records produced the hit.")
    score: float
    start: float = Field(description="Seconds from the start of the asset.")
    end: float
    shot_index: int | None = None
    fps: float | None = None
    thumbnail: str | None = Field(default=None, description="Path of a representative frame.")
    clip: str | None = Field(default=None, description="Path of an mp4 of the shot.")
    extra: dict[str, Any] = Field(default_factory=dict, description="Algo-specific fields.")

    @property
    def start_timecode(self) -> str | None:
        return seconds_to_timecode(self.start, self.fps) if self.fps else None

    @property
    def end_timecode(self) -> str | None:
        return seconds_to_timecode(self.end, self.fps) if self.fps else None


class SearchResponse(BaseModel):
    """The ranked answer to a :class:`SearchRequest`."""

    hits: list[Hit]
    next_cursor: str | None = None
