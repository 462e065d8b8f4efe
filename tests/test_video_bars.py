"""A capture card's pillarboxed or letterboxed picture: the bars are found and cut off, and a
dark scene is never mistaken for them. Frames from the NASA astronaut photo (public domain)
and the real live-view video, through the real video source on a real video file."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from skimage import data

from drivers.download import FolderSink
from drivers.video import VideoCamera, VideoOptions, VideoTarget
from drivers.video.bars import AGREE, CHECK_EVERY, BarCutter, Picture, find_picture

ASTRONAUT = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)


def _pillarboxed(level: int = 0) -> np.ndarray:
    """A 3:2 picture whole inside 1920×1080, as a camera's HDMI output shows a still."""
    frame = np.full((1080, 1920, 3), level, np.uint8)
    frame[:, 150:1770] = cv2.resize(ASTRONAUT, (1620, 1080))
    return frame


def _jpeg(image: np.ndarray, quality: int = 85) -> np.ndarray:
    return cv2.imdecode(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])[1], cv2.IMREAD_COLOR)


@pytest.mark.parametrize("level", [0, 16])  # full-range and limited-range black
def test_pillarbox_found_exactly(level):
    assert find_picture(_pillarboxed(level)) == Picture(150, 0, 1770, 1080)


def test_pillarbox_through_jpeg_is_found_within_a_block():
    found = find_picture(_jpeg(_pillarboxed()))
    assert found is not None
    assert abs(found.x0 - 150) <= 8 and abs(found.x1 - 1770) <= 8 and (found.y0, found.y1) == (0, 1080)


def test_letterbox_found():
    frame = np.zeros((1080, 1440, 3), np.uint8)
    frame[135:945] = cv2.resize(ASTRONAUT, (1440, 810))
    assert find_picture(frame) == Picture(0, 135, 1440, 945)


def test_a_dark_scene_is_not_a_bar():
    rng = np.random.default_rng(1)
    # a black backdrop: crushed but noisy, either side of the subject, at a camera's shape
    noisy = np.clip(rng.normal(6, 2.5, (1080, 1920, 3)), 0, 255).astype(np.uint8)
    noisy[:, 150:1770] = cv2.resize(ASTRONAUT, (1620, 1080))
    assert find_picture(noisy) is None
    # flat black sides, but what is left is no camera's shape (1320×1080)
    flat = np.zeros((1080, 1920, 3), np.uint8)
    flat[:, 300:1620] = cv2.resize(ASTRONAUT, (1320, 1080))
    assert find_picture(flat) is None
    # flat black on one side only: a picture is centred
    lopsided = np.zeros((1080, 1920, 3), np.uint8)
    lopsided[:, 300:] = cv2.resize(ASTRONAUT, (1620, 1080))
    assert find_picture(lopsided) is None


def test_a_bar_carrying_the_cameras_overlay_is_kept():
    frame = _pillarboxed()
    cv2.putText(frame, "1/125 F2.8 ISO100", (10, 1040), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (255, 255, 255), 2)
    assert find_picture(frame) is None  # not flat: the whole frame is analysed


def test_whole_and_black_frames_have_no_bars():
    assert find_picture(cv2.resize(ASTRONAUT, (1920, 1080))) is None
    assert find_picture(np.zeros((1080, 1920, 3), np.uint8)) is None


def test_the_cutter_waits_for_agreeing_checks_and_follows_a_change():
    cutter = BarCutter()
    barred, whole = _pillarboxed(), cv2.resize(ASTRONAUT, (1920, 1080))
    shapes = [cutter.cut(barred).shape for _ in range(AGREE)]
    assert shapes[:-1] == [(1080, 1920, 3)] * (AGREE - 1) and shapes[-1] == (1080, 1620, 3)
    out = cutter.cut(barred)
    assert out.flags.c_contiguous and np.array_equal(out, barred[:, 150:1770])
    # One frame without bars (a check falls on it) does not undo the cut ...
    while cutter._frames % CHECK_EVERY:
        cutter.cut(barred)
    assert cutter.cut(whole).shape == (1080, 1620, 3)
    # ... AGREE checks in a row do.
    for _ in range(AGREE * CHECK_EVERY):
        shape = cutter.cut(whole).shape
    assert shape == (1080, 1920, 3) and cutter.picture is None


def _pillarboxed_clip(source: Path, out: Path, frames: int) -> Path:
    """The real video's centre 3:2 part (540×360) shown whole inside 640×360 with black bars."""
    cap = cv2.VideoCapture(str(source))
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*"MJPG"), 30.0, (640, 360))
    for _ in range(frames):
        ok, image = cap.read()
        assert ok
        frame = np.zeros_like(image)
        frame[:, 50:590] = image[:, 50:590]
        writer.write(frame)
    writer.release()
    cap.release()
    return out


@pytest.mark.parametrize("cut", [True, False])
def test_the_video_source_publishes_the_picture_without_its_bars(liveview_video, tmp_path, cut):
    clip = _pillarboxed_clip(liveview_video, tmp_path / "hdmi.avi", 60)
    camera = VideoCamera(VideoTarget("file", str(clip)), VideoOptions(cut_bars=cut),
                         sink=FolderSink(tmp_path / "grabs"))
    camera.open()
    try:
        camera.start_live_view().result(timeout=5)
        deadline, frame = time.monotonic() + 10, None
        seq = 0
        while time.monotonic() < deadline:
            frame = camera.frames.wait_newer(seq, 5)
            assert frame is not None
            seq = frame.seq
            if seq > AGREE + 2:
                break
        assert frame is not None
        w, h = frame.size
        assert frame.pixels.shape[:2] == (h, w)
        if cut:
            assert h == 360 and abs(w - 540) <= 16
            assert float(frame.pixels[:, :4].max()) > 40  # the picture reaches the edge
        else:
            assert (w, h) == (640, 360)
        grab = cv2.imread(str(camera.capture().result(timeout=5)[0]))
        assert grab.shape[:2] == (h, w)  # a frame grab is the picture the photographer sees
    finally:
        camera.close()
