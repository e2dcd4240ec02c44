"""``reelsearch shots``: a video's shot list as JSON, CSV, an EDL, OTIO or Final Cut XML, without a
store."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from reelsearch.cli._app import app, console, errors, plain, progress_bars
from reelsearch.core.components import AlgoContext
from reelsearch.core.config import load_settings
from reelsearch.core.models import Shot
from reelsearch.core.runtime import Runtime
from reelsearch.exports import ExportFormat, export_shots


@app.command()
def shots(
    video: Annotated[Path, typer.Argument(help="The video to split into shots.")],
    detector: Annotated[
        str, typer.Option(help="Shot detector: content (fast) or transnetv2 (neural).")
    ] = "content",
    output_format: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            help="json, csv, edl (CMX 3600), otio, fcpxml (Final Cut Pro X) or xml (Final Cut "
            "Pro 7 XML, for Premiere and Resolve).",
        ),
    ] = ExportFormat.JSON,
    handles: Annotated[
        float, typer.Option("--handles", min=0, help="Seconds added before and after each shot.")
    ] = 0.0,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to a file instead of stdout.")
    ] = None,
) -> None:
    """Print a video's shots (frame-accurate from its start timecode; end frames exclusive).
    Needs no store."""
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
        text = export_shots(found, asset, output_format, handles=handles)
    write_export(text, output, f"{len(found)} shots")


def write_export(text: str, output: Path | None, what: str) -> None:
    """Print an export on stdout, or write it to ``output`` and say so (``what``) on stderr."""
    if output is None:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    output.write_text(text, encoding="utf-8")
    console.print(plain(f"{what} written to {output}"))
