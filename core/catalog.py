"""The catalog: one payload-only point per ingested file, in the ``assets`` collection.

An entry is a file (see :func:`~reelsearch.core.models.asset_id_for`) with its title and
metadata. It also records, for each collection an algo's sink wrote the asset's points to, the
fingerprint of what was written (:attr:`CatalogEntry.written`). The entry is written after all
of the asset's points, so a crash before it leaves an entry whose fingerprints do not match, and
the next ingest writes the points again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from reelsearch.core.models import Asset, point_id
from reelsearch.core.store.base import CollectionSpec, FieldType, Point, PointFilter, VectorStore

ASSETS = CollectionSpec(name="assets", indexes={"uri": FieldType.KEYWORD})


def _asset_point_id(asset_id: str) -> str:
    return point_id(asset_id, ASSETS.name, "1", 0)


@dataclass(frozen=True)
class CatalogEntry:
    """An asset as the catalog holds it.

    Attributes:
        asset: The asset.
        written: Collection name -> fingerprint of the asset's points stored there.
    """

    asset: Asset
    written: dict[str, str] = field(default_factory=dict)


class Catalog:
    """Which files are ingested, under which titles."""

    def __init__(self, store: VectorStore) -> None:
        self.store = store

    def put(self, asset: Asset, written: Mapping[str, str] | None = None) -> None:
        """Record ``asset`` (replacing an earlier record of the same file).

        Args:
            asset: The asset.
            written: Collection -> fingerprint of the asset's points written there.
        """
        self.store.ensure_collection(ASSETS)
        duration = asset.media.duration if asset.media else 0.0
        payload = {
            "asset_id": asset.id,
            "title": asset.title,
            "start": 0.0,
            "end": duration,
            **asset.model_dump(mode="json", exclude={"id"}),
            "written": dict(written or {}),
        }
        self.store.upsert(ASSETS.name, [Point(id=_asset_point_id(asset.id), payload=payload)])
        self._forget_legacy(asset)

    def entry(self, asset_id: str) -> CatalogEntry | None:
        """The entry of ``asset_id`` with its written fingerprints, if it is in the catalog."""
        if ASSETS.name not in self.store.collections():
            return None
        found = self.store.retrieve(ASSETS.name, [_asset_point_id(asset_id)])
        return _to_entry(found[0]) if found else None

    def ensure(self) -> None:
        """Create the catalog's collection if it is missing (before the first asset's points
        are written, so that :meth:`catalogued` hides them until its entry is written)."""
        self.store.ensure_collection(ASSETS)

    def catalogued(self, asset_ids: Iterable[str]) -> set[str] | None:
        """Those of ``asset_ids`` that have an entry (one store read), or ``None`` when the
        store holds no catalog at all (points written without ingest, as some tests do).

        Searches keep only hits of catalogued assets: an asset's points are written before its
        entry, so a file being ingested stays hidden until it is complete.
        """
        wanted = list(dict.fromkeys(asset_ids))
        if ASSETS.name not in self.store.collections():
            return None
        if not wanted:
            return set()
        found = self.store.retrieve(ASSETS.name, [_asset_point_id(i) for i in wanted])
        return {str(point.payload["asset_id"]) for point in found}

    def get(self, asset_id: str) -> Asset | None:
        entry = self.entry(asset_id)
        return entry.asset if entry else None

    def assets(self, titles: list[str] | None = None) -> list[Asset]:
        """Every ingested asset, or those with one of ``titles``, sorted by title then uri."""
        if ASSETS.name not in self.store.collections():
            return []
        found = self.store.points(ASSETS.name, filter=PointFilter(titles=titles or []))
        return sorted((_to_entry(p).asset for p in found), key=lambda a: (a.title, a.uri))

    def titles(self) -> dict[str, int]:
        """Each title and how many assets it has."""
        return dict(sorted(Counter(a.title for a in self.assets()).items()))

    def remove(self, asset_id: str) -> None:
        """Forget an asset and delete all its points in every collection.

        Other entries with the same bytes keep theirs, and the memoised features they share.
        """
        self.store.delete_asset(asset_id)

    def _forget_legacy(self, asset: Asset) -> None:
        """Remove the entry of the same file from before entries had their own id (when the
        content hash was the id), so that the file is not listed twice."""
        if asset.content_hash == asset.id:
            return
        old = self.get(asset.content_hash)
        if old is not None and old.uri == asset.uri:
            self.remove(old.id)


def _to_entry(point: Point) -> CatalogEntry:
    payload = point.payload
    asset = Asset.model_validate(
        {
            "id": payload["asset_id"],
            "uri": payload["uri"],
            "title": payload["title"],
            "metadata": payload.get("metadata", {}),
            "media": payload.get("media"),
            "content_hash": payload.get("content_hash", ""),
        }
    )
    return CatalogEntry(asset, dict(payload.get("written") or {}))
