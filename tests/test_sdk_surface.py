"""The SDK's ``__all__`` is the plugin author's whole world: exactly these names, each one used by a
plugin (built-in, example or template) or named in the plugin docs, each one importable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import reelsearch.sdk as sdk

ROOT = Path(__file__).resolve().parents[1]

SURFACE = {
    # extension points and their parts
    "Algo", "AlgoContext", "Capability", "Component", "Encoder", "FaceBox", "FaceDetector",
    "FrameBatch", "Image", "Modality", "NoConfig", "PostProcessor", "ProgressCallback",
    "Resources", "SearchContext", "Searcher", "ShotDetector", "Sink", "Translator", "Vectors",
    "hookimpl", "request_options",
    # models
    "Asset", "Hit", "HitGroup", "HitMatch", "HitPartner", "Intersection", "MediaInfo",
    "MetadataValue", "SearchFilter", "SearchRequest", "SearchResponse", "SearcherFailure", "Shot",
    "TimeRange", "point_id",
    # errors
    "MediaError", "MissingExtraError", "ModelUnavailableError", "PluginError", "ReelsearchError",
    "RequestError", "close_names", "require",
    # media: decoding once, frame taps, writing
    "BlackRuns", "FrameSize", "FrameTap", "FramesAt", "RGBImage", "VideoWriter", "brightness",
    "content_hash", "decode_audio", "decode_frames", "open_local_media", "prefetch_frames",
    "probe", "run_taps", "runs_of", "scaled_size", "write_bytes_atomic",
    # shot embeddings (visual, match cutting, characters)
    "embed_shots", "sample_frames", "short_side_size",
    # models' weights, ranking
    "best_first", "load_pretrained",
    # the store
    "CollectionSpec", "Distance", "FieldType", "Point", "PointFilter", "ScoredPoint",
    "VectorSpec", "VectorStore", "record_payload", "shot_payload",
}  # fmt: skip
"""A change here is a change to what plugin authors are promised: make it on purpose."""

# The base classes' own vocabulary: a plugin meets these through signatures and responses.
SEEN_THROUGH_THE_BASE_CLASSES = {"NoConfig", "PluginError", "SearcherFailure", "TimeRange"}


def _plugin_text() -> str:
    """Every built-in plugin's code, the example plugin, the template and the plugin docs."""
    sources = [
        *(ROOT / "plugins").rglob("*.py"),
        *(ROOT / "examples").rglob("*.py"),
        *(ROOT / "reelsearch" / "templates").rglob("*.tmpl"),
        *(ROOT / "docs").glob("*.md"),
    ]
    return "\n".join(p.read_text() for p in sources if "__pycache__" not in p.parts)


def test_all_is_exactly_the_plugin_authors_surface() -> None:
    exported = set(sdk.__all__)
    assert exported == SURFACE, (
        f"added: {sorted(exported - SURFACE)}, removed: {sorted(SURFACE - exported)}"
    )
    assert len(sdk.__all__) == len(exported), "a name is listed twice"


@pytest.mark.parametrize("name", sorted(SURFACE - SEEN_THROUGH_THE_BASE_CLASSES))
def test_each_name_serves_plugin_authors(name: str) -> None:
    assert re.search(rf"\b{name}\b", _plugin_text()), (
        f"reelsearch.sdk.{name} is used by no plugin, example, template or plugin doc"
    )


@pytest.mark.parametrize("name", sorted(SURFACE))
def test_each_name_is_importable(name: str) -> None:
    assert getattr(sdk, name) is not None


def test_no_plugin_specific_helper_is_exported() -> None:
    # Shot thumbnails and clips belong to the shots plugin (plugins/shots), not the SDK.
    for name in ("ShotThumbnails", "ThumbnailSampler", "ShotClipWriter", "options_for"):
        assert not hasattr(sdk, name), f"reelsearch.sdk.{name} is back"
