"""What ``reelsearch search`` prints, from a search response as JSON-like dicts.

The direct run (a :class:`~reelsearch.core.models.SearchResponse` dumped to JSON) and a run
through the server (the server's JSON answer) print through these same functions, so their
output is the same; this module imports only the standard library and the timecode helpers,
so that a search through the server loads no pydantic model.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, TextIO

from reelsearch.core.timecode import source_timecode

OPTIONAL_COLUMNS = ("raw", "speaker", "line", "with")
"""Columns shown only where some hit fills them (raw: where a score was combined)."""

_CONTROL = dict.fromkeys((7, 8, 11, 12, 13))
"""Control characters dropped from printed text (bell, backspace, vertical tab, form feed,
carriage return): a title cannot rewrite the line it is printed on."""


def write_line(text: str, stream: TextIO | None = None) -> None:
    """``text`` and a newline, as it is (never read as markup), control characters dropped."""
    (stream or sys.stdout).write(text.translate(_CONTROL).expandtabs(8) + "\n")


def warn_line(label: str, message: object) -> None:
    """``<label>: <message>`` on stderr, plain."""
    write_line(f"{label}: {message}", sys.stderr)


def hit_timecodes(hit: dict[str, Any]) -> tuple[str | None, str | None]:
    """A hit's start and end source timecodes, counted from its file's start timecode
    (``None`` without a frame rate)."""
    fps = hit.get("fps")
    if not fps:
        return None, None
    first = hit.get("media_start_timecode")
    return source_timecode(hit["start"], fps, first), source_timecode(hit["end"], fps, first)


def hit_document(hit: dict[str, Any]) -> dict[str, Any]:
    """A hit as the ``--json`` output shows it: its fields (``match``, ``raw_score``,
    ``scores``, ``partners`` included) plus its timecodes, and a dialogue line's ``text`` and
    ``speaker`` at the top level."""
    start, end = hit_timecodes(hit)
    extra = hit.get("extra") or {}
    return {
        **hit,
        "start_timecode": start,
        "end_timecode": end,
        **{key: extra[key] for key in ("text", "speaker") if key in extra},
    }


def hit_mode(hit: dict[str, Any]) -> str:
    """How a hit matched: its match mode, else the searcher (or algo) that found it."""
    match = hit.get("match")
    return str(match["mode"] if match else hit.get("searcher") or hit["algo"])


def hit_row(hit: dict[str, Any]) -> dict[str, str]:
    """A hit's cells in the table: score, raw score, mode, title, time, shot, speaker, line,
    what it was intersected with, id."""
    start_tc, end_tc = hit_timecodes(hit)
    start = start_tc or f"{hit['start']:.2f}s"
    end = end_tc or f"{hit['end']:.2f}s"
    match = hit.get("match") or {}
    extra = hit.get("extra") or {}
    line = match.get("text") or extra.get("text")
    speaker = match.get("speaker") or extra.get("speaker")
    raw = hit["raw_score"] if hit.get("raw_score") is not None else hit["score"]
    scores: dict[str, float] = hit.get("scores") or {}
    return {
        "score": f"{hit['score']:.3f}",
        "raw": " ".join(f"{k}={v:.3f}" for k, v in scores.items()) or f"{raw:.3f}",
        "mode": hit_mode(hit),
        "title": hit["title"],
        "time": f"{start}-{end}",
        "shot": "-" if hit.get("shot_index") is None else str(hit["shot_index"]),
        "speaker": str(speaker or "-"),
        "line": " ".join(str(line).split()) if line else "-",
        "with": "; ".join(_partner_cell(p) for p in hit.get("partners") or []) or "-",
        "id": hit["id"],
    }


def _partner_cell(partner: dict[str, Any]) -> str:
    match = partner.get("match") or {}
    said, who = match.get("text"), match.get("speaker")
    what = f"{who}: {said}" if who and said else said or partner.get("searcher") or partner["algo"]
    return f"{what} @{partner['start']:.2f}s"


def hit_lines(hits: list[dict[str, Any]]) -> list[str]:
    """The hits as aligned columns: score, mode, title, time range, shot, and where they say
    something the raw scores, speaker, line and intersected hits; then the id
    ``--like-shot`` takes. Never truncated, whatever the terminal's width."""
    if not hits:
        return ["no hits"]
    cells = [hit_row(hit) for hit in hits]
    shown = [
        column
        for column in cells[0]
        if column not in OPTIONAL_COLUMNS
        or any(row[column] not in ("-", row["score"]) for row in cells)
    ]
    rows = [tuple(shown), *(tuple(row[column] for column in shown) for row in cells)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(shown))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def print_hits(hits: list[dict[str, Any]]) -> None:
    """:func:`hit_lines` on stdout."""
    for line in hit_lines(hits):
        write_line(line)


def search_document(response: dict[str, Any]) -> dict[str, Any]:
    """What ``search --json`` prints for a response."""
    document: dict[str, Any] = {"hits": [hit_document(h) for h in response.get("hits") or []]}
    if response.get("errors"):
        document["errors"] = response["errors"]
    document["total"] = response.get("total")
    document["next_cursor"] = response.get("next_cursor")
    document["warnings"] = response.get("warnings") or []
    if response.get("groups"):
        document["groups"] = response["groups"]
    return document


def print_notes(response: dict[str, Any], warn: Callable[[str, object], None] = warn_line) -> None:
    """A search's failed searchers and its warnings, a line each through ``warn``."""
    for failure in response.get("errors") or []:
        warn(f"search {failure['searcher']!r} failed", failure["message"])
    for warning in response.get("warnings") or []:
        warn("warning", warning)


def print_search(
    response: dict[str, Any],
    *,
    as_json: bool,
    page: int | None,
    cursor: str | None,
    warn: Callable[[str, object], None] = warn_line,
) -> None:
    """A search's failures and warnings (through ``warn``), then its hits as a table or
    JSON, then how to ask for the next page."""
    print_notes(response, warn)
    if as_json:
        sys.stdout.write(json.dumps(search_document(response), indent=2) + "\n")
    else:
        print_hits(response.get("hits") or [])
    following = response.get("next_cursor")
    if following is not None:
        hint = f"--page {page + 1}" if page else f"--cursor {following}"
        if not page and not cursor:
            hint = f"--page 2 (or --cursor {following})"
        write_line(f"more hits: {hint}", sys.stderr)  # a cursor stays whole
