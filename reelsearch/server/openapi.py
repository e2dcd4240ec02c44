"""The OpenAPI document as this server behaves: every error status a route answers, with its
problem-details body (``application/problem+json``); the configured limits on the request's
numbers; the API key scheme only when a key is configured."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from reelsearch.core.config import Settings
from reelsearch.server.problems import PROBLEM_TYPE, Problem, ValidationProblem

KEYED = 401
"""Documented on every keyed route when, and only when, a key is configured."""

SCHEMAS = "#/components/schemas/"


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route that answers the error statuses ``codes``."""
    return {
        code: {
            "description": HTTPStatus(code).phrase,
            "model": ValidationProblem if code == 422 else Problem,
        }
        for code in codes
    }


def install_openapi(app: FastAPI, settings: Settings, keyed: set[str]) -> None:
    """Make ``app`` describe itself as it behaves under ``settings``.

    Args:
        app: The application.
        settings: Its settings (API key, limits).
        keyed: The paths whose routes need the API key when one is configured.
    """

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = _truthful(document, settings, keyed)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _truthful(document: dict[str, Any], settings: Settings, keyed: set[str]) -> dict[str, Any]:
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for model in (Problem, ValidationProblem):
        found = model.model_json_schema(ref_template=SCHEMAS + "{model}")
        schemas.update(found.pop("$defs", {}))
        schemas[model.__name__] = found
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if settings.api_key is not None and path in keyed:
                responses[str(KEYED)] = {"description": HTTPStatus(KEYED).phrase}
            if settings.api_key is None:
                operation.pop("security", None)
            for code, response in responses.items():
                if code.isdigit() and int(code) >= 400:
                    model = ValidationProblem if code == "422" else Problem
                    response["content"] = {
                        PROBLEM_TYPE: {"schema": {"$ref": SCHEMAS + model.__name__}}
                    }
    if settings.api_key is None:
        components.pop("securitySchemes", None)
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    _limit(schemas.get("SearchRequest", {}), settings)
    return document


def _limit(request: dict[str, Any], settings: Settings) -> None:
    """Put the server's caps on a search request's fields into its schema."""
    properties = request.get("properties", {})
    caps = {
        "text": ("maxLength", settings.max_query_chars),
        "limit": ("maximum", settings.max_page_size),
        "offset": ("maximum", settings.max_offset),
    }
    for name, (keyword, value) in caps.items():
        field = properties.get(name)
        if field is None:
            continue
        for option in field.get("anyOf", [field]):
            if option.get("type") in ("string", "integer"):
                option[keyword] = min(value, option.get(keyword, value))
