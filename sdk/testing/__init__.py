"""The testing kit for plugin authors.

- :class:`FakeEncoder`: a deterministic encoder with no weights (text and images share a
  space: the query ``"red"`` finds red frames).
- Contract mixins to subclass in your tests: :class:`AlgoContract`, :class:`SinkContract`,
  :class:`SearcherContract`, :class:`PostProcessorContract`, :class:`EncoderContract`,
  :class:`StoreContract`. A contract test that does not apply (a capability the component
  does not declare, a model that cannot load here) is skipped with the reason.
- :func:`write_video`: generate a test video of solid-colour shots (:data:`PALETTE`).
- Fixtures (registered automatically through the ``pytest11`` entry point):
  ``reelsearch_home``, ``throwaway_store``, ``register_plugin``.
"""

from __future__ import annotations

import pytest

# Show the values in a failing contract assertion, not a bare AssertionError.
pytest.register_assert_rewrite(
    "reelsearch.sdk.testing.algo_contract",
    "reelsearch.sdk.testing.encoder_contract",
    "reelsearch.sdk.testing.postprocessor_contract",
    "reelsearch.sdk.testing.searcher_contract",
    "reelsearch.sdk.testing.sink_contract",
    "reelsearch.sdk.testing.store_contract",
)

from reelsearch.core.media.sample import PALETTE, write_video
from reelsearch.core.runtime import Runtime
from reelsearch.sdk.testing.algo_contract import AlgoContract
from reelsearch.sdk.testing.encoder_contract import EncoderContract
from reelsearch.sdk.testing.fake_encoder import FakeEncoder, dominant_colours
from reelsearch.sdk.testing.fixtures import RegisterPlugin
from reelsearch.sdk.testing.postprocessor_contract import PostProcessorContract, sample_hits
from reelsearch.sdk.testing.searcher_contract import SearcherContract
from reelsearch.sdk.testing.sink_contract import SinkContract
from reelsearch.sdk.testing.store_contract import StoreContract

__all__ = [
    "PALETTE",
    "AlgoContract",
    "EncoderContract",
    "FakeEncoder",
    "PostProcessorContract",
    "RegisterPlugin",
    "Runtime",
    "SearcherContract",
    "SinkContract",
    "StoreContract",
    "dominant_colours",
    "sample_hits",
    "write_video",
]
