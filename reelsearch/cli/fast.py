"""The thin client: ``reelsearch search TEXT [options]`` through a running server, before the
command line loads anything else.

When the server of the data home runs, a text search needs no more than the standard library:
its arguments become the request's JSON, the server answers with the hits' JSON, and
:mod:`reelsearch.cli.render` prints them as a direct run would. Only the common options are
read here (:data:`LISTS`, :data:`NUMBERS`, :data:`WORDS`: the table of hits, not ``--json``,
whose hits the server gives with its media links); anything else, no
server, or a request the server refuses goes the full way (:mod:`reelsearch.cli.search`),
which checks the request itself and says what is wrong, so the thin path never changes what a
command prints, only how soon.
"""

from __future__ import annotations

from typing import Any

LISTS = {"--title": "titles", "--algo": "algos"}
"""Repeatable options: the request field of their values."""
NUMBERS: dict[str, tuple[str, type[int] | type[float]]] = {
    "--limit": ("limit", int),
    "--page-size": ("limit", int),
    "-k": ("limit", int),
    "--page": ("page", int),
    "--min-score": ("min_score", float),
}
WORDS = {"--mode": "mode", "--sort": "sort", "--group-by": "group_by", "--cursor": "cursor"}


def parse_search(argv: list[str]) -> dict[str, Any] | None:
    """The arguments of ``search`` (after the command's name) as named values, or ``None``
    when they hold anything the thin path does not read (the full parser then reads them)."""
    found: dict[str, Any] = {"titles": [], "algos": []}
    words = list(argv)
    while words:
        word = words.pop(0)
        if not word.startswith("-") or word == "-":
            if "text" in found:
                return None
            found["text"] = word
            continue
        name, has_value, value = word.partition("=")
        if name not in LISTS and name not in NUMBERS and name not in WORDS:
            return None
        if not has_value:
            if not words:
                return None
            value = words.pop(0)
        if name in LISTS:
            found[LISTS[name]].append(value)
        elif name in WORDS:
            found[WORDS[name]] = value
        else:
            field, kind = NUMBERS[name]
            try:
                found[field] = kind(value)
            except ValueError:
                return None
    return found if found.get("text") else None


def search_fields(found: dict[str, Any]) -> dict[str, Any]:
    """The JSON of the search request that :func:`reelsearch.cli.search.search_request`
    builds for the same arguments (a dialogue ``--mode`` without ``--algo`` searches
    dialogue)."""
    mode = found.get("mode")
    fields: dict[str, Any] = {
        "text": found["text"],
        "algos": found["algos"] or (["dialogue"] if mode else []),
        "filter": {"titles": found["titles"]},
        "sort": found.get("sort") or "score",
    }
    if mode:
        fields["options"] = {"dialogue": {"mode": mode}}
    for name in ("limit", "page", "cursor", "group_by", "min_score"):
        if name in found:
            fields[name] = found[name]
    return fields


def run(argv: list[str]) -> int | None:
    """Run ``argv`` on the thin path: its exit status, or ``None`` when the full command line
    must run it instead."""
    if not argv or argv[0] != "search":
        return None
    found = parse_search(argv[1:])
    if found is None:
        return None
    from reelsearch.cli.client import server_of_home
    from reelsearch.core.errors import ReelsearchError

    try:
        client = server_of_home()
        if client is None:
            return None
        answer = client.post("/api/search", search_fields(found))
    except ReelsearchError:
        return None  # the full path checks the request and says what is wrong
    from reelsearch.cli.render import print_search

    print_search(answer, as_json=False, page=found.get("page"), cursor=found.get("cursor"))
    return 0
