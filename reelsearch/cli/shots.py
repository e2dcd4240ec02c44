"""``reelsearch shots``: a video's shot list as JSON, CSV or a CMX3600 EDL, without a store."""

from __future__ import annotations

import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from reelsearch.cli._app import app, console, errors, plain, progress_bars
from reelsearch.core.components import AlgoContext
from reelsearch.core.config import load_settings
from reelsearch.core.media import shots_to_csv, shots_to_edl, shots_to_json
from reelsearch.core.models import Shot
from reelsearch.core.runtime import Runtime


class ShotListFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    EDL = "edl"


@app.command()
def shots(
    video: Annotated[Path, typer.Argument(help="The video to split into shots.")],
    detector: Annotated[
        str, typer.Option(help="Shot detector: content (fast) or transnetv2 (neural).")
    ] = "content",
    output_format: Annotated[
        ShotListFormat, typer.Option("--format", help="Output format.")
    ] = ShotListFormat.JSON,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to a file instead of stdout.")
    ] = None,
) -> None:
    """Print a video's shots (frame-accurate; end frames exclusive). Needs no store."""
    with errors():
        base = load_settings()
        options = {**base.options_of("algo", "shots"), "detector": detector, "thumbnails": False}
        algos = {**base.components.get("algos", {}), "shots": options}
        settings = base.model_copy(update={"components": {**base.components, "algos": algos}})
        rs = Runtime(settings)
        asset = rs.asset(video)
        algo = rs.algo("shots")
        with tempfile.TemporaryDirectory() as scratch, progress_bars() as on_step:
            ctx = AlgoContext(asset, {}, Path(scratch), rs.components, on_step("shots", asset))
            found = [Shot.model_validate(r.model_dump()) for r in algo.run(ctx)]
        if output_format is ShotListFormat.JSON:
            text = shots_to_json(found)
        elif output_format is ShotListFormat.CSV:
            text = shots_to_csv(found)
        else:
            text = shots_to_edl(found, title=asset.title, clip_name=video.name)
    if output is None:
        typer.echo(text, nl=not text.endswith("\n"))
    else:
        output.write_text(text)
        console.print(plain(f"{len(found)} shots written to {output}"))
