"""Image limits and damage, in-process: header checks before decoding, grey-filled JPEGs,
trailers after the end marker, special files, and the configurable pixel limit."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fuzz"))
from make_corpus import png_bomb, sample_frames, with_size  # noqa: E402

from studio.vision.image import ImageError, decode_jpeg, load_image, read_still  # noqa: E402
from studio.vision.image_format import ENV_MAX_MEGAPIXELS, grey_filled, jpeg_layout  # noqa: E402


@pytest.fixture(scope="module")
def frame() -> bytes:
    return sample_frames(1)[0]


@pytest.fixture(scope="module")
def big_jpeg(frame) -> bytes:
    """A 4096×2720 camera-sized JPEG (read_still decodes it at 1/2 or 1/4)."""
    image = cv2.imdecode(np.frombuffer(frame, np.uint8), cv2.IMREAD_COLOR)
    return cv2.imencode(".jpg", cv2.resize(image, (4096, 2720)), [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()


def test_a_bomb_is_refused_from_its_header_before_any_pixel_is_made(tmp_path, frame):
    (tmp_path / "bomb.jpg").write_bytes(with_size(frame, 65500, 65500))
    (tmp_path / "bomb.png").write_bytes(png_bomb(65000))
    for name in ("bomb.jpg", "bomb.png"):
        start = time.perf_counter()
        with pytest.raises(ImageError, match=r"too large to decode: 65\d00×65\d00"):
            load_image(tmp_path / name)
        assert time.perf_counter() - start < 0.5  # a decode of 4 GP would take minutes
    with pytest.raises(ImageError, match="too large"):
        decode_jpeg(with_size(frame, 65500, 65500))  # live-view frames too


def test_the_pixel_limit_is_configurable(tmp_path, frame, monkeypatch):
    (tmp_path / "f.jpg").write_bytes(frame)  # 1024×680 = 0.7 MP
    assert load_image(tmp_path / "f.jpg").shape == (680, 1024, 3)
    monkeypatch.setenv(ENV_MAX_MEGAPIXELS, "0.5")
    with pytest.raises(ImageError, match="the limit is 0.5 MP"):
        load_image(tmp_path / "f.jpg")
    monkeypatch.setenv(ENV_MAX_MEGAPIXELS, "nonsense")  # ignored: the default 200 MP
    assert load_image(tmp_path / "f.jpg").shape == (680, 1024, 3)
    (tmp_path / "b.jpg").write_bytes(with_size(frame, 15000, 15000))
    with pytest.raises(ImageError, match="225 MP.*the limit is 200 MP"):
        load_image(tmp_path / "b.jpg")


def test_a_jpeg_cut_in_half_with_an_end_marker_is_refused_at_every_decode_size(tmp_path, frame, big_jpeg):
    for name, data in (("live.jpg", frame), ("still.jpg", big_jpeg)):
        cut = data[:len(data) // 2] + b"\xff\xd9"
        (tmp_path / name).write_bytes(cut)
        with pytest.raises(ImageError, match="flat grey"):
            load_image(tmp_path / name)
        with pytest.raises(ImageError, match="flat grey"):
            read_still(tmp_path / name, 640)  # the still path decodes at a reduced size
        with pytest.raises(ImageError, match="flat grey"):
            decode_jpeg(cut)


def test_a_still_decoded_reduced_is_checked_for_grey_fill(tmp_path, big_jpeg):
    cut = big_jpeg[:len(big_jpeg) * 9 // 10] + b"\xff\xd9"
    image = cv2.imdecode(np.frombuffer(cut, np.uint8), cv2.IMREAD_REDUCED_COLOR_4)
    assert grey_filled(image, 4)
    (tmp_path / "s.jpg").write_bytes(cut)
    with pytest.raises(ImageError, match="flat grey"):
        read_still(tmp_path / "s.jpg", 640)


def test_an_intact_picture_is_not_grey_filled_even_on_a_flat_grey_backdrop(frame):
    image = cv2.imdecode(np.frombuffer(frame, np.uint8), cv2.IMREAD_COLOR)
    assert not grey_filled(image)
    flat = np.full((480, 640, 3), 128, np.uint8)
    assert not grey_filled(flat)  # all grey: a picture, not a fill
    decoded = cv2.imdecode(cv2.imencode(".jpg", flat)[1], cv2.IMREAD_COLOR)
    assert decode_jpeg(cv2.imencode(".jpg", flat)[1].tobytes()).shape == decoded.shape


def test_data_after_the_end_marker_is_not_part_of_the_image(tmp_path, frame, big_jpeg):
    for trailer in (b"\0" * 200_000, b"\0\0\0\x18ftypmp42" + os.urandom(500_000), frame):
        (tmp_path / "t.jpg").write_bytes(big_jpeg + trailer)
        assert jpeg_layout(big_jpeg + trailer).end == len(big_jpeg)
        still = read_still(tmp_path / "t.jpg", 640)
        assert still.native == (4096, 2720)
        assert load_image(tmp_path / "t.jpg").shape == (2720, 4096, 3)


def _in_thread(fn, timeout: float = 5.0):
    box: dict = {}

    def run():
        try:
            box["value"] = fn()
        except Exception as exc:
            box["error"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), "hung"
    return box


def test_fifos_devices_and_huge_files_are_refused_without_opening_or_reading(tmp_path, frame):
    os.mkfifo(tmp_path / "fifo.jpg")
    (tmp_path / "zero.jpg").symlink_to("/dev/zero")
    with open(tmp_path / "huge.jpg", "wb") as fh:
        fh.write(frame[:4])
        fh.truncate(3 * 10**9)
    for name, words in (("fifo.jpg", "FIFO"), ("zero.jpg", "character device (through a symlink)"),
                        ("huge.jpg", "too large")):
        box = _in_thread(lambda n=name: load_image(tmp_path / n))
        assert isinstance(box.get("error"), ImageError) and words in str(box["error"]), box


def test_a_cut_progressive_jpeg_is_found_by_its_scans(frame):
    image = cv2.imdecode(np.frombuffer(frame, np.uint8), cv2.IMREAD_COLOR)
    progressive = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_PROGRESSIVE, 1])[1].tobytes()
    assert jpeg_layout(progressive).progressive and jpeg_layout(progressive).complete
    assert not jpeg_layout(progressive[:len(progressive) // 2] + b"\xff\xd9").complete


def test_check_takes_the_pixel_limit_from_its_option(tmp_path, frame):
    import subprocess

    (tmp_path / "big.jpg").write_bytes(with_size(frame, 15000, 15000))  # 225 MP
    done = subprocess.run([sys.executable, "-m", "studio.cli", "check", "--max-megapixels", "1", "--json",
                           "big.jpg"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 1 and "the limit is 1 MP" in done.stdout, done.stdout + done.stderr


def test_live_frame_decoders_never_decode_a_frame_claiming_gigapixels(frame):
    from PyQt5.QtCore import QSize

    from drivers.base import LatestFrameSlot
    from studio.triggers.gesture import GestureTrigger, PalmDetector
    from studio.ui.feed import FrameFeed

    slot = LatestFrameSlot()
    bomb = slot.put_jpeg(with_size(frame, 65500, 65500))
    good = slot.put_jpeg(frame)
    with pytest.raises(ValueError, match="claims 65500×65500"):
        FrameFeed.decode(bomb, QSize(640, 480))
    assert FrameFeed.decode(good, QSize(640, 480)) is not None
    trigger = GestureTrigger(slot, lambda event: None, detector=PalmDetector(live=True))
    start = time.perf_counter()
    assert trigger.process(bomb) is None  # skipped, not decoded (a decode would raise or take GBs)
    assert time.perf_counter() - start < 0.5
    trigger.process(good)  # and the next good frame is checked as usual
    assert trigger.frames_checked >= 1


def test_the_header_walkers_survive_any_damage(frame):
    """jpeg_layout / png_layout on arbitrary bytes: an ImageError or a layout, quickly."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from studio.vision.image_format import ImageLimits, check_layout

    png = cv2.imencode(".png", cv2.imdecode(np.frombuffer(frame, np.uint8), cv2.IMREAD_REDUCED_COLOR_4))[1]
    seeds = [frame, png.tobytes()]

    @settings(max_examples=300, deadline=None)
    @given(seed=st.sampled_from(seeds), edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)),
                                                       max_size=12),
           cut=st.integers(0, 10**6), tail=st.binary(max_size=32))
    def check(seed, edits, cut, tail):
        data = bytearray(seed)
        for pos, value in edits:
            data[pos % len(data)] = value
        blob = bytes(data[:max(2, cut % (len(data) + 1))]) + tail
        start = time.perf_counter()
        try:
            layout = check_layout(blob, ImageLimits())
        except ImageError as exc:
            assert "\n" not in str(exc)
        else:
            assert 0 < layout.end <= len(blob) and layout.width * layout.height <= 200_000_000
        assert time.perf_counter() - start < 0.5

    check()
