"""Characters: a title's faces clustered into people, with signed links to their crops, and
naming, merging and splitting them (what ``reelsearch characters`` does).

Searching by character goes through ``POST /api/search``: a character's name as ``text`` with
``algos: ["characters"]`` finds the shots where it is on screen, and an ``intersect`` query of
that form keeps the hits of another search made while it is on screen (``--character``); a
photo's face goes through ``POST /api/search/image`` with ``{"algos": ["characters"]}``
(``--face``); ``options: {"dialogue": {"speaker": NAME}}`` keeps the lines a character says.
The ``characters`` plugin does the work; these routes reach it through the runtime only, so
that without the plugin they answer 404 naming the missing algo.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field

from reelsearch.matchcuts import MAX_TITLE_CHARS, UnknownTitleError, title_assets
from reelsearch.server.access import KeyDep
from reelsearch.server.openapi import problems
from reelsearch.server.state import Served, ServedDep

router = APIRouter(tags=["characters"], dependencies=[KeyDep])

MAX_NAME_CHARS = 100
"""The plugin's own cap on a name (it strips and checks it again)."""
MAX_CHARACTERS = 500
CHARACTER_ID = r"^c[0-9a-f]{8}$"
CharacterId = Annotated[
    str, Path(pattern=CHARACTER_ID, description="c and 8 hex digits, as listed.")
]


class CharacterItem(BaseModel):
    """One character of a title: a cluster of face tracks, regroupings and name applied."""

    id: str = Field(description="c + 8 hex digits; what name, merge and split take.")
    asset_id: str
    title: str
    name: str | None = Field(default=None, description="The name given, if any.")
    screen_time: float = Field(description="Seconds on screen, its face tracks added up.")
    shots: list[int] = Field(description="Shots it appears in, ascending.")
    tracks: int = Field(description="How many face tracks it has.")
    thumbnail_url: str | None = Field(
        default=None, description="Signed link to the crop of its largest face."
    )


class CharactersView(BaseModel):
    """Characters, most screen time first; ``total`` counts them all, ``characters`` holds up
    to ``limit`` of them."""

    title: str | None = None
    total: int
    characters: list[CharacterItem]


class NameBody(BaseModel):
    """A name for a character; ``null`` removes the one it has."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(max_length=MAX_NAME_CHARS)


class MergeBody(BaseModel):
    """The character to merge into the one in the path."""

    model_config = ConfigDict(extra="forbid")

    other: str = Field(pattern=CHARACTER_ID)


@router.get("/characters", responses=problems(401, 404, 422, 503))
def characters(
    served: ServedDep,
    title: Annotated[str, Query(min_length=1, max_length=MAX_TITLE_CHARS)],
    limit: Annotated[int, Query(ge=1, le=MAX_CHARACTERS)] = 100,
) -> CharactersView:
    """The characters of ``title``: faces clustered per video, most screen time first, each
    with its name, screen time, shots and a signed link to its crop. An empty list when the
    title has no faces or was not analysed (``--algo characters``); 404 names close titles
    when no video has the title."""
    book = _book(served)
    try:
        title_assets(served.runtime, title)
    except UnknownTitleError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from None
    views = book.characters(book.asset_ids(title))
    return CharactersView(
        title=title, total=len(views), characters=[_item(served, v) for v in views[:limit]]
    )


class PersonView(BaseModel):
    """Characters of several videos whose faces look like one person's."""

    characters: list[CharacterItem]


class PeopleView(BaseModel):
    """The catalog's characters grouped by face across titles, most screen time first."""

    people: list[PersonView]


@router.get("/characters/across-titles", responses=problems(401, 404, 503))
def across_titles(served: ServedDep) -> PeopleView:
    """Every title's characters grouped by face: each group is one person as far as the
    face descriptors tell (characters named alike are one). Nothing is stored: name the
    members of a group alike to make them one character everywhere."""
    groups = _book(served).across_titles()
    return PeopleView(
        people=[PersonView(characters=[_item(served, v) for v in group]) for group in groups]
    )


@router.get("/characters/{character}", responses=problems(401, 404, 422, 503))
def character(served: ServedDep, character: CharacterId) -> CharacterItem:
    """One character by id."""
    return _item(served, _edit(served, "character", character))


@router.put("/characters/{character}/name", responses=problems(400, 401, 404, 422, 503))
def name(served: ServedDep, character: CharacterId, body: NameBody) -> CharacterItem:
    """Name a character (``null`` removes its name). The name stays with its face tracks
    through re-clustering and re-ingest; dialogue lines its voice speaks take it as speaker."""
    return _item(served, _edit(served, "name", character, body.name))


@router.post("/characters/{character}/merge", responses=problems(400, 401, 404, 422, 503))
def merge(served: ServedDep, character: CharacterId, body: MergeBody) -> CharacterItem:
    """Make ``other`` part of this character (same video only): one character with this id,
    and this one's name (or the other's, if this has none)."""
    return _item(served, _edit(served, "merge", character, body.other))


@router.post("/characters/{character}/split", responses=problems(400, 401, 404, 422, 503))
def split(served: ServedDep, character: CharacterId) -> CharactersView:
    """Split a character in two by its face descriptors: the part with its first track keeps
    its id and name, the other gets a new id and no name."""
    parts = _edit(served, "split", character)
    return CharactersView(total=len(parts), characters=[_item(served, p) for p in parts])


def _book(served: Served) -> Any:
    """The ``characters`` algo's book (an unknown-algo 404 when the plugin is not there)."""
    return served.runtime.algo("characters").book(served.runtime.store)


def _edit(served: Served, action: str, character: str, *args: Any) -> Any:
    """Run ``action`` of the book on ``character``; 404 when a character is unknown."""
    book = _book(served)
    try:
        return getattr(book, action)(character, *args)
    except LookupError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from None


def _item(served: Served, view: Any) -> CharacterItem:
    return CharacterItem(
        id=view.id,
        asset_id=view.asset_id,
        title=view.title,
        name=view.name,
        screen_time=view.screen_time,
        shots=view.shots,
        tracks=len(view.tracks),
        thumbnail_url=served.links.media(served.media.relative(view.thumbnail)),
    )
