"""Training data without Ray: manifest ranges, pairs and the rows left out, the split by video,
the frame cache (decode once), and the model side (pooling as shot_embeddings pools, the loss,
which weights train)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from tiny_clip import save_layout_clip
from training_clips import FPS, caption, write_clip, write_dataset

from reelsearch.core.features import FeatureStore
from reelsearch.core.media import prefetch
from reelsearch.core.media.embeddings import embed_shots, sample_frames
from reelsearch.core.models import Shot
from reelsearch.evaluation import ManifestError, Pair, read_manifest
from reelsearch.plugins.clip import ClipConfig, ClipEncoder
from reelsearch.training import frames as frames_module
from reelsearch.training.frames import FrameCache, FrameSampling
from reelsearch.training.model import (
    contrastive_loss,
    embed_pairs,
    load_clip,
    pair_tensors,
    set_trainable,
)
from reelsearch.training.options import TrainOptions
from reelsearch.training.pairs import (
    HELD_OUT,
    TRAIN,
    ShotText,
    Skipped,
    TrainingError,
    pairs_from_manifest,
    split_by_video,
)

SAMPLING = FrameSampling(frames_per_shot=3, frame_short_side=224, fast_decode=True)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("clips") / "clips", colours=3)


@pytest.fixture(scope="module")
def layout_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_layout_clip(tmp_path_factory.mktemp("model") / "layout")


def test_manifest_rows_may_give_a_time_range(tmp_path: Path) -> None:
    jsonl = tmp_path / "m.jsonl"
    jsonl.write_text(
        '{"video": "a.mp4", "caption": "x", "start": 1.5, "end": 3}\n'
        '{"video": "a.mp4", "caption": "y", "end": 2}\n'
        '{"video": "b.mp4", "caption": "z"}\n'
    )
    assert read_manifest(jsonl) == [
        Pair(tmp_path / "a.mp4", "x", 1.5, 3.0),
        Pair(tmp_path / "a.mp4", "y", None, 2.0),
        Pair(tmp_path / "b.mp4", "z"),
    ]
    csv = tmp_path / "m.csv"
    csv.write_text("video,caption,start,end\na.mp4,x,0.5,1\nb.mp4,y,,\n")
    assert read_manifest(csv) == [
        Pair(tmp_path / "a.mp4", "x", 0.5, 1.0),
        Pair(tmp_path / "b.mp4", "y"),
    ]


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ('{"video": "a.mp4", "caption": "x", "start": 3, "end": 2}', "'end' must come after"),
        ('{"video": "a.mp4", "caption": "x", "start": -1}', "finite number >= 0"),
        ('{"video": "a.mp4", "caption": "x", "end": NaN}', "finite number >= 0"),
        ('{"video": "a.mp4", "caption": "x", "start": "soon"}', "number of seconds"),
        ('{"video": "a.mp4", "caption": "x", "start": true}', "number of seconds"),
    ],
)
def test_a_bad_range_is_one_error_naming_the_line(tmp_path: Path, row: str, problem: str) -> None:
    manifest = tmp_path / "m.jsonl"
    manifest.write_text('{"video": "ok.mp4", "caption": "fine"}\n' + row + "\n")
    with pytest.raises(ManifestError, match=rf"m.jsonl:2: .*{problem}"):
        read_manifest(manifest)


def test_pairs_cover_their_range_and_bad_rows_are_counted(tmp_path: Path) -> None:
    video = write_clip(tmp_path / "two.mp4", [("red", "disc", "left"), ("blue", "square", "right")])
    (tmp_path / "junk.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    rows = [
        {"video": "two.mp4", "caption": caption("red", "disc"), "end": 1},
        {"video": "two.mp4", "caption": caption("blue", "square"), "start": 1},
        {"video": "missing.mp4", "caption": "gone"},
        {"video": "junk.mp4", "caption": "not a video"},
        {"video": "two.mp4", "caption": "   "},
        {"video": "two.mp4", "caption": "too late", "start": 50},
        {"video": "two.mp4", "caption": "x" * 5000},
    ]
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("".join(json.dumps(row) + "\n" for row in rows))
    skipped = Skipped()
    pairs = pairs_from_manifest(manifest, skipped)
    assert [(p.start_frame, p.end_frame) for p in pairs] == [(0, FPS), (FPS, 2 * FPS)]
    assert {p.video for p in pairs} == {str(video.resolve())}
    assert skipped.as_dict() == {
        "caption too long": 1,
        "empty caption": 1,
        "range outside the video": 1,
        "unreadable video": 2,
    }
    assert any("m.jsonl:3: " in m and "missing.mp4" in m for m in skipped.messages)


def test_the_split_is_by_video_and_the_same_for_a_seed() -> None:
    pairs = [
        ShotText(f"/v{v}.mp4", f"h{v}", shot, shot + 10, f"c{v}{shot}")
        for v in range(10)
        for shot in (0, 10)
    ]
    split = split_by_video(pairs, 0.3, seed=7)
    held = {p.content_hash for p in split if p.split == HELD_OUT}
    assert len(held) == 3
    assert not held & {p.content_hash for p in split if p.split == TRAIN}
    assert split == split_by_video(reversed(pairs), 0.3, seed=7)[::-1]
    assert held != {p.content_hash for p in split_by_video(pairs, 0.3, 8) if p.split == HELD_OUT}
    assert all(p.split == TRAIN for p in split_by_video(pairs, 0.0, 7))


def test_frames_are_decoded_once_then_read_from_the_feature_store(
    clips: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoded: list[str] = []
    real = prefetch.prefetch_frames

    def counting(video: str, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        decoded.append(video)
        return real(video, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(frames_module, "prefetch_frames", counting)
    pairs = pairs_from_manifest(clips, Skipped())
    cache = FrameCache(FeatureStore(tmp_path / "features"), SAMPLING)
    kept, stats = cache.ensure(pairs, Skipped())
    assert kept == pairs
    assert len(decoded) == len(pairs) == 12
    assert stats.as_dict() == {"cached_pairs": 0, "decoded_pairs": 12, "decoded_videos": 12}

    again = FrameCache(FeatureStore(tmp_path / "features"), SAMPLING)  # a rerun, another process
    kept, stats = again.ensure(pairs, Skipped())
    assert len(decoded) == 12, "the second pass decoded again"
    assert stats.as_dict() == {"cached_pairs": 12, "decoded_pairs": 0, "decoded_videos": 0}
    frames = again.load(pairs[0])
    assert frames.shape == (3, 48, 64, 3)
    assert frames.dtype == np.uint8
    # the shot_embeddings algo's frames: the same numbers, decoded the same way
    numbers = sample_frames(pairs[0].start_frame, pairs[0].end_frame, 3)
    direct = dict(real(pairs[0].video, numbers, (64, 48), skip_loop_filter=True))
    assert np.array_equal(frames, np.stack([direct[n] for n in numbers]))

    other = FrameCache(
        FeatureStore(tmp_path / "features"), SAMPLING.model_copy(update={"frames_per_shot": 2})
    )
    assert other.ensure(pairs[:1], Skipped())[1].decoded_pairs == 1  # other sampling, other key


def test_a_shot_is_pooled_as_the_shot_embeddings_algo_pools_it(
    clips: Path, layout_clip: Path, tmp_path: Path
) -> None:
    pairs = pairs_from_manifest(clips, Skipped())[:4]
    cache = FrameCache(FeatureStore(tmp_path / "features"), SAMPLING)
    cache.ensure(pairs, Skipped())
    clip = load_clip({"checkpoint": str(layout_clip)})
    data = pair_tensors(clip, [cache.load(p) for p in pairs], [p.caption for p in pairs], 3)
    clip.model.eval()
    with torch.no_grad():
        shots, texts, _ = embed_pairs(clip.model, data.pixels, data.mask, data.tokens)
    encoder = ClipEncoder(ClipConfig(checkpoint=layout_clip, device="cpu"))
    for pair, vector in zip(pairs, shots, strict=True):
        shot = Shot(
            asset_id="a", index=0, start_frame=pair.start_frame, end_frame=pair.end_frame, fps=FPS
        )
        (expected,) = embed_shots(
            encoder, pair.video, [shot], frames_per_shot=3, skip_loop_filter=True
        )
        assert expected is not None
        assert np.allclose(vector.numpy(), expected, atol=1e-5)
    assert np.allclose(texts.numpy(), encoder.encode_text([p.caption for p in pairs]), atol=1e-5)  # type: ignore[union-attr]


def test_the_loss_is_symmetric_infonce() -> None:
    shots = torch.nn.functional.normalize(torch.randn(5, 8), dim=-1)
    texts = torch.nn.functional.normalize(torch.randn(5, 8), dim=-1)
    scale = torch.tensor(10.0)
    logits = scale * shots @ texts.T
    labels = torch.arange(5)
    expected = (
        torch.nn.functional.cross_entropy(logits, labels)
        + torch.nn.functional.cross_entropy(logits.T, labels)
    ) / 2
    assert torch.isclose(contrastive_loss(shots, texts, scale), expected)
    assert torch.isclose(contrastive_loss(texts, shots, scale), expected)
    assert contrastive_loss(shots, shots, scale) < contrastive_loss(shots, texts, scale)


def test_freezing_keeps_a_tower_and_train_last_keeps_the_early_blocks(layout_clip: Path) -> None:
    model = load_clip({"checkpoint": str(layout_clip)}).model
    trained = set_trainable(model, "image", None)
    assert "logit_scale" in trained
    assert "token_embedding.weight" in trained
    assert not any(name.startswith("visual.") for name in trained)
    assert all(p.requires_grad == (n in trained) for n, p in model.named_parameters())

    trained = set_trainable(model, "none", 1)  # one block per tower: the last
    assert "visual.proj" in trained
    assert "text_projection" in trained
    assert "ln_final.weight" in trained
    assert "token_embedding.weight" not in trained
    assert "visual.conv1.weight" not in trained
    assert any(".resblocks.0." in name for name in trained)  # layout: 1 block, text: 1 block


def test_bad_options_are_one_error() -> None:
    with pytest.raises(TrainingError, match="freeze"):
        TrainOptions.of(freeze="both")
    with pytest.raises(TrainingError, match="held_out"):
        TrainOptions.of(held_out=1.5)
    assert TrainOptions.of(epochs=2).epochs == 2
