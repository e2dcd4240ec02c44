"""The standard payload fields of store points, built in one place.

Searchers, the catalog and post-processors (group by title, sort by time) read these fields
the same way in every collection. The runtime stamps the asset's fields (:func:`asset_payload`)
on every point a sink writes; a sink adds its records' time, shot and media fields with
:func:`record_payload`, and :meth:`Hit.from_point <reelsearch.core.models.Hit.from_point>`
reads them all back.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from reelsearch.core.models import Asset, Shot
from reelsearch.core.timecode import timecode_to_frames

RECORD_FIELDS = ("start", "end", "fps", "start_frame", "end_frame", "thumbnail", "clip")
"""Fields copied from a record into its point's payload where the record has them."""


def asset_payload(asset: Asset) -> dict[str, Any]:
    """The fields every point of ``asset`` carries: ``asset_id``, ``title``, ``metadata`` and,
    when the asset was probed, ``fps`` and the file's ``media_start_timecode`` (where it has one
    that fits its rate). The runtime stamps them at write time."""
    fields: dict[str, Any] = {
        "asset_id": asset.id,
        "title": asset.title,
        "metadata": dict(asset.metadata),
    }
    if asset.media is not None:
        fields["fps"] = asset.media.fps
        first = asset.media.start_timecode
        if first:
            try:
                timecode_to_frames(first, asset.media.fps)
            except ValueError:
                pass  # the exports refuse it, naming it; the hits count from 00:00:00:00
            else:
                fields["media_start_timecode"] = first
    return fields


def record_payload(record: BaseModel, **extra: Any) -> dict[str, Any]:
    """The standard fields ``record`` has (``start``, ``end``, ``fps``, frames, ``thumbnail``,
    ``clip``, and ``shot_index``: a :class:`Shot`'s own index, else the record's
    ``shot_index`` field), plus ``extra``."""
    fields = {name: getattr(record, name) for name in RECORD_FIELDS if hasattr(record, name)}
    if isinstance(record, Shot):
        fields["shot_index"] = record.index
    elif hasattr(record, "shot_index"):
        fields["shot_index"] = record.shot_index
    return fields | extra


def shot_payload(asset: Asset, shot: Shot, **extra: Any) -> dict[str, Any]:
    """The payload of a point about ``shot`` of ``asset``: the asset's fields, the shot's
    (time range, frames, ``fps``, ``shot_index`` and media links where it has them), plus
    ``extra``."""
    return asset_payload(asset) | record_payload(shot, **extra)
