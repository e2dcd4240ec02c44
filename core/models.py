"""The domain models shared by the core, plugins, the CLI and the HTTP server."""

from __future__ import annotations

import math
import re
import uuid
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from reelsearch.core.timecode import frames_to_timecode, source_timecode, timecode_to_frames

if TYPE_CHECKING:
    from reelsearch.core.store.base import ScoredPoint

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
    start_timecode: str | None = Field(
        default=None,
        description="Timecode of the first frame embedded in the file (a QuickTime or MXF "
        "timecode track, or a timecode tag), e.g. 01:00:00:00; None: it starts at 00:00:00:00.",
    )


ASSET_NAMESPACE = uuid.UUID("0c6d0a9e-7d47-5a51-9a55-2a4f6f0b3c1e")


def asset_id_for(uri: str) -> str:
    """The catalog id of the file at ``uri`` (a resolved path or URL): 32 hex digits.

    One file is one catalog entry: ingesting it again (with a new title, or after its bytes
    changed) updates that entry, and a copy under another path is another entry.
    """
    return uuid.uuid5(ASSET_NAMESPACE, uri).hex


class Asset(BaseModel):
    """One video in the catalog: a file, with its title and metadata.

    Two files with the same bytes are two assets (two catalog entries) with the same
    :attr:`content_hash`: they share memoised features and derived media, and neither
    removes the other.
    """

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Catalog entry id, from the file's location (see asset_id_for).")
    uri: str = Field(description="Where the bytes were read from: a path or an fsspec URL.")
    title: str = Field(description="Human title; several assets may share one (episodes, cuts).")
    metadata: dict[str, MetadataValue] = Field(default_factory=dict)
    media: MediaInfo | None = None
    content_hash: str = Field(
        default="",
        description="Hex digest of the file's bytes: the key of memoised features and "
        "derived media. Defaults to ``id`` (catalogs written before entries had their own id).",
    )

    @model_validator(mode="after")
    def _default_content_hash(self) -> Asset:
        if not self.content_hash:
            object.__setattr__(self, "content_hash", self.id)
        return self


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

    start: float | None = Field(default=None, ge=0, strict=True, allow_inf_nan=False)
    end: float | None = Field(default=None, ge=0, strict=True, allow_inf_nan=False)

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"time range ends ({self.end}) before it starts ({self.start})")
        return self


METADATA_KEY = re.compile(r"\w[\w-]{0,99}")
"""What a metadata key in a filter may be: a name (the store reads ``metadata.<key>`` as a
path, so dots, spaces and brackets cannot be told apart from its syntax)."""

MAX_QUERY_CHARS = 2_000
MAX_LIMIT = 1_000
MAX_CURSOR_CHARS = 512
MAX_INTERSECTIONS = 32
"""Most other queries one request may intersect with, at all depths together."""
MAX_INTERSECT_DEPTH = 4
"""Deepest nesting of ``intersect`` (a query intersecting with one that intersects, ...)."""


def _point_id(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValueError(f"{value[:40]!r} is not a point id (a UUID)") from None


PointId = Annotated[
    str, AfterValidator(_point_id), WithJsonSchema({"type": "string", "format": "uuid"})
]
"""A point id as a request gives it: a UUID string, stored in its canonical form."""


class SearchFilter(BaseModel):
    """Which part of the catalog a search looks at; empty means the whole catalog."""

    model_config = ConfigDict(extra="forbid")

    asset_ids: list[str] = Field(default_factory=list)
    titles: list[str] = Field(default_factory=list)
    metadata: dict[str, MetadataValue] = Field(
        default_factory=dict,
        description="Exact matches; a list matches any of its values. Keys are names: "
        "letters, digits, _ and -.",
    )
    time_range: TimeRange | None = None
    exclude_ids: list[PointId] = Field(
        default_factory=list, max_length=MAX_LIMIT, description="Point ids to leave out."
    )

    @field_validator("metadata")
    @classmethod
    def _metadata_keys_are_names(cls, value: dict[str, MetadataValue]) -> dict[str, MetadataValue]:
        for key in value:
            if not METADATA_KEY.fullmatch(key):
                shown = key[:40]
                raise ValueError(
                    f"metadata key {shown!r} is not a name: use letters, digits, _ and -"
                )
        return value


def check_plain(data: dict[str, Any]) -> None:
    """Refuse what no field type catches in a request as sent: text that is not valid Unicode
    (a lone surrogate), numbers that are not finite, and ``intersect`` nested deeper than
    :data:`MAX_INTERSECT_DEPTH` or more than :data:`MAX_INTERSECTIONS` other queries in all.

    The walk is iterative, so no nesting makes it recurse.

    Raises:
        ValueError: Naming the first problem and where it is.
    """
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    intersections = 0
    while stack:
        value, where, depth = stack.pop()
        if isinstance(value, str):
            _check_unicode(value, where)
        elif isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{where}: {value} is not a finite number")
        elif isinstance(value, dict):
            for key, item in value.items():
                _check_unicode(str(key), where or "a key")
                inner = depth + 1 if key == "intersect" else depth
                if key == "intersect" and isinstance(item, list):
                    intersections += len(item)
                    if inner > MAX_INTERSECT_DEPTH:
                        raise ValueError(
                            f"{where + '.' if where else ''}intersect: nested {inner} deep; "
                            f"at most {MAX_INTERSECT_DEPTH} levels of intersect are allowed"
                        )
                    if intersections > MAX_INTERSECTIONS:
                        raise ValueError(
                            f"intersect: more than {MAX_INTERSECTIONS} other queries in all"
                        )
                stack.append((item, f"{where}.{key}" if where else str(key), inner))
        elif isinstance(value, list):
            stack.extend((item, f"{where}.{n}", depth) for n, item in enumerate(value))


def _check_unicode(text: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"{where}: not valid Unicode text (a lone surrogate at character {exc.start})"
        ) from None


QUERY_FIELDS = ("text", "image", "like", "clip")


class SearchRequest(BaseModel):
    """One query: text, an image, an indexed shot or a clip, plus where to look and how many."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={  # the one-query rule: exactly one of them is a string
            "oneOf": [
                {"required": [name], "properties": {name: {"type": "string"}}}
                for name in QUERY_FIELDS
            ]
        },
    )

    text: Annotated[str, Field(min_length=1, max_length=MAX_QUERY_CHARS)] | None = None
    image: str | None = Field(default=None, description="Path of a still to search by.")
    like: PointId | None = Field(default=None, description="Id of an indexed hit to search by.")
    clip: str | None = Field(default=None, description="Path of a short video to search by.")
    algos: list[str] = Field(default_factory=list, description="Searches to run; empty: all.")
    filter: SearchFilter = Field(default_factory=SearchFilter)
    limit: int = Field(default=10, ge=1, le=MAX_LIMIT, strict=True, description="Hits per page.")
    offset: int = Field(
        default=0, ge=0, strict=True, description="Hits to skip (or use page or cursor)."
    )
    page: int | None = Field(
        default=None, ge=1, strict=True, description="Page number, from 1, of limit hits."
    )
    cursor: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_CURSOR_CHARS,
        description="The next_cursor of the previous page of this same query.",
    )
    min_score: float | None = Field(
        default=None,
        strict=True,
        allow_inf_nan=False,
        description="Drop hits scoring below this.",
    )
    sort: Literal["score", "time"] = Field(
        default="score", description="Best first, or by title, asset and start time."
    )
    group_by: Literal["title", "asset"] | None = Field(
        default=None, description="Keep the hits of one title (or asset) together."
    )
    language: str | None = Field(
        default=None,
        description="Language of text (e.g. 'fr'); translated if it is not the "
        "search language and a translator is configured.",
    )
    intersect: list[Intersection] = Field(
        default_factory=list,
        max_length=MAX_INTERSECTIONS,
        description="Keep only hits that overlap in time a hit of each of these other queries.",
    )
    postprocessors: list[str] = Field(
        default_factory=list,
        description="Post-processors to apply, in this order; empty: the configured chain.",
    )
    options: dict[str, Any] = Field(
        default_factory=dict, description="Per-post-processor options, keyed by its name."
    )

    @model_validator(mode="before")
    @classmethod
    def _plain_input(cls, data: Any) -> Any:
        if isinstance(data, dict):
            check_plain(data)
        return data

    @model_validator(mode="after")
    def _one_query(self) -> SearchRequest:
        given = [k for k in ("text", "image", "like", "clip") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "a search needs exactly one of text, image, like or clip"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self

    @model_validator(mode="after")
    def _one_position(self) -> SearchRequest:
        given = [k for k in ("offset", "page", "cursor") if getattr(self, k)]
        if len(given) > 1:
            raise ValueError(f"give one of offset, page or cursor, not {' and '.join(given)}")
        return self

    @property
    def query_kind(self) -> Literal["text", "image", "like", "clip"]:
        for kind in ("text", "image", "like", "clip"):
            if getattr(self, kind) is not None:
                return kind
        raise AssertionError("validated: one query is set")


class Intersection(BaseModel):
    """Another query whose hits the main query's hits must overlap in time.

    A main hit is kept when a hit of the other query lies in the same asset and overlaps it,
    or comes within ``within`` seconds of it. The other query inherits the main query's
    ``filter`` and ``language`` unless it sets its own; its ``limit`` is how many of its best
    hits count.
    """

    model_config = ConfigDict(extra="forbid")

    query: SearchRequest | None = Field(default=None, description="The other query.")
    hits: list[Hit] | None = Field(
        default=None,
        max_length=MAX_LIMIT,
        description="Or the other hits themselves (the gateway runs query).",
    )
    within: float = Field(
        default=0.0,
        ge=0,
        strict=True,
        allow_inf_nan=False,
        description="Seconds of slack between the hits.",
    )

    @model_validator(mode="after")
    def _query_or_hits(self) -> Intersection:
        if (self.query is None) == (self.hits is None):
            raise ValueError("an intersection needs exactly one of query or hits")
        return self


HIT_PAYLOAD_FIELDS = (
    "asset_id",
    "title",
    "start",
    "end",
    "shot_index",
    "fps",
    "media_start_timecode",
    "thumbnail",
    "clip",
)
"""The payload fields :meth:`Hit.from_point` reads."""


class MatchedWord(BaseModel):
    """A word of the matched text that the query holds: where it is in ``HitMatch.text``."""

    text: str = Field(description="The word as the text spells it.")
    start: int = Field(ge=0, description="Offset of its first character in the text.")
    end: int = Field(ge=0, description="Offset just past its last character.")


class HitMatch(BaseModel):
    """Why a hit matched, for people: the matched line, its speaker and the query's words in it.

    Searchers of text (dialogue) fill ``text`` and ``words``; every searcher names its
    ``mode``.
    """

    mode: str = Field(
        description="How it matched: phrase, words or semantic (dialogue), visual, character, "
        "... (the searcher's own name for its way of matching)."
    )
    text: str | None = Field(default=None, description="The matched line or caption.")
    speaker: str | None = Field(default=None, description="Who says the line, when known.")
    words: list[MatchedWord] = Field(
        default_factory=list, description="The query's words in ``text``, in order, to highlight."
    )


class HitPartner(BaseModel):
    """The hit of another query of an intersection that a kept hit overlaps in time."""

    id: str
    asset_id: str
    algo: str
    searcher: str | None = None
    start: float
    end: float
    score: float
    match: HitMatch | None = None


class Hit(BaseModel):
    """A time range in one asset that matched a query.

    ``score`` is what the hit is ranked by: the searcher's own score, or, after ``fuse`` or
    ``intersect`` combined several lists, the combined score; ``raw_score`` keeps the
    searcher's own, ``scores`` each fused list's and ``partners`` the hits it was intersected
    with.
    """

    id: str = Field(description="Point id; pass it as ``like`` to search by this hit.")
    asset_id: str
    title: str
    algo: str = Field(description="The algo whose records produced the hit.")
    searcher: str | None = Field(default=None, description="The searcher that found it.")
    score: float
    start: float = Field(description="Seconds from the start of the asset.")
    end: float
    shot_index: int | None = None
    fps: float | None = None
    media_start_timecode: str | None = Field(
        default=None,
        description="The file's embedded start timecode (MediaInfo.start_timecode), e.g. "
        "01:00:00:00: the hit's timecodes count from it, as the exports' do.",
    )
    thumbnail: str | None = Field(default=None, description="Path of a representative frame.")
    clip: str | None = Field(default=None, description="Path of an mp4 of the shot.")
    extra: dict[str, Any] = Field(default_factory=dict, description="Algo-specific fields.")
    raw_score: float | None = Field(
        default=None,
        description="The searcher's own score, before fusion or intersection; "
        "defaults to ``score``.",
    )
    match: HitMatch | None = Field(default=None, description="Why it matched: mode, line, words.")
    scores: dict[str, float] = Field(
        default_factory=dict,
        description="When fused: each searcher's raw score for this hit, by searcher name.",
    )
    partners: list[HitPartner] = Field(
        default_factory=list,
        description="When intersected: the hit of each other query that it overlaps in time.",
    )

    @model_validator(mode="after")
    def _default_raw_score(self) -> Hit:
        if self.raw_score is None:
            self.raw_score = self.score
        if self.media_start_timecode is not None and self.fps:
            timecode_to_frames(self.media_start_timecode, self.fps)  # one that fits the rate
        return self

    @classmethod
    def from_point(
        cls, point: ScoredPoint, *, algo: str, score: float | None = None, **fields: Any
    ) -> Hit:
        """The hit for a stored point: its id, the standard payload fields the runtime stamps
        on every point (``asset_id``, ``title``, ``start``, ``end``, and ``shot_index``,
        ``fps``, ``thumbnail``, ``clip`` where present), ``score`` (default: the point's) and
        ``fields`` on top, e.g. ``extra={...}`` or a narrower ``start`` and ``end``."""
        payload = point.payload
        standard = {name: payload.get(name) for name in HIT_PAYLOAD_FIELDS}
        score = point.score if score is None else score
        return cls(id=point.id, algo=algo, score=score, **(standard | fields))

    @property
    def start_timecode(self) -> str | None:
        """The source timecode of ``start``, from the file's start timecode; None without fps."""
        return self._timecode(self.start)

    @property
    def end_timecode(self) -> str | None:
        """The source timecode of ``end``, from the file's start timecode; None without fps."""
        return self._timecode(self.end)

    def _timecode(self, seconds: float) -> str | None:
        if not self.fps:
            return None
        return source_timecode(seconds, self.fps, self.media_start_timecode)


class HitGroup(BaseModel):
    """Hits that share a title (or asset) when a request groups them."""

    key: str = Field(description="The title or asset id the hits share.")
    count: int = Field(ge=0, description="Hits of the group on all pages.")
    best_score: float


class SearcherFailure(BaseModel):
    """A searcher that failed while others answered: the response holds the others' hits."""

    searcher: str
    algo: str
    error: str = Field(description="The exception's type name.")
    message: str


class SearchResponse(BaseModel):
    """The ranked answer to a :class:`SearchRequest`."""

    hits: list[Hit]
    next_cursor: str | None = Field(
        default=None, description="Pass it as the request's cursor for the next page."
    )
    total: int | None = Field(
        default=None,
        description="Hits on all pages (of the candidates the searchers gave); unset when "
        "there is a next page but only this page was fetched (no post-processor needed more).",
    )
    groups: list[HitGroup] = Field(default_factory=list, description="When grouped: the groups.")
    errors: list[SearcherFailure] = Field(
        default_factory=list, description="Searchers that failed; the hits are the others'."
    )
    translated_text: str | None = Field(
        default=None, description="The query text the searchers got, when it was translated."
    )
    warnings: list[str] = Field(
        default_factory=list,
        description="What in the request may be a mistake (an unknown title, speaker or "
        "metadata key, with the closest known names; a page past the end; an empty catalog).",
    )


Intersection.model_rebuild()
SearchRequest.model_rebuild()
