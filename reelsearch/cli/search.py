"""``reelsearch search``: shots by description, by a still, by a clip or like an indexed shot."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from reelsearch.cli import render
from reelsearch.cli._app import app, errors, out, plain, print_warning
from reelsearch.cli.characters import character_queries
from reelsearch.cli.client import ServerClient, server_of_home
from reelsearch.cli.shots import write_export
from reelsearch.core.errors import (
    ModelUnavailableError,
    ReelsearchError,
    RequestError,
    ServerError,
    validation_problems,
)
from reelsearch.core.models import (
    MAX_LIMIT,
    METADATA_KEY,
    Asset,
    MetadataValue,
    SearchFilter,
    SearchRequest,
    SearchResponse,
)
from reelsearch.core.runtime import Runtime
from reelsearch.exports import ExportFormat, assets_of, export_hits
from reelsearch.search_hints import search_hints


@dataclass
class SearchOptions:
    """What the command line asked for, before it becomes a :class:`SearchRequest`."""

    text: str | None = None
    image: Path | None = None
    like_shot: str | None = None
    clip: Path | None = None
    titles: list[str] = field(default_factory=list)
    metadata: list[str] = field(default_factory=list)
    """``KEY=VALUE`` items."""
    algos: list[str] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)
    """Dialogue lines of these speakers or characters only (with no algos: dialogue only)."""
    characters: list[str] = field(default_factory=list)
    """Only while these named characters are all on screen (alone: their shots)."""
    face: Path | None = None
    """Only while the person in this photo is on screen (alone: that person's shots)."""
    with_texts: list[str] = field(default_factory=list)
    """Only while one of these is said (a dialogue query each, intersected)."""
    with_speakers: list[str] = field(default_factory=list)
    """Only while these speakers speak (alone), or say the ``with_texts``."""
    within: float | None = None
    """Seconds of slack between a hit and what it is intersected with."""
    mode: str | None = None
    """The dialogue match mode: phrase, words, semantic, all or auto."""
    limit: int = 10
    page: int | None = None
    cursor: str | None = None
    group_by: str | None = None
    sort: str | None = None
    min_score: float | None = None


DIALOGUE_MODES = ("auto", "phrase", "words", "semantic", "all")
"""What ``--mode`` takes: the dialogue searcher's match modes."""


def search_request(options: SearchOptions) -> SearchRequest:
    """The request for ``options``.

    ``--speaker`` with no query lists that speaker's lines in time order; ``--with`` and
    ``--with-speaker`` intersect the hits with dialogue (``within`` seconds of slack), as
    ``--character`` and ``--face`` do with who is on screen.

    Raises:
        RequestError: Not exactly one query, a malformed ``KEY=VALUE``, ``--within`` with
            nothing to intersect with, or a value out of range.
    """
    queries = {
        "text": options.text,
        "image": _path(options.image),
        "like": options.like_shot,
        "clip": _path(options.clip),
    }
    given = {kind: value for kind, value in queries.items() if value is not None}
    others = character_queries(options.characters, _path(options.face)) + spoken_queries(
        options.with_texts, options.with_speakers, options.mode
    )
    if options.mode is not None and options.mode not in DIALOGUE_MODES:
        raise RequestError(f"--mode takes {', '.join(DIALOGUE_MODES)}, not {options.mode[:40]!r}")
    main_algos: list[str] = []
    dialogue: dict[str, Any] = {}
    if options.speakers:
        dialogue["speaker"] = options.speakers
    if options.mode:
        dialogue["mode"] = options.mode
    listing = not given and not others and bool(options.speakers)
    if listing:  # --speaker alone: that speaker's lines, in time order
        given = {"text": "lines of " + ", ".join(options.speakers)}
        dialogue["mode"] = "all"
    elif not given and others:  # --character / --face / --with alone: the first is the query
        main = others.pop(0)
        main_algos = main.pop("algos")
        main.pop("limit", None)
        dialogue.update(main.pop("options", {}).get("dialogue", {}))
        given = main
    if len(given) != 1:
        raise RequestError(
            "give one query: TEXT, --image PATH, --like-shot SHOT_ID, --clip PATH, "
            "--speaker NAME, --with TEXT, --character NAME or --face PATH"
            + (f" (got {len(given)})" if given else "")
        )
    if options.within is not None and not others:
        raise RequestError(
            "--within is the slack of an intersection: add --with TEXT, --with-speaker NAME, "
            "--character NAME or --face PATH"
        )
    slack = {"within": options.within} if options.within is not None else {}
    try:
        return SearchRequest(
            **given,
            algos=options.algos or main_algos or (["dialogue"] if dialogue else []),
            intersect=[{"query": query, **slack} for query in others],
            options={"dialogue": dialogue} if dialogue else {},
            filter=SearchFilter(titles=options.titles, metadata=parse_metadata(options.metadata)),
            limit=options.limit,
            page=options.page,
            cursor=options.cursor,
            group_by=options.group_by,
            sort=options.sort or ("time" if listing else "score"),
            min_score=options.min_score,
        )
    except ValidationError as exc:
        problems = validation_problems(exc, "query")
        raise RequestError(f"invalid search: {problems}") from None


SPOKEN_CANDIDATES = 100
"""How many lines of a ``--with`` query count (its best first)."""


def spoken_queries(
    texts: list[str], speakers: list[str], mode: str | None = None
) -> list[dict[str, Any]]:
    """The dialogue queries of ``--with TEXT`` (said by one of ``speakers``, if given, matched
    by ``mode``), or of ``--with-speaker`` alone (any line of theirs), as intersections'
    queries."""
    who = {"speaker": speakers} if speakers else {}
    if texts:
        how = {"mode": mode} if mode else {}
        return [
            {
                "text": text,
                "algos": ["dialogue"],
                "limit": SPOKEN_CANDIDATES,
                "options": {"dialogue": {**who, **how}},
            }
            for text in texts
        ]
    if speakers:
        return [
            {
                "text": "lines of " + ", ".join(speakers),
                "algos": ["dialogue"],
                "limit": MAX_LIMIT,
                "options": {"dialogue": {**who, "mode": "all"}},
            }
        ]
    return []


def parse_metadata(items: list[str]) -> dict[str, MetadataValue]:
    """``KEY=VALUE`` items as a metadata filter: values are read as JSON where they parse as a
    number or boolean, else as text; a key given twice matches any of its values.

    Raises:
        RequestError: An item without ``=``, or whose key is not a name.
    """
    found: dict[str, list[str]] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise RequestError(f"--metadata takes KEY=VALUE, not {item!r}")
        if not METADATA_KEY.fullmatch(key.strip()):
            raise RequestError(
                f"--metadata key {key.strip()[:40]!r} is not a name: use letters, digits, _ and -"
            )
        found.setdefault(key.strip(), []).append(value)
    return {
        key: _scalar(values[0]) if len(values) == 1 else values for key, values in found.items()
    }


def _scalar(value: str) -> MetadataValue:
    lowered = value.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            continue
    return value


def _path(path: Path | None) -> str | None:
    return None if path is None else str(path.expanduser().resolve())


def print_hits(response: SearchResponse) -> None:
    """The hits of ``response`` as aligned columns (see :func:`reelsearch.cli.render.hit_lines`)."""
    render.print_hits([hit.model_dump(mode="json") for hit in response.hits])


@app.command()
def search(
    text: Annotated[
        str | None,
        typer.Argument(metavar="TEXT", help="Describe the shots, e.g. 'a red race car'."),
    ] = None,
    image: Annotated[
        Path | None,
        typer.Option("--image", help="Find shots like this still.", exists=True, dir_okay=False),
    ] = None,
    like_shot: Annotated[
        str | None,
        typer.Option(
            "--like-shot", metavar="SHOT_ID", help="Find shots like this indexed shot (a hit id)."
        ),
    ] = None,
    clip: Annotated[
        Path | None,
        typer.Option(
            "--clip", help="Find shots like this short video.", exists=True, dir_okay=False
        ),
    ] = None,
    title: Annotated[
        list[str] | None, typer.Option("--title", help="Search only this title (repeatable).")
    ] = None,
    metadata: Annotated[
        list[str] | None,
        typer.Option(
            "--metadata",
            metavar="KEY=VALUE",
            help="Only assets whose metadata KEY is VALUE (repeatable).",
        ),
    ] = None,
    algo: Annotated[
        list[str] | None,
        typer.Option("--algo", help="Run only this search, a searcher or algo (repeatable)."),
    ] = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit", "--page-size", "-k", min=1, max=MAX_LIMIT, help="Hits to show (per page)."
        ),
    ] = 10,
    page: Annotated[
        int | None, typer.Option("--page", min=1, help="Show this page of hits, from 1.")
    ] = None,
    cursor: Annotated[
        str | None,
        typer.Option(
            "--cursor", help="Show the page after the one that printed this cursor (--json)."
        ),
    ] = None,
    group_by: Annotated[
        str | None,
        typer.Option(
            "--group-by",
            metavar="title|asset",
            help="Keep each title's (or asset's) hits together.",
        ),
    ] = None,
    sort: Annotated[
        str | None,
        typer.Option(
            "--sort",
            metavar="score|time",
            help="Best first, or by title and time (default: score; time for --speaker alone).",
        ),
    ] = None,
    min_score: Annotated[
        float | None, typer.Option("--min-score", help="Leave out hits scoring below this.")
    ] = None,
    dedupe: Annotated[
        bool, typer.Option("--dedupe", help="One hit per group of near-duplicate shots.")
    ] = False,
    speaker: Annotated[
        list[str] | None,
        typer.Option(
            "--speaker", help="Only lines of this speaker or character (dialogue; repeatable)."
        ),
    ] = None,
    mode: Annotated[
        str | None,
        typer.Option(
            "--mode",
            metavar="auto|phrase|words|semantic|all",
            help="How dialogue matches: the exact phrase, all its words, its meaning, exact "
            "then meaning (auto, the default), or every line (all).",
        ),
    ] = None,
    with_text: Annotated[
        list[str] | None,
        typer.Option(
            "--with",
            metavar="TEXT",
            help="Only while this is said (a dialogue search; repeatable: each of them).",
        ),
    ] = None,
    with_speaker: Annotated[
        list[str] | None,
        typer.Option(
            "--with-speaker",
            metavar="NAME",
            help="Only while this speaker speaks (or says the --with text; repeatable: any).",
        ),
    ] = None,
    within: Annotated[
        float | None,
        typer.Option(
            "--within",
            min=0,
            max=86_400,
            metavar="SECONDS",
            help="Slack of --with, --with-speaker, --character and --face (default 0: overlap).",
        ),
    ] = None,
    character: Annotated[
        list[str] | None,
        typer.Option(
            "--character", help="Only while this named character is on screen (repeatable)."
        ),
    ] = None,
    face: Annotated[
        Path | None,
        typer.Option("--face", help="Only while the person in this photo is on screen."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help='Print {"hits": [...]}.')] = False,
    export_format: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            help="Export the hits as an edit: edl, otio, fcpxml (Final Cut Pro X), xml (Final "
            "Cut Pro 7, Premiere, Resolve), csv or json.",
        ),
    ] = None,
    handles: Annotated[
        float, typer.Option("--handles", min=0, help="Seconds added before and after each hit.")
    ] = 0.0,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the export to this file.")
    ] = None,
) -> None:
    """Find shots across the catalog, or within chosen titles or metadata."""
    options = SearchOptions(
        text=text,
        image=image,
        like_shot=like_shot,
        clip=clip,
        titles=title or [],
        metadata=metadata or [],
        algos=algo or [],
        speakers=speaker or [],
        characters=character or [],
        face=face,
        with_texts=with_text or [],
        with_speakers=with_speaker or [],
        within=within,
        mode=mode,
        limit=limit,
        page=page,
        cursor=cursor,
        group_by=group_by,
        sort=sort,
        min_score=min_score,
    )
    with errors():
        request = search_request(options)
        if dedupe:
            from reelsearch.core.config import load_settings
            from reelsearch.matchcuts import with_dedupe

            request = with_dedupe(request, load_settings())
        name = request.text or "reelsearch hits"
        client = server_of_home()
        if client is not None:
            response = search_through(client, request)  # the server adds its warnings
            if export_format is not None:
                assets = assets_of(response.hits, lambda asset_id: _asset(client, asset_id))
                exported = export_hits(
                    response.hits, assets, export_format, handles=handles, name=name
                )
        else:
            with Runtime() as rs:
                response = rs.search(request)
                response.warnings = search_hints(rs, request, response)
                if export_format is not None:
                    assets = assets_of(response.hits, rs.catalog.get)
                    exported = export_hits(
                        response.hits, assets, export_format, handles=handles, name=name
                    )
    document = response.model_dump(mode="json")
    if export_format is not None:
        render.print_notes(document, warn=print_warning)
        write_export(exported, output, f"{len(response.hits)} hits")
        return
    render.print_search(document, as_json=as_json, page=page, cursor=cursor, warn=print_warning)


def search_through(client: ServerClient, request: SearchRequest) -> SearchResponse:
    """Run ``request`` on the server that owns the data home: a still is uploaded, a clip is
    refused (the server searches by clip only for its own files).

    Raises:
        RequestError: The request searches by clip.
        ServerError: The server refused the request.
    """
    if request.clip is not None:
        raise RequestError(
            f"search by clip is not available through the server at {client.url}, which owns "
            "this data home; search by --image or --like-shot, or stop the server"
        )
    fields = request.model_dump(mode="json", exclude_defaults=True)
    if request.image is not None:
        fields.pop("image")
        answer = client.post_file(
            "/api/search/image", Path(request.image), {"params": json.dumps(fields)}
        )
    else:
        answer = client.post("/api/search", fields)
    return SearchResponse.model_validate(answer)


def _asset(client: ServerClient, asset_id: str) -> Asset | None:
    try:
        return Asset.model_validate(client.get(f"/api/assets/{asset_id}"))
    except ServerError:
        return None


DEMO_TEXT = "a red race car"
VISUAL = "visual"


def demo_visual_searches(rs: Runtime) -> None:
    """The demo's visual searches: a description, then a still of the best hit, then shots like
    it; one plain line instead when visual search cannot run here."""
    try:
        found = rs.search(SearchRequest(text=DEMO_TEXT, algos=[VISUAL], limit=3))
    except ModelUnavailableError:
        out.print(
            "Visual search is unavailable here: the CLIP weights could not be loaded "
            "(set components.encoders.clip.checkpoint to a local file); skipping the text, "
            "image and like-shot searches."
        )
        return
    except ReelsearchError as exc:
        out.print(plain(f"Visual search is unavailable here: {exc}"))
        return
    out.print(plain(f"search {DEMO_TEXT!r}:"))
    print_hits(found)
    if not found.hits:
        return
    best = found.hits[0]
    if best.thumbnail:
        still = rs.settings.home / best.thumbnail  # an absolute thumbnail path stays as it is
        out.print(plain(f"search --image {still}:"))
        print_hits(rs.search(SearchRequest(image=str(still), algos=[VISUAL], limit=3)))
    out.print(plain(f"search --like-shot {best.id}:"))
    print_hits(rs.search(SearchRequest(like=best.id, algos=[VISUAL], limit=3)))
