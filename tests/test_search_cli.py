"""``reelsearch search``, ``reelsearch evaluate`` and the demo's visual searches, with the SDK's
fake encoder standing in for CLIP (and with CLIP, offline, for the demo's plain message)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from runtimes import FAKE_ENCODER, home_environment
from typer.testing import CliRunner

from reelsearch.cli import app
from reelsearch.cli import evaluate as evaluate_cli
from reelsearch.cli import search as search_cli
from reelsearch.core.media.sample import PALETTE, sample_video, write_video
from reelsearch.core.runtime import Runtime
from reelsearch.sdk import RequestError

MakeVideo = Callable[..., Path]
runner = CliRunner()


FakeRuntime = functools.partial(Runtime, plugins=FAKE_ENCODER)
FAKE_CONFIG = 'components.algos.shot_embeddings.encoder = "fake"\n'


def use_fake_encoder(home: Path, env: pytest.MonkeyPatch) -> None:
    """Commands see the fake encoder, and the shot_embeddings algo of ``home`` uses it."""
    (home / "reelsearch.toml").write_text(FAKE_CONFIG)
    env.setattr(search_cli, "Runtime", FakeRuntime)
    env.setattr(evaluate_cli, "Runtime", FakeRuntime)


@pytest.fixture
def with_fake_encoder(reelsearch_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_fake_encoder(reelsearch_home, monkeypatch)


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Two titles in a data home that the module's search commands read."""
    home = tmp_path_factory.mktemp("home")
    with home_environment(home) as env:
        use_fake_encoder(home, env)
        with FakeRuntime() as rs:
            for title, colours in (("Red blue", ["red", "blue"]), ("Green red", ["green", "red"])):
                segments = [(PALETTE[c], 24) for c in colours]
                video = write_video(home / f"{title}.mp4", segments)
                rs.ingest([video], title=title, algos=["shot_embeddings"])
        yield


def _search(*args: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["search", *args, "--json"])
    assert result.exit_code == 0, result.output
    hits: list[dict[str, object]] = json.loads(result.stdout)["hits"]
    return hits


@pytest.mark.usefixtures("catalog")
def test_text_search_as_json() -> None:
    hits = _search("red", "--limit", "2", "--algo", "visual")
    assert {(h["title"], h["shot_index"]) for h in hits} == {("Red blue", 0), ("Green red", 1)}
    for hit in hits:
        assert {"id", "asset_id", "title", "shot_index", "start", "end", "score", "algo"} <= set(
            hit
        )
        assert hit["algo"] == "shot_embeddings"
    green_red = next(h for h in hits if h["title"] == "Green red")
    assert (green_red["start_timecode"], green_red["end_timecode"]) == (
        "00:00:01:00",
        "00:00:02:00",
    )


@pytest.mark.usefixtures("catalog")
def test_like_shot_takes_a_hit_id_and_title_limits_the_search() -> None:
    (best,) = _search("red", "--limit", "1", "--algo", "visual", "--title", "Green red")
    assert best["title"] == "Green red"
    like = _search("--like-shot", str(best["id"]), "--algo", "visual", "--limit", "1")
    assert [(h["title"], h["shot_index"]) for h in like] == [("Red blue", 0)]


@pytest.mark.usefixtures("catalog")
def test_image_search_and_the_table(tmp_path: Path) -> None:
    from PIL import Image as PILImage

    still = tmp_path / "blue.png"
    PILImage.new("RGB", (40, 30), (30, 60, 220)).save(still)
    result = runner.invoke(app, ["search", "--image", str(still), "--algo", "visual", "-k", "1"])
    assert result.exit_code == 0, result.output
    header, row = result.stdout.splitlines()
    assert header.split() == ["score", "mode", "title", "time", "shot", "id"]
    assert "Red blue" in row
    assert "00:00:01:00-00:00:02:00" in row


def test_a_search_needs_exactly_one_query() -> None:
    result = runner.invoke(app, ["search", "red", "--like-shot", "x"])
    assert result.exit_code == 1
    assert "give one query" in result.output
    with pytest.raises(RequestError, match="KEY=VALUE"):
        search_cli.parse_metadata(["season"])
    assert search_cli.parse_metadata(["season=2", "hdr=true", "genre=drama", "g=a", "g=b"]) == {
        "season": 2,
        "hdr": True,
        "genre": "drama",
        "g": ["a", "b"],
    }


@pytest.mark.usefixtures("with_fake_encoder")
def test_evaluate_ranks_every_video_first_for_its_caption(
    make_video: MakeVideo, tmp_path: Path
) -> None:
    colours = ["red", "green", "blue", "yellow"]
    lines = []
    for colour in colours:
        make_video(f"{colour}.mp4", [(colour, 24)])
        lines.append(json.dumps({"video": f"{colour}.mp4", "caption": f"a {colour} video"}))
    manifest = tmp_path / "colours.jsonl"
    manifest.write_text("\n".join(lines) + "\n")
    output = tmp_path / "results.json"
    result = runner.invoke(app, ["evaluate", str(manifest), "--output", str(output)])
    assert result.exit_code == 0, result.output
    results = json.loads(output.read_text())
    assert results["metrics"]["R@1"] == 1.0
    assert results["metrics"]["median_rank"] == 1.0
    assert results["metrics"]["mAP"] == 1.0
    assert (results["videos"], results["captions"]) == (4, 4)
    assert results["encoder"]["name"] == "fake"
    assert "100.0" in result.stdout


@pytest.mark.usefixtures("with_fake_encoder")
def test_the_demo_searches_by_text_still_and_shot(
    reelsearch_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeRuntime() as rs:
        rs.ingest([sample_video(reelsearch_home / "sample.mp4")], algos=["shot_embeddings"])
        search_cli.demo_visual_searches(rs)
    printed = capsys.readouterr().out
    assert "search 'a red race car':" in printed
    assert "search --image " in printed
    assert "search --like-shot " in printed


def test_the_demo_says_plainly_when_clip_weights_are_unavailable(
    register_plugin: Callable[..., Runtime],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    clip = {"encoders": {"clip": {"cache_dir": str(tmp_path)}}}
    rs = register_plugin(object(), name="nothing", components=clip)
    search_cli.demo_visual_searches(rs)
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("Visual search is unavailable here: the CLIP weights could not be")
