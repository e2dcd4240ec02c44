"""Dialogue search end to end: titles with subtitle files, a subtitle stream and speech
(the JFK recording under a generated video), ingested once for the module and searched through
the gateway by exact phrase, words and paraphrase, by speaker, title and language, and in
another language through the gateway's translation hook."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from dialogue_media import HAWKINS_SRT, mux_audio, mux_subtitles
from media_files import RealMedia
from typer.testing import CliRunner

from reelsearch.cli import app
from reelsearch.cli.search import SearchOptions, search_request
from reelsearch.core.config import load_settings
from reelsearch.core.executor import LocalExecutor
from reelsearch.core.host import LocalPlugin
from reelsearch.plugins.dialogue import (
    DialogueAlgo,
    DialogueConfig,
    SubtitleError,
)
from reelsearch.plugins.dialogue.searcher import SEMANTIC_FLOORS
from reelsearch.sdk import (
    Asset,
    Encoder,
    Hit,
    PointFilter,
    RequestError,
    SearchFilter,
    SearchRequest,
    Translator,
    hookimpl,
)
from reelsearch.sdk.testing import (
    PALETTE,
    FakeEncoder,
    Runtime,
    SearcherContract,
    write_video,
)
from reelsearch.sdk.testing.fake_encoder import FakeEncoderConfig

PLUGINS = [
    "shots",
    "content-detector",
    "postprocessors",
    "dialogue",
    "sentence-transformers",
    "visual",
]
"""The installed plugins these tests load; whatever else is installed stays out."""

LIGHTHOUSE_VTT = """\
WEBVTT

00:00.500 --> 00:02.000
<v Keeper>The storm will pass by morning.

intro-2
00:02.500 --> 00:03.900
<v.loud Wickie>Friends don't lie, they said.</v>
"""

EMBEDDED_SRT = """\
1
00:00:00,200 --> 00:00:00,900
Guten Morgen, Freunde.
"""

PHRASE = {"dialogue": {"mode": "phrase"}}

JFK_QUOTE = "ask not what your country can do for you"
JFK_QUOTE_START = 3.25
"""When "ask" starts in jfk.flac: speech resumes at 3.2-3.3 s after the pause that follows
"Americans" (the waveform's energy, 100 ms windows)."""


def shots(*colours: str, frames: int = 48) -> list[tuple[tuple[int, int, int], int]]:
    return [(PALETTE[colour], frames) for colour in colours]


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """Three titles with subtitles: a SubRip sidecar with ``NAME:`` speakers (cuts at 2 and
    4 s), a WebVTT sidecar with voice tags, and a Matroska file with a SubRip stream."""
    folder = tmp_path_factory.mktemp("dialogue")
    hawkins = write_video(folder / "hawkins.mp4", shots("red", "blue", "green"))
    (folder / "hawkins.en.srt").write_text(HAWKINS_SRT)
    lighthouse = write_video(folder / "lighthouse.mp4", shots("white", "black"))
    (folder / "lighthouse.vtt").write_text(LIGHTHOUSE_VTT)
    stream = write_text(folder / "stream.srt", EMBEDDED_SRT)
    embedded = mux_subtitles(folder / "morgen.mkv", stream, "ger")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HF_HUB_OFFLINE", "1")  # nothing may download: the models are bundled
        visual = {"algos": {"shot_embeddings": {"encoder": "fake"}}}
        with open_runtime(
            folder / "home", env, translator="phrasebook", components=visual
        ) as runtime:
            runtime.ingest([hawkins], title="Hawkins", algos=["dialogue", "shot_embeddings"])
            runtime.ingest([lighthouse], title="Lighthouse", algos=["dialogue"])
            runtime.ingest([embedded], title="Morgen", algos=["dialogue"])
            yield runtime


class Phrasebook(Translator):
    """Translates the phrases it knows (a stand-in for a machine translation model)."""

    name = "phrasebook"
    PHRASES: ClassVar[dict[tuple[str, str], str]] = {
        ("fr", "les amis ne mentent pas"): "friends don't lie",
    }

    def translate(self, text: str, source_language: str, target_language: str) -> str:
        assert target_language == "en"
        return self.PHRASES.get((source_language, text.lower()), text)


class TestPlugins:
    """The phrasebook, and the SDK's fake encoder for visual search (colour names)."""

    @staticmethod
    @hookimpl
    def register_translators(register: Callable[[type[Translator]], None]) -> None:
        register(Phrasebook)

    @staticmethod
    @hookimpl
    def register_encoders(register: Callable[[type[Encoder]], None]) -> None:
        register(FakeEncoder)


def open_runtime(home: Path, env: pytest.MonkeyPatch, **overrides: object) -> Runtime:
    """A runtime over ``home`` with the dialogue and visual plugins and :class:`TestPlugins`."""
    for name in ("CONFIG", "STORE_URL", "PLUGINS", "DISABLE_PLUGINS", "ALGOS"):
        env.delenv(f"REELSEARCH_{name}", raising=False)
    settings = load_settings(home=home, plugins=PLUGINS, **overrides)
    plugins = [LocalPlugin("dialogue-test-plugins", TestPlugins)]
    return Runtime(settings, plugins=plugins, executor=LocalExecutor())


def write_text(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def search(runtime: Runtime, text: str, **options: object) -> list[Hit]:
    request = SearchRequest(text=text, algos=["dialogue"], options={"dialogue": options})
    return runtime.search(request).hits


def test_every_line_is_stored_with_speaker_language_and_shot(library: Runtime) -> None:
    points, _ = library.store.scroll("dialogue", filter=PointFilter(titles=["Hawkins"]))
    lines = sorted((p.payload["line"], p.payload) for p in points)
    assert [
        (p["text"], p["speaker"], p["language"], p["shot_index"], p["start"], p["end"])
        for _, p in lines
    ] == [
        ("Friends don't lie.", "Eleven", "en", 0, 0.5, 1.8),
        ("I know. I'm sorry.", "Mike", "en", 1, 2.2, 3.5),
        ("We have to find the gate before dark.", "Dustin", "en", 1, 2.2, 3.5),
        ("Mouth breather.", "Eleven", "en", 2, 4.1, 5.6),
    ]
    assert all(p["source"] == "subtitles" and p["thumbnail"] for _, p in lines)
    (morgen,) = library.store.scroll("dialogue", filter=PointFilter(titles=["Morgen"]))[0]
    assert (morgen.payload["text"], morgen.payload["language"]) == ("Guten Morgen, Freunde.", "ger")


def test_an_exact_phrase_is_found_across_the_catalog_first(library: Runtime) -> None:
    hits = search(library, "friends don't lie")
    exact = [h for h in hits if h.score >= 1.0]
    assert {(h.title, h.extra["speaker"], h.start) for h in exact} == {
        ("Hawkins", "Eleven", 0.5),
        ("Lighthouse", "Wickie", 2.5),
    }
    assert hits[:2] == exact
    assert all(h.score < 1.0 for h in hits[2:])
    first = exact[0]
    assert first.algo == "dialogue"
    assert first.fps == 24
    assert first.start_timecode is not None
    assert first.thumbnail is not None


def test_speaker_and_title_filters(library: Runtime) -> None:
    hits = search(library, "friends don't lie", speaker="ELEVEN", min_score=-1.0)
    assert {h.extra["text"] for h in hits} == {"Friends don't lie.", "Mouth breather."}
    assert hits[0].extra["text"] == "Friends don't lie."
    assert search(library, "friends", speaker=["wickie", "keeper"], mode="phrase")[0].title == (
        "Lighthouse"
    )
    only = SearchRequest(
        text="friends don't lie", algos=["dialogue"], filter=SearchFilter(titles=["Lighthouse"])
    )
    assert {h.title for h in library.search(only).hits} == {"Lighthouse"}
    assert search(library, "freunde", language="ger", mode="words")[0].title == "Morgen"


def test_modes_phrase_words_and_semantic(library: Runtime) -> None:
    assert search(library, "lie friends don't", mode="phrase") == []
    assert {h.title for h in search(library, "lie friends don't", mode="words")} == {
        "Hawkins",
        "Lighthouse",
    }
    (best, *_) = search(library, "the tempest will be over at dawn", mode="semantic")
    assert (best.title, best.extra["speaker"]) == ("Lighthouse", "Keeper")
    assert best.score < 1.0


def test_each_hit_says_why_it_matched(library: Runtime) -> None:
    (phrase, *_) = search(library, "friends don't lie", mode="phrase")
    assert phrase.match is not None
    assert (phrase.match.mode, phrase.match.speaker) == ("phrase", "Eleven")
    words = [(w.text, phrase.match.text[w.start : w.end]) for w in phrase.match.words]
    assert words == [("Friends", "Friends"), ("don", "don"), ("t", "t"), ("lie", "lie")]
    (words_hit, *_) = search(library, "breather mouth", mode="words")
    assert words_hit.match is not None
    assert words_hit.match.mode == "words"
    assert [w.text for w in words_hit.match.words] == ["Mouth", "breather"]
    (meant, *_) = search(library, "the tempest will be over at dawn", mode="semantic")
    assert meant.match is not None
    assert (meant.match.mode, meant.match.speaker) == ("semantic", "Keeper")
    assert meant.raw_score == meant.score < 1.0


def test_semantic_hits_below_the_floor_are_left_out(library: Runtime) -> None:
    assert search(library, "banana bread recipe", mode="semantic") == []
    everything = search(library, "banana bread recipe", mode="semantic", min_score=-1.0)
    assert len(everything) >= 5
    assert all(h.score < SEMANTIC_FLOORS["minilm"] for h in everything)
    some = search(library, "the tempest will be over at dawn", min_score=0.5)
    assert [h.extra["text"] for h in some] == ["The storm will pass by morning."]
    with pytest.raises(RequestError, match=r"dialogue'.*min_score"):
        search(library, "storm", min_score=2)


def test_the_configured_floor_applies_to_requests_without_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    video = write_video(tmp_path / "hawkins.mp4", shots("red", "blue", "green"))
    write_text(tmp_path / "hawkins.srt", HAWKINS_SRT)
    write_text(tmp_path / "hawkins.de.vtt", LIGHTHOUSE_VTT)
    config = {"searchers": {"dialogue": {"min_score": 0.6}}}
    with open_runtime(tmp_path / "home", monkeypatch, components=config) as runtime:
        runtime.ingest([video], algos=["dialogue"])
        assert search(runtime, "the tempest will be over at dawn", mode="semantic") == []
        (hit,) = search(runtime, "we must locate the door before night", mode="semantic")
        assert hit.score >= 0.6


def test_bad_options_are_a_clear_error(library: Runtime) -> None:
    with pytest.raises(RequestError, match="invalid options for searcher 'dialogue': mode"):
        search(library, "friends", mode="fuzzy")
    with pytest.raises(RequestError, match="options of searcher 'dialogue' must be an object"):
        library.search(SearchRequest(text="hi", algos=["dialogue"], options={"dialogue": "x"}))


def test_a_malformed_subtitle_file_stores_nothing(library: Runtime, tmp_path: Path) -> None:
    video = write_video(tmp_path / "broken.mp4", shots("red", "blue"))
    bad = HAWKINS_SRT.replace("00:00:02,200 --> 00:00:03,500", "00:00:02,200 -> 00:00:03,500")
    (tmp_path / "broken.srt").write_text(bad)
    before = {name: library.store.count(name) for name in library.store.collections()}
    with pytest.raises(SubtitleError, match=r"broken\.srt:6: expected a timing line"):
        library.ingest([video], title="Broken", algos=["dialogue"])
    after = {name: library.store.count(name) for name in library.store.collections()}
    assert after == before
    assert "Broken" not in {asset.title for asset in library.catalog.assets()}


def test_an_edited_subtitle_file_is_read_again(library: Runtime, tmp_path: Path) -> None:
    video = write_video(tmp_path / "edited.mp4", shots("yellow", "purple"))
    sidecar = write_text(tmp_path / "edited.srt", "1\n00:00:00,000 --> 00:00:01,000\nOld line.\n")
    first = library.ingest([video], title="Edited", algos=["dialogue"]).reports[0]
    assert "dialogue" in first.computed
    assert library.ingest([video], title="Edited", algos=["dialogue"]).reports[0].computed == []
    sidecar.write_text("1\n00:00:00,000 --> 00:00:01,000\nNew line.\n")
    again = library.ingest([video], title="Edited", algos=["dialogue"]).reports[0]
    assert again.computed == ["dialogue"]
    hits = search(library, "line", mode="words")
    assert [h.extra["text"] for h in hits if h.title == "Edited"] == ["New line."]


def test_a_query_in_another_language_is_translated_by_the_gateway(library: Runtime) -> None:
    request = SearchRequest(text="Les amis ne mentent pas", language="fr", algos=["dialogue"])
    response = library.search(request)
    assert response.translated_text == "friends don't lie"
    assert {h.title for h in response.hits if h.score >= 1.0} == {"Hawkins", "Lighthouse"}


def test_visual_hits_intersect_with_where_a_line_is_spoken(library: Runtime) -> None:
    spoken = {"text": "friends don't lie", "algos": ["dialogue"], "options": PHRASE}
    request = SearchRequest(text="red", algos=["visual"], intersect=[{"query": spoken}])
    hits = library.search(request).hits
    assert [(h.title, h.shot_index) for h in hits] == [("Hawkins", 0)]
    (line,) = hits[0].partners
    assert (line.algo, line.searcher, line.start) == ("dialogue", "dialogue", 0.5)
    assert line.match is not None
    assert (line.match.mode, line.match.text) == ("phrase", "Friends don't lie.")


def test_shots_while_a_speaker_speaks_name_the_line(library: Runtime) -> None:
    options = SearchOptions(
        text="red", algos=["visual"], titles=["Hawkins"], with_speakers=["eleven"], limit=5
    )
    hits = library.search(search_request(options)).hits
    assert sorted(h.shot_index for h in hits) == [0, 2]  # Eleven speaks at 0.5 s and 4.1 s
    said = {h.shot_index: [p.match.text for p in h.partners if p.match] for h in hits}
    assert said == {0: ["Friends don't lie."], 2: ["Mouth breather."]}
    slack = search_request(
        SearchOptions(text="red", algos=["visual"], with_texts=["mouth breather"], within=1.0)
    )
    assert {h.shot_index for h in library.search(slack).hits} == {1, 2}


def test_dialogue_and_visual_hits_are_fused(library: Runtime) -> None:
    request = SearchRequest(text="friends don't lie", algos=["visual", "dialogue"], limit=20)
    hits = library.search(request).hits
    assert {h.algo for h in hits} == {"dialogue", "shot_embeddings"}
    lines = [h for h in hits if h.algo == "dialogue"]
    assert {h.extra["text"] for h in lines[:2]} == {
        "Friends don't lie.",
        "Friends don't lie, they said.",
    }


def test_an_unavailable_encoder_skips_dialogue_with_the_remedy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    video = write_video(tmp_path / "french.mp4", shots("red", "blue"))
    write_text(tmp_path / "french.fr.srt", "1\n00:00:00,000 --> 00:00:01,000\nBonjour.\n")
    multilingual = {"algos": {"dialogue": {"encoder": "multilingual-minilm"}}}
    with open_runtime(tmp_path / "home", monkeypatch, components=multilingual) as runtime:
        (report,) = runtime.ingest([video], algos=["dialogue"]).reports
        assert report.computed == ["shots"]
        reason = report.skipped["dialogue"]
        assert "paraphrase-multilingual-MiniLM-L12-v2" in reason
        assert "[components.encoders.multilingual-minilm] model to a local folder" in reason
        assert search(runtime, "bonjour") == []


def test_the_search_command_filters_by_speaker_and_prints_lines(
    reelsearch_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("REELSEARCH_PLUGINS", ",".join(PLUGINS))
    video = write_video(tmp_path / "hawkins.mp4", shots("red", "blue", "green"))
    write_text(tmp_path / "hawkins.srt", HAWKINS_SRT)
    with Runtime(load_settings()) as runtime:
        runtime.ingest([video], title="Hawkins", algos=["dialogue"])
    result = CliRunner().invoke(app, ["search", "--speaker", "eleven", "--json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)["hits"]
    assert [(h["text"], h["speaker"], h["algo"], h["match"]["mode"]) for h in hits] == [
        ("Friends don't lie.", "Eleven", "dialogue", "all"),
        ("Mouth breather.", "Eleven", "dialogue", "all"),
    ]
    assert (hits[0]["start_timecode"], hits[0]["shot_index"]) == ("00:00:00:12", 0)
    said = CliRunner().invoke(app, ["search", "friends don't lie", "--speaker", "eleven"])
    assert said.exit_code == 0, said.output
    header, row = said.stdout.splitlines()
    assert header.split() == ["score", "mode", "title", "time", "shot", "speaker", "line", "id"]
    assert "phrase" in row
    assert row.split()[5:9] == ["Eleven", "Friends", "don't", "lie."]
    unknown = CliRunner().invoke(app, ["search", "--speaker", "Elevn"])
    assert unknown.exit_code == 0, unknown.output
    assert "no line is spoken by 'Elevn'; closest: 'Eleven'" in unknown.stderr
    assert "no hits" in unknown.stdout
    spoken = CliRunner().invoke(app, ["search", "--with", "mouth breather", "--json"])
    assert next(h["text"] for h in json.loads(spoken.stdout)["hits"]) == "Mouth breather."


def test_the_encoder_options_are_part_of_the_memo_key(tmp_path: Path) -> None:
    asset = Asset(id="0" * 64, uri=str(tmp_path / "video.mp4"), title="Video")
    keys = []
    for dimension in (16, 32):
        algo = DialogueAlgo(DialogueConfig(encoder="fake"))
        encoder = FakeEncoder(FakeEncoderConfig(dimension=dimension))
        algo.bind(lambda kind, name, encoder=encoder: encoder)
        keys.append(algo.fingerprint(asset))
    assert keys[0] != keys[1]


class TestDialogueSearcherContract(SearcherContract):
    searcher_name = "dialogue"

    @pytest.fixture
    def searcher_runtime(self, library: Runtime) -> Runtime:
        return library

    @pytest.fixture
    def request_with_hits(self) -> SearchRequest:
        return SearchRequest(text="friends don't lie", limit=10)


# -- speech to text --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def jfk(library: Runtime, real_media: RealMedia, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The JFK clip under an 11 s video with a cut at 6 s, ingested (speech to text)."""
    folder = tmp_path_factory.mktemp("jfk")
    video = mux_audio(folder / "inaugural.mp4", real_media("speech/jfk.flac"), 11, cut=6)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HF_HUB_OFFLINE", "1")
        (report,) = library.ingest([video], title="Inaugural", algos=["dialogue"]).reports
    assert report.computed == ["shots", "dialogue"]
    return report.asset.id


def test_speech_is_transcribed_with_word_timings(library: Runtime, jfk: str) -> None:
    points, _ = library.store.scroll("dialogue", filter=PointFilter(asset_ids=[jfk]))
    text = " ".join(p.payload["text"] for p in sorted(points, key=lambda p: p.payload["start"]))
    assert "ask not what your country can do for you" in text.lower().replace(",", "")
    assert all(p.payload["source"] == "speech" and p.payload["words"] for p in points)
    assert {p.payload["language"] for p in points} == {"en"}


def test_an_exact_quote_starts_where_it_is_spoken(library: Runtime, jfk: str) -> None:
    best = search(library, JFK_QUOTE)[0]
    assert best.asset_id == jfk
    assert best.score >= 1.0
    assert abs(best.start - JFK_QUOTE_START) < 1.0
    assert 7.0 < best.end < 8.5
    assert best.shot_index == 0
    assert best.extra["line"]["start"] <= best.start


def test_a_paraphrase_finds_the_quote_first(library: Runtime, jfk: str) -> None:
    hits = search(library, "what you can do for the nation")
    assert hits[0].asset_id == jfk
    assert "country" in hits[0].extra["text"]
    assert all(h.score < 1.0 for h in hits)
