"""A training run from start to finish, on the driver: gather and split the pairs, decode their
frames into the cache, train on Ray Train (:mod:`reelsearch.training.worker`), follow the
epochs, and write the model folder and its report.

Everything a run needs is recorded in ``<features>/training/<run>/run.json`` before training
starts, and Ray Train keeps its checkpoints and their index in the same folder, so a run that
was killed continues with ``resume``: the workers start from the last checkpoint.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reelsearch.core.config import Settings
from reelsearch.core.errors import ReelsearchError
from reelsearch.core.extras import require
from reelsearch.core.features import FeatureStore
from reelsearch.core.runtime import Runtime
from reelsearch.plugins.clip import ClipEncoder
from reelsearch.plugins.clip.weights import (
    CONFIG_FILE,
    WEIGHTS_FILES,
    architecture,
    locate,
)
from reelsearch.training.frames import CacheStats, FrameCache, FrameSampling
from reelsearch.training.options import HISTORY_FILE, RUN_FILE, RunFolder, TrainOptions
from reelsearch.training.pairs import (
    HELD_OUT,
    ShotText,
    Skipped,
    TrainingError,
    pairs_from_catalog,
    pairs_from_manifest,
    split_by_video,
)
from reelsearch.training.report import write_report

Note = Callable[[str], None]
EpochCallback = Callable[[dict[str, Any], int], None]
POLL_SECONDS = 0.5


def _quiet(_: Any, *__: Any) -> None:
    return None


def default_run_name() -> str:
    return datetime.now(UTC).strftime("run-%Y%m%d-%H%M%S")


def train(
    settings: Settings,
    *,
    manifest: Path | None = None,
    from_catalog: bool = False,
    titles: Sequence[str] = (),
    min_words: int = 3,
    options: TrainOptions | None = None,
    run: str | None = None,
    resume: str | None = None,
    epochs: int | None = None,
    output: Path | None = None,
    on_note: Note = _quiet,
    on_warning: Note = _quiet,
    on_epoch: EpochCallback = _quiet,
) -> dict[str, Any]:
    """Fine-tune the configured CLIP model on shot-text pairs and write it as a model folder.

    Args:
        settings: Where the feature store, the catalog and Ray are; the ``clip`` encoder's and
            ``shot_embeddings`` algo's options say which model and which frames.
        manifest: JSONL or CSV of video, caption and optional start and end (seconds).
        from_catalog: Harvest pairs from the catalog: shots and the dialogue spoken over them.
        titles: With ``from_catalog``, only these titles.
        min_words: With ``from_catalog``, the fewest words of dialogue a shot needs.
        options: Training options.
        run: The new run's name (default: ``run-<UTC time>``).
        resume: Continue this run from its last checkpoint (its recorded pairs and options).
        epochs: With ``resume``, train up to this many epochs in all.
        output: The model folder to write (default ``<home>/models/<run>``).
        on_note: Called with each progress message.
        on_warning: Called with each item left out.
        on_epoch: Called with each epoch's metrics as they arrive, and the epochs planned.

    Returns:
        The report (also written as ``report.json`` next to the model folder's weights).

    Raises:
        TrainingError: Too few pairs, an unknown run, a run that exists, training that failed.
        ManifestError: The manifest cannot be read.
        ModelUnavailableError: The configured CLIP weights are not available.
    """
    require("ray.train", "torch", "open_clip", extra="train", needed_by="reelsearch train")
    store = FeatureStore(settings.features_location)
    if resume is not None:
        folder = RunFolder(store, resume)
        record = folder.read(RUN_FILE)
        if not isinstance(record, dict):
            raise TrainingError(f"no training run {resume!r} in {folder.parent}")
        if epochs is not None:
            record["options"]["epochs"] = max(epochs, record["options"]["epochs"])
        on_note(f"resuming run {resume} from its last checkpoint")
        pairs = [ShotText(**pair) for pair in record["pairs"]]
        sampling = FrameSampling(**record["sampling"])
        kept, stats = FrameCache(store, sampling).ensure(pairs, Skipped())
        if len(kept) != len(pairs):
            raise TrainingError(f"run {resume}: some videos it trained on can no longer be read")
    else:
        folder = RunFolder(store, run or default_run_name())
        if folder.exists():
            raise TrainingError(
                f"training run {folder.name!r} exists; continue it with --resume "
                f"{folder.name}, or choose another --run"
            )
        record, stats = _plan(
            settings,
            store,
            folder,
            manifest,
            from_catalog,
            titles,
            min_words,
            options or TrainOptions(),
            on_note,
            on_warning,
        )
        default = settings.home / "models" / folder.name
        record["output"] = str((output or default).expanduser().resolve())
        folder.write(RUN_FILE, record)
    history, checkpoint = _fit(settings, folder, record, on_epoch)
    target = (output or Path(record["output"])).expanduser().resolve()
    return _finish(folder, record, history, checkpoint, stats, target, resume)


def _plan(
    settings: Settings,
    store: FeatureStore,
    folder: RunFolder,
    manifest: Path | None,
    from_catalog: bool,
    titles: Sequence[str],
    min_words: int,
    options: TrainOptions,
    on_note: Note,
    on_warning: Note,
) -> tuple[dict[str, Any], CacheStats]:
    """Gather, split and cache the pairs; check that training can start; the run's record."""
    if (manifest is None) == (not from_catalog):
        raise TrainingError("give either a manifest or --from-catalog (not both)")
    skipped = Skipped()
    with Runtime(settings) as rs:
        embeddings = rs.algo("shot_embeddings").config
        encoder = rs.component("encoder", embeddings.encoder)
        if not isinstance(encoder, ClipEncoder):
            raise TrainingError(
                f"reelsearch train fine-tunes open_clip models; shot_embeddings uses the "
                f"{encoder.name!r} encoder (set components.algos.shot_embeddings.encoder = 'clip')"
            )
        if manifest is not None:
            pairs = pairs_from_manifest(manifest, skipped)
        else:
            pairs = pairs_from_catalog(rs, skipped, titles=titles, min_words=min_words)
    clip = encoder.config
    source = locate(
        clip.model,
        clip.pretrained,
        clip.checkpoint,
        cache_dir=clip.cache_dir,
        timeout=clip.download_timeout,
    )
    model_cfg = dict(architecture(clip.model, clip.checkpoint))
    if source.options.get("force_quick_gelu"):
        model_cfg["quick_gelu"] = True
    sampling = FrameSampling(
        frames_per_shot=embeddings.frames_per_shot,
        frame_short_side=embeddings.frame_short_side,
        fast_decode=embeddings.fast_decode,
    )
    on_note(f"{len(pairs)} pairs; decoding the frames not cached yet")
    pairs, stats = FrameCache(store, sampling).ensure(pairs, skipped)
    on_note(
        f"frames: {stats.decoded_pairs} pairs decoded from {stats.decoded_videos} videos, "
        f"{stats.cached_pairs} read from the cache"
    )
    for message in skipped.messages:
        on_warning(message)
    if skipped.total:
        counts = ", ".join(f"{n} {reason}" for reason, n in skipped.as_dict().items())
        on_warning(f"left out {skipped.total} rows or shots: {counts}")
    pairs = split_by_video(pairs, options.held_out, options.seed)
    _check_counts(pairs, options)
    return {
        "run": folder.name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": str(manifest.resolve()) if manifest else f"catalog {list(titles) or 'all'}",
        "options": options.model_dump(),
        "clip": json.loads(json.dumps(clip.model_dump(), default=str)),
        "model_cfg": model_cfg,
        "sampling": sampling.model_dump(),
        "skipped": skipped.as_dict(),
        "pairs": [pair.as_dict() for pair in pairs],
    }, stats


def _check_counts(pairs: list[ShotText], options: TrainOptions) -> None:
    training = [p for p in pairs if p.split != HELD_OUT]
    held = {(p.content_hash, p.start_frame, p.end_frame) for p in pairs if p.split == HELD_OUT}
    batch = options.batch_size * options.workers
    if len(training) < batch:
        raise TrainingError(
            f"{len(training)} training pairs, fewer than one batch ({options.batch_size} pairs x "
            f"{options.workers} workers); lower --batch-size or add pairs"
        )
    if options.held_out > 0 and len(held) < 2:
        raise TrainingError(
            f"the held-out split has {len(held)} shots, too few to rank; add videos, raise "
            "--held-out, or pass --held-out 0 to train without measuring"
        )


def _fit(
    settings: Settings, folder: RunFolder, record: dict[str, Any], on_epoch: EpochCallback
) -> tuple[list[dict[str, Any]], Any]:
    """Run the workers on Ray Train; each epoch's metrics go to ``on_epoch`` as they land."""
    import ray
    import ray.train
    from ray.train.torch import TorchTrainer

    from reelsearch.core.executor.ray import RayExecutor
    from reelsearch.training.worker import train_loop

    options = TrainOptions(**record["options"])
    config = {**record, "features": folder.store.location}
    with RayExecutor(address=settings.ray_address, num_cpus=settings.ray_num_cpus):
        _check_cluster(ray.cluster_resources(), options)
        trainer = TorchTrainer(
            train_loop,
            train_loop_config=config,
            scaling_config=ray.train.ScalingConfig(
                num_workers=options.workers, use_gpu=options.gpu
            ),
            run_config=ray.train.RunConfig(
                name=folder.name,
                checkpoint_config=ray.train.CheckpointConfig(num_to_keep=2),
                failure_config=ray.train.FailureConfig(max_failures=0),
                **folder.ray_storage(),
            ),
        )
        stop = threading.Event()
        follower = threading.Thread(
            target=_follow, args=(folder, options.epochs, on_epoch, stop), daemon=True
        )
        follower.start()
        try:
            result = trainer.fit()
        except ReelsearchError:
            raise
        except Exception as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise TrainingError(
                f"training run {folder.name} failed: {reason}; fix the cause and continue it "
                f"with --resume {folder.name}"
            ) from exc
        finally:
            stop.set()
            follower.join()
    history = folder.read(HISTORY_FILE)
    if not isinstance(history, list) or not history or result.checkpoint is None:
        raise TrainingError(f"training run {folder.name} reported no epochs")
    return history, result.checkpoint


def _check_cluster(resources: dict[str, float], options: TrainOptions) -> None:
    kind = "GPU" if options.gpu else "CPU"
    have = resources.get(kind, 0.0)
    if have < options.workers:
        raise TrainingError(
            f"{options.workers} workers need {options.workers} {kind}s; the Ray cluster has "
            f"{have:g}" + ("" if options.gpu else " (set ray_num_cpus or lower --workers)")
        )


def _follow(folder: RunFolder, epochs: int, on_epoch: EpochCallback, stop: threading.Event) -> None:
    """Pass each new epoch of the run's history to ``on_epoch`` until ``stop``."""
    shown = -1
    while True:
        finished = stop.is_set()
        history = folder.read(HISTORY_FILE)
        for row in history if isinstance(history, list) else []:
            if isinstance(row, dict) and int(row.get("epoch", -1)) > shown:
                shown = int(row["epoch"])
                on_epoch(row, epochs)
        if finished:
            return
        time.sleep(POLL_SECONDS)


def _finish(
    folder: RunFolder,
    record: dict[str, Any],
    history: list[dict[str, Any]],
    checkpoint: Any,
    stats: CacheStats,
    target: Path,
    resumed: str | None,
) -> dict[str, Any]:
    """Copy the last checkpoint's model folder to ``target`` and write the report there."""
    target.mkdir(parents=True, exist_ok=True)
    with checkpoint.as_directory() as saved:
        for name in (CONFIG_FILE, WEIGHTS_FILES[1]):
            partial = target / f".{name}.partial"
            shutil.copyfile(Path(saved) / name, partial)
            partial.replace(target / name)
    pairs = [ShotText(**pair) for pair in record["pairs"]]
    held = [p for p in pairs if p.split == HELD_OUT]
    measured = [row for row in history if "R@1" in row]
    clip = record["clip"]
    lines = [
        "[components.encoders.clip]",
        f"model = {json.dumps(clip['model'])}",
        f"checkpoint = {json.dumps(str(target))}",
    ]
    report = {
        "run": folder.name,
        "resumed": resumed is not None,
        "storage": folder.url,
        "model_folder": str(target),
        "source": record["source"],
        "options": record["options"],
        "encoder": {"name": "clip", "config": clip},
        "sampling": record["sampling"],
        "pairs": {
            "train": len(pairs) - len(held),
            "held_out": len(held),
            "videos_train": len({p.content_hash for p in pairs if p.split != HELD_OUT}),
            "videos_held_out": len({p.content_hash for p in held}),
        },
        "skipped": record["skipped"],
        "frames": stats.as_dict(),
        "epochs": history,
        "before": measured[0] if measured else None,
        "after": measured[-1] if measured else None,
        "config_lines": lines,
    }
    write_report(target, report)
    return report
