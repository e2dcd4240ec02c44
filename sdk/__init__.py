"""The reelsearch SDK: everything a plugin author needs, and nothing else.

A plugin is a module with ``@hookimpl`` functions, listed under the ``reelsearch.plugins``
entry-point group of its distribution::

    from reelsearch.sdk import Algo, hookimpl

    class MyAlgo(Algo[MyRecord]):
        ...

    @hookimpl
    def register_algos(register):
        register(MyAlgo)

A plugin imports only from ``reelsearch.sdk`` (and ``reelsearch.sdk.testing`` in its tests).
"""

from __future__ import annotations

from reelsearch.core.components import (
    Algo,
    AlgoContext,
    Capability,
    Component,
    Encoder,
    FaceBox,
    FaceDetector,
    FrameBatch,
    Image,
    Modality,
    NoConfig,
    PostProcessor,
    ProgressCallback,
    Resources,
    SearchContext,
    Searcher,
    ShotDetector,
    Sink,
    Translator,
    Vectors,
    request_options,
)
from reelsearch.core.errors import (
    MediaError,
    MissingExtraError,
    ModelUnavailableError,
    PluginError,
    ReelsearchError,
    RequestError,
    close_names,
)
from reelsearch.core.extras import require
from reelsearch.core.hookspecs import hookimpl
from reelsearch.core.media import (
    BlackRuns,
    FramesAt,
    FrameSize,
    FrameTap,
    RGBImage,
    VideoWriter,
    brightness,
    content_hash,
    decode_audio,
    decode_frames,
    open_local_media,
    probe,
    run_taps,
    runs_of,
    scaled_size,
)
from reelsearch.core.media.atomic import write_bytes_atomic
from reelsearch.core.media.embeddings import embed_shots, sample_frames, short_side_size
from reelsearch.core.media.prefetch import prefetch_frames
from reelsearch.core.models import (
    Asset,
    Hit,
    HitGroup,
    HitMatch,
    HitPartner,
    Intersection,
    MediaInfo,
    MetadataValue,
    SearcherFailure,
    SearchFilter,
    SearchRequest,
    SearchResponse,
    Shot,
    TimeRange,
    point_id,
)
from reelsearch.core.pretrained import load_pretrained
from reelsearch.core.ranking import best_first
from reelsearch.core.store.base import (
    CollectionSpec,
    Distance,
    FieldType,
    Point,
    PointFilter,
    ScoredPoint,
    VectorSpec,
    VectorStore,
)
from reelsearch.core.store.payloads import record_payload, shot_payload

__all__ = [
    "Algo",
    "AlgoContext",
    "Asset",
    "BlackRuns",
    "Capability",
    "CollectionSpec",
    "Component",
    "Distance",
    "Encoder",
    "FaceBox",
    "FaceDetector",
    "FieldType",
    "FrameBatch",
    "FrameSize",
    "FrameTap",
    "FramesAt",
    "Hit",
    "HitGroup",
    "HitMatch",
    "HitPartner",
    "Image",
    "Intersection",
    "MediaError",
    "MediaInfo",
    "MetadataValue",
    "MissingExtraError",
    "Modality",
    "ModelUnavailableError",
    "NoConfig",
    "PluginError",
    "Point",
    "PointFilter",
    "PostProcessor",
    "ProgressCallback",
    "RGBImage",
    "ReelsearchError",
    "RequestError",
    "Resources",
    "ScoredPoint",
    "SearchContext",
    "SearchFilter",
    "SearchRequest",
    "SearchResponse",
    "Searcher",
    "SearcherFailure",
    "Shot",
    "ShotDetector",
    "Sink",
    "TimeRange",
    "Translator",
    "VectorSpec",
    "VectorStore",
    "Vectors",
    "VideoWriter",
    "best_first",
    "brightness",
    "close_names",
    "content_hash",
    "decode_audio",
    "decode_frames",
    "embed_shots",
    "hookimpl",
    "load_pretrained",
    "open_local_media",
    "point_id",
    "prefetch_frames",
    "probe",
    "record_payload",
    "request_options",
    "require",
    "run_taps",
    "runs_of",
    "sample_frames",
    "scaled_size",
    "short_side_size",
    "shot_payload",
    "write_bytes_atomic",
]
