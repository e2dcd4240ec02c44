"""Shot-list exports: CSV, JSON and CMX3600 EDL, non-drop and drop frame."""

from __future__ import annotations

import csv
import io
import itertools
import json

import pytest

from reelsearch.core.media import shots_to_csv, shots_to_edl, shots_to_json
from reelsearch.core.media.export import FIELDS, hour_frames
from reelsearch.core.models import Shot

NTSC = 30000 / 1001


def shots_at(fps: float, bounds: list[int]) -> list[Shot]:
    return [
        Shot(asset_id="a1", index=i, start_frame=start, end_frame=end, fps=fps)
        for i, (start, end) in enumerate(itertools.pairwise(bounds))
    ]


BBB = shots_at(24.0, [0, 283, 376, 551, 720])


def test_csv_has_a_header_and_a_row_per_shot() -> None:
    rows = list(csv.DictReader(io.StringIO(shots_to_csv(BBB))))
    assert tuple(rows[0]) == FIELDS
    assert [(r["start_frame"], r["end_frame"]) for r in rows] == [
        ("0", "283"),
        ("283", "376"),
        ("376", "551"),
        ("551", "720"),
    ]
    assert rows[1] == {
        "index": "1",
        "start_frame": "283",
        "end_frame": "376",
        "start": "11.791667",
        "end": "15.666667",
        "start_timecode": "00:00:11:19",
        "end_timecode": "00:00:15:16",
    }


def test_json_is_a_list_of_objects_with_frames_seconds_and_timecodes() -> None:
    data = json.loads(shots_to_json(BBB))
    assert data[3] == {
        "index": 3,
        "start_frame": 551,
        "end_frame": 720,
        "start": pytest.approx(22.958333),
        "end": 30.0,
        "start_timecode": "00:00:22:23",
        "end_timecode": "00:00:30:00",
    }
    assert [shot["end_frame"] for shot in data[:-1]] == [shot["start_frame"] for shot in data[1:]]


def test_edl_lays_the_shots_end_to_end_from_one_hour() -> None:
    edl = shots_to_edl(BBB[:2], title="Big Buck Bunny", clip_name="big_buck_bunny_0_30.webm")
    assert edl == (
        "TITLE: Big Buck Bunny\n"
        "FCM: NON-DROP FRAME\n"
        "\n"
        "001  AX       V     C        00:00:00:00 00:00:11:19 01:00:00:00 01:00:11:19\n"
        "* FROM CLIP NAME: big_buck_bunny_0_30.webm\n"
        "\n"
        "002  AX       V     C        00:00:11:19 00:00:15:16 01:00:11:19 01:00:15:16\n"
        "* FROM CLIP NAME: big_buck_bunny_0_30.webm\n"
    )


def test_edl_at_29_97_uses_drop_frame_timecode() -> None:
    # 1800 frames of 29.97 is 00:01:00;02 in drop frame (;00 and ;01 of minute 1 are skipped);
    # 17982 frames is exactly ten minutes (no frames are dropped at minute 10).
    shots = shots_at(NTSC, [0, 1800, 17982, 18000])
    events = [line for line in shots_to_edl(shots, title="NTSC").splitlines() if line[:1].isdigit()]
    assert shots_to_edl(shots, title="NTSC").splitlines()[1] == "FCM: DROP FRAME"
    assert events == [
        "001  AX       V     C        00:00:00;00 00:01:00;02 01:00:00;00 01:01:00;02",
        "002  AX       V     C        00:01:00;02 00:10:00;00 01:01:00;02 01:10:00;00",
        "003  AX       V     C        00:10:00;00 00:10:00;18 01:10:00;00 01:10:00;18",
    ]
    assert json.loads(shots_to_json(shots))[1]["start_timecode"] == "00:01:00;02"


def test_one_hour_of_timecode_in_frames() -> None:
    assert hour_frames(24.0) == 86_400
    assert hour_frames(25.0) == 90_000
    assert hour_frames(NTSC) == 107_892
    assert hour_frames(60000 / 1001) == 215_784


def test_edl_options_and_refusals() -> None:
    edl = shots_to_edl(BBB[:1], title="  Two\nlines ", reel="tape 7!", record_start=0)
    assert edl.splitlines()[0] == "TITLE: Two lines"
    assert "001  TAPE7    V     C        00:00:00:00 00:00:11:19 00:00:00:00" in edl
    with pytest.raises(ValueError, match="at least one shot"):
        shots_to_edl([], title="empty")
    with pytest.raises(ValueError, match="no letters or digits"):
        shots_to_edl(BBB, title="x", reel="***")
