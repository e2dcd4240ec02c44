"""The ``visual`` searcher: shots by description, by a still, by a clip, or like another shot."""

from __future__ import annotations

import uuid
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from reelsearch.plugins.visual.queries import clip_vector, load_image
from reelsearch.sdk import (
    Capability,
    Encoder,
    Hit,
    HitMatch,
    PointFilter,
    RequestError,
    ScoredPoint,
    SearchContext,
    Searcher,
    SearchRequest,
    request_options,
)


class VisualConfig(BaseModel):
    """Options of the ``visual`` searcher (``[components.searchers.visual]``)."""

    model_config = ConfigDict(extra="forbid")

    encoder: str | None = Field(
        default=None,
        description="Encoder that embeds queries; default: the one the shot_embeddings algo "
        "is configured with, so that queries and shots share one space.",
    )
    clip_frames: int = Field(
        default=8, ge=1, description="Frames sampled evenly from a clip query and mean-pooled."
    )
    frame_short_side: int = Field(
        default=224, ge=16, description="Shorter side clip frames are decoded at."
    )
    exact: bool = Field(
        default=False, description="Exact nearest neighbours instead of the HNSW index."
    )
    hnsw_ef: int | None = Field(
        default=None,
        ge=1,
        description="HNSW search breadth: lower is faster, higher finds more of the true "
        "nearest shots; default the store's (benchmarks/search_latency.py measures the trade "
        "at 1M shots: 32 gives recall@10 0.97 in under 1 ms). Pages that reach past this many "
        "hits search wider, as the store never searches narrower than the hits it returns.",
    )
    min_score: float | None = Field(
        default=None,
        ge=-1.0,
        le=1.0,
        allow_inf_nan=False,
        description="Lowest cosine of a hit; default none (every shot is ranked). CLIP's "
        "cosines depend on the model and the kind of query (text to image scores far below "
        "image to image), so no floor fits all: set one per model here or per request.",
    )


class VisualOptions(BaseModel):
    """Per-request options, ``request.options["visual"]``."""

    model_config = ConfigDict(extra="forbid")

    min_score: float | None = Field(default=None, ge=-1.0, le=1.0, allow_inf_nan=False)
    """Lowest cosine of a hit; default the configured ``min_score``."""


MODES = {"text": "visual", "image": "image", "like": "like-shot", "clip": "clip"}
"""The match mode of a hit, by the kind of query that found it."""


class VisualSearcher(Searcher[VisualConfig]):
    """Nearest shots, by cosine similarity, in the ``shot_embeddings`` collection.

    A ``like`` query uses the stored vector of an indexed shot and leaves that shot out.
    """

    name = "visual"
    algo = "shot_embeddings"
    description = "Find shots by description, example image, example clip or like a shot."
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.VECTOR, Capability.FILTERS}
    )
    query_kinds: ClassVar[frozenset[str]] = frozenset({"text", "image", "like", "clip"})

    def encoder_name(self) -> str:
        """The encoder of queries, which also names the stored vectors."""
        if self.config.encoder:
            return self.config.encoder
        algo_config = self.component("algo", self.algo).config
        name = getattr(algo_config, "encoder", None)
        if not isinstance(name, str):
            raise RequestError(
                f"algo {self.algo!r} names no encoder; set components.searchers.{self.name}.encoder"
            )
        return name

    def search(self, request: SearchRequest, ctx: SearchContext) -> list[Hit]:
        using = self.encoder_name()
        collection = ctx.collection(self.algo)
        excluded = list(request.filter.exclude_ids)
        if request.like is not None:
            vector = self._stored_vector(ctx, collection, request.like, using)
            excluded.append(request.like)
        else:
            # Embed first: an unavailable model is reported even where nothing is indexed yet.
            vector = self.query_vector(request, ctx.encoder(using))
        if collection not in ctx.store.collections():
            return []
        filter_ = PointFilter(
            **request.filter.model_dump(exclude={"exclude_ids"}), exclude_ids=excluded
        )
        points = ctx.store.search(
            collection,
            vector,
            using=using,
            filter=filter_,
            limit=request.offset + request.limit,
            exact=self.config.exact,
            hnsw_ef=self.config.hnsw_ef,
        )
        floor = self.options(request).min_score
        mode = MODES[request.query_kind]
        return [self._hit(p, mode) for p in points if floor is None or p.score >= floor]

    def options(self, request: SearchRequest) -> VisualOptions:
        """This request's visual options on top of the configured floor; a
        :class:`RequestError` naming the searcher and the field if they are invalid."""
        return request_options(self, request, VisualOptions, {"min_score": self.config.min_score})

    def query_vector(self, request: SearchRequest, encoder: Encoder) -> list[float]:
        """The vector of a text, image or clip request."""
        if request.text is not None:
            vectors = encoder.encode_text([request.text])
        elif request.image is not None:
            vectors = encoder.encode_images([load_image(request.image)])
        elif request.clip is not None:
            settings = self.config
            vectors = clip_vector(
                encoder, request.clip, settings.clip_frames, settings.frame_short_side
            )
        else:
            raise RequestError(f"the visual searcher cannot embed a {request.query_kind} query")
        return [float(x) for x in vectors[0]]

    def _stored_vector(
        self, ctx: SearchContext, collection: str, point_id: str, using: str
    ) -> list[float]:
        found = (
            ctx.store.retrieve(collection, [point_id], with_vectors=True)
            if _is_uuid(point_id) and collection in ctx.store.collections()
            else []
        )
        if not found or using not in found[0].vectors:
            raise RequestError(
                f"no shot with id {point_id!r} in {collection!r}; pass the id of a visual "
                "search hit (reelsearch search ... --json shows them)"
            )
        return found[0].vectors[using]

    def _hit(self, point: ScoredPoint, mode: str) -> Hit:
        return Hit.from_point(
            point,
            algo=self.algo,
            match=HitMatch(mode=mode),
            extra={"encoder": point.payload.get("encoder")},
        )


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
