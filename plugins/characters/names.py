"""How tracks, characters and names are named: ids that hold across runs, and name keys."""

from __future__ import annotations

import hashlib

NAMES = "character_names"
"""The collection of names and regroupings given to face tracks (see ``book.py``)."""
FACE_TRACKS = "face_tracks"
CHARACTERS = "characters"
VOICES = "voices"
FACE = "face"
"""The name of the face descriptor vector in ``face_tracks``."""


def track_id(asset_id: str, key: str) -> str:
    """A face track's id in the whole catalog: ``<asset id>/<shot>.<track>``."""
    return f"{asset_id}/{key}"


def cluster_id(first_track: str) -> str:
    """A character's id, from the id of its first track: ``c`` and 8 hex digits. The same
    first track always gives the same id, so ids hold while clusters keep their first track."""
    return "c" + hashlib.sha1(first_track.encode()).hexdigest()[:8]


def name_key(name: str) -> str:
    """How a character's (or speaker's) name is matched: case-folded, whitespace collapsed."""
    return " ".join(name.casefold().split())
