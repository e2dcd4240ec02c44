"""Subtitle files as users and the wild bring them: generated SubRip and WebVTT in every form the
formats allow (property-based), random bytes, the real files of pysubs2's and webvtt-py's test
suites, oversized files, lines and cue counts, and cues past the video's end."""

from __future__ import annotations

import json
import math
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from reelsearch.cli import app
from reelsearch.plugins.dialogue.srt import parse_srt
from reelsearch.plugins.dialogue.timed_text import (
    Cue,
    SubtitleError,
    SubtitleLimits,
    bounded_cues,
)
from reelsearch.plugins.dialogue.vtt import parse_vtt
from reelsearch.sdk import MediaError
from reelsearch.sdk.testing import PALETTE, write_video

CORPUS = Path(__file__).parent.parent / "data" / "subtitles"
PARSERS = {".srt": parse_srt, ".vtt": parse_vtt}

# Words that no parser reads as markup, a speaker or a cue number: lower-case first letters.
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéßøñ日本語'?!,.", min_size=1, max_size=8).filter(
    lambda w: w[0].isalpha()
)
TEXT_LINE = st.lists(WORD, min_size=1, max_size=6).map(" ".join)
CUE = st.tuples(
    st.integers(0, 10 * 3600 * 1000),
    st.integers(0, 600 * 1000),
    st.lists(TEXT_LINE, min_size=1, max_size=3),
)


def parse_bytes(suffix: str, data: bytes, limits: SubtitleLimits | None = None) -> list[Cue]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"file{suffix}"
        path.write_bytes(data)
        return PARSERS[suffix](path, limits or SubtitleLimits())


def stamp(ms: int, separator: str, *, hours: bool = True) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    clock = f"{m:02d}:{s:02d}{separator}{ms:03d}"
    return f"{h:02d}:{clock}" if hours or h else clock


def expected(cues: list[tuple[int, int, list[str]]]) -> list[Cue]:
    return [
        Cue(start / 1000, (start + length) / 1000, " ".join(lines)) for start, length, lines in cues
    ]


def encode(text: str, newline: str, bom: bool) -> bytes:
    return (("\ufeff" if bom else "") + text.replace("\n", newline)).encode()


@settings(max_examples=150, deadline=None)
@given(
    cues=st.lists(CUE, max_size=12),
    numbered=st.booleans(),
    separator=st.sampled_from([",", "."]),
    newline=st.sampled_from(["\n", "\r\n"]),
    bom=st.booleans(),
    gaps=st.lists(st.integers(0, 3), min_size=13, max_size=13),
    settings_text=st.sampled_from(["", "  X1:63 X2:223 Y1:43 Y2:58"]),
    italics=st.booleans(),
)
def test_generated_srt_parses_to_its_cues(
    cues: list[tuple[int, int, list[str]]],
    numbered: bool,
    separator: str,
    newline: str,
    bom: bool,
    gaps: list[int],
    settings_text: str,
    italics: bool,
) -> None:
    text = "\n" * gaps[-1]
    for n, (start, length, lines) in enumerate(cues, start=1):
        body = [f"<i>{line}</i>" if italics else line for line in lines]
        head = [str(n)] if numbered else []
        timing = f"{stamp(start, separator)} --> {stamp(start + length, separator)}"
        text += "\n".join([*head, timing + settings_text, *body]) + "\n" + "\n" * gaps[n - 1]
    assert parse_bytes(".srt", encode(text, newline, bom)) == expected(cues)


@settings(max_examples=150, deadline=None)
@given(
    cues=st.lists(CUE, max_size=12),
    identifiers=st.booleans(),
    newline=st.sampled_from(["\n", "\r\n"]),
    bom=st.booleans(),
    blank=st.lists(st.booleans(), min_size=12, max_size=12),
    notes=st.lists(st.booleans(), min_size=12, max_size=12),
    cue_settings=st.sampled_from(["", " align:start position:0%", " line:85% align:middle"]),
    header=st.sampled_from(["WEBVTT", "WEBVTT - a title\nKind: captions\nLanguage: en"]),
    style=st.booleans(),
)
def test_generated_webvtt_parses_to_its_cues(
    cues: list[tuple[int, int, list[str]]],
    identifiers: bool,
    newline: str,
    bom: bool,
    blank: list[bool],
    notes: list[bool],
    cue_settings: str,
    header: str,
    style: bool,
) -> None:
    text = header + "\n\n"
    if style:
        text += "STYLE\n::cue {\n  color: yellow;\n}\n\nREGION\nid:fred width:40%\n\n"
    for n, (start, length, lines) in enumerate(cues):
        if notes[n]:
            text += "NOTE a comment\nover two lines\n\n"
        ident = [f"cue-{n}"] if identifiers else []
        timing = f"{stamp(start, '.', hours=False)} --> {stamp(start + length, '.')}"
        # Without an identifier, a cue may follow the one before with no blank line (as in
        # webvtt-py's youtube_dl.vtt): its timing line starts it.
        gap = "\n" if blank[n] or identifiers or notes[(n + 1) % 12] else ""
        text += "\n".join([*ident, timing + cue_settings, *lines]) + "\n" + gap
    assert parse_bytes(".vtt", encode(text, newline, bom)) == expected(cues)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".srt", ".vtt"]))
def test_random_bytes_are_cues_or_a_subtitle_error(data: bytes, suffix: str) -> None:
    error: SubtitleError | None = None
    try:
        parse_bytes(suffix, data)
    except SubtitleError as exc:
        error = exc
    if error is not None:
        assert error.source.endswith(suffix)
        assert error.line is None or error.line >= 1


LINE_PARTS = st.sampled_from(
    [
        "WEBVTT",
        "1",
        "00:00:01,000 --> 00:00:02,000",
        "00:01.000 --> 00:02.000 align:start",
        "00:00:05.000-->00:00:01.000",
        "99:99:99,999 --> 00:00:00,000",
        "-->",
        "NOTE",
        "STYLE",
        "<v Anna>Hi",
        "ANNA: hello",
        "- dash",
        "",
        "\r",
        "\ufeff",
        "\x00",
        "9" * 40 + ":00:00,000 --> 1:00:00,000",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(st.one_of(LINE_PARTS, st.text(max_size=20)), max_size=30),
    suffix=st.sampled_from([".srt", ".vtt"]),
)
def test_near_subtitles_are_cues_or_a_subtitle_error(parts: list[str], suffix: str) -> None:
    try:
        cues = parse_bytes(suffix, "\n".join(parts).encode("utf-8", "surrogatepass"))
    except SubtitleError:
        return
    assert all(cue.text and 0 <= cue.start <= cue.end for cue in cues)


# The real files, with what they hold (start, end, text of the first and last cue) or the
# problem they have, as their libraries' tests expect.
CORPUS_CUES: dict[str, tuple[int, Cue | None, Cue | None]] = {
    "webvtt-py/youtube_dl.vtt": (
        4,
        Cue(286.07, 286.47, "yeah"),
        Cue(305.069, 305.4, "this will happen is I'm telling"),
    ),
    "webvtt-py/no_captions.vtt": (0, None, None),
    "webvtt-py/styles.vtt": (1, Cue(0.0, 10.0, "Hello world."), None),
    "webvtt-py/comments.vtt": (
        5,
        Cue(135.0, 140.0, "Ta en kopp varmt te."),
        Cue(145.0, 150.0, "Ta en kopp"),
    ),
    "webvtt-py/using_identifiers.vtt": (
        6,
        Cue(0.5, 7.0, "Caption text #1"),
        Cue(23.88, 27.28, "Caption text #6"),
    ),
    "webvtt-py/captions_with_bom.vtt": (
        4,
        Cue(0.5, 7.0, "Caption text #1"),
        Cue(16.32, 21.58, "Caption text #4"),
    ),
    "webvtt-py/metadata_headers_multiline.vtt": (
        2,
        Cue(0.5, 7.0, "Caption text #1"),
        Cue(7.0, 11.89, "Caption text #2"),
    ),
    "webvtt-py/cue_tags.vtt": (
        3,
        Cue(16.5, 18.5, "When the moon hits your eye"),
        Cue(20.5, 21.5, "That's amore"),
    ),
    # A second timing line right after a timing line starts a cue; the first has no text.
    "webvtt-py/invalid_timeframe_in_cue_text.vtt": (
        3,
        Cue(0.5, 7.0, "Caption text #1"),
        Cue(11.89, 16.32, "Caption text #3"),
    ),
    "webvtt-py/missing_caption_text.vtt": (
        4,
        Cue(0.5, 7.0, "Caption text #1"),
        Cue(21.58, 23.88, "Caption text #5"),
    ),
    "webvtt-py/sample.srt": (
        5,
        Cue(0.5, 7.0, "Caption text #1"),
        Cue(21.58, 23.88, "Caption text #5"),
    ),
    "webvtt-py/invalid_timeframe.srt": (
        5,
        Cue(0.5, 7.0, "Caption text #1"),
        Cue(21.58, 23.88, "Caption text #5"),
    ),
    "pysubs2/simple_read.srt": (
        2,
        Cue(0.0, 60.0, "An example subtitle."),
        Cue(60.0, 120.0, "Subtitle number two."),
    ),
    "pysubs2/read_position_styling.srt": (
        2,
        Cue(10.5, 13.0, "Elephant's Dream"),
        Cue(15.0, 18.0, "At the left we can see..."),
    ),
    "pysubs2/read_bad_tags.srt": (
        1,
        Cue(10.5, 13.0, "Elephant's Dream Is Long And Badly Nested"),
        None,
    ),
    # Two cues with no text (pysubs2 keeps them empty; they are no dialogue).
    "pysubs2/empty_subtitles.srt": (1, Cue(1767.46, 1769.83, "I'm Liza Minnelli.."), None),
    "pysubs2/read_complex.vtt": (
        3,
        Cue(50.099, 53.299, "Cuidem do seu grupo. Cuidem de suas fileiras."),
        Cue(118.155, 119.555, "E, parem!"),
    ),
}

CORPUS_ERRORS = {
    "webvtt-py/invalid.vtt": (1, "starts with 'WEBVTT'"),
    "webvtt-py/missing_timeframe.vtt": (6, "expected a timing line like"),
    "webvtt-py/missing_timeframe.srt": (6, "expected a timing line like"),
    # pysubs2 reads '->' as '-->'; players built on FFmpeg do not, nor does reelsearch.
    "pysubs2/read_malformed.srt": (1, "expected a cue number or a timing line"),
}


@pytest.mark.parametrize("name", sorted(CORPUS_CUES))
def test_real_files_from_the_subtitle_libraries(name: str) -> None:
    path = CORPUS / name
    count, first, last = CORPUS_CUES[name]
    cues = PARSERS[path.suffix](path)
    assert len(cues) == count
    if first is not None:
        assert cues[0] == first
    if last is not None:
        assert cues[-1] == last
    assert not any("-->" in cue.text for cue in cues), "a timing line is never dialogue"


@pytest.mark.parametrize("name", sorted(CORPUS_ERRORS))
def test_real_malformed_files_name_their_line(name: str) -> None:
    path = CORPUS / name
    line, problem = CORPUS_ERRORS[name]
    with pytest.raises(SubtitleError) as caught:
        PARSERS[path.suffix](path)
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert problem in str(caught.value)


def test_the_corpus_names_its_sources_and_licences() -> None:
    note = (CORPUS / "README.md").read_text()
    assert "glut23/webvtt-py" in note
    assert "tkarabela/pysubs2" in note
    for licence in ("webvtt-py/LICENSE", "pysubs2/LICENSE.txt"):
        assert "MIT" in note
        assert "Permission is hereby granted" in (CORPUS / licence).read_text()
    listed = {p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*.[sv][rt][tt]")}
    assert listed == set(CORPUS_CUES) | set(CORPUS_ERRORS)


def test_a_file_larger_than_allowed_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.srt"
    with path.open("wb") as out:
        out.truncate(21_000_000)  # sparse: 21 MB of NULs
    started = time.perf_counter()
    with pytest.raises(SubtitleError, match=r"big\.srt:1: the file is 21,000,000 bytes, more"):
        parse_srt(path)
    assert time.perf_counter() - started < 5, "refused from its size, not parsed"
    small = SubtitleLimits(max_file_bytes=100)
    with pytest.raises(SubtitleError, match="max_subtitle_bytes"):
        parse_bytes(".vtt", b"WEBVTT\n\n" + b"00:01.000 --> 00:02.000\nhi\n\n" * 10, small)


@pytest.mark.parametrize("suffix", [".srt", ".vtt"])
def test_a_line_longer_than_allowed_names_its_line(suffix: str) -> None:
    head = (
        "WEBVTT\n\n00:01.000 --> 00:02.000\n"
        if suffix == ".vtt"
        else "1\n00:00:01,000 --> 00:00:02,000\n"
    )
    data = (head + "ok\n" + "x" * 2_001 + "\n").encode()
    line = head.count("\n") + 2
    with pytest.raises(SubtitleError, match=rf":{line}: the line is 2,001 characters long"):
        parse_bytes(suffix, data)
    assert parse_bytes(suffix, (head + "x" * 2_000 + "\n").encode())[0].text == "x" * 2_000


def test_a_cue_longer_than_allowed_is_refused() -> None:
    cues = [Cue(0.0, 1.0, "word " * 2_000)]
    with pytest.raises(SubtitleError, match="max_subtitle_cue_chars"):
        bounded_cues(cues, "long.srt", 10.0)


def test_too_many_cues_for_the_video_are_refused() -> None:
    cues = [Cue(k / 100_000, k / 100_000, "hi") for k in range(100_000)]
    with pytest.raises(SubtitleError) as caught:
        bounded_cues(cues, "many.srt", 1.4)
    assert str(caught.value).startswith("many.srt: 100,000 cues for a video of 1.4 s, more than")
    assert "max_subtitle_cues_per_minute" in str(caught.value)
    # A short video is allowed a minute's worth; a long one its minutes' worth.
    assert len(bounded_cues(cues[:600], "ok.srt", 1.4)[0]) == 600
    limits = SubtitleLimits(max_cues_per_minute=10)
    assert len(bounded_cues(cues[:25], "ok.srt", 150.0, limits)[0]) == 25
    with pytest.raises(SubtitleError):
        bounded_cues(cues[:26], "many.srt", 150.0, limits)


def test_cues_past_the_end_are_dropped_and_counted() -> None:
    cues = [Cue(0.5, 1.0, "in"), Cue(1.5, 3.0, "across the end"), Cue(2.0, 2.5, "after")]
    kept, dropped = bounded_cues(cues, "a.srt", 2.0)
    assert kept == [Cue(0.5, 1.0, "in"), Cue(1.5, 2.0, "across the end")]
    assert dropped == 1
    assert bounded_cues(cues, "a.srt", None) == (cues, 0)
    assert math.isclose(max(c.end for c in kept), 2.0)


def ingest(video: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["ingest", str(video), "--algo", "dialogue", *args])
    return result.exit_code, " ".join(result.output.split())


def test_ingest_warns_of_cues_past_the_end_and_stores_the_rest(
    reelsearch_home: Path, tmp_path: Path
) -> None:
    video = write_video(tmp_path / "short.mp4", [(PALETTE["red"], 24), (PALETTE["blue"], 24)])
    (tmp_path / "short.srt").write_text(
        "1\n00:00:00,500 --> 00:00:01,500\nthe first line\n\n"
        "2\n00:00:05,000 --> 00:00:06,000\nlong after the end\n\n"
        "3\n00:01:00,000 --> 00:01:01,000\nlater still\n"
    )
    code, output = ingest(video)
    assert code == 0, output
    assert "2 cue(s) start after the video ends (2.0 s); they were left out" in output
    assert "short.srt" in output
    listing = CliRunner().invoke(app, ["search", "the first line", "--algo", "dialogue", "--json"])
    assert listing.exit_code == 0, listing.output
    texts = {hit["text"] for hit in json.loads(listing.stdout)["hits"]}
    assert "the first line" in texts
    assert not texts & {"long after the end", "later still"}


def test_ingest_refuses_a_flood_of_cues_and_stores_nothing(
    reelsearch_home: Path, tmp_path: Path
) -> None:
    video = write_video(tmp_path / "tiny.mp4", [(PALETTE["red"], 34)])  # 1.4 s
    flood = "".join(f"{stamp(k, ',')} --> {stamp(k + 1, ',')}\nline {k}\n\n" for k in range(1_000))
    (tmp_path / "tiny.srt").write_text(flood)
    code, output = ingest(video)
    assert code == 1
    assert "tiny.srt: 1,000 cues for a video of 1.4 s" in output
    titles = CliRunner().invoke(app, ["titles", "--json"])
    assert titles.stdout.strip() == "[]"


def test_subtitle_errors_are_media_errors() -> None:
    assert issubclass(SubtitleError, MediaError)
