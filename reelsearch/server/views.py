"""What the JSON API returns, beyond the core models: hits with media URLs and timecodes, the
registered searches, the titles and the server's health."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, computed_field

from reelsearch.core.models import Hit, SearchResponse
from reelsearch.server.files import MediaFolder, MediaLinks


class HitView(Hit):
    """A hit with its timecodes and the URLs of its thumbnail, clip and source video: signed
    links that load without the API key until they expire (``media_link_seconds``)."""

    thumbnail_url: str | None = Field(default=None, description="JPEG of the shot.")
    clip_url: str | None = Field(default=None, description="MP4 of the shot (range requests).")
    source_url: str = Field(description="The whole source video; play from ``start``.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def start_timecode(self) -> str | None:
        """``HH:MM:SS:FF`` of ``start``, when the frame rate is known."""
        return super().start_timecode

    @computed_field  # type: ignore[prop-decorator]
    @property
    def end_timecode(self) -> str | None:
        """``HH:MM:SS:FF`` of ``end``, when the frame rate is known."""
        return super().end_timecode

    @classmethod
    def of(cls, hit: Hit, media: MediaFolder, links: MediaLinks) -> HitView:
        return cls(
            **hit.model_dump(),
            thumbnail_url=links.media(media.relative(hit.thumbnail)),
            clip_url=links.media(media.relative(hit.clip)),
            source_url=links.source(hit.asset_id),
        )


class SearchResultView(SearchResponse):
    """A :class:`SearchResponse` whose hits carry media URLs."""

    hits: list[HitView]  # type: ignore[assignment]
    took_ms: float = Field(description="Time the search took in the server, in milliseconds.")
    upload: str | None = Field(
        default=None,
        description="The uploaded image's name: pass it as ``image`` to fetch further pages "
        "while the server keeps it (see upload_keep_seconds); after that, upload it again.",
    )


class SearchView(BaseModel):
    """One registered search."""

    name: str
    algo: str = Field(description="The algo whose records it searches.")
    description: str
    plugin: str = Field(description="The plugin that registered it.")
    capabilities: list[str]
    query_kinds: list[str] = Field(description="Which of text, image, like, clip it answers.")


class LimitsView(BaseModel):
    max_page_size: int
    max_query_chars: int
    max_upload_bytes: int
    max_upload_pixels: int
    max_offset: int
    max_intersections: int
    max_intersect_depth: int


class SearchesView(BaseModel):
    """The registered searches, the request they all take and this server's limits."""

    searches: list[SearchView]
    request_schema: dict[str, Any] = Field(description="JSON schema of a search request.")
    limits: LimitsView
    dedupe_postprocessors: list[str] | None = Field(
        default=None,
        description="Send as a request's ``postprocessors`` for one hit per group of "
        "near-duplicate shots: this server's chain with ``dedupe`` in place, as ``reelsearch "
        "search --dedupe`` runs it; null where no ``dedupe`` step is registered.",
    )


class TitleView(BaseModel):
    title: str
    assets: int = Field(description="How many videos carry the title.")
    duration: float = Field(description="Their total duration in seconds.")


class TitlesView(BaseModel):
    titles: list[TitleView]


class HealthView(BaseModel):
    status: Literal["ok", "starting"] = Field(
        default="ok", description="starting: the searchers' models are still loading."
    )
    version: str
    store: str = Field(description="The store backend: edge or server.")
    searches: int = Field(description="How many searches are registered.")
