"""Search by who is on screen, from the command line and over HTTP: ``--character NAME``,
``--face PHOTO``, several characters together, and "Anna on screen while Ben says
'tomorrow'" (``--character Anna --with tomorrow --with-speaker Ben``).

The two-person video of ``character_media.py`` (Obama named Anna, Biden named Ben) with a
SubRip file beside it whose lines name their speakers and fall inside chosen shots.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from character_media import FACES, FPS, HELD_OUT, PLAN, SHOT_FRAMES, write_video
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import reelsearch.plugins.characters as characters
from reelsearch.cli import app
from reelsearch.core.config import load_settings
from reelsearch.core.executor import LocalExecutor
from reelsearch.core.runtime import Runtime
from reelsearch.server import create_app

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("dlib") is None or not FACES.is_dir(),
    reason="needs the characters extra (dlib) and tests/data/media/faces",
)
PLUGINS = [
    "shots",
    "content-detector",
    "postprocessors",
    "characters",
    "dialogue",
    "sentence-transformers",
]
TITLE = "Two"
SHOT_SECONDS = SHOT_FRAMES / FPS
LINES = (
    (0, "ANNA", "Tomorrow then."),  # Anna on screen, but she says it
    (4, "BEN", "See you tomorrow at the station."),  # Anna on screen while Ben says it
    (7, "BEN", "Tomorrow is too late."),  # Ben says it over his own shot
    (9, "BEN", "Bring the maps to the kitchen."),  # Anna on screen, Ben says something else
    (10, "BEN", "We ride out tomorrow morning."),  # both on screen while Ben says it
)
"""Subtitle lines: the shot each is spoken in, its speaker as the file names them, its text."""
ANNA_WHILE_BEN_SAYS_TOMORROW = {4, 10}


def _shots(person: str) -> set[int]:
    return {n for n, shot in enumerate(PLAN) if person in shot.people}


def _srt_time(seconds: float) -> str:
    millis = round(seconds * 1000)
    return f"00:00:{millis // 1000:02},{millis % 1000:03}"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data home with the video ingested (faces and dialogue) and its two people named;
    also ``REELSEARCH_HOME`` for the tests of this module."""
    folder = tmp_path_factory.mktemp("characters-search")
    video = folder / "two.mp4"
    write_video(video)
    video.with_suffix(".srt").write_text(
        "".join(
            f"{n}\n{_srt_time(shot * SHOT_SECONDS + 0.3)} --> "
            f"{_srt_time(shot * SHOT_SECONDS + 1.1)}\n{who}: {text}\n\n"
            for n, (shot, who, text) in enumerate(LINES, 1)
        ),
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as env:
        for name in ("CONFIG", "STORE_URL", "DISABLE_PLUGINS", "API_KEY"):
            env.delenv(f"REELSEARCH_{name}", raising=False)
        env.setenv("REELSEARCH_HOME", str(folder / "home"))
        env.setenv("REELSEARCH_PLUGINS", ",".join(PLUGINS))
        with Runtime(load_settings(), executor=LocalExecutor()) as runtime:
            runtime.ingest([video], title=TITLE, algos=["characters", "dialogue"])
            book = characters.book(runtime.store)
            people = book.characters(book.asset_ids(TITLE))
            assert sorted(set(c.shots) for c in people) == sorted(
                [_shots("obama"), _shots("biden")]
            )
            for person in people:
                book.name(person.id, "Anna" if set(person.shots) == _shots("obama") else "Ben")
        yield folder / "home"


def _cli(*words: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(app, ["search", *words, "--limit", "50", "--json"])
    assert result.exit_code == 0, result.output
    hits: list[dict[str, Any]] = json.loads(result.stdout)["hits"]
    return hits


def _shot_set(hits: list[dict[str, Any]]) -> set[int]:
    return {hit["shot_index"] for hit in hits}


def test_the_cli_finds_a_named_character_and_a_face(home: Path) -> None:
    anna = _cli("--character", "anna")
    assert _shot_set(anna) == _shots("obama")
    assert all(hit["extra"]["character"] == "Anna" for hit in anna)
    assert _shot_set(_cli("--character", "Ben")) == _shots("biden")
    together = _cli("--character", "Anna", "--character", "Ben")
    assert _shot_set(together) == _shots("obama") & _shots("biden")

    by_face = _cli("--face", str(FACES / HELD_OUT))
    first = by_face[: len(_shots("obama"))]
    assert {hit["shot_index"] for hit in first} == _shots("obama")
    assert all(hit["extra"]["character"] == "Anna" for hit in first)


def test_the_cli_finds_anna_on_screen_while_ben_says_tomorrow(home: Path) -> None:
    hits = _cli("--character", "Anna", "--with", "tomorrow", "--with-speaker", "Ben")
    assert _shot_set(hits) == ANNA_WHILE_BEN_SAYS_TOMORROW
    assert all(hit["extra"]["character"] == "Anna" for hit in hits)
    said = {(p["match"]["speaker"], p["match"]["text"]) for hit in hits for p in hit["partners"]}
    assert said == {("Ben", LINES[1][2]), ("Ben", LINES[4][2])}

    # Whoever says it, or Ben whatever he says: more shots each.
    anyone = _cli("--character", "Anna", "--with", "tomorrow")
    assert _shot_set(anyone) == {0, *ANNA_WHILE_BEN_SAYS_TOMORROW}
    ben_speaks = _cli("--character", "Anna", "--with-speaker", "Ben")
    assert _shot_set(ben_speaks) == {4, 9, 10}

    # --mode is how the --with text matches: the exact phrase only, no paraphrases.
    phrase = _cli("--character", "Anna", "--with", "tomorrow morning", "--mode", "phrase")
    assert _shot_set(phrase) == {10}
    assert [p["match"]["mode"] for hit in phrase for p in hit["partners"]] == ["phrase"]


def test_the_same_search_over_http(home: Path) -> None:
    with (
        Runtime(load_settings(), executor=LocalExecutor()) as runtime,
        TestClient(create_app(runtime, warm=False)) as client,
    ):
        said = {
            "text": "tomorrow",
            "algos": ["dialogue"],
            "options": {"dialogue": {"speaker": "Ben"}},
        }
        response = client.post(
            "/api/search",
            json={
                "text": "Anna",
                "algos": ["characters"],
                "limit": 50,
                "intersect": [{"query": said}],
            },
        )
        assert response.status_code == 200, response.text
        assert _shot_set(response.json()["hits"]) == ANNA_WHILE_BEN_SAYS_TOMORROW

        with (FACES / HELD_OUT).open("rb") as photo:
            response = client.post(
                "/api/search/image",
                files={"file": (HELD_OUT, photo, "image/jpeg")},
                data={"params": json.dumps({"algos": ["characters"], "limit": 50})},
            )
        assert response.status_code == 200, response.text
        first = response.json()["hits"][: len(_shots("obama"))]
        assert _shot_set(first) == _shots("obama")
