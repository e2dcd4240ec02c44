"""The media layer: probing, content hashes, the one-pass decoder, writers and montages."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import numpy as np
import pytest
from media_files import RealMedia

from reelsearch.core.errors import MediaError
from reelsearch.core.media import (
    FramesAt,
    FrameTap,
    RGBImage,
    VideoWriter,
    content_hash,
    decode_audio,
    decode_frames,
    probe,
    run_taps,
    scaled_size,
)
from reelsearch.sdk.testing.montage import CUT, Montage, Transition

MDN_FRAMES = {"crystal": 359, "elf": 241, "frog": 248, "monster": 220, "pig": 196, "rabbit": 234}


@pytest.fixture(scope="module")
def bbb(real_media: RealMedia) -> Path:
    return real_media("bbb/big_buck_bunny_0_30.webm")


@pytest.fixture(scope="module")
def elf(real_media: RealMedia) -> Path:
    return real_media("mdn/elf.mp4")


def write_frames(path: Path, frames: int, size: tuple[int, int] = (64, 48)) -> Path:
    """A small H.264 MP4 of a bright bar moving over grey (PyAV puts its index at the end)."""
    width, height = size
    with VideoWriter(path, 24, size) as writer:
        for index in range(frames):
            image = np.full((height, width, 3), 90, np.uint8)
            image[:, (index * 3) % width : (index * 3) % width + 8] = 230
            writer.write(image)
    return path


# --- probe ---------------------------------------------------------------------------------


def test_probe_reads_the_facts_of_the_bbb_clip(bbb: Path) -> None:
    info = probe(bbb)
    assert (info.frame_count, info.fps, info.width, info.height) == (720, 24.0, 1280, 720)
    assert info.video_codec == "vp8"
    assert info.audio_streams == 1
    assert info.subtitle_streams == 0
    assert info.duration == pytest.approx(30.0, abs=0.01)
    assert info.size_bytes == bbb.stat().st_size


@pytest.mark.parametrize(("name", "frames"), sorted(MDN_FRAMES.items()))
def test_probe_reads_the_facts_of_each_mdn_clip(
    real_media: RealMedia, name: str, frames: int
) -> None:
    info = probe(real_media(f"mdn/{name}.mp4"))
    assert (info.frame_count, info.fps, info.width, info.height) == (frames, 30.0, 720, 480)
    assert (info.video_codec, info.audio_streams) == ("h264", 1)
    assert info.duration == pytest.approx(frames / 30, abs=0.05)


def test_content_hash_is_the_sha256_of_the_bytes(bbb: Path) -> None:
    assert bbb.stat().st_size > 1 << 20, "the clip spans several 1 MiB chunks"
    assert content_hash(bbb) == hashlib.sha256(bbb.read_bytes()).hexdigest()


def half_copy(source: Path, target: Path) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    return target


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda tmp, media: tmp / "missing.mp4", "no such file"),
        (lambda tmp, media: _write(tmp / "empty.mp4", b""), "empty file (0 bytes)"),
        (
            lambda tmp, media: _write(tmp / "notes.mp4", b"shopping list\nmilk, eggs\n" * 40),
            "not a media file",
        ),
        (
            lambda tmp, media: half_copy(media("mdn/elf.mp4"), tmp / "elf-half.mp4"),
            "truncated or corrupt: 144 of the 241 video frames",
        ),
        (
            lambda tmp, media: half_copy(
                media("bbb/big_buck_bunny_0_30.webm"), tmp / "bbb-half.webm"
            ),
            "truncated or corrupt: its data ends at",
        ),
        (
            lambda tmp, media: half_copy(write_frames(tmp / "full.mp4", 48), tmp / "cut.mp4"),
            "truncated or corrupt MP4/MOV file",
        ),
        (
            lambda tmp, media: media("speech/jfk.flac"),
            "no video stream (streams found: audio)",
        ),
    ],
    ids=["missing", "zero-length", "text", "truncated-mp4", "truncated-webm", "moov-lost", "audio"],
)
def test_probe_names_the_file_and_the_problem(
    tmp_path: Path, real_media: RealMedia, make: object, problem: str
) -> None:
    path = make(tmp_path, real_media)  # type: ignore[operator]
    with pytest.raises(MediaError) as caught:
        probe(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert problem in message
    assert "\n" not in message


def test_content_hash_of_a_missing_file_is_a_media_error(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match=r"missing\.webm: no such file"):
        content_hash(tmp_path / "missing.webm")


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- decoding ------------------------------------------------------------------------------


def test_decoder_yields_every_frame_small_in_batches(bbb: Path) -> None:
    batches = list(decode_frames(bbb, (48, 27), batch_size=100))
    assert [len(batch) for batch in batches] == [100] * 7 + [20]
    assert all(batch.shape[1:] == (27, 48, 3) and batch.dtype == np.uint8 for batch in batches)
    assert batches[0] is not batches[1], "each batch is a new array the caller may keep"
    frames = np.concatenate(batches)
    assert frames[0].mean() < 5, "the clip fades in from black"
    assert frames[300].mean() > 50


def test_decoding_ahead_on_a_thread_gives_the_same_frames(elf: Path) -> None:
    ahead = np.concatenate(list(decode_frames(elf, (24, 16), prefetch=3, batch_size=10)))
    inline = np.concatenate(list(decode_frames(elf, (24, 16), prefetch=0, batch_size=50)))
    np.testing.assert_array_equal(ahead, inline)


def test_a_caller_may_stop_early(elf: Path) -> None:
    batches = decode_frames(elf, batch_size=8, prefetch=2)
    assert len(next(batches)) == 8
    batches.close()  # stops the decoding thread; must not hang
    threads = [t.name for t in threading.enumerate()]
    assert "reelsearch-decode" not in threads


def test_taps_get_their_frames_in_the_same_pass(bbb: Path) -> None:
    wanted = [0, 282, 283, 719]
    small = FramesAt(wanted, (48, 27))
    full = FramesAt([283])
    frames = np.concatenate(list(decode_frames(bbb, (48, 27), taps=[small, full])))
    for index in wanted:
        np.testing.assert_array_equal(small.frames[index], frames[index])
    assert full.frames[283].shape == (720, 1280, 3)


def test_a_taps_only_pass_stops_after_the_last_frame_wanted(elf: Path) -> None:
    tap = FramesAt([5, 40], (72, 48))
    assert run_taps(elf, [tap]) == 41
    assert sorted(tap.frames) == [5, 40]
    assert tap.frames[40].shape == (48, 72, 3)


class _Counter(FrameTap):
    def __init__(self) -> None:
        super().__init__((16, 10))
        self.seen: list[int] = []

    def wants(self, index: int) -> bool:
        return index % 10 == 0

    def take(self, index: int, image: RGBImage) -> None:
        assert image.shape == (10, 16, 3)
        self.seen.append(index)


def test_a_tap_is_given_only_the_frames_it_wants(elf: Path) -> None:
    tap = _Counter()
    assert run_taps(elf, [tap]) == 241
    assert tap.seen == list(range(0, 241, 10))


def test_decoding_garbage_names_the_file_and_the_frame(tmp_path: Path, elf: Path) -> None:
    data = bytearray(elf.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 50_000] = np.random.default_rng(1).bytes(50_000)
    damaged = _write(tmp_path / "damaged.mp4", bytes(data))
    with pytest.raises(MediaError, match=r"damaged\.mp4: cannot decode frame \d+"):
        for _ in decode_frames(damaged):
            pass


def test_sizes_keep_the_aspect_ratio_and_are_even() -> None:
    assert scaled_size((1280, 720), 320) == (320, 180)
    assert scaled_size((720, 480), 100) == (100, 66)
    assert scaled_size((64, 48), 640) == (64, 48), "never scaled up"


# --- writing -------------------------------------------------------------------------------


def test_video_writer_writes_a_decodable_mp4(tmp_path: Path) -> None:
    path = write_frames(tmp_path / "bars.mp4", 30)
    info = probe(path)
    assert (info.frame_count, info.fps, info.width, info.height) == (30, 24.0, 64, 48)
    assert [p.name for p in tmp_path.iterdir()] == ["bars.mp4"], "no temporary file is left"


def test_video_writer_leaves_nothing_when_writing_fails(tmp_path: Path) -> None:
    def write_a_wrong_frame() -> None:
        with VideoWriter(tmp_path / "broken.mp4", 24, (64, 48)) as writer:
            writer.write(np.zeros((48, 64, 3), np.uint8))
            writer.write(np.zeros((10, 10, 3), np.uint8))

    with pytest.raises(ValueError, match="does not match"):
        write_a_wrong_frame()
    assert list(tmp_path.iterdir()) == []


# --- montages ------------------------------------------------------------------------------


def _solid(value: int, frames: int) -> np.ndarray:
    return np.full((frames, 4, 4, 3), value, np.uint8)


def test_montage_puts_each_cut_where_its_transition_says() -> None:
    clips = [_solid(value, 40) for value in (200, 100, 50, 250)]
    transitions = [CUT, Transition("dissolve", 10), Transition("fade", 6, hold=4)]
    montage = Montage(clips, transitions)
    frames = np.stack(list(montage))
    assert montage.cuts == [40, 75, 112]
    assert len(frames) == 160 - 10 + 4, "a dissolve overlaps its clips, a fade adds its black"
    assert frames[39, 0, 0, 0] == 200
    assert frames[40, 0, 0, 0] == 100
    # dissolve frames 70..79 blend 100 -> 50; frame 75 is the first mostly 50.
    assert frames[74, 0, 0, 0] > 75 > frames[75, 0, 0, 0]
    # fade: 6 frames out (104..109), 4 black (110..113), 6 in (114..119).
    assert frames[110:114].max() == 0
    assert frames[109].max() > 0
    assert frames[114].max() > 0


def test_montage_refuses_clips_shorter_than_their_transition() -> None:
    with pytest.raises(ValueError, match="shorter than a dissolve"):
        list(Montage([_solid(0, 5), _solid(255, 40)], [Transition("dissolve", 10)]))


def test_decode_audio_gives_what_faster_whisper_decodes(real_media: RealMedia) -> None:
    faster_whisper = pytest.importorskip("faster_whisper", reason="the speech extra is absent")
    for name in ("speech/jfk.flac", "mdn/elf.mp4"):
        path = real_media(name)
        samples = decode_audio(path, sample_rate=16_000)
        assert samples.dtype == np.float32
        expected = faster_whisper.decode_audio(str(path), sampling_rate=16_000)
        np.testing.assert_array_equal(samples, expected)


def test_decode_audio_names_a_file_without_audio(tmp_path: Path) -> None:
    silent = write_frames(tmp_path / "silent.mp4", 5)
    with pytest.raises(MediaError, match=f"^{silent}: no audio stream$"):
        decode_audio(silent)
