"""schemathesis over the served OpenAPI document: requests generated from the spec, sent to the
app over a small real catalog, must get no server error and answers the spec describes
(status, content type, body schema, headers). The example budget keeps the run to about a
minute on two cores."""

from __future__ import annotations

from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is in the dev extra")

from hypothesis import HealthCheck, given, settings  # noqa: E402  (after the import check)
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from reelsearch.core.runtime import Runtime  # noqa: E402
from reelsearch.server import create_app  # noqa: E402

pytest_plugins = ["served_catalog"]

MAX_EXAMPLES = 30
"""Generated requests per operation: the budget that bounds the run."""

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


OPERATIONS = [
    ("GET", "/api/health"),
    ("GET", "/api/titles"),
    ("GET", "/api/speakers"),
    ("GET", "/api/searches"),
    ("POST", "/api/search"),
    ("POST", "/api/search/image"),
    ("POST", "/api/export"),
    ("GET", "/api/media/{path}"),
    ("GET", "/api/assets/{asset_id}/source"),
    ("GET", "/api/matchcuts"),
    ("POST", "/api/ingest"),
    ("POST", "/api/ingest/upload"),
    ("GET", "/api/jobs"),
    ("GET", "/api/jobs/{job_id}"),
    ("DELETE", "/api/jobs/{job_id}"),
    ("GET", "/api/backfill"),
    ("POST", "/api/backfill"),
    ("GET", "/api/assets"),
    ("GET", "/api/assets/{asset_id}"),
    ("DELETE", "/api/assets/{asset_id}"),
    ("GET", "/api/characters"),
    ("GET", "/api/characters/{character}"),
    ("GET", "/api/characters/across-titles"),
    ("PUT", "/api/characters/{character}/name"),
    ("POST", "/api/characters/{character}/merge"),
    ("POST", "/api/characters/{character}/split"),
]


@pytest.fixture(scope="module")
def api_schema(served_runtime: Runtime) -> Any:
    return schemathesis.openapi.from_asgi("/api/openapi.json", create_app(served_runtime))


def test_every_operation_is_covered(api_schema: Any) -> None:
    found = {(r.ok().method.upper(), r.ok().path) for r in api_schema.get_all_operations()}
    assert found == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_the_api_keeps_to_its_spec(api_schema: Any, method: str, path: str) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def keeps_to_spec(case: Any) -> None:
        case.call_and_validate(checks=CHECKS)

    keeps_to_spec()
