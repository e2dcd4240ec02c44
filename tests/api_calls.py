"""Calls to the HTTP API for the server tests: an app with other settings, a checked search,
a PNG to upload. (Not in the ``served_catalog`` plugin: a test module that imports the plugin
before pytest loads it gets a warning about assertion rewriting, an error under ``-W error``.)"""

from __future__ import annotations

import io
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

from reelsearch.core.runtime import Runtime
from reelsearch.server import create_app


def app_with(runtime: Runtime, **settings: Any) -> FastAPI:
    """An app over the shared runtime with other server settings."""
    return create_app(runtime, settings=runtime.settings.model_copy(update=settings))


def search(client: TestClient, **request: Any) -> dict[str, Any]:
    """The answer of ``POST /api/search`` with ``request``, checked to be a 200."""
    response = client.post("/api/search", json=request)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def png(rgb: tuple[int, int, int], size: int = 32) -> bytes:
    """A ``size`` x ``size`` PNG of one colour."""
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), rgb).save(buffer, format="PNG")
    return buffer.getvalue()
