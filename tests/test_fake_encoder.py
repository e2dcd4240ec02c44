"""The SDK's fake encoder passes the encoder contract and lines text up with colours."""

from __future__ import annotations

import numpy as np
import pytest

from reelsearch.core.media.sample import PALETTE
from reelsearch.sdk.testing import EncoderContract, FakeEncoder, dominant_colours


class TestFakeEncoder(EncoderContract):
    @pytest.fixture
    def encoder(self) -> FakeEncoder:
        encoder = FakeEncoder()
        encoder.warm_up()
        return encoder


@pytest.mark.parametrize("colour", ["red", "blue", "yellow", "green"])
def test_a_colour_name_is_nearest_frames_of_that_colour(colour: str) -> None:
    encoder = FakeEncoder()
    frames = [np.full((18, 32, 3), rgb, dtype=np.uint8) for rgb in PALETTE.values()]
    scores = encoder.encode_images(frames) @ encoder.encode_text([colour])[0]
    assert list(PALETTE)[int(np.argmax(scores))] == colour


def test_dominant_colours_ranks_by_area() -> None:
    frame = np.zeros((10, 10, 3), dtype=np.uint8)
    frame[:7] = PALETTE["red"]
    frame[7:] = PALETTE["blue"]
    assert dominant_colours(frame) == ["red", "blue"]
