"""``reelsearch characters``: a title's characters (face clusters), and naming, merging and
splitting them. The ``characters`` plugin does the work; this module only talks to it
through the runtime, so that without the plugin the command says what is missing."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from reelsearch.cli._app import app, errors, out, plain, print_json
from reelsearch.core.errors import RequestError
from reelsearch.core.runtime import Runtime

ACTIONS = {"name": 2, "merge": 2, "split": 1}
USAGE = "TITLE | name CHARACTER NAME | merge CHARACTER OTHER | split CHARACTER"


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
    words: Annotated[list[str], typer.Argument(metavar=USAGE, show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List a title's characters (faces clustered per title: id, name, screen time, shots,
    crop), or edit them: name one, merge two, split one in two. Names stay with the
    characters' face tracks, through re-clustering and re-ingest."""
    action, *rest = words
    with errors(), Runtime() as rs:
        book = book_of(rs)
        if action in ACTIONS and len(rest) == ACTIONS[action]:
            if action == "name":
                views = [book.name(rest[0], rest[1])]
            elif action == "merge":
                views = [book.merge(rest[0], rest[1])]
            else:
                views = list(book.split(rest[0]))
            return _show(views, as_json)
        if len(words) != 1:
            raise RequestError(f"usage: reelsearch characters {USAGE}")
        title = words[0]
        views = book.characters(book.asset_ids(title))
        if not views and not as_json:
            out.print(
                plain(
                    f"no characters in {title!r}: no faces found in it, or its faces are not "
                    "analysed yet (reelsearch ingest ... --algo characters)"
                )
            )
            return None
        return _show(views, as_json)


def _show(views: list[Any], as_json: bool) -> None:
    if as_json:
        print_json({"characters": [character_row(v) for v in views]})
        return
    for view in views:
        name = view.name if view.name is not None else "(unnamed)"
        shots = ", ".join(str(s) for s in view.shots)
        out.print(plain(f"{view.id}  {name}  {view.screen_time:.1f}s on screen  shots {shots}"))
        if view.thumbnail:
            out.print(plain(f"    crop: {view.thumbnail}"))
