"""OpenTelemetry spans around the gateway's stages, each searcher and post-processor, and each
algo an ingest runs, read back from an in-memory exporter."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from pydantic import BaseModel
from search_toys import SearchToys

from reelsearch.core import telemetry
from reelsearch.core.config import load_settings
from reelsearch.sdk import Algo, AlgoContext, SearchRequest, hookimpl
from reelsearch.sdk.testing.fixtures import RegisterPlugin


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    """Every span reelsearch makes during the test."""
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    telemetry.use_tracer_provider(provider)
    yield memory
    telemetry.use_tracer_provider(None)
    provider.shutdown()


def by_name(exporter: InMemorySpanExporter) -> dict[str, ReadableSpan]:
    return {span.name: span for span in exporter.get_finished_spans()}


def parent_of(spans: dict[str, ReadableSpan], name: str) -> str | None:
    parent = spans[name].parent
    found = [n for n, s in spans.items() if parent and s.context.span_id == parent.span_id]
    return found[0] if found else None


def test_every_gateway_stage_searcher_and_post_processor_has_a_span(
    register_plugin: RegisterPlugin, exporter: InMemorySpanExporter
) -> None:
    rs = register_plugin(SearchToys, plugins=["postprocessors"])
    rs.search(SearchRequest(text="car", algos=["toy-visual", "toy-lines", "broken"]))
    spans = by_name(exporter)
    assert parent_of(spans, "gateway.search") is None
    for stage in ("gateway.process", "gateway.route", "gateway.postprocess"):
        assert parent_of(spans, stage) == "gateway.search"
    for searcher in ("searcher.toy-visual", "searcher.toy-lines", "searcher.broken"):
        assert parent_of(spans, searcher) == "gateway.route"  # across the worker threads
    for post in ("min_score", "fuse", "intersect", "sort", "group", "paginate"):
        assert parent_of(spans, f"postprocess.{post}") == "gateway.postprocess"

    visual = spans["searcher.toy-visual"].attributes or {}
    assert (visual["reelsearch.algo"], visual["reelsearch.hits"]) == ("frames", 5)
    assert visual["reelsearch.asset_ids"] == ("a1", "a2")
    fuse = spans["postprocess.fuse"].attributes or {}
    assert (fuse["reelsearch.hits_in"], fuse["reelsearch.hits_out"]) == (7, 7)
    assert (spans["gateway.search"].attributes or {})["reelsearch.hits"] == 7
    assert spans["gateway.search"].status.status_code != StatusCode.ERROR

    broken = spans["searcher.broken"]
    assert broken.status.status_code == StatusCode.ERROR
    assert [event.name for event in broken.events] == ["exception"]


def test_an_intersection_nests_the_other_search(
    register_plugin: RegisterPlugin, exporter: InMemorySpanExporter
) -> None:
    rs = register_plugin(SearchToys, plugins=["postprocessors"])
    other = SearchRequest(text="merry christmas", algos=["toy-lines"])
    rs.search(SearchRequest(text="car", algos=["toy-visual"], intersect=[{"query": other}]))
    searches = [s for s in exporter.get_finished_spans() if s.name == "gateway.search"]
    assert len(searches) == 2
    inner, outer = searches  # the inner one finishes first
    assert inner.parent is not None
    assert outer.parent is None
    route = next(s for s in exporter.get_finished_spans() if s.name == "gateway.route")
    assert route.context.trace_id == inner.context.trace_id


class Count(BaseModel):
    frames: int


class CountFrames(Algo[Count]):
    name = "count-frames"
    version = "1"
    Record = Count

    def run(self, ctx: AlgoContext) -> list[Count]:
        assert ctx.asset.media is not None
        return [Count(frames=ctx.asset.media.frame_count)]


class Counting:
    @staticmethod
    @hookimpl
    def register_algos(register: object) -> None:
        register(CountFrames)  # type: ignore[operator]


def test_each_algo_an_ingest_runs_has_a_span(
    register_plugin: RegisterPlugin, exporter: InMemorySpanExporter, make_video: object
) -> None:
    video: Path = make_video("count.mp4", [("red", 6)])  # type: ignore[operator]
    rs = register_plugin(Counting, plugins=[])
    (report,) = rs.ingest([video], algos=["count-frames"]).reports
    span = by_name(exporter)["pipeline.algo.count-frames"]
    attributes = span.attributes or {}
    assert attributes["reelsearch.asset_ids"] == (report.asset.id,)
    assert (attributes["reelsearch.version"], attributes["reelsearch.computed"]) == ("1", 1)


def test_console_telemetry_prints_spans_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(telemetry, "_providers", {})
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    settings = load_settings(telemetry="console")
    with telemetry.span(settings, "gateway.search", algos=["toy-visual"]):
        pass
    printed = json.loads(sys.stderr.getvalue())  # type: ignore[attr-defined]
    assert printed["name"] == "gateway.search"
    assert printed["attributes"] == {"reelsearch.algos": ["toy-visual"]}
    assert printed["resource"]["attributes"]["service.name"] == "reelsearch"


def test_otlp_telemetry_makes_one_provider_per_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(telemetry, "_providers", {})
    settings = load_settings(telemetry="otlp", otlp_endpoint="http://collector:4318/v1/traces")
    provider = telemetry.tracer_provider(settings)
    try:
        assert isinstance(provider, TracerProvider)
        assert telemetry.tracer_provider(settings.model_copy()) is provider
    finally:
        provider.shutdown()  # nothing was recorded, so nothing is sent
