"""The clip encoder through open_clip's real loading path, with small models built here, and
its errors when weights cannot be had (this machine is offline)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import numpy as np
import pytest
from tiny_clip import LAYOUT_CONFIG, save_clip, save_layout_clip

from reelsearch.plugins.clip import ClipConfig, ClipEncoder, TextCache
from reelsearch.plugins.clip.encoder import pick_device
from reelsearch.sdk import Encoder, ModelUnavailableError
from reelsearch.sdk.testing import EncoderContract

open_clip = pytest.importorskip("open_clip")
torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def model_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_layout_clip(tmp_path_factory.mktemp("clip") / "layout")


@pytest.fixture(scope="module")
def loaded(model_folder: Path) -> ClipEncoder:
    encoder = ClipEncoder(ClipConfig(checkpoint=model_folder))
    encoder.load()
    return encoder


class TestClipEncoderContract(EncoderContract):
    @pytest.fixture
    def encoder(self, loaded: ClipEncoder) -> Encoder:
        return loaded


def test_the_dimension_is_known_without_loading_weights(model_folder: Path) -> None:
    assert ClipEncoder().dimension == 512  # ViT-B-32, from open_clip's bundled config
    assert ClipEncoder(ClipConfig(model="ViT-L-14")).dimension == 768
    from_folder = ClipEncoder(ClipConfig(checkpoint=model_folder))
    assert from_folder.dimension == LAYOUT_CONFIG["embed_dim"]
    assert not from_folder.loaded


def test_warm_up_loads_the_weights_once(model_folder: Path) -> None:
    encoder = ClipEncoder(ClipConfig(checkpoint=model_folder))
    assert encoder.warmed().loaded
    model = encoder.load().model
    assert encoder.warmed().load().model is model


def test_runs_on_the_cpu_in_fp32_without_a_gpu(loaded: ClipEncoder) -> None:
    if torch.cuda.is_available() or torch.backends.mps.is_available():
        pytest.skip("a GPU is present")
    clip = loaded.load()
    assert (clip.device.type, clip.dtype) == ("cpu", torch.float32)
    with pytest.raises(ModelUnavailableError, match="no such device"):
        pick_device("cuda")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_runs_in_fp16_on_a_gpu_with_the_cpu_results(model_folder: Path) -> None:
    gpu = ClipEncoder(ClipConfig(checkpoint=model_folder))
    cpu = ClipEncoder(ClipConfig(checkpoint=model_folder, device="cpu"))
    assert (gpu.load().device.type, gpu.load().dtype) == ("cuda", torch.float16)
    rng = np.random.default_rng(1)
    images = [rng.integers(0, 256, (48, 64, 3), dtype=np.uint8) for _ in range(5)]
    np.testing.assert_allclose(gpu.encode_images(images), cpu.encode_images(images), atol=2e-2)
    texts = ["a red race car", "a pig"]
    np.testing.assert_allclose(gpu.encode_text(texts), cpu.encode_text(texts), atol=2e-2)


def test_a_weights_file_loads_with_its_named_architecture(
    model_folder: Path, loaded: ClipEncoder, tmp_path: Path
) -> None:
    (tmp_path / "reelsearch-layout.json").write_text(json.dumps(LAYOUT_CONFIG))
    open_clip.add_model_config(tmp_path / "reelsearch-layout.json")
    encoder = ClipEncoder(
        ClipConfig(
            model="reelsearch-layout",
            pretrained=None,
            checkpoint=model_folder / "open_clip_pytorch_model.bin",
        )
    )
    still = [np.full((30, 40, 3), (200, 30, 30), dtype=np.uint8)]
    np.testing.assert_allclose(encoder.encode_images(still), loaded.encode_images(still), atol=1e-5)


def test_the_layout_tower_tells_colours_apart(loaded: ClipEncoder) -> None:
    red, red_again, blue = loaded.encode_images(
        [
            np.full((40, 60, 3), (220, 30, 30), dtype=np.uint8),
            np.full((80, 50, 3), (215, 35, 25), dtype=np.uint8),
            np.full((40, 60, 3), (30, 60, 220), dtype=np.uint8),
        ]
    )
    assert red @ red_again > red @ blue


def test_repeated_text_queries_come_from_the_cache(model_folder: Path) -> None:
    encoder = ClipEncoder(ClipConfig(checkpoint=model_folder, text_cache_size=8))
    first = encoder.encode_text(["a red race car", "a pig", "a red race car"])
    assert (encoder.texts.misses, encoder.texts.hits) == (2, 0)
    np.testing.assert_array_equal(encoder.encode_text(["a red race car"])[0], first[0])
    assert encoder.texts.hits == 1
    np.testing.assert_array_equal(first[0], first[2])


def test_the_text_cache_keeps_the_most_recently_used() -> None:
    cache = TextCache(2)
    for text in ("a", "b"):
        cache.put(text, np.full(3, ord(text), dtype=np.float32))
    assert cache.get("a") is not None  # "a" is now more recent than "b"
    cache.put("c", np.zeros(3, dtype=np.float32))
    assert cache.get("b") is None
    assert cache.get("a") is not None
    assert len(cache) == 2
    off = TextCache(0)
    off.put("a", np.zeros(3, dtype=np.float32))
    assert off.get("a") is None


def _fails_fast(config: ClipConfig, match: str) -> None:
    started = time.monotonic()
    with pytest.raises(ModelUnavailableError, match=match) as caught:
        ClipEncoder(config).encode_text(["a red race car"])
    assert time.monotonic() - started < 5.0
    message = str(caught.value)
    assert "components.encoders.clip.checkpoint = " in message
    assert "HF_HUB_OFFLINE" in message


def test_offline_without_cached_weights_is_one_clear_error_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    _fails_fast(
        ClipConfig(cache_dir=tmp_path),
        "CLIP weights unavailable: open_clip ViT-B-32 \\(laion2b_s34b_b79k\\) is not in the "
        "local Hugging Face cache",
    )


def test_an_unreachable_hub_is_one_clear_error_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens on port 9
    _fails_fast(
        ClipConfig(pretrained="openai", cache_dir=tmp_path, download_timeout=2),
        "cannot reach http://127.0.0.1:9",
    )


def test_weights_in_the_hub_cache_are_used_without_the_network(
    model_folder: Path, loaded: ClipEncoder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    snapshot = tmp_path / "models--acme--layout" / "snapshots" / ("0" * 40)
    snapshot.mkdir(parents=True)
    (tmp_path / "models--acme--layout" / "refs").mkdir()
    (tmp_path / "models--acme--layout" / "refs" / "main").write_text("0" * 40)
    (snapshot / "open_clip_pytorch_model.bin").write_bytes(
        (model_folder / "open_clip_pytorch_model.bin").read_bytes()
    )
    (tmp_path / "reelsearch-layout.json").write_text(json.dumps(LAYOUT_CONFIG))
    open_clip.add_model_config(tmp_path / "reelsearch-layout.json")
    tags = open_clip.pretrained._PRETRAINED
    monkeypatch.setitem(tags, "reelsearch-layout", {"acme": {"hf_hub": "acme/layout/"}})
    encoder = ClipEncoder(
        ClipConfig(model="reelsearch-layout", pretrained="acme", cache_dir=tmp_path)
    )
    still = [np.full((30, 40, 3), (30, 200, 30), dtype=np.uint8)]
    np.testing.assert_allclose(encoder.encode_images(still), loaded.encode_images(still), atol=1e-5)


@pytest.mark.parametrize(
    ("config", "match"),
    [
        (ClipConfig(checkpoint=Path("/no/such/model.bin")), "/no/such/model.bin does not exist"),
        (ClipConfig(pretrained="no-such-tag"), "no pretrained tag 'no-such-tag' for ViT-B-32"),
        (ClipConfig(model="ViT-Q-99"), "open_clip has no model named 'ViT-Q-99'"),
        (ClipConfig(pretrained=None), "no CLIP weights configured"),
    ],
)
def test_misconfigured_weights_are_named_in_the_error(config: ClipConfig, match: str) -> None:
    with pytest.raises(ModelUnavailableError, match=re.escape(match)):
        ClipEncoder(config).load()


def test_a_folder_without_weights_or_config_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match=r"needs open_clip_config\.json"):
        ClipEncoder(ClipConfig(checkpoint=tmp_path)).load()
    save_clip(tmp_path / "model", LAYOUT_CONFIG)
    (tmp_path / "model" / "open_clip_pytorch_model.bin").unlink()
    with pytest.raises(ModelUnavailableError, match="holds no weights"):
        ClipEncoder(ClipConfig(checkpoint=tmp_path / "model")).load()


def test_frames_at_the_input_size_are_preprocessed_in_one_batch_exactly(
    loaded: ClipEncoder,
) -> None:
    from PIL import Image as PILImage

    clip = loaded.load()
    assert clip.crop is not None
    rng = np.random.default_rng(2)
    for shape in [(16, 29, 3), (31, 16, 3), (16, 16, 3)]:
        frames = [rng.integers(0, 256, shape, dtype=np.uint8) for _ in range(3)]
        assert clip.crop.fits(frames)
        reference = torch.stack([clip.preprocess(PILImage.fromarray(f)) for f in frames])
        assert torch.equal(clip.crop(frames), reference)
    assert not clip.crop.fits([np.zeros((16, 20, 3), np.uint8), np.zeros((16, 21, 3), np.uint8)])
    assert not clip.crop.fits([np.zeros((40, 60, 3), np.uint8)])
