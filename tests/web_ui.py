"""What the web UI tests share: Debian's ``chromium`` driven by Playwright (the ``browser``
fixture, by importing ``chromium``), a page that must not request anything from elsewhere, and
a served catalog of generated titles over the SDK's fake encoder."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from reelsearch.core.config import load_settings
from reelsearch.core.executor import LocalExecutor
from reelsearch.core.host import LocalPlugin
from reelsearch.core.runtime import Runtime
from reelsearch.sdk import Encoder, hookimpl
from reelsearch.sdk.testing import FakeEncoder
from reelsearch.server import LiveServer, create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not CHROMIUM.exists():
    pytest.skip(
        f"no browser at {CHROMIUM}: install Debian's chromium (apt-get install chromium), "
        "as .ci/run does",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
Browser, Page, expect = sync_api.Browser, sync_api.Page, sync_api.expect


@pytest.fixture(scope="module", name="browser")
def chromium() -> Iterator[Browser]:
    """Headless chromium, for the module (import it to use the ``browser`` fixture)."""
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextmanager
def open_page(browser: Browser, url: str, ready: str, **context: Any) -> Iterator[Page]:
    """A fresh page on the UI at ``url``, once ``ready`` (a selector) is attached; fails the
    test if the page requested anything from elsewhere."""
    browser_context = browser.new_context(viewport={"width": 1280, "height": 900}, **context)
    tab = browser_context.new_page()
    elsewhere: list[str] = []
    local = (url, "data:", "blob:")
    tab.on("request", lambda r: None if r.url.startswith(local) else elsewhere.append(r.url))
    tab.goto(url)
    expect(tab.locator(ready)).to_be_attached()
    yield tab
    browser_context.close()
    assert elsewhere == []


def eventually(page: Page, script: str, timeout: float = 10.0) -> None:
    """Wait until ``script`` (a function) returns true in the page.

    ``page.wait_for_function`` polls with ``eval``, which the UI's content security policy
    rightly forbids; ``page.evaluate`` is not subject to it.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"timed out waiting for {script}"
        page.wait_for_timeout(50)


class FakeEncoders:
    @staticmethod
    @hookimpl
    def register_encoders(register: Callable[[type[Encoder]], None]) -> None:
        register(FakeEncoder)


@contextmanager
def fake_encoder_site(
    home: Path, plugins: list[str], ingests: dict[str, list[Path]], algos: list[str]
) -> Iterator[LiveServer]:
    """A live server over a catalog in ``home`` with ``plugins`` and the SDK's fake encoder for
    shot embeddings (shots with thumbnails and clips), each title of ``ingests`` (title to its
    videos) ingested with ``algos``; no ``REELSEARCH_*`` setting of the environment applies."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HF_HUB_OFFLINE", "1")
        for name in ("CONFIG", "STORE_URL", "PLUGINS", "DISABLE_PLUGINS", "ALGOS", "API_KEY"):
            env.delenv(f"REELSEARCH_{name}", raising=False)
        settings = load_settings(
            home=home,
            plugins=plugins,
            components={
                "algos": {"shots": {"clips": True}, "shot_embeddings": {"encoder": "fake"}}
            },
        )
        fakes = [LocalPlugin("web-ui-fakes", FakeEncoders)]
        with Runtime(settings, plugins=fakes, executor=LocalExecutor()) as runtime:
            for title, videos in ingests.items():
                runtime.ingest(videos, title=title, algos=algos)
            with LiveServer(create_app(runtime)) as live:
                yield live
