"""``reelsearch train``: fine-tune the configured CLIP model on your own shot-text pairs (a
manifest, or shots and their dialogue from the catalog) on Ray Train, measured on held-out
videos before and after; the result is a model folder the ``clip`` encoder loads."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from reelsearch.cli._app import app, console, errors, out, plain, print_warning
from reelsearch.core.config import load_settings
from reelsearch.training.options import TrainOptions

Freeze = Literal["none", "image", "text"]


def epoch_line(row: dict[str, Any], epochs: int) -> str:
    """One console line per epoch: loss, held-out R@1/5/10, median rank, mAP (percent)."""
    epoch = int(row["epoch"])
    parts = ["before training" if epoch == 0 else f"epoch {epoch}/{epochs}"]
    if row.get("loss") is not None:
        parts.append(f"loss {row['loss']:.4f}")
    if "R@1" in row:
        parts += [f"R@{k} {100 * row[f'R@{k}']:.1f}" for k in (1, 5, 10)]
        parts += [f"median rank {row['median_rank']:g}", f"mAP {100 * row['mAP']:.1f}"]
    if row.get("pairs_per_s"):
        parts.append(f"{row['pairs_per_s']:.1f} pairs/s")
    return "  ".join(parts)


@app.command()
def train(
    manifest: Annotated[
        Path | None,
        typer.Argument(
            help="JSONL or CSV of video, caption and optional start/end in seconds (paths "
            "relative to the manifest).",
            dir_okay=False,
        ),
    ] = None,
    from_catalog: Annotated[
        bool, typer.Option(help="Pairs from the catalog: shots and the dialogue over them.")
    ] = False,
    title: Annotated[
        list[str] | None, typer.Option(help="With --from-catalog: only this title (repeat).")
    ] = None,
    min_words: Annotated[
        int, typer.Option(min=1, help="With --from-catalog: fewest words of dialogue per shot.")
    ] = 3,
    epochs: Annotated[int, typer.Option(min=1, help="Passes over the training pairs.")] = 5,
    batch_size: Annotated[int, typer.Option(min=2, help="Pairs per step and worker.")] = 32,
    lr: Annotated[float, typer.Option(help="Peak learning rate (AdamW).")] = 1e-5,
    weight_decay: Annotated[float, typer.Option(help="AdamW weight decay.")] = 0.2,
    warmup: Annotated[int, typer.Option(min=0, help="Warmup steps, then cosine decay.")] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the split, shuffling and init.")] = 0,
    held_out: Annotated[
        float, typer.Option(help="Share of the videos held out to measure retrieval.")
    ] = 0.2,
    freeze: Annotated[str, typer.Option(help="Keep a tower as it is: none, image or text.")] = (
        "none"
    ),
    train_last: Annotated[
        int | None,
        typer.Option(min=1, help="Train only the last N blocks of each tower, and its head."),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Ray Train workers.")] = 1,
    gpu: Annotated[bool, typer.Option(help="One GPU per worker, mixed precision.")] = False,
    run: Annotated[
        str | None, typer.Option(help="Name of the run (default: run-<UTC time>).")
    ] = None,
    resume: Annotated[
        str | None, typer.Option(help="Continue this run from its last checkpoint.")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Model folder to write (default <home>/models/<run>)."),
    ] = None,
) -> None:
    """Fine-tune the configured CLIP model on shot-text pairs (symmetric InfoNCE, mean-pooled
    frames per shot) on Ray Train; held-out R@1/5/10, median rank and mAP before training and
    after each epoch; writes a model folder with report.json and report.png."""
    from reelsearch.training.run import train as run_training

    with errors():
        options = TrainOptions.of(
            epochs=epochs, batch_size=batch_size, lr=lr, weight_decay=weight_decay,
            warmup=warmup, seed=seed, held_out=held_out, freeze=freeze, train_last=train_last,
            workers=workers, gpu=gpu,
        )  # fmt: skip
        report = run_training(
            load_settings(),
            manifest=manifest,
            from_catalog=from_catalog,
            titles=title or (),
            min_words=min_words,
            options=options,
            run=run,
            resume=resume,
            epochs=epochs if resume else None,
            output=output,
            on_note=lambda message: console.print(plain(message)),
            on_warning=lambda message: print_warning("skipped", message),
            on_epoch=lambda row, total: out.print(plain(epoch_line(row, total))),
        )
    console.print(plain(f"model folder: {report['model_folder']} (report.json, report.png)"))
    console.print(plain(f"checkpoints: {report['storage']}"))
    out.print(plain("To search with it, put in reelsearch.toml:"))
    for line in report["config_lines"]:
        out.print(plain(line))
