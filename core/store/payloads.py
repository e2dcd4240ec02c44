"""The payload every shot-level point carries, whichever algo writes it.

Searchers, the catalog and post-processors (group by title, sort by time) read these fields
the same way in every collection that holds one point per shot.
"""

from __future__ import annotations

from typing import Any

from reelsearch.core.models import Asset, Shot


def shot_payload(asset: Asset, shot: Shot, **extra: Any) -> dict[str, Any]:
    """The standard payload of a point about ``shot`` of ``asset``, plus ``extra`` fields.

    Carries the fields every point needs (``asset_id``, ``title``, ``metadata``, ``start``,
    ``end``) and the shot's ``shot_index``, ``start_frame``, ``end_frame`` and ``fps``, so that
    hits can show timecodes.
    """
    return {
        "asset_id": asset.id,
        "title": asset.title,
        "metadata": dict(asset.metadata),
        "start": shot.start,
        "end": shot.end,
        "shot_index": shot.index,
        "start_frame": shot.start_frame,
        "end_frame": shot.end_frame,
        "fps": shot.fps,
        **extra,
    }
