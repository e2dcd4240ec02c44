"""``reelsearch evaluate``: text-to-video retrieval metrics of the configured visual encoder on a
(video, caption) manifest, e.g. MSR-VTT 1k-A, to reproduce published comparisons."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from numpy.typing import NDArray
from rich.table import Table

from reelsearch.cli._app import app, console, errors, out, plain, print_warning, progress_bars
from reelsearch.core.components import Encoder
from reelsearch.core.config import load_settings
from reelsearch.core.errors import ModelUnavailableError, RequestError
from reelsearch.core.media.embeddings import mean_pool
from reelsearch.core.runtime import Runtime
from reelsearch.core.store.base import PointFilter
from reelsearch.evaluation import Pair, read_manifest, retrieval_metrics, target_ranks

UNIT = "video: the duration-weighted mean of its shot vectors, L2-normalised"


def asset_ids(rs: Runtime, videos: list[Path], algo: str) -> dict[Path, str]:
    """Ingest ``videos`` with ``algo``; the asset id of each video that made it.

    Raises:
        ModelUnavailableError: The algo could not run here (its model is unavailable).
    """
    with progress_bars() as on_step:
        result = rs.ingest(videos, algos=[algo], strict=False, on_step=on_step)
    for path, error in result.failures.items():
        print_warning(f"skipping {path}", error)
    by_uri = {report.asset.uri: report.asset.id for report in result.reports}
    for report in result.reports:
        if algo in report.skipped:
            raise ModelUnavailableError(f"cannot evaluate {algo}: {report.skipped[algo]}")
    return {
        video: by_uri[str(video.resolve())] for video in videos if str(video.resolve()) in by_uri
    }


def video_vector(rs: Runtime, collection: str, using: str, asset_id: str) -> NDArray[np.float32]:
    """The asset's shot vectors pooled into one, each shot weighted by its duration."""
    points = list(
        rs.store.points(collection, filter=PointFilter(asset_ids=[asset_id]), with_vectors=True)
    )
    if not points:
        raise RequestError(f"asset {asset_id[:12]} has no {collection} vectors")
    vectors = np.array([p.vectors[using] for p in points], dtype=np.float32)
    weights = [max(float(p.payload["end"]) - float(p.payload["start"]), 1e-6) for p in points]
    return mean_pool(vectors, weights)


def evaluate_pairs(rs: Runtime, pairs: list[Pair], algo: str) -> dict[str, Any]:
    """Ingest the pairs' videos, rank every video for every caption, and measure."""
    videos = sorted({pair.video for pair in pairs})
    ids = asset_ids(rs, videos, algo)
    algorithm = rs.algo(algo)
    sink = algorithm.sink()
    if sink is None:
        raise RequestError(f"algo {algo!r} stores no vectors to evaluate")
    spec = sink.collection()
    if len(spec.vectors) != 1:
        raise RequestError(f"algo {algo!r} stores {len(spec.vectors)} vectors per point, not 1")
    (using,) = spec.vectors
    encoder = rs.component("encoder", getattr(algorithm.config, "encoder", None) or using)
    assert isinstance(encoder, Encoder)
    candidates = sorted(set(ids.values()))
    matrix = np.stack([video_vector(rs, spec.name, using, a) for a in candidates])
    kept = [pair for pair in pairs if pair.video in ids]
    captions = encoder.encode_text([pair.caption for pair in kept])
    targets = [candidates.index(ids[pair.video]) for pair in kept]
    ranks = target_ranks(captions @ matrix.T, targets)
    return {
        "algo": algo,
        "encoder": {"name": encoder.name, "config": encoder.config.model_dump(mode="json")},
        "unit": UNIT,
        "videos": len(candidates),
        "captions": len(kept),
        "skipped_videos": [str(v) for v in videos if v not in ids],
        "metrics": retrieval_metrics(ranks).as_dict(),
        "ranks": [
            {"video": str(pair.video), "caption": pair.caption, "rank": int(rank)}
            for pair, rank in zip(kept, ranks, strict=True)
        ],
    }


def print_metrics(metrics: dict[str, Any]) -> None:
    table = Table("queries", "R@1", "R@5", "R@10", "median rank", "mean rank", "mAP")
    table.add_row(
        str(metrics["queries"]),
        *(f"{100 * metrics[f'R@{k}']:.1f}" for k in (1, 5, 10)),
        f"{metrics['median_rank']:g}",
        f"{metrics['mean_rank']:.1f}",
        f"{100 * metrics['mAP']:.1f}",
    )
    out.print(table)


@app.command()
def evaluate(
    manifest: Annotated[
        Path,
        typer.Argument(
            help="JSONL or CSV of video and caption (paths relative to the manifest).",
            exists=True,
            dir_okay=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Results JSON (default: <manifest>.results.json)."),
    ] = None,
    algo: Annotated[str, typer.Option(help="The algo whose vectors are evaluated.")] = (
        "shot_embeddings"
    ),
    home: Annotated[
        Path | None,
        typer.Option(help="Data home of the run (default: <home>/evaluations/<manifest>)."),
    ] = None,
) -> None:
    """Text-to-video retrieval: R@1/5/10, median and mean rank, mAP (in percent) of the
    configured encoder. Each video is one target; each caption one query."""
    with errors():
        pairs = read_manifest(manifest)
        base = load_settings()
        settings = base.model_copy(
            update={"home": home or base.home / "evaluations" / manifest.stem, "store_url": None}
        )
        with Runtime(settings) as rs:
            results = {"manifest": str(manifest.resolve()), **evaluate_pairs(rs, pairs, algo)}
    target = output or Path(f"{manifest.stem}.results.json")
    target.write_text(json.dumps(results, indent=2) + "\n")
    print_metrics(results["metrics"])
    console.print(plain(f"results written to {target}"))
