"""``reelsearch matchcuts``: the best candidate match cuts within a title, as a table, JSON,
CSV, an EDL or OTIO (each pair two adjacent events: the tail of A, the head of B)."""

from __future__ import annotations

import csv
import io
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from reelsearch.cli._app import app, console, errors, out, plain, print_json
from reelsearch.cli.client import server_of_home
from reelsearch.cli.shots import write_export
from reelsearch.core.models import Asset
from reelsearch.core.runtime import Runtime
from reelsearch.matchcuts import MAX_K, MatchCutsAnswer, check_query, export_pairs, match_cuts

NOTHING_TO_PAIR = 3
"""Exit status when the title is analysed but has nothing to pair (too few shots, no people,
no motion): the reason is printed on stderr."""


class PairFormat(StrEnum):
    """What ``matchcuts`` prints."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    EDL = "edl"
    OTIO = "otio"


CSV_FIELDS = (
    "rank",
    "kind",
    "score",
    "title",
    "asset_id",
    "a_shot",
    "a_start",
    "a_end",
    "a_timecode",
    "b_shot",
    "b_start",
    "b_end",
    "b_timecode",
)


@app.command()
def matchcuts(
    title: Annotated[str, typer.Argument(help="The title whose shots are paired.")],
    kind: Annotated[
        str, typer.Option("--kind", help="frame (silhouettes match) or motion (action match).")
    ] = "frame",
    k: Annotated[int, typer.Option("-k", "--top", help=f"How many pairs (1-{MAX_K}).")] = 20,
    output_format: Annotated[
        PairFormat,
        typer.Option("--format", help="table, json, csv, edl (CMX 3600) or otio."),
    ] = PairFormat.TABLE,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to a file instead of stdout.")
    ] = None,
) -> None:
    """The best candidate match cuts within TITLE: from the end of shot A into the start of
    shot B. Needs the title ingested with --algo match_cuts. Exits 3, saying why, when the
    title has nothing to pair (fewer than two shots, no people, no motion)."""
    with errors():
        check_query(title, kind, k)
        client = server_of_home()
        if client is not None:
            answer = MatchCutsAnswer.model_validate(
                client.get("/api/matchcuts", title=title, kind=kind, k=k)
            )
            assets = {
                a: Asset.model_validate(client.get(f"/api/assets/{a}"))
                for a in {p.asset_id for p in answer.pairs}
            }
        else:
            with Runtime() as rs:
                answer = match_cuts(rs, title, kind, k)
                found = {a: rs.catalog.get(a) for a in {p.asset_id for p in answer.pairs}}
                assets = {a: asset for a, asset in found.items() if asset is not None}
        if answer.message is not None:
            console.print(plain(answer.message))
            raise typer.Exit(NOTHING_TO_PAIR)
        if output_format in (PairFormat.EDL, PairFormat.OTIO):
            exported = export_pairs(answer, assets, output_format.value)
    if output_format in (PairFormat.EDL, PairFormat.OTIO):
        write_export(exported, output, f"{len(answer.pairs)} match cuts")
    elif output_format is PairFormat.JSON:
        if output is None:
            print_json(answer.model_dump(mode="json"))
        else:
            write_export(answer.model_dump_json(indent=2) + "\n", output, "match cuts")
    elif output_format is PairFormat.CSV:
        write_export(_csv(answer), output, f"{len(answer.pairs)} match cuts")
    else:
        for row in _rows(answer):
            out.print(
                plain(
                    f"{row['rank']:>3}  {row['score']:.3f}  shot {row['a_shot']} "
                    f"({row['a_timecode']}) -> shot {row['b_shot']} ({row['b_timecode']})  "
                    f"{row['title']}"
                )
            )


def _rows(answer: MatchCutsAnswer) -> list[dict[str, object]]:
    return [
        {
            "rank": p.rank,
            "kind": p.kind,
            "score": round(p.score, 6),
            "title": p.title,
            "asset_id": p.asset_id,
            "a_shot": p.outgoing.shot_index,
            "a_start": round(p.outgoing.start, 6),
            "a_end": round(p.outgoing.end, 6),
            "a_timecode": p.outgoing.start_timecode,
            "b_shot": p.incoming.shot_index,
            "b_start": round(p.incoming.start, 6),
            "b_end": round(p.incoming.end, 6),
            "b_timecode": p.incoming.start_timecode,
        }
        for p in answer.pairs
    ]


def _csv(answer: MatchCutsAnswer) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in _rows(answer):
        # A title starting with = + - @ would be a formula to a spreadsheet.
        title = str(row["title"])
        row["title"] = "'" + title if title[:1] in ("=", "+", "-", "@", "\t", "\r") else title
        writer.writerow(row)
    return buffer.getvalue()
