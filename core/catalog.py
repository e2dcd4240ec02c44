"""The catalog: one payload-only point per ingested asset, in the ``assets`` collection."""

from __future__ import annotations

from collections import Counter

from reelsearch.core.models import Asset, point_id
from reelsearch.core.store.base import CollectionSpec, FieldType, Point, PointFilter, VectorStore

ASSETS = CollectionSpec(name="assets", indexes={"uri": FieldType.KEYWORD})


def _asset_point_id(asset_id: str) -> str:
    return point_id(asset_id, ASSETS.name, "1", 0)


class Catalog:
    """Which assets are ingested, under which titles."""

    def __init__(self, store: VectorStore) -> None:
        self.store = store

    def put(self, asset: Asset) -> None:
        """Record ``asset`` (replacing an earlier record of the same bytes)."""
        self.store.ensure_collection(ASSETS)
        duration = asset.media.duration if asset.media else 0.0
        payload = {
            "asset_id": asset.id,
            "title": asset.title,
            "start": 0.0,
            "end": duration,
            **asset.model_dump(mode="json", exclude={"id"}),
        }
        self.store.upsert(ASSETS.name, [Point(id=_asset_point_id(asset.id), payload=payload)])

    def get(self, asset_id: str) -> Asset | None:
        if ASSETS.name not in self.store.collections():
            return None
        found = self.store.retrieve(ASSETS.name, [_asset_point_id(asset_id)])
        return _to_asset(found[0]) if found else None

    def assets(self, titles: list[str] | None = None) -> list[Asset]:
        """Every ingested asset, or those with one of ``titles``, sorted by title then uri."""
        if ASSETS.name not in self.store.collections():
            return []
        found = self.store.points(ASSETS.name, filter=PointFilter(titles=titles or []))
        return sorted((_to_asset(p) for p in found), key=lambda a: (a.title, a.uri))

    def titles(self) -> dict[str, int]:
        """Each title and how many assets it has."""
        return dict(sorted(Counter(a.title for a in self.assets()).items()))

    def remove(self, asset_id: str) -> None:
        """Forget an asset and delete all its points in every collection."""
        self.store.delete_asset(asset_id)


def _to_asset(point: Point) -> Asset:
    payload = point.payload
    return Asset.model_validate(
        {
            "id": payload["asset_id"],
            "uri": payload["uri"],
            "title": payload["title"],
            "metadata": payload.get("metadata", {}),
            "media": payload.get("media"),
        }
    )
