"""``reelsearch characters``: a title's characters (face clusters), and naming, merging and
splitting them. The ``characters`` plugin does the work; this module only talks to it
through the runtime, so that without the plugin the command says what is missing."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import quote

import typer

from reelsearch.cli._app import app, errors, out, plain, print_json
from reelsearch.cli.client import ServerClient, server_of_home
from reelsearch.core.errors import RequestError
from reelsearch.core.runtime import Runtime

ACTIONS = {"name": 2, "merge": 2, "split": 1}
USAGE = "TITLE | name CHARACTER NAME | merge CHARACTER OTHER | split CHARACTER"
ACROSS = "/api/characters/across-titles"


def book_of(rs: Runtime) -> Any:
    """The character book of the ``characters`` algo (an unknown algo if the plugin is off)."""
    return rs.algo("characters").book(rs.store)


def character_queries(names: list[str], face: str | None) -> list[dict[str, Any]]:
    """The searches ``--character NAME`` (each) and ``--face PATH`` add: queries of the
    ``characters`` searcher, that a search intersects with (or, alone, starts from)."""
    queries: list[dict[str, Any]] = [{"text": name, "algos": ["characters"]} for name in names]
    if face is not None:
        queries.append({"image": face, "algos": ["characters"]})
    return queries


def character_row(view: Any) -> dict[str, Any]:
    """A character as ``--json`` and the HTTP API show it."""
    return view.model_dump(mode="json")


@app.command(no_args_is_help=True)
def characters(
    words: Annotated[list[str] | None, typer.Argument(metavar=USAGE, show_default=False)] = None,
    catalog: Annotated[
        bool,
        typer.Option(
            "--catalog",
            help="Group every title's characters by face: one person per line, with its "
            "characters in each title (name them alike to make them one).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List a title's characters (faces clustered per title: id, name, screen time, shots,
    crop), or edit them: name one, merge two, split one in two. Names stay with the
    characters' face tracks, through re-clustering and re-ingest. With a server running on
    the data home, it goes through the server's /api/characters routes."""
    if catalog or not words:
        return _across_titles(as_json, bool(words))
    action, *rest = words
    edit = action in ACTIONS and len(rest) == ACTIONS[action]
    if not edit and len(words) != 1:
        with errors():
            raise RequestError(f"usage: reelsearch characters {USAGE}")
    with errors():
        client = server_of_home()
        if client is not None:
            rows = _through(client, words) if edit else _listed(client, action)
            if not edit and not rows and not as_json:
                out.print(plain(_none_in(action)))
                return None
            return _show(rows, as_json)
        with Runtime() as rs:
            book = book_of(rs)
            if action == "name" and edit:
                views = [book.name(rest[0], rest[1])]
            elif action == "merge" and edit:
                views = [book.merge(rest[0], rest[1])]
            elif edit:
                views = list(book.split(rest[0]))
            else:
                views = book.characters(book.asset_ids(action))
            if not edit and not views and not as_json:
                out.print(plain(_none_in(action)))
                return None
            return _show([character_row(v) for v in views], as_json)


def _across_titles(as_json: bool, with_words: bool) -> None:
    with errors():
        if with_words:
            raise RequestError("--catalog takes no title or action")
        client = server_of_home()
        if client is not None:
            people = [
                [{**row, "thumbnail": _url(client, row.get("thumbnail_url"))} for row in group]
                for group in (p["characters"] for p in client.get(ACROSS)["people"])
            ]
        else:
            with Runtime() as rs:
                groups = book_of(rs).across_titles()
                people = [[character_row(view) for view in group] for group in groups]
    if as_json:
        print_json({"people": [{"characters": group} for group in people]})
        return
    if not people:
        out.print("no characters in the catalog yet (reelsearch ingest ... --algo characters)")
    for number, group in enumerate(people, 1):
        seconds = sum(row["screen_time"] for row in group)
        out.print(plain(f"person {number}: {seconds:.1f}s on screen in {len(group)} title(s)"))
        for row in group:
            name = row["name"] if row.get("name") is not None else "(unnamed)"
            out.print(plain(f"    {row['id']}  {name}  in {row['title']!r}"))


def _none_in(title: str) -> str:
    return (
        f"no characters in {title!r}: no faces found in it, or its faces are not analysed yet "
        "(reelsearch ingest ... --algo characters)"
    )


def _listed(client: ServerClient, title: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.get("/api/characters", title=title, limit=500)[
        "characters"
    ]
    return [{**row, "thumbnail": _url(client, row.get("thumbnail_url"))} for row in found]


def _through(client: ServerClient, words: list[str]) -> list[dict[str, Any]]:
    """Name, merge or split through the server's routes."""
    action, character, *rest = words
    at = f"/api/characters/{quote(character, safe='')}/{action}"
    if action == "name":
        body = json.dumps({"name": rest[0]}).encode()
        rows = [client.request("PUT", at, body, "application/json")]
    elif action == "merge":
        rows = [client.post(at, {"other": rest[0]})]
    else:
        rows = client.post(at, {})["characters"]
    return [{**row, "thumbnail": _url(client, row.get("thumbnail_url"))} for row in rows]


def _url(client: ServerClient, link: str | None) -> str | None:
    return client.url + link if link else None


def _show(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print_json({"characters": rows})
        return
    for row in rows:
        name = row["name"] if row.get("name") is not None else "(unnamed)"
        shots = ", ".join(str(s) for s in row["shots"])
        out.print(plain(f"{row['id']}  {name}  {row['screen_time']:.1f}s on screen  shots {shots}"))
        if row.get("thumbnail"):
            out.print(plain(f"    crop: {row['thumbnail']}"))
