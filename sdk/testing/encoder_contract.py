"""Contract tests every encoder should pass: subclass and provide an ``encoder`` fixture."""

from __future__ import annotations

import numpy as np
import pytest

from reelsearch.sdk import Encoder, Modality

TEXTS = ["a red race car", "a small pink pig on a table", "ask not what your country can do"]


def _images() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [
        np.full((48, 64, 3), (220, 30, 30), dtype=np.uint8),
        np.full((64, 48, 3), (30, 60, 220), dtype=np.uint8),
        rng.integers(0, 256, size=(40, 40, 3), dtype=np.uint8),
    ]


class EncoderContract:
    """Behaviour every :class:`Encoder` must show.

    Subclass it in a test module and provide a fixture named ``encoder`` that returns a warmed
    up instance.
    """

    def test_declares_name_modalities_and_dimension(self, encoder: Encoder) -> None:
        assert encoder.name
        assert encoder.modalities
        assert encoder.dimension > 0

    def _check(self, encoder: Encoder, vectors: np.ndarray, count: int) -> None:
        assert vectors.shape == (count, encoder.dimension)
        assert vectors.dtype == np.float32
        assert np.all(np.isfinite(vectors))
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)

    def test_text_vectors_are_normalised_and_deterministic(self, encoder: Encoder) -> None:
        if Modality.TEXT not in encoder.modalities:
            pytest.skip(f"encoder {encoder.name!r} does not embed text")
        first = encoder.encode_text(TEXTS)
        self._check(encoder, first, len(TEXTS))
        np.testing.assert_allclose(first, encoder.encode_text(TEXTS), atol=1e-5)

    def test_text_batch_matches_single_inputs(self, encoder: Encoder) -> None:
        if Modality.TEXT not in encoder.modalities:
            pytest.skip(f"encoder {encoder.name!r} does not embed text")
        batch = encoder.encode_text(TEXTS)
        singles = np.concatenate([encoder.encode_text([t]) for t in TEXTS])
        np.testing.assert_allclose(batch, singles, atol=1e-4)

    def test_different_texts_give_different_vectors(self, encoder: Encoder) -> None:
        if Modality.TEXT not in encoder.modalities:
            pytest.skip(f"encoder {encoder.name!r} does not embed text")
        a, b = encoder.encode_text(TEXTS[:2])
        assert float(a @ b) < 0.999

    def test_image_vectors_are_normalised_and_deterministic(self, encoder: Encoder) -> None:
        if Modality.IMAGE not in encoder.modalities:
            pytest.skip(f"encoder {encoder.name!r} does not embed images")
        images = _images()
        first = encoder.encode_images(images)
        self._check(encoder, first, len(images))
        np.testing.assert_allclose(first, encoder.encode_images(images), atol=1e-5)

    def test_image_batch_matches_single_inputs(self, encoder: Encoder) -> None:
        if Modality.IMAGE not in encoder.modalities:
            pytest.skip(f"encoder {encoder.name!r} does not embed images")
        images = _images()
        batch = encoder.encode_images(images)
        singles = np.concatenate([encoder.encode_images([i]) for i in images])
        np.testing.assert_allclose(batch, singles, atol=1e-4)

    def test_undeclared_modalities_are_refused(self, encoder: Encoder) -> None:
        if Modality.TEXT not in encoder.modalities:
            with pytest.raises(NotImplementedError):
                encoder.encode_text(TEXTS)
        if Modality.IMAGE not in encoder.modalities:
            with pytest.raises(NotImplementedError):
                encoder.encode_images(_images())
