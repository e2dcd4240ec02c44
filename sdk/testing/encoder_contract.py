"""Contract tests every encoder should pass: subclass and provide an ``encoder`` fixture."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

from reelsearch.sdk import Encoder, Modality, Vectors

TEXTS = ["a red race car", "a small pink pig on a table", "ask not what your country can do"]


def _images() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [
        np.full((48, 64, 3), (220, 30, 30), dtype=np.uint8),
        np.full((64, 48, 3), (30, 60, 220), dtype=np.uint8),
        rng.integers(0, 256, size=(40, 40, 3), dtype=np.uint8),
    ]


def _inputs(encoder: Encoder, modality: Modality) -> tuple[Callable[[Any], Vectors], Sequence[Any]]:
    """The encoding method and sample inputs for ``modality``; skips undeclared modalities."""
    if modality not in encoder.modalities:
        pytest.skip(f"encoder {encoder.name!r} does not embed {modality}")
    if modality is Modality.TEXT:
        return encoder.encode_text, TEXTS
    return encoder.encode_images, _images()


MODALITIES = pytest.mark.parametrize("modality", [Modality.TEXT, Modality.IMAGE])


class EncoderContract:
    """Behaviour every :class:`Encoder` must show.

    Subclass it in a test module and provide a fixture named ``encoder`` that returns a warmed
    up instance.
    """

    def test_declares_name_modalities_and_dimension(self, encoder: Encoder) -> None:
        assert encoder.name
        assert encoder.modalities
        assert encoder.dimension > 0

    @MODALITIES
    def test_vectors_are_normalised_and_deterministic(
        self, encoder: Encoder, modality: Modality
    ) -> None:
        encode, inputs = _inputs(encoder, modality)
        first = encode(inputs)
        assert first.shape == (len(inputs), encoder.dimension)
        assert first.dtype == np.float32
        assert np.all(np.isfinite(first))
        np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-3)
        np.testing.assert_allclose(first, encode(inputs), atol=1e-5)

    @MODALITIES
    def test_batch_matches_single_inputs(self, encoder: Encoder, modality: Modality) -> None:
        encode, inputs = _inputs(encoder, modality)
        singles = np.concatenate([encode([item]) for item in inputs])
        np.testing.assert_allclose(encode(inputs), singles, atol=1e-4)

    @MODALITIES
    def test_an_empty_batch_gives_no_rows(self, encoder: Encoder, modality: Modality) -> None:
        encode, _ = _inputs(encoder, modality)
        assert encode([]).shape == (0, encoder.dimension)

    def test_different_texts_give_different_vectors(self, encoder: Encoder) -> None:
        encode, inputs = _inputs(encoder, Modality.TEXT)
        a, b = encode(inputs[:2])
        assert float(a @ b) < 0.999

    def test_undeclared_modalities_are_refused(self, encoder: Encoder) -> None:
        if Modality.TEXT not in encoder.modalities:
            with pytest.raises(NotImplementedError):
                encoder.encode_text(TEXTS)
        if Modality.IMAGE not in encoder.modalities:
            with pytest.raises(NotImplementedError):
                encoder.encode_images(_images())
