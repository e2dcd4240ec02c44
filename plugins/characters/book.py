"""Naming, merging and splitting characters; what a title's characters are once they are.

The ``characters`` algo's clusters are recomputed whenever its inputs or config change, so
what users decide is kept per face track, in the ``character_names`` collection: a track's
``name``, and its ``group`` when a merge or split moved it out of its computed cluster. A
character is then its computed cluster with regrouped tracks moved out (into the group they
name), and its name is the name most of its tracks carry. A track keeps its id (the video's
catalog id, shot and track number) across re-ingests, so names and regroupings hold.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from reelsearch.plugins.characters.clustering import cluster, split_in_two
from reelsearch.plugins.characters.names import (
    CHARACTERS,
    FACE,
    FACE_TRACKS,
    NAMES,
    VOICES,
    cluster_id,
    name_key,
)
from reelsearch.plugins.characters.sinks import character_fields, names_of
from reelsearch.sdk import (
    CollectionSpec,
    FieldType,
    Point,
    PointFilter,
    RequestError,
    VectorStore,
    point_id,
)

MAX_NAME_CHARS = 100
CLUSTER_ID = re.compile(r"^c[0-9a-f]{8}$")


class UnknownCharacterError(RequestError, LookupError):
    """No character has this id."""


class CharacterView(BaseModel):
    """A character as users see it: computed cluster, regroupings and name applied."""

    id: str = Field(description="c + 8 hex digits; what name, merge and split take.")
    asset_id: str
    title: str
    name: str | None = None
    tracks: list[str]
    shots: list[int]
    screen_time: float = Field(description="Seconds on screen.")
    thumbnail: str | None = Field(default=None, description="Crop of its largest face.")


def check_name(name: str) -> str:
    """``name`` with outer whitespace removed.

    Raises:
        RequestError: It is empty, too long, or holds control characters.
    """
    cleaned = name.strip()
    if not cleaned:
        raise RequestError("a character's name cannot be empty")
    if len(cleaned) > MAX_NAME_CHARS:
        raise RequestError(f"a character's name has at most {MAX_NAME_CHARS} characters")
    if any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in cleaned):
        raise RequestError("a character's name cannot hold control characters")
    return cleaned


class CharacterBook:
    """The characters of the catalog, and the edits users make to them.

    Args:
        store: The store holding the ``faces`` and ``characters`` algos' points.
        relabel: Called with the store and an asset id after names change there, so that
            its dialogue lines' speaker labels follow (the ``voices`` algo's).
    """

    def __init__(
        self, store: VectorStore, relabel: Callable[[VectorStore, str], None] | None = None
    ) -> None:
        self.store = store
        self._relabel = relabel

    # -- reading -------------------------------------------------------------------------

    def asset_ids(self, title: str | None = None) -> list[str]:
        """The assets with computed characters (of ``title``, if given), sorted."""
        if CHARACTERS not in self.store.collections():
            return []
        scope = PointFilter(titles=[title] if title is not None else [])
        return sorted({p.payload["asset_id"] for p in self.store.points(CHARACTERS, filter=scope)})

    def characters(self, asset_ids: Sequence[str]) -> list[CharacterView]:
        """The characters of ``asset_ids``, most screen time first."""
        if not asset_ids or CHARACTERS not in self.store.collections():
            return []
        scope = PointFilter(asset_ids=list(asset_ids))
        tracks = {
            p.payload["track"]: p.payload for p in self.store.points(FACE_TRACKS, filter=scope)
        }
        names = names_of(self.store, asset_ids)
        groups: dict[str, list[str]] = {}
        for point in self.store.points(CHARACTERS, filter=scope):
            for track in point.payload["tracks"]:
                group = names.get(track, {}).get("group") or point.payload["character"]
                groups.setdefault(group, []).append(track)
        views = [
            self._view(group, members, tracks, names)
            for group, members in groups.items()
            if all(m in tracks for m in members)
        ]
        return sorted(views, key=lambda v: (-v.screen_time, v.id))

    def character(self, character: str) -> CharacterView:
        """The character with id ``character``.

        Raises:
            UnknownCharacterError: None has it.
        """
        if not CLUSTER_ID.match(character) or CHARACTERS not in self.store.collections():
            raise UnknownCharacterError(f"no character {character!r}")
        assets = {
            p.payload["asset_id"]
            for p in self.store.points(
                CHARACTERS, filter=PointFilter(fields={"character": character})
            )
        }
        if NAMES in self.store.collections():
            assets |= {
                p.payload["asset_id"]
                for p in self.store.points(NAMES, filter=PointFilter(fields={"group": character}))
            }
        for view in self.characters(sorted(assets)):
            if view.id == character:
                return view
        raise UnknownCharacterError(f"no character {character!r}")

    def across_titles(self, threshold: float = 0.45) -> list[list[CharacterView]]:
        """The catalog's characters grouped by face across videos: each group is one person
        as far as the descriptors tell (the unit mean of each character's tracks, average
        linkage, Euclidean ``threshold``: dlib's 0.6 between raw descriptors is about 0.45
        between unit ones; two photos of one person lie 0.04-0.18 apart, of two people about
        0.58), largest screen time first. Characters already
        named alike are one group whatever their faces. Nothing is stored: name the members
        of a group alike to make them one character everywhere."""
        views = self.characters(self.asset_ids())
        if not views:
            return []
        vectors = self._vectors([t for v in views for t in v.tracks])
        means = []
        for view in views:
            mean = np.mean([vectors[t] for t in view.tracks], axis=0)
            means.append(mean / (np.linalg.norm(mean) or 1.0))
        labels = cluster(np.asarray(means), threshold=threshold)
        by_name = {
            name_key(v.name): label for v, label in zip(views, labels, strict=True) if v.name
        }
        groups: dict[int, list[CharacterView]] = {}
        for view, label in zip(views, labels, strict=True):
            key = by_name.get(name_key(view.name), label) if view.name else label
            groups.setdefault(key, []).append(view)
        return sorted(groups.values(), key=lambda g: (-sum(v.screen_time for v in g), g[0].id))

    def _view(
        self,
        group: str,
        members: list[str],
        tracks: dict[str, dict[str, Any]],
        names: dict[str, dict[str, Any]],
    ) -> CharacterView:
        given = Counter(names[m]["name"] for m in members if names.get(m, {}).get("name"))
        name = min(given, key=lambda n: (-given[n], n)) if given else None
        best = max(members, key=lambda m: (max(tracks[m].get("box_sizes") or [0]), m))
        first = tracks[members[0]]
        return CharacterView(
            id=group,
            asset_id=first["asset_id"],
            title=first["title"],
            name=name,
            tracks=members,
            shots=sorted({tracks[m]["shot_index"] for m in members}),
            screen_time=round(sum(tracks[m]["end"] - tracks[m]["start"] for m in members), 3),
            thumbnail=tracks[best].get("thumbnail"),
        )

    # -- editing -------------------------------------------------------------------------

    def name(self, character: str, name: str | None) -> CharacterView:
        """Give ``character`` a name (``None`` removes it); its tracks keep it."""
        view = self.character(character)
        given = check_name(name) if name is not None else None
        self._set(view.asset_id, view.tracks, name=given)
        return self.character(view.id)

    def merge(self, first: str, second: str) -> CharacterView:
        """Make ``second`` part of ``first``: one character, with ``first``'s id and name (or
        ``second``'s, if ``first`` has none).

        Raises:
            RequestError: They are the same, or in different videos (name both alike
                instead: a name is one character across titles).
        """
        a, b = self.character(first), self.character(second)
        if a.id == b.id:
            raise RequestError(f"{first!r} and {second!r} are the same character")
        if a.asset_id != b.asset_id:
            raise RequestError(
                f"{first} and {second} are in different videos; give them the same name to "
                "make them one character across titles"
            )
        self._set(a.asset_id, a.tracks + b.tracks, name=a.name or b.name, group=a.id)
        return self.character(a.id)

    def split(self, character: str) -> tuple[CharacterView, CharacterView]:
        """Split ``character`` in two by its tracks' descriptors; the part holding its first
        track keeps its id and name, the other gets a new id and no name.

        Raises:
            RequestError: It has one track only.
        """
        view = self.character(character)
        if len(view.tracks) < 2:
            raise RequestError(f"{character} has one face track only; there is nothing to split")
        vectors = self._vectors(view.tracks)
        parts = split_in_two(np.asarray([vectors[t] for t in view.tracks]), metric="cosine")
        kept = [t for t, part in zip(view.tracks, parts, strict=True) if part == 0]
        moved = [t for t, part in zip(view.tracks, parts, strict=True) if part == 1]
        new_id = cluster_id(moved[0])
        self._set(view.asset_id, kept, name=view.name, group=view.id)
        self._set(view.asset_id, moved, name=None, group=new_id)
        return self.character(view.id), self.character(new_id)

    def _vectors(self, tracks: list[str]) -> dict[str, list[float]]:
        found = self.store.points(
            FACE_TRACKS, filter=PointFilter(fields={"track": tracks}), with_vectors=True
        )
        return {p.payload["track"]: p.vectors[FACE] for p in found}

    def _set(
        self, asset_id: str, tracks: Iterable[str], *, name: str | None, group: str | None = None
    ) -> None:
        """Store ``name`` for ``tracks`` and move them to ``group`` (``None``: where they are)."""
        tracks = list(tracks)
        before = names_of(self.store, [asset_id])
        self.store.ensure_collection(
            CollectionSpec(
                name=NAMES,
                indexes={
                    "track": FieldType.KEYWORD,
                    "group": FieldType.KEYWORD,
                    "name_key": FieldType.KEYWORD,
                },
            )
        )
        self.store.upsert(
            NAMES,
            [
                Point(
                    id=point_id(asset_id, NAMES, "1", track),
                    payload={
                        "asset_id": asset_id,
                        "track": track,
                        "name": name,
                        "name_key": name_key(name) if name else None,
                        "group": group or before.get(track, {}).get("group"),
                    },
                )
                for track in tracks
            ],
        )
        self.store.set_payload(
            FACE_TRACKS, character_fields(name), filter=PointFilter(fields={"track": tracks})
        )
        if self._relabel is not None and VOICES in self.store.collections():
            self._relabel(self.store, asset_id)
