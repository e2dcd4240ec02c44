"""Contract tests every post-processor should pass.

Subclass :class:`PostProcessorContract`, set ``postprocessor_name``, and provide a
``postprocessor_runtime`` fixture (a runtime with the plugin loaded). Override
``postprocessor_request`` to give a request that makes the step do something (the default is
a plain text query) and ``postprocessor_hits`` to give it other hits than :func:`sample_hits`::

    class TestMyStep(PostProcessorContract):
        postprocessor_name = "mine"

        @pytest.fixture
        def postprocessor_runtime(self, register_plugin):
            return register_plugin(my_plugin)
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

import pytest

from reelsearch.core.runtime import Runtime
from reelsearch.sdk import (
    Hit,
    PostProcessor,
    RequestError,
    SearcherFailure,
    SearchRequest,
    SearchResponse,
)


def sample_hits() -> list[Hit]:
    """Hits as searchers return them: two titles, two searchers that share a shot, scores in
    no particular order, shots next to each other."""

    def hit(asset: int, shot: int, searcher: str, score: float) -> Hit:
        return Hit(
            id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"contract/{asset}/{shot}")),
            asset_id=f"{asset:064x}",
            title=f"Title {asset}",
            algo=searcher,
            searcher=searcher,
            score=score,
            start=float(shot),
            end=float(shot + 1),
            shot_index=shot,
            fps=24.0,
        )

    return [
        hit(1, 0, "visual", 0.9),
        hit(2, 3, "visual", 0.7),
        hit(1, 1, "visual", 0.4),
        hit(2, 4, "visual", 0.2),
        hit(1, 1, "dialogue", 0.8),
        hit(2, 0, "dialogue", 0.5),
        hit(1, 5, "dialogue", 0.1),
    ]


def dumps(hits: list[Hit]) -> list[dict[str, Any]]:
    return [hit.model_dump(mode="json") for hit in hits]


class PostProcessorContract:
    """Behaviour every :class:`PostProcessor` must show."""

    postprocessor_name: ClassVar[str]

    @pytest.fixture
    def postprocessor(self, postprocessor_runtime: Runtime) -> PostProcessor[Any]:
        return postprocessor_runtime.component(PostProcessor, self.postprocessor_name)

    @pytest.fixture
    def postprocessor_request(self) -> SearchRequest:
        return SearchRequest(text="contract", limit=10)

    @pytest.fixture
    def postprocessor_hits(self) -> list[Hit]:
        return sample_hits()

    def test_declares_a_strict_config(self, postprocessor: PostProcessor[Any]) -> None:
        assert postprocessor.name == self.postprocessor_name
        assert postprocessor.Config.model_config.get("extra") == "forbid"
        assert isinstance(postprocessor.config, postprocessor.Config)

    def test_request_fields_map_request_fields_to_options(
        self, postprocessor: PostProcessor[Any]
    ) -> None:
        if not postprocessor.request_fields:
            pytest.skip(f"{postprocessor.name!r} takes its options from request.options only")
        for field, option in postprocessor.request_fields.items():
            assert field in SearchRequest.model_fields
            assert option in postprocessor.Config.model_fields

    def test_options_come_validated_from_the_request(
        self, postprocessor: PostProcessor[Any], postprocessor_request: SearchRequest
    ) -> None:
        assert isinstance(postprocessor.options(postprocessor_request), postprocessor.Config)
        bad = postprocessor_request.model_copy(
            update={"options": {postprocessor.name: {"no_such_option": 1}}}
        )
        with pytest.raises(RequestError, match=postprocessor.name):
            postprocessor.options(bad)

    def test_no_hits_stay_no_hits(
        self, postprocessor: PostProcessor[Any], postprocessor_request: SearchRequest
    ) -> None:
        assert postprocessor.process(postprocessor_request, []) == []

    def test_keeps_to_the_assets_and_hits_it_was_given(
        self,
        postprocessor: PostProcessor[Any],
        postprocessor_request: SearchRequest,
        postprocessor_hits: list[Hit],
    ) -> None:
        out = postprocessor.process(postprocessor_request, list(postprocessor_hits))
        assert len(out) <= len(postprocessor_hits)
        assert {h.asset_id for h in out} <= {h.asset_id for h in postprocessor_hits}
        assert all(isinstance(h, Hit) and h.start <= h.end for h in out)

    def test_leaves_its_input_alone(
        self,
        postprocessor: PostProcessor[Any],
        postprocessor_request: SearchRequest,
        postprocessor_hits: list[Hit],
    ) -> None:
        before = dumps(postprocessor_hits)
        postprocessor.process(postprocessor_request, postprocessor_hits)
        assert dumps(postprocessor_hits) == before

    def test_is_deterministic(
        self,
        postprocessor: PostProcessor[Any],
        postprocessor_request: SearchRequest,
        postprocessor_hits: list[Hit],
    ) -> None:
        first = postprocessor.process(postprocessor_request, list(postprocessor_hits))
        again = postprocessor.process(postprocessor_request, list(postprocessor_hits))
        assert dumps(first) == dumps(again)

    def test_says_whether_it_needs_candidates(
        self, postprocessor: PostProcessor[Any], postprocessor_request: SearchRequest
    ) -> None:
        assert isinstance(postprocessor.needs_candidates(postprocessor_request, 1), bool)
        assert isinstance(postprocessor.needs_candidates(postprocessor_request, 2), bool)

    def test_process_response_keeps_what_it_does_not_own(
        self,
        postprocessor: PostProcessor[Any],
        postprocessor_request: SearchRequest,
        postprocessor_hits: list[Hit],
    ) -> None:
        failure = SearcherFailure(searcher="x", algo="x", error="Boom", message="boom")
        response = SearchResponse(
            hits=list(postprocessor_hits), errors=[failure], translated_text="contrat"
        )
        after = postprocessor.process_response(postprocessor_request, response)
        assert isinstance(after, SearchResponse)
        assert after.errors == [failure]
        assert after.translated_text == "contrat"
        assert len(after.hits) <= len(postprocessor_hits)
