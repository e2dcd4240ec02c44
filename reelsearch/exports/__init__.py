"""Exports of search hits and shot lists for editors, built on OpenTimelineIO.

``export_hits`` and ``export_shots`` turn hits or shots into a timeline (one clip per hit or
shot, frame-exact at the file's rate, from its embedded start timecode) and write it as a
CMX 3600 EDL, an OTIO file, Final Cut Pro X ``.fcpxml``, Final Cut Pro 7 XML, CSV or JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from reelsearch.core.models import Asset, Hit, Shot
from reelsearch.exports.formats import FIELDS, ExportFormat, event_rows, render
from reelsearch.exports.timeline import (
    METADATA_KEY,
    EditEvent,
    EditSource,
    ExportError,
    build_timeline,
    edit_rate,
    hit_events,
    shot_events,
)

__all__ = [
    "FIELDS",
    "METADATA_KEY",
    "EditEvent",
    "EditSource",
    "ExportError",
    "ExportFormat",
    "assets_of",
    "build_timeline",
    "edit_rate",
    "event_rows",
    "export_hits",
    "export_shots",
    "hit_events",
    "render",
    "shot_events",
]


def export_hits(
    hits: Sequence[Hit],
    assets: Mapping[str, Asset],
    output_format: ExportFormat | str,
    *,
    handles: float = 0.0,
    name: str = "reelsearch hits",
) -> str:
    """Search hits as an edit: one clip per hit, in the order given.

    Args:
        hits: The hits (e.g. a search response's).
        assets: The catalog's asset of every hit, by asset id.
        output_format: edl, otio, fcpxml, xml, csv or json.
        handles: Seconds added before and after each hit, within its file.
        name: The timeline's name (an EDL's TITLE).

    Raises:
        ExportError: No hits, an unknown asset, negative handles, or a format that cannot hold
            these hits (an EDL of files at different frame rates).
    """
    timeline = build_timeline(hit_events(hits, assets), name, handles)
    return render(timeline, output_format)


def assets_of(hits: Sequence[Hit], lookup: Callable[[str], Asset | None]) -> dict[str, Asset]:
    """The asset of each hit that ``lookup`` (e.g. ``Catalog.get``) knows, by asset id."""
    found = {asset_id: lookup(asset_id) for asset_id in {hit.asset_id for hit in hits}}
    return {asset_id: asset for asset_id, asset in found.items() if asset is not None}


def export_shots(
    shots: Sequence[Shot], asset: Asset, output_format: ExportFormat | str, *, handles: float = 0.0
) -> str:
    """A shot list of one asset as an edit: one clip per shot, named after the asset's title.

    Raises:
        ExportError: No shots, or a format that cannot hold them.
    """
    timeline = build_timeline(shot_events(shots, asset), asset.title, handles)
    return render(timeline, output_format)
