"""Writing an algo's records into the store through its sink, all or nothing per asset."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from pydantic import BaseModel

from reelsearch.core.components import Sink
from reelsearch.core.errors import PluginError, StoreError
from reelsearch.core.features import FeatureKey
from reelsearch.core.models import Asset
from reelsearch.core.store.base import STANDARD_INDEXES, PointFilter, VectorStore
from reelsearch.core.store.payloads import asset_payload

REQUIRED_PAYLOAD = tuple(STANDARD_INDEXES)


def records_fingerprint(key: FeatureKey, records: Sequence[BaseModel]) -> str:
    """A digest of what a sink writes for ``records`` computed under ``key``.

    It covers the key (the asset's bytes, the algo's version and config, which decide point ids
    and vectors) and the records' content; the asset's title and metadata are left out (they
    are refreshed in place). Equal fingerprints mean the stored points are what a write of
    ``records`` would store.
    """
    digest = hashlib.sha256(json.dumps(asdict(key), sort_keys=True).encode())
    for record in records:
        digest.update(b"\n" + record.model_dump_json().encode())
    return digest.hexdigest()


def stored_ids(store: VectorStore, collection: str, asset_id: str) -> set[str]:
    """Ids of every point of ``asset_id`` in ``collection``."""
    return {p.id for p in store.points(collection, filter=PointFilter(asset_ids=[asset_id]))}


REFRESHED_PAYLOAD = ("title", "metadata", "media_start_timecode")
"""Payload fields that re-ingesting brings up to date without rewriting the points."""


def write_records(
    store: VectorStore, sink: Sink[Any], asset: Asset, records: Sequence[BaseModel], algo: str
) -> int:
    """Replace ``asset``'s points in the sink's collection with those of ``records``.

    New points are upserted first, then the asset's stale points (from an older run) are
    deleted, so readers never see the asset missing. If the upsert fails, the points this call
    added are removed again and the asset's earlier points are left as they were.

    Returns:
        The number of points written.
    """
    spec = sink.collection()
    store.ensure_collection(spec)
    stamp = asset_payload(asset)  # asset_id, title, metadata, fps: the sink need not set them
    points = [
        point.model_copy(update={"payload": stamp | point.payload})
        for point in sink.points(asset, records)
    ]
    for point in points:
        missing = [field for field in REQUIRED_PAYLOAD if field not in point.payload]
        if missing:
            raise PluginError(
                f"the sink of algo {algo!r} made a point without payload field(s) "
                f"{', '.join(missing)}; every point needs {', '.join(REQUIRED_PAYLOAD)}"
            )
    before = stored_ids(store, spec.name, asset.id)
    sink.on_write_start(asset, store)
    try:
        store.upsert(spec.name, points)
    except Exception as exc:
        added = [p.id for p in points if p.id not in before]
        if added:
            store.delete(spec.name, ids=added)
        sink.on_write_failed(asset, exc)
        raise StoreError(
            f"writing {len(points)} points of algo {algo!r} for {asset.uri} failed: {exc}"
        ) from exc
    stale = before - {p.id for p in points}
    if stale:
        store.delete(spec.name, ids=sorted(stale))
    sink.on_write_complete(asset, len(points))
    return len(points)


def refresh_asset_payload(store: VectorStore, collection: str, asset: Asset) -> bool:
    """Bring ``title``, ``metadata`` and ``media_start_timecode`` of the asset's stored points
    up to date.

    Returns:
        Whether anything had to change (a renamed title, edited metadata, or points written
        before their file's start timecode was stamped).
    """
    page, _ = store.scroll(collection, filter=PointFilter(asset_ids=[asset.id]), limit=1)
    if not page:
        return False
    current = page[0].payload
    stamp = asset_payload(asset)
    fresh = {key: stamp[key] for key in REFRESHED_PAYLOAD if key in stamp}
    if all(current.get(key) == value for key, value in fresh.items()):
        return False
    store.set_payload(collection, fresh, filter=PointFilter(asset_ids=[asset.id]))
    return True
