"""The SDK's post-processor contract, run against every built-in post-processor, each with a
request that makes it do its work."""

from __future__ import annotations

import pytest

from reelsearch.sdk import Hit, Intersection, SearchRequest
from reelsearch.sdk.testing import PostProcessorContract, RegisterPlugin, Runtime, sample_hits


@pytest.fixture
def postprocessor_runtime(register_plugin: RegisterPlugin) -> Runtime:
    """The installed (built-in) plugins."""
    return register_plugin(object(), name="nothing-else")


class TestMinScore(PostProcessorContract):
    postprocessor_name = "min_score"

    @pytest.fixture
    def postprocessor_request(self) -> SearchRequest:
        return SearchRequest(text="contract", min_score=0.5)


class TestFuse(PostProcessorContract):
    postprocessor_name = "fuse"

    @pytest.fixture
    def postprocessor_request(self) -> SearchRequest:
        return SearchRequest(text="contract", options={"fuse": {"key": "shot"}})


class TestIntersect(PostProcessorContract):
    postprocessor_name = "intersect"

    @pytest.fixture
    def postprocessor_request(self) -> SearchRequest:
        hits = [h for h in sample_hits() if h.searcher == "dialogue"]
        return SearchRequest(text="contract", intersect=[Intersection(hits=hits)])


class TestMerge(PostProcessorContract):
    postprocessor_name = "merge"


class TestSort(PostProcessorContract):
    postprocessor_name = "sort"

    @pytest.fixture
    def postprocessor_request(self) -> SearchRequest:
        return SearchRequest(text="contract", sort="time")


class TestGroup(PostProcessorContract):
    postprocessor_name = "group"

    @pytest.fixture
    def postprocessor_request(self) -> SearchRequest:
        return SearchRequest(text="contract", group_by="title")


class TestPaginate(PostProcessorContract):
    postprocessor_name = "paginate"

    @pytest.fixture
    def postprocessor_request(self) -> SearchRequest:
        return SearchRequest(text="contract", limit=2, offset=1)


def test_the_sample_hits_make_every_step_work(postprocessor_runtime: Runtime) -> None:
    """The contract's hits are worth processing: each step above changes them."""
    from reelsearch.sdk import PostProcessor

    hits = sample_hits()
    requests = {
        "min_score": SearchRequest(text="x", min_score=0.5),
        "fuse": SearchRequest(text="x", options={"fuse": {"key": "shot"}}),
        "sort": SearchRequest(text="x", sort="time"),
        "paginate": SearchRequest(text="x", limit=2, offset=1),
        "merge": SearchRequest(text="x"),
    }
    for name, request in requests.items():
        step = postprocessor_runtime.component(PostProcessor, name)
        out: list[Hit] = step.process(request, list(hits))
        assert [h.model_dump() for h in out] != [h.model_dump() for h in hits], name
