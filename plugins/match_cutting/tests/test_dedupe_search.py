"""``dedupe`` in real searches: the step reads the hits' near-duplicate groups from the store
(Runtime.search, ``reelsearch search --dedupe``), with the SDK's fake encoder standing in for
CLIP. "Repeats" is red, blue, red (its red shots one group); "Other" is red, green and was
never analysed for near-duplicates, so its hits pass unchanged."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from runtimes import FAKE_ENCODER, home_environment
from typer.testing import CliRunner

from reelsearch.cli import app
from reelsearch.cli import search as search_cli
from reelsearch.core.config import load_settings
from reelsearch.core.runtime import Runtime
from reelsearch.matchcuts import with_dedupe
from reelsearch.sdk import Hit, RequestError, SearchRequest
from reelsearch.sdk.testing import PALETTE, write_video

FakeRuntime = functools.partial(Runtime, plugins=FAKE_ENCODER)
CONFIG = 'components.algos.shot_embeddings.encoder = "fake"\n'


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("home")
    with home_environment(home) as env:
        (home / "reelsearch.toml").write_text(CONFIG)
        env.setattr(search_cli, "Runtime", FakeRuntime)
        with FakeRuntime() as rs:
            for title, colours, algos in (
                ("Repeats", ["red", "blue", "red"], ["shot_embeddings", "near_duplicates"]),
                ("Other", ["red", "green"], ["shot_embeddings"]),
            ):
                video = write_video(home / f"{title}.mp4", [(PALETTE[c], 24) for c in colours])
                rs.ingest([video], title=title, algos=algos)
        yield home


@pytest.fixture
def runtime(home: Path) -> Iterator[Runtime]:
    with home_environment(home), FakeRuntime() as rs:
        yield rs


def _shots(hits: list[Hit]) -> list[tuple[str, int | None]]:
    return sorted((h.title, h.shot_index) for h in hits)


def test_without_dedupe_both_red_shots_of_a_title_come_back(runtime: Runtime) -> None:
    hits = runtime.search(SearchRequest(text="red", algos=["visual"], limit=3)).hits
    assert _shots(hits) == [("Other", 0), ("Repeats", 0), ("Repeats", 2)]


def test_dedupe_reads_the_groups_from_the_store(runtime: Runtime) -> None:
    request = with_dedupe(SearchRequest(text="red", algos=["visual"], limit=3), runtime.settings)
    assert request.postprocessors == [
        "min_score",
        "fuse",
        "intersect",
        "dedupe",
        "sort",
        "group",
        "paginate",
    ]
    hits = runtime.search(request).hits
    repeats = [h for h in hits if h.title == "Repeats"]
    (collapsed,) = [h for h in repeats if h.shot_index in (0, 2)]
    assert collapsed.extra["similar_count"] == 1
    (member,) = collapsed.extra["similar"]
    assert {collapsed.shot_index, member["shot_index"]} == {0, 2}
    assert member["id"] != collapsed.id
    assert ("Other", 0) in _shots(hits)  # never analysed: unchanged
    assert all("similar" not in h.extra for h in hits if h.title == "Other")
    # The freed slot goes to the next hit: still a full page.
    assert len(hits) == 3


def test_the_groups_option_overrides_the_stored_groups(runtime: Runtime) -> None:
    repeats = runtime.catalog.assets(["Repeats"])[0].id
    request = SearchRequest(
        text="red",
        algos=["visual"],
        postprocessors=["dedupe"],
        options={"dedupe": {"groups": {repeats: []}}},
    )
    hits = runtime.search(request).hits
    assert ("Repeats", 0) in _shots(hits)
    assert ("Repeats", 2) in _shots(hits)


def test_bad_groups_are_a_request_error_naming_dedupe(runtime: Runtime) -> None:
    request = SearchRequest(
        text="red", algos=["visual"], postprocessors=["dedupe"], options={"dedupe": {"groups": 3}}
    )
    with pytest.raises(RequestError, match="'dedupe'"):
        runtime.search(request)


def test_a_chain_that_names_dedupe_keeps_it_once() -> None:
    request = SearchRequest(text="x", postprocessors=["dedupe", "paginate"])
    assert with_dedupe(request, load_settings()).postprocessors == ["dedupe", "paginate"]


def test_cli_search_dedupe(home: Path) -> None:
    runner = CliRunner()
    with home_environment(home) as env:
        env.setattr(search_cli, "Runtime", FakeRuntime)
        plain = runner.invoke(app, ["search", "red", "--algo", "visual", "--json"])
        deduped = runner.invoke(app, ["search", "red", "--algo", "visual", "--dedupe", "--json"])
    assert plain.exit_code == 0, plain.output
    assert deduped.exit_code == 0, deduped.output
    before = json.loads(plain.stdout)["hits"]
    after = json.loads(deduped.stdout)["hits"]
    assert len(before) == len(after) + 1
    (collapsed,) = [h for h in after if h["extra"].get("similar_count")]
    assert collapsed["title"] == "Repeats"
    assert collapsed["extra"]["similar"][0]["shot_index"] in (0, 2)
