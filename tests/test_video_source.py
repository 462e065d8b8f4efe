"""The video-capture source (drivers/video) on a real video through OpenCV's VideoCapture API,
and its one-line errors on paths that are no capture device.

No /dev/video device or v4l2loopback module exists on the test machine: the V4L2 path is
exercised only up to its refusals (missing path, a file, a folder, a character device that is
not V4L2). A video file opens through the same ``cv2.VideoCapture`` (CAP_FFMPEG) and is read by
the same owner-loop device, paced at its own rate.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.base import CameraState, FileAdded, SettingError, SourceError, StateChanged
from drivers.composite import CompositeCamera
from drivers.download import FolderSink
from drivers.video import VideoCamera, VideoMode, VideoOptions, VideoTarget, open_video, parse_size
from drivers.video.pixels import frame_bgr, frame_jpeg
from studio.loop import VisionLoop
from studio.sources import open_camera


@pytest.mark.parametrize(("spec", "message"), [
    ("v4l2:/dev/video97", "no such device: /dev/video97"),
    ("v4l2:97", "no such device: /dev/video97"),
    ("capture:97", "no capture device at index 97"),
    ("opencv:abc", "needs a capture index"),
    ("v4l2:", "needs a device"),
])
def test_bad_specs_refused_in_one_line(spec: str, message: str) -> None:
    t = time.monotonic()
    with pytest.raises(SourceError, match=message) as err:
        open_video(spec).open()
    assert time.monotonic() - t < 2.0
    assert "\n" not in str(err.value)


def test_paths_that_are_not_capture_devices(tmp_path: Path) -> None:
    regular = tmp_path / "clip.mp4"
    regular.write_bytes(b"not a device")
    for path, what in ((regular, r"not a video capture device \(a file\)"),
                       (tmp_path, r"not a video capture device \(a folder\)"),
                       (Path("/dev/null"), "busy, or not a video capture device")):
        camera = open_video(f"v4l2:{path}")
        t = time.monotonic()
        with pytest.raises(SourceError, match=what):
            camera.open()
        assert time.monotonic() - t < 5.0  # the open's own bound
        assert camera.state is CameraState.CLOSED
        with pytest.raises(Exception, match="not open"):
            camera.capture().result(timeout=1)


def test_sizes_parsed_or_refused() -> None:
    assert parse_size("1920x1080") == (1920, 1080)
    assert parse_size(" 1280 X 720 ") == (1280, 720)
    for bad in ("1920", "0x0", "1920x", "99999x10", "axb"):
        with pytest.raises(ValueError, match="WIDTHxHEIGHT"):
            parse_size(bad)


def test_open_camera_picks_the_video_source_alone_and_composite() -> None:
    alone = open_camera("v4l2:/dev/video5", video_size=(1920, 1080), video_fps=60)
    assert isinstance(alone, VideoCamera)
    assert alone.options.asked == VideoMode(1920, 1080, 60.0)
    both = open_camera("capture:2+camera", video_size=(1280, 720), video_format="MJPG")
    assert isinstance(both, CompositeCamera) and isinstance(both.live, VideoCamera)
    assert both.live.options.fourcc == "MJPG"
    assert both.live.target == VideoTarget("index", "2")


def test_cli_refuses_a_missing_device_before_the_session(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "studio.cli", "run", "--headless", "--source",
                           "v4l2:/dev/video97+camera", "--video-size", "1920x1080", "--video-fps", "60",
                           "--video-format", "mjpg"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "studio: error: no such device: /dev/video97 (list the capture devices with "
        "`v4l2-ctl --list-devices` or `ls /dev/video*`)"]
    assert not (tmp_path / "sessions").exists()
    done = subprocess.run([sys.executable, "-m", "studio.cli", "run", "--headless", "--video-fps", "60"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 2 and done.stderr.strip().splitlines() == [
        "studio: error: --video-size, --video-fps, --video-format and --video-keep-bars apply to a "
        "v4l2:/dev/videoN or capture:N source"]
    assert not (tmp_path / "sessions").exists()


def test_a_real_video_through_videocapture(liveview_video: Path, tmp_path: Path) -> None:
    camera = VideoCamera(VideoTarget("file", str(liveview_video)), sink=FolderSink(tmp_path / "grabs"))
    events: list = []
    camera.add_listener(events.append)
    camera.open()
    try:
        assert camera.mode.width == 640 and camera.mode.height == 360
        assert camera.mode.fps == pytest.approx(29.97, abs=0.1)
        camera.start_live_view().result(timeout=5)
        first = camera.frames.wait_newer(0, 5)
        assert first is not None and first.jpeg == b"" and first.size == (640, 360)
        assert first.pixels.shape == (360, 640, 3) and not first.pixels.flags.writeable
        t0 = time.monotonic()
        time.sleep(1.0)
        later = camera.frames.wait_newer(first.seq, 5)
        elapsed = time.monotonic() - t0
        # paced at the file's own rate (not as fast as it decodes): ~30 frames a second
        assert later is not None and 15 <= (later.seq - first.seq) / elapsed <= 40
        assert not np.array_equal(first.pixels, later.pixels)  # a moving video, frames differ
        back = cv2.imdecode(np.frombuffer(frame_jpeg(later), np.uint8), cv2.IMREAD_COLOR)
        assert back.shape == later.pixels.shape
        assert float(np.abs(back.astype(int) - later.pixels).mean()) < 4.0
        assert frame_bgr(later, 2).shape == (180, 320, 3)
        paths = camera.capture().result(timeout=5)
        assert len(paths) == 1 and paths[0].name == "VID_0001.JPG" and paths[0].stat().st_size > 1000
        assert any(isinstance(e, FileAdded) and e.path == paths[0] for e in events)
        settings = camera.settings().result(timeout=5)
        assert settings["videosize"].value == "640x360" and settings["videosize"].readonly
        with pytest.raises(SettingError, match="no settings to change"):
            camera.set_setting("videosize", "1920x1080").result(timeout=5)
    finally:
        camera.close()
    assert camera.state is CameraState.CLOSED and camera.frames.closed


def _short_clip(source: Path, out: Path, frames: int) -> Path:
    """The first ``frames`` frames of the real video, written again (MJPG in AVI)."""
    cap = cv2.VideoCapture(str(source))
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*"MJPG"), 30.0, (640, 360))
    for _ in range(frames):
        ok, image = cap.read()
        assert ok
        writer.write(image)
    writer.release()
    cap.release()
    return out


def test_a_source_that_stops_is_noticed_and_reopened(liveview_video: Path, tmp_path: Path) -> None:
    clip = _short_clip(liveview_video, tmp_path / "clip.avi", 12)
    options = VideoOptions(stall_s=0.3, reopen_every_s=0.1)
    camera = VideoCamera(VideoTarget("file", str(clip)), options)
    states: list[StateChanged] = []
    back = threading.Event()

    def on_event(event: object) -> None:
        if isinstance(event, StateChanged):
            states.append(event)
            lost_before = any(s.state is CameraState.RECONNECTING for s in states)
            if event.state is CameraState.CONNECTED and lost_before:
                back.set()

    camera.add_listener(on_event)
    seen: list[int] = []
    loop = VisionLoop(camera.frames, lambda frame: seen.append(frame.seq) or frame.seq)
    camera.open()
    loop.start()
    try:
        camera.start_live_view().result(timeout=5)
        assert back.wait(10), f"not reopened: {states}"
        lost = next(s for s in states if s.state is CameraState.RECONNECTING)
        assert lost.reason == "no frame for 0.3 s"
        deadline = time.monotonic() + 5
        while camera.frames.seq <= 14 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert camera.frames.seq > 14  # frames flow again after the reopen (12 per pass)
        assert camera.stats.reopens >= 1 and camera.state is CameraState.CONNECTED
    finally:
        camera.close()
        loop.stop()
    assert seen == sorted(seen) and len(set(seen)) == len(seen)  # newest only, never twice


def test_the_app_analyses_the_raw_frames(liveview_video: Path, tmp_path: Path) -> None:
    """The whole StudioApp (vision loop, live watch, READY machine) on the video source."""
    from studio.app import StudioApp

    camera = VideoCamera(VideoTarget("file", str(liveview_video)), sink=FolderSink(tmp_path))
    app = StudioApp(camera, preset="commercial-headshot", source_name="video")
    seen: list = []
    app.add_analysis_listener(seen.append)
    app.start()
    try:
        deadline = time.monotonic() + 60
        faces = lambda: sum(a.subject is not None for a in seen)  # noqa: E731
        while (len(seen) < 20 or faces() < 5) and time.monotonic() < deadline:
            time.sleep(0.1)  # (the singer turns away and hides behind the microphone at times)
    finally:
        app.stop()
    assert len(seen) >= 20, "fewer than 20 frames analysed in 60 s"
    assert all(a.size == (640, 360) for a in seen)
    assert sum(a.subject is not None for a in seen) >= 5, "the singer's face was not found"
    frames = [a.frame for a in seen]
    assert frames == sorted(frames) and len(set(frames)) == len(frames)


def test_the_window_feed_shows_a_raw_frame() -> None:
    """FrameFeed.decode on raw pixels: the picture's pixels, halved for a half-size view."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt5.QtCore import QSize

    from drivers.base import LiveFrame
    from studio.ui.feed import FrameFeed

    pixels = np.zeros((1080, 1920, 3), np.uint8)
    pixels[:, :960] = (0, 0, 255)  # left half red (BGR), right half black
    pixels.flags.writeable = False
    frame = LiveFrame(b"", 1, time.monotonic(), (1920, 1080), pixels=pixels)
    shown = FrameFeed.decode(frame, QSize(960, 540))
    assert (shown.image.width(), shown.image.height()) == (960, 540) and shown.size == (1920, 1080)
    left, right = shown.image.pixelColor(100, 270), shown.image.pixelColor(800, 270)
    assert (left.red(), left.green(), left.blue()) == (255, 0, 0)
    assert (right.red(), right.green(), right.blue()) == (0, 0, 0)
    assert shown.frame_hist is not None


def test_paired_with_another_camera_for_stills(liveview_video: Path, tmp_path: Path) -> None:
    """Composite: frames from the video source, captures from the other camera (here the
    replay camera on the bundled sample, a real driver, standing in for the USB body)."""
    from drivers.replay import open_source
    from studio.app import bundled_sample

    live = VideoCamera(VideoTarget("file", str(liveview_video)), sink=FolderSink(tmp_path / "grabs"))
    stills = open_source(bundled_sample(), sink=FolderSink(tmp_path / "stills"))
    camera = CompositeCamera(live=live, stills=stills)
    events: list = []
    camera.add_listener(events.append)
    camera.open()
    try:
        camera.start_live_view().result(timeout=5)
        frame = camera.frames.wait_newer(0, 5)
        assert frame is not None and frame.pixels is not None and frame.size == (640, 360)
        stills.start_live_view().result(timeout=5)  # the sample camera serves captures of its own frames
        paths = camera.capture().result(timeout=10)
        assert paths and all(p.parent == tmp_path / "stills" for p in paths)
        assert not list((tmp_path / "grabs").iterdir())  # the video source took no still
        assert camera.state is stills.state and "live view: video" in camera.model
    finally:
        camera.close()
    assert live.state is CameraState.CLOSED


def test_raw_frames_compare_and_hash_by_their_fields_not_their_pixels() -> None:
    from drivers.base import LiveFrame

    a = LiveFrame(b"", 7, 1.0, (2, 2), pixels=np.zeros((2, 2, 3), np.uint8))
    b = LiveFrame(b"", 7, 1.0, (2, 2), pixels=np.ones((2, 2, 3), np.uint8))
    assert a == b and hash(a) == hash(b)  # an ndarray field would raise here (no truth value)
    assert a != LiveFrame(b"", 8, 1.0, (2, 2), pixels=a.pixels)


def test_closed_and_opened_again(liveview_video: Path) -> None:
    camera = VideoCamera(VideoTarget("file", str(liveview_video)))
    for _ in range(2):
        camera.open()
        try:
            camera.start_live_view().result(timeout=5)
            frame = camera.frames.wait_newer(camera.frames.seq, 5)
            assert frame is not None and frame.pixels is not None
            assert camera.state is CameraState.CONNECTED
        finally:
            camera.close()
        assert camera.state is CameraState.CLOSED and camera.frames.closed
