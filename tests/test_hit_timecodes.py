"""Hits' timecodes count from the file's embedded start timecode (01:00:00:00 here), in
``reelsearch search --json``, the CLI table and ``/api/search``, and equal the EDL export's
source in-points, at 25 fps and at 29.97 drop frame."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pycmx
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from runtimes import home_environment
from test_search_cli import FakeRuntime, use_fake_encoder
from typer.testing import CliRunner

from reelsearch.cli import app
from reelsearch.core.media.sample import PALETTE, write_video
from reelsearch.core.models import Asset, Hit, MediaInfo
from reelsearch.core.store.payloads import asset_payload
from reelsearch.core.timecode import frames_to_timecode, timecode_to_frames
from reelsearch.server.app import create_app

RATES = {"25": (Fraction(25), "01:00:00:00"), "29.97DF": (Fraction(30000, 1001), "01:00:00;00")}
RED, BLUE = 50, 40
"""Frames of the red shot, then of the blue one."""
runner = CliRunner()


@pytest.fixture(scope="module", params=list(RATES), ids=list(RATES))
def home(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, float]]:
    """A home holding one title whose file starts at 01:00:00:00: red, then blue."""
    rate, timecode = RATES[request.param]
    folder = tmp_path_factory.mktemp("home")
    with home_environment(folder) as env:
        use_fake_encoder(folder, env)
        segments = [(PALETTE["red"], RED), (PALETTE["blue"], BLUE)]
        video = write_video(folder / "tc.mp4", segments, fps=rate, timecode=timecode)  # type: ignore[arg-type]
        with FakeRuntime() as rs:
            rs.ingest([video], title="Timecoded", algos=["shot_embeddings"])
            [asset] = rs.catalog.assets()
            assert asset.media is not None
            assert asset.media.start_timecode == timecode
        yield folder, asset.media.fps


def one_hour(fps: float) -> int:
    """The frame number of 01:00:00:00 (01:00:00;00 at 29.97 drop frame)."""
    return round(fps) * 3600 - (108 if round(fps) == 30 else 0)


def search(*args: str) -> dict[str, object]:
    result = runner.invoke(app, ["search", "blue", "--algo", "visual", "-k", "1", *args])
    assert result.exit_code == 0, result.output
    return {"stdout": result.stdout}


def test_cli_and_api_timecodes_count_from_the_files_start(
    home: tuple[Path, float], tmp_path: Path
) -> None:
    folder, fps = home
    with home_environment(folder) as env:
        use_fake_encoder(folder, env)
        [hit] = json.loads(str(search("--json")["stdout"]))["hits"]
        assert hit["shot_index"] == 1
        start, end = one_hour(fps) + RED, one_hour(fps) + RED + BLUE
        want = (frames_to_timecode(start, fps), frames_to_timecode(end, fps))
        assert (hit["start_timecode"], hit["end_timecode"]) == want
        assert want[0].startswith("01:00:0")
        assert want[0] in " ".join(str(search()["stdout"]).split())

        out = tmp_path / "hits.edl"
        search("--format", "edl", "-o", str(out))
        [edit] = [
            e for ev in pycmx.parse_cmx3600(io.StringIO(out.read_text())).events for e in ev.edits
        ]
        assert (edit.source_in, edit.source_out) == want

        with FakeRuntime() as rs, TestClient(create_app(rs)) as client:
            answer = client.post(
                "/api/search", json={"text": "blue", "algos": ["shot_embeddings"], "limit": 1}
            )
            assert answer.status_code == 200, answer.text
            [served] = answer.json()["hits"]
            assert (served["start_timecode"], served["end_timecode"]) == want
            assert (
                served["media_start_timecode"] == RATES["25" if round(fps) == 25 else "29.97DF"][1]
            )


@pytest.mark.parametrize("fps", [24.0, 24000 / 1001, 25.0, 30000 / 1001, 60000 / 1001])
def test_timecode_to_frames_inverts_frames_to_timecode(fps: float) -> None:
    for frame in (0, 1, 1799, 1800, 1801, 17982, 17983, 107892, 108000, 215999):
        assert timecode_to_frames(frames_to_timecode(frame, fps), fps) == frame


def test_a_start_timecode_that_does_not_fit_the_rate_is_refused() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        timecode_to_frames("01:00:00:27", 25.0)
    with pytest.raises(ValidationError, match="does not fit"):
        Hit(
            id="h",
            asset_id="a",
            title="t",
            algo="x",
            score=1,
            start=0,
            end=1,
            fps=25,
            media_start_timecode="01:00:00:27",
        )


def test_ingest_stamps_only_a_start_timecode_that_fits_the_rate() -> None:
    def media(start: str) -> MediaInfo:
        return MediaInfo(
            duration=1,
            fps=25,
            frame_count=25,
            width=8,
            height=8,
            video_codec="h264",
            size_bytes=1,
            start_timecode=start,
        )

    fits = Asset(id="a" * 32, uri="/x.mp4", title="T", media=media("10:00:00:00"))
    assert asset_payload(fits)["media_start_timecode"] == "10:00:00:00"
    unfit = fits.model_copy(update={"media": media("10:00:00:27")})
    assert "media_start_timecode" not in asset_payload(unfit)  # hits count from 00:00:00:00
