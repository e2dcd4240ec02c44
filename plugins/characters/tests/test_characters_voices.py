"""Voices: Resemblyzer's speaker encoder run as Resemblyzer runs it, dialogue lines clustered
into voices per title, voices linked to the character on screen, ``--speaker`` on a title
whose subtitles name nobody. The voices are espeak-ng's (two of them, made at test time) and
President Kennedy's (``jfk.flac``, transcribed by the bundled Whisper)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
import types
import warnings
from pathlib import Path

import numpy as np
import pytest
from character_media import (
    FACES,
    SOUND_RATE,
    VOICED_LINES,
    VOICED_PLAN,
    PlannedShot,
    speak,
    write_video,
    write_voiced_video,
)
from typer.testing import CliRunner

import reelsearch.plugins.characters as characters
from reelsearch.cli import app
from reelsearch.plugins.characters.records import FaceTrack
from reelsearch.plugins.characters.voices import (
    DialogueSpan,
    SpeakerEncoder,
    VoicesConfig,
    alone_on_screen,
    voice_labels,
)
from reelsearch.sdk import SearchRequest, decode_audio

needs_models = pytest.mark.skipif(
    importlib.util.find_spec("dlib") is None
    or importlib.util.find_spec("resemblyzer") is None
    or not FACES.is_dir(),
    reason="needs the characters extra (dlib, resemblyzer) and tests/data/media/faces",
)
needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="needs espeak-ng (apt-get install espeak-ng)"
)
JFK = Path(__file__).resolve().parents[3] / "tests" / "data" / "media" / "speech" / "jfk.flac"
PLUGINS = ["shots", "content-detector", "postprocessors", "dialogue", "sentence-transformers"]


def _dialogue(runtime, speaker: str, text: str = "what did they say") -> list:
    """Every line of ``speaker`` (mode ``all``: no relevance floor leaves any out)."""
    options = {"dialogue": {"speaker": speaker, "mode": "all"}}
    request = SearchRequest(text=text, algos=["dialogue"], limit=50, options=options)
    return runtime.search(request).hits


@needs_models
@needs_espeak
def test_two_voices_cluster_link_to_their_faces_and_filter_dialogue(
    register_plugin, tmp_path: Path
) -> None:
    video = tmp_path / "talk.mp4"
    spoken = write_voiced_video(video)
    runtime = register_plugin(characters, plugins=PLUGINS)
    runtime.ingest([video], title="Talk", algos=["voices", "characters"])

    voiced = sorted((p.payload for p in runtime.store.points("voices")), key=lambda p: p["line"])
    assert len(voiced) == len(spoken)
    by_person: dict[str, set[str]] = {}
    for line, truth in zip(voiced, spoken, strict=True):
        assert abs(line["start"] - truth.start) < 0.01
        by_person.setdefault(truth.person, set()).add(line["voice"])
    assert all(len(voices) == 1 for voices in by_person.values()), by_person
    assert by_person["obama"] != by_person["biden"]

    # Subtitles name nobody and no character is named yet: no speaker labels.
    lines = {p.payload["line"]: p.payload for p in runtime.store.points("dialogue")}
    assert all(line.get("speaker") is None for line in lines.values())
    assert {lines[v["line"]].get("voice") for v in voiced} == {v["voice"] for v in voiced}
    assert _dialogue(runtime, "Anna") == []

    book = characters.book(runtime.store)
    people = book.characters(book.asset_ids("Talk"))
    shots_of = {
        person: {n for n, shot in enumerate(VOICED_PLAN) if person in shot.people}
        for person in ("obama", "biden")
    }
    obama = next(c for c in people if set(c.shots) == shots_of["obama"])
    biden = next(c for c in people if set(c.shots) == shots_of["biden"])
    book.name(obama.id, "Anna")
    book.name(biden.id, "[b]Ben[/b]")

    said = {person: {line.text for line in spoken if line.person == person} for person in by_person}
    assert {h.extra["text"] for h in _dialogue(runtime, "anna")} == said["obama"]
    assert {h.extra["text"] for h in _dialogue(runtime, "[B]BEN[/B]")} == said["biden"]
    assert all(h.extra["speaker"] == "Anna" for h in _dialogue(runtime, "Anna"))

    # A new name moves the label; the old one finds nothing.
    book.name(obama.id, "Anne")
    assert _dialogue(runtime, "Anna") == []
    assert {h.extra["text"] for h in _dialogue(runtime, "Anne")} == said["obama"]
    runtime.close()

    # The CLI: reelsearch search "..." --algo dialogue --speaker NAME.
    query = ["search", "the bridge", "--algo", "dialogue", "--mode", "all"]
    result = CliRunner().invoke(app, [*query, "--speaker", "[b]Ben[/b]", "--json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)["hits"]
    assert {h["text"] for h in hits} == said["biden"]


@needs_models
def test_kennedy_transcribed_is_one_voice_named_by_his_face(
    register_plugin, tmp_path: Path
) -> None:
    if not JFK.is_file():
        pytest.skip("needs tests/data/media/speech/jfk.flac")
    speech = decode_audio(JFK, SOUND_RATE)
    # Two shots of one man, his two sentences a second apart (Whisper may keep them one line).
    split, pause = round(7.4 * SOUND_RATE), np.zeros(SOUND_RATE, np.float32)
    sound = np.concatenate([speech[:split], pause, speech[split:], pause])
    shots = (
        PlannedShot(("obama.jpg",), frozenset({"obama"}), "zoom-in"),
        PlannedShot(("obama1.jpg",), frozenset({"obama"}), "pan"),
    )
    video = tmp_path / "inaugural.mp4"
    write_video(video, shots, shot_frames_count=round(len(sound) / SOUND_RATE * 5), sound=sound)
    runtime = register_plugin(characters, plugins=PLUGINS)
    runtime.ingest([video], title="Inaugural", algos=["voices", "characters"])

    lines = [p.payload for p in runtime.store.points("dialogue")]
    assert lines
    assert all(line["source"] == "speech" for line in lines)
    voices = {p.payload.get("voice") for p in runtime.store.points("voices")}
    assert len(voices) == 1
    assert None not in voices

    book = characters.book(runtime.store)
    (person,) = book.characters(book.asset_ids("Inaugural"))
    book.name(person.id, "Kennedy")
    found = _dialogue(runtime, "kennedy", "ask not what your country can do for you")
    assert len(found) == len(lines)


@needs_models
def test_speaker_embeddings_match_resemblyzer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Our mel features and partials give Resemblyzer's own ``embed_utterance`` vectors.
    Importing Resemblyzer needs ``pkg_resources`` (for webrtcvad's version string only),
    which recent setuptools lacks: a stand-in gives it one."""
    if not JFK.is_file():
        pytest.skip("needs tests/data/media/speech/jfk.flac")
    stand_in = types.ModuleType("pkg_resources")
    stand_in.get_distribution = lambda name: types.SimpleNamespace(version="0")  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pkg_resources", stand_in)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            from resemblyzer import VoiceEncoder, normalize_volume
        except ImportError as exc:
            pytest.skip(f"resemblyzer cannot be imported here: {exc}")
        reference = VoiceEncoder(device="cpu", verbose=False)
    ours = SpeakerEncoder()
    wav = decode_audio(JFK, 16_000)
    for clip in (wav, wav[:20_000], wav[:12_000], wav[:4_000] * 0.01):
        expected = reference.embed_utterance(normalize_volume(clip, -30, increase_only=True))
        assert np.allclose(ours.embed(clip), expected, atol=1e-5)


@needs_models
@needs_espeak
def test_voices_are_told_apart(tmp_path: Path) -> None:
    encoder = SpeakerEncoder()

    def voice(name: str, text: str) -> np.ndarray:
        return encoder.embed(speak(text, name, tmp_path / f"{name}-{len(text)}.wav"))

    one, two = VOICED_LINES[0], VOICED_LINES[3]
    m1, m2 = voice("en-us+m3", one), voice("en-us+m3", two)
    f1, f2 = voice("en-us+f2", one), voice("en-us+f2", two)
    kennedy = encoder.embed(decode_audio(JFK, 16_000)) if JFK.is_file() else None
    same = max(1 - m1 @ m2, 1 - f1 @ f2)
    apart = min(1 - m1 @ f1, 1 - m2 @ f2, 1 - m1 @ f2)
    assert same < VoicesConfig().threshold < apart
    if kennedy is not None:
        assert min(1 - kennedy @ m1, 1 - kennedy @ f1) > 0.3


def _track(key: str, start: float, end: float) -> FaceTrack:
    return FaceTrack(
        key=key,
        shot_index=0,
        start=start,
        end=end,
        fps=10,
        start_frame=0,
        end_frame=0,
        frames=[],
        box_sizes=[],
        vector=[],
    )


def test_only_a_face_alone_on_screen_counts() -> None:
    line = DialogueSpan(index=0, start=1.0, end=5.0)
    tracks = [_track("0.0", 0.0, 3.0), _track("0.1", 2.0, 4.0), _track("1.0", 5.0, 9.0)]
    assert alone_on_screen(line, tracks) == {"0.0": 1.0, "0.1": 1.0}


def test_voice_labels_prefer_subtitles_then_a_face_seen_most_of_the_time() -> None:
    names = {"a/0.0": {"name": "Anna"}, "a/1.0": {"name": "Ben"}}
    lines = [
        {"voice": "a/v0", "speaker": None, "start": 0, "end": 2, "faces": {"a/0.0": 2.0}},
        {"voice": "a/v0", "speaker": None, "start": 2, "end": 4, "faces": {"a/1.0": 0.5}},
        {"voice": "a/v1", "speaker": "Carl", "start": 4, "end": 6, "faces": {"a/0.0": 2.0}},
        {"voice": "a/v1", "speaker": None, "start": 6, "end": 8, "faces": {"a/0.0": 2.0}},
        {"voice": "a/v2", "speaker": None, "start": 8, "end": 10, "faces": {"a/1.0": 1.0}},
        {"voice": None, "speaker": None, "start": 10, "end": 10.3, "faces": {}},
    ]
    # v0: Anna alone on screen for 2 of its 4 s is not more than half; at a lower share it is.
    assert voice_labels(lines, names) == {"a/v1": "Carl"}
    assert voice_labels(lines, names, face_share=0.4) == {
        "a/v0": "Anna",
        "a/v1": "Carl",
        "a/v2": "Ben",
    }


@needs_models
def test_subtitles_without_a_sound_track_give_lines_without_voices(
    register_plugin, tmp_path: Path
) -> None:
    video = tmp_path / "silent.mp4"
    write_video(video, VOICED_PLAN[:2], shot_frames_count=20)
    video.with_suffix(".srt").write_text(
        "1\n00:00:00,200 --> 00:00:01,800\nNobody hears this.\n\n"
        "2\n00:00:02,200 --> 00:00:03,800\nNor this.\n",
        encoding="utf-8",
    )
    runtime = register_plugin(characters, plugins=PLUGINS)
    runtime.ingest([video], title="Silent", algos=["voices"])
    voiced = [p.payload for p in runtime.store.points("voices")]
    assert len(voiced) == 2
    assert all(line.get("voice") is None for line in voiced)
    assert all(line["faces"] for line in voiced)  # one face alone on screen meanwhile


@needs_models
@needs_espeak
def test_a_speaker_named_in_the_subtitles_labels_the_rest_of_that_voice(
    register_plugin, tmp_path: Path
) -> None:
    video = tmp_path / "named.mp4"
    spoken = write_voiced_video(video)
    subtitles = video.with_suffix(".srt")
    first = spoken[0].text
    subtitles.write_text(
        subtitles.read_text(encoding="utf-8").replace(first, f"MARA: {first}", 1),
        encoding="utf-8",
    )
    runtime = register_plugin(characters, plugins=PLUGINS)
    runtime.ingest([video], title="Named", algos=["voices"])  # no character named at all
    hers = {line.text for line in spoken if line.person == spoken[0].person}
    assert {h.extra["text"] for h in _dialogue(runtime, "mara")} == hers
    assert _dialogue(runtime, "Ben") == []
