"""Videos with sound or subtitle streams, and subtitle lines, for the dialogue tests (PyAV)."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from reelsearch.sdk.testing import PALETTE, write_video

HAWKINS_SRT = """\
1
00:00:00,500 --> 00:00:01,800
ELEVEN: Friends don't lie.

2
00:00:02,200 --> 00:00:03,500
MIKE: I know. I'm sorry.
- DUSTIN: We have to find the gate before dark.

3
00:00:04,100 --> 00:00:05,600
<i>Eleven:</i> Mouth breather.
"""
"""A SubRip sidecar: speakers in ``NAME:`` form, a second speaker after a dash, and italics."""


def mux_subtitles(out: Path, subtitles: Path, language: str) -> Path:
    """A two-second Matroska video (a cut at 1 s) with ``subtitles`` as a SubRip stream."""
    picture = out.with_name(out.stem + "-picture.mp4")
    video = write_video(picture, [(PALETTE["red"], 24), (PALETTE["blue"], 24)])
    with av.open(str(video)) as vin, av.open(str(subtitles)) as sin, av.open(str(out), "w") as dst:
        streams = {
            vin.streams.video[0]: dst.add_stream_from_template(vin.streams.video[0]),
            sin.streams.subtitles[0]: dst.add_stream_from_template(sin.streams.subtitles[0]),
        }
        streams[sin.streams.subtitles[0]].metadata["language"] = language
        for source, target in streams.items():
            for packet in source.container.demux(source):
                if packet.dts is not None:
                    packet.stream = target
                    dst.mux(packet)
    return out


def mux_audio(
    out: Path,
    audio: Path,
    seconds: float,
    *,
    cut: float,
    fps: int = 12,
    size: tuple[int, int] = (64, 48),
) -> Path:
    """An H.264 + AAC mp4 of ``seconds``: a blue shot, a cut at ``cut`` s, a red shot, with the
    first audio stream of ``audio`` re-encoded under it."""
    width, height = size
    with av.open(str(audio)) as source, av.open(str(out), "w") as dst:
        picture = dst.add_stream("libx264", rate=fps)
        picture.width, picture.height, picture.pix_fmt = width, height, "yuv420p"
        sound = dst.add_stream("aac", rate=44_100)
        sound.layout = "mono"
        resampler = av.AudioResampler(format="fltp", layout="mono", rate=44_100)
        for frame in [*source.decode(audio=0), None]:
            for chunk in resampler.resample(frame):
                dst.mux(sound.encode(chunk))
        dst.mux(sound.encode(None))
        for index in range(round(seconds * fps)):
            colour = PALETTE["blue"] if index < cut * fps else PALETTE["red"]
            image = np.full((height, width, 3), colour, dtype=np.uint8)
            dst.mux(picture.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        dst.mux(picture.encode(None))
    return out
