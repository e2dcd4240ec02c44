"""Where the plugin's records go in the store: ``face_tracks``, ``characters``, ``voices``.

Names given to characters live in their own collection (``character_names``, see
``book.py``) and are stamped on each face track's point once it is written, so that a
re-ingest, or a new run of the ``faces`` algo that finds the same tracks, keeps them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from reelsearch.plugins.characters.names import (
    CHARACTERS,
    FACE,
    FACE_TRACKS,
    NAMES,
    VOICES,
    cluster_id,
    name_key,
    track_id,
)
from reelsearch.plugins.characters.records import Character, FaceTrack, VoicedLine
from reelsearch.sdk import (
    Asset,
    CollectionSpec,
    FieldType,
    Point,
    PointFilter,
    Sink,
    VectorSpec,
    VectorStore,
    point_id,
    record_payload,
)


def names_of(store: VectorStore, asset_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The names and regroupings given to the tracks of ``asset_ids``: track id -> payload
    (``name``, ``group``)."""
    if NAMES not in store.collections():
        return {}
    wanted = PointFilter(asset_ids=list(asset_ids))
    return {p.payload["track"]: p.payload for p in store.points(NAMES, filter=wanted)}


def character_fields(name: str | None) -> dict[str, Any]:
    """The payload fields of a face track that name its character."""
    return {"character": name, "character_key": name_key(name) if name else None}


class FaceTracksSink(Sink[FaceTrack]):
    """One point per face track: its unit-length mean descriptor (``face``), time range,
    shot, crop, and the name of its character where one was given."""

    def __init__(self, algo: str, version: str, dimension: int) -> None:
        self.algo = algo
        self.version = version
        self.dimension = dimension
        self._store: VectorStore | None = None

    def collection(self) -> CollectionSpec:
        return CollectionSpec(
            name=FACE_TRACKS,
            vectors={FACE: VectorSpec(size=self.dimension)},
            indexes={
                "track": FieldType.KEYWORD,
                "character_key": FieldType.KEYWORD,
                "shot_index": FieldType.INTEGER,
            },
        )

    def on_write_start(self, asset: Asset, store: VectorStore) -> None:
        self._store = store

    def on_write_complete(self, asset: Asset, written: int) -> None:
        """Stamp the names given to the asset's tracks on their new points."""
        if self._store is None:
            return
        tracks_of: dict[str, list[str]] = {}
        for track, given in names_of(self._store, [asset.id]).items():
            if given.get("name"):
                tracks_of.setdefault(given["name"], []).append(track)
        for name, tracks in tracks_of.items():
            self._store.set_payload(
                FACE_TRACKS, character_fields(name), filter=PointFilter(fields={"track": tracks})
            )

    def points(self, asset: Asset, records: Sequence[FaceTrack]) -> Iterator[Point]:
        for track in records:
            tid = track_id(asset.id, track.key)
            vector = np.asarray(track.vector, np.float64)
            norm = float(np.linalg.norm(vector)) or 1.0
            yield Point(
                id=point_id(asset.id, self.algo, self.version, track.key),
                vectors={FACE: [float(x) for x in vector / norm]},
                payload=record_payload(
                    track,
                    track=tid,
                    key=track.key,
                    box_sizes=track.box_sizes,
                    **character_fields(None),
                ),
            )


class CharactersSink(Sink[Character]):
    """One payload-only point per character (cluster) of a video: its id, tracks, shots,
    screen time and crop."""

    def __init__(self, algo: str, version: str) -> None:
        self.algo = algo
        self.version = version

    def collection(self) -> CollectionSpec:
        return CollectionSpec(name=CHARACTERS, indexes={"character": FieldType.KEYWORD})

    def points(self, asset: Asset, records: Sequence[Character]) -> Iterator[Point]:
        for character in records:
            tracks = [track_id(asset.id, key) for key in character.tracks]
            yield Point(
                id=point_id(asset.id, self.algo, self.version, character.key),
                payload=record_payload(
                    character,
                    character=cluster_id(tracks[0]),
                    tracks=tracks,
                    shots=character.shots,
                    screen_time=character.screen_time,
                ),
            )


class VoicesSink(Sink[VoicedLine]):
    """One payload-only point per voiced line; once written, the video's dialogue lines get
    their speaker labels (``relabel``)."""

    def __init__(
        self, algo: str, version: str, relabel: Callable[[VectorStore, str], None]
    ) -> None:
        self.algo = algo
        self.version = version
        self._relabel = relabel
        self._store: VectorStore | None = None

    def collection(self) -> CollectionSpec:
        return CollectionSpec(
            name=VOICES, indexes={"voice": FieldType.KEYWORD, "line": FieldType.INTEGER}
        )

    def on_write_start(self, asset: Asset, store: VectorStore) -> None:
        self._store = store

    def points(self, asset: Asset, records: Sequence[VoicedLine]) -> Iterator[Point]:
        for line in records:
            yield Point(
                id=point_id(asset.id, self.algo, self.version, line.line),
                payload=record_payload(
                    line,
                    line=line.line,
                    voice=f"{asset.id}/{line.voice}" if line.voice else None,
                    speaker=line.speaker,
                    faces={track_id(asset.id, key): s for key, s in line.faces.items()},
                ),
            )

    def on_write_complete(self, asset: Asset, written: int) -> None:
        if self._store is not None:
            self._relabel(self._store, asset.id)
