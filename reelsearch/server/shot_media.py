"""Thumbnails and clips for hits of any algo, from the shots the built-in ``shots`` algo stored.

A hit of a colour window, a dialogue line or a visual search is a time range in an asset; when
its searcher gave no thumbnail, the hit shows the thumbnail (and plays the clip) of the shot its
middle falls in.
"""

from __future__ import annotations

from reelsearch.core.errors import ReelsearchError
from reelsearch.core.models import Hit, TimeRange
from reelsearch.core.runtime import Runtime
from reelsearch.core.store.base import Point, PointFilter

SHOTS_ALGO = "shots"


class ShotMedia:
    """Fills in hits' missing thumbnails and clips from the shot each hit lies in.

    Args:
        runtime: The runtime whose store holds the shots.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collection(self) -> str | None:
        """The shots collection, if the ``shots`` algo is registered and has stored shots."""
        if SHOTS_ALGO not in self.runtime.registry.names("algo"):
            return None
        try:
            name = self.runtime.gateway.collection_of(SHOTS_ALGO)
        except ReelsearchError:
            return None
        return name if name in self.runtime.store.collections() else None

    def fill(self, hits: list[Hit]) -> list[Hit]:
        """``hits``, each without media given that of the shot its middle falls in."""
        if all(h.thumbnail or h.clip for h in hits):
            return hits
        collection = self.collection()
        if collection is None:
            return hits
        return [h if h.thumbnail or h.clip else self._fill(h, collection) for h in hits]

    def _fill(self, hit: Hit, collection: str) -> Hit:
        shot = self._shot_at(collection, hit.asset_id, (hit.start + hit.end) / 2)
        if shot is None:
            return hit
        payload = shot.payload
        return hit.model_copy(
            update={
                "thumbnail": payload.get("thumbnail"),
                "clip": payload.get("clip"),
                "fps": hit.fps or payload.get("fps"),
            }
        )

    def _shot_at(self, collection: str, asset_id: str, second: float) -> Point | None:
        at = TimeRange(start=second, end=second)
        found, _ = self.runtime.store.scroll(
            collection, filter=PointFilter(asset_ids=[asset_id], time_range=at), limit=2
        )
        inside = [p for p in found if p.payload["start"] <= second < p.payload["end"]]
        return next(iter(inside or found), None)
