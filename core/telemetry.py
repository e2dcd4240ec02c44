"""OpenTelemetry spans around every gateway stage, searcher call and ingest step.

The ``telemetry`` setting says where spans go:

- ``"none"`` (default): to the global OpenTelemetry tracer provider, which does nothing unless
  the embedding application installed one (the usual contract of an instrumented library);
- ``"console"``: each finished span as JSON on stderr;
- ``"otlp"``: batched to an OTLP/HTTP collector at ``otlp_endpoint`` (default: the
  ``OTEL_EXPORTER_OTLP_*`` variables, else ``http://localhost:4318/v1/traces``).

The console and OTLP providers are made once per process per configuration and never set
as the global provider, so an application's own tracing is left alone.
:func:`use_tracer_provider` sends reelsearch's spans to a provider of the caller's choosing
instead (an application's, or a test's in-memory exporter).

Span names: ``gateway.search``, ``gateway.process``, ``gateway.route``,
``gateway.postprocess``, ``searcher.<name>``, ``postprocess.<name>``, ``translator.<name>``,
``pipeline.algo.<name>``. Attributes are prefixed ``reelsearch.``.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)

from reelsearch.core.config import Settings
from reelsearch.core.extras import require

TRACER_NAME = "reelsearch"

Attribute = str | bool | int | float | Sequence[str] | Sequence[int] | Sequence[float]
"""A span attribute value."""

_override: trace.TracerProvider | None = None
_providers: dict[tuple[str, str | None], TracerProvider] = {}
_lock = threading.Lock()


@functools.cache
def _version() -> str:
    try:
        return version("reelsearch")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0"


def use_tracer_provider(provider: trace.TracerProvider | None) -> None:
    """Send reelsearch's spans to ``provider``, whatever the settings say; ``None`` undoes it."""
    global _override
    _override = provider


def tracer_provider(settings: Settings) -> trace.TracerProvider:
    """The provider that receives spans under ``settings`` (see the module docstring)."""
    if _override is not None:
        return _override
    if settings.telemetry == "none":
        return trace.get_tracer_provider()
    key = (settings.telemetry, settings.otlp_endpoint)
    with _lock:
        provider = _providers.get(key)
        if provider is None:
            provider = _providers[key] = _make_provider(*key)
        return provider


def _make_provider(mode: str, endpoint: str | None) -> TracerProvider:
    provider = TracerProvider(
        resource=Resource.create({"service.name": "reelsearch", "service.version": _version()})
    )
    if mode == "console":
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(out=sys.stderr)))
    else:
        provider.add_span_processor(BatchSpanProcessor(_otlp_exporter(endpoint)))
    return provider


def _otlp_exporter(endpoint: str | None) -> SpanExporter:
    require("opentelemetry.exporter.otlp.proto.http", extra="otlp", needed_by='telemetry = "otlp"')
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(endpoint=endpoint)


def tracer(settings: Settings) -> trace.Tracer:
    """reelsearch's tracer under ``settings``."""
    return tracer_provider(settings).get_tracer(TRACER_NAME, _version())


@contextmanager
def span(settings: Settings, name: str, **attributes: Attribute) -> Iterator[trace.Span]:
    """A span named ``name``, current inside the block; an exception leaving the block is
    recorded on it and marks it as an error.

    Keyword arguments become attributes ``reelsearch.<keyword>``.
    """
    with tracer(settings).start_as_current_span(
        name, attributes={f"reelsearch.{key}": value for key, value in attributes.items()}
    ) as current:
        yield current
