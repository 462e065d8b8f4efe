"""The replay camera and `studio record`, on real files: recordings, a real video, JPEG folders."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from test_recording import HEADER_SIZE, frame_offsets, make_jpeg, meta

from drivers.base import (
    Camera,
    CameraGone,
    CameraState,
    ExposureControl,
    FileAdded,
    SettingError,
    SourceError,
    StateChanged,
    exposure_controls,
)
from drivers.download import FolderSink
from drivers.recording import RecordingReader, RecordingWriter
from drivers.replay import ReplayCamera, open_source
from studio.loop import VisionLoop

ROOT = Path(__file__).resolve().parents[1]


def make_recording(path: Path, count: int, hz: float, *,
                   stills: dict[int, bytes] | None = None) -> list[bytes]:
    jpegs = [make_jpeg(i) for i in range(count)]
    with RecordingWriter(path, meta()) as writer:
        for i, jpeg in enumerate(jpegs):
            writer.write_frame(jpeg, i / hz)
            if stills and i in stills:
                writer.write_still(stills[i], i / hz)
    return jpegs


def make_folder(folder: Path, count: int) -> list[bytes]:
    folder.mkdir()
    jpegs = [make_jpeg(i) for i in range(count)]
    for i, jpeg in enumerate(jpegs):
        (folder / f"frame_{i:03d}.jpg").write_bytes(jpeg)
    return jpegs


class Collector:
    """Reads a camera's frames the way the vision loop does, and records its events.

    On a loaded machine a reader may miss frames (they are overwritten, as with a camera), so
    checks go by sequence number: frame ``seq`` must be the ``seq``-th frame published.
    """

    def __init__(self, camera: ReplayCamera) -> None:
        self.camera = camera
        self.base = camera.frames.seq  # sequence numbers go on across replays
        self.frames = []
        self.events = []
        camera.add_listener(self.events.append)

    def assert_published(self, expected: list[bytes]) -> None:
        """Every frame seen is the right one for its position, and the last one was seen."""
        assert self.frames, "no frames"
        for frame in self.frames:
            assert frame.jpeg == expected[frame.seq - self.base - 1], f"wrong bytes for seq {frame.seq}"
        assert self.frames[-1].seq - self.base == len(expected)

    def until_closed(self, timeout: float = 10.0) -> list:
        deadline = time.monotonic() + timeout
        seq = self.base
        while time.monotonic() < deadline:
            frame = self.camera.frames.wait_newer(seq, 0.5)
            if frame is None:
                if self.camera.frames.closed:
                    return self.frames
                continue
            seq = frame.seq
            self.frames.append(frame)
        pytest.fail("the replay did not end")

    def take_until_seq(self, count: int, timeout: float = 10.0) -> list:
        deadline = time.monotonic() + timeout
        seq = self.base
        while seq - self.base < count and time.monotonic() < deadline:
            frame = self.camera.frames.wait_newer(seq, 0.5)
            if frame is not None:
                seq = frame.seq
                self.frames.append(frame)
        assert seq - self.base >= count, "frames stopped coming"
        return self.frames


@pytest.fixture
def opened():
    cameras: list[ReplayCamera] = []

    def open_camera(source, **options) -> ReplayCamera:
        options.setdefault("sink", FolderSink(Path(source).parent / "captures"))
        camera = open_source(source, **options)
        camera.open()
        cameras.append(camera)
        return camera

    yield open_camera
    for camera in cameras:
        camera.close()


def test_replay_camera_satisfies_the_camera_protocol(tmp_path):
    make_recording(tmp_path / "r.slv", 3, 20)
    camera = ReplayCamera(tmp_path / "r.slv")
    assert isinstance(camera, Camera)
    assert camera.state is CameraState.CLOSED


def test_pacing_follows_the_recorded_timestamps(tmp_path, opened):
    jpegs = make_recording(tmp_path / "r.slv", 20, 20.0)
    camera = opened(tmp_path / "r.slv")
    collector = Collector(camera)
    started = time.monotonic()
    camera.start_live_view().result(timeout=5)
    frames = collector.until_closed()
    elapsed = time.monotonic() - started
    collector.assert_published(jpegs)
    assert camera.stats.published == 20
    # Publish times (taken by the camera thread) against the recorded ones: 20 frames at 20 Hz
    # span 0.95 s. Tolerance 100 ms for a loaded 2-core machine.
    ref = frames[0]
    for frame in frames:
        error = (frame.timestamp - ref.timestamp) - (frame.seq - ref.seq) / 20.0
        assert abs(error) < 0.1, (frame.seq, error)
    assert 0.85 < elapsed < 2.0


def test_fast_mode_does_not_wait_for_timestamps(tmp_path, opened):
    make_recording(tmp_path / "r.slv", 200, 20.0)  # 10 s of live view at the recorded pace
    camera = opened(tmp_path / "r.slv", pace="fast")
    collector = Collector(camera)
    started = time.monotonic()
    camera.start_live_view().result(timeout=5)
    frames = collector.until_closed()
    assert time.monotonic() - started < 2.0
    assert camera.stats.published == 200
    assert frames[-1].seq == 200  # a slow reader skipped some, but always sees the newest
    assert all(b.seq > a.seq for a, b in zip(frames, frames[1:], strict=False))


def test_end_of_recording_closes_the_slot_and_ends_the_vision_loop(tmp_path, opened):
    make_recording(tmp_path / "r.slv", 10, 50.0)
    camera = opened(tmp_path / "r.slv")
    events = []
    camera.add_listener(events.append)
    seen = []
    loop = VisionLoop(camera.frames, lambda frame: seen.append(frame.seq) or frame.seq)
    loop.start()
    camera.start_live_view().result(timeout=5)
    assert loop.wait(5), "the vision loop did not end with the recording"
    assert seen and seen[-1] == 10
    assert camera.frames.closed and camera.state is CameraState.GONE
    states = [e for e in events if isinstance(e, StateChanged)]
    assert states[-1].state is CameraState.GONE and states[-1].reason == "end of recording"
    with pytest.raises(CameraGone, match="ended"):
        camera.capture().result(timeout=5)
    # Starting live view again plays the recording from the start.
    collector = Collector(camera)
    camera.start_live_view().result(timeout=5)
    assert camera.state is CameraState.CONNECTED
    collector.until_closed()
    assert collector.frames[-1].seq == 20 and camera.stats.published == 20


def test_loop_mode_wraps(tmp_path, opened):
    jpegs = make_recording(tmp_path / "r.slv", 5, 50.0)
    camera = opened(tmp_path / "r.slv", loop=True)
    collector = Collector(camera)
    camera.start_live_view().result(timeout=5)
    frames = collector.take_until_seq(13)
    assert all(f.jpeg == jpegs[(f.seq - 1) % 5] for f in frames)
    # No stall at the wraps: one nominal interval (20 ms) per frame throughout.
    first, last = frames[0], frames[-1]
    pace = (last.timestamp - first.timestamp) - (last.seq - first.seq) * 0.02
    assert abs(pace) < 0.1, pace
    assert camera.stats.passes >= 2 and not camera.frames.closed
    assert camera.state is CameraState.CONNECTED


def test_stop_live_view_pauses(tmp_path, opened):
    make_recording(tmp_path / "r.slv", 100, 50.0)
    camera = opened(tmp_path / "r.slv")
    Collector(camera)
    camera.start_live_view().result(timeout=5)
    time.sleep(0.2)
    camera.stop_live_view().result(timeout=5)
    paused_at = camera.frames.seq
    time.sleep(0.3)
    assert camera.frames.seq == paused_at and 0 < paused_at < 100
    camera.start_live_view().result(timeout=5)
    assert camera.frames.wait_newer(paused_at, 2) is not None


def test_corrupt_and_truncated_recordings_replay_what_is_whole(tmp_path, opened):
    path = tmp_path / "r.slv"
    jpegs = make_recording(path, 12, 50.0)
    offsets = frame_offsets(path)
    data = bytearray(path.read_bytes())
    data[offsets[3] + HEADER_SIZE + 100] ^= 0xFF  # damaged payload
    data = data[:offsets[11] + 40]  # cut inside the last frame
    path.write_bytes(bytes(data))
    camera = opened(path)
    collector = Collector(camera)
    camera.start_live_view().result(timeout=5)
    collector.until_closed()
    collector.assert_published(jpegs[:3] + jpegs[4:11])
    stats = camera.stats
    assert stats.corrupt == 1 and stats.truncated and stats.bytes_lost == 40
    assert stats.published == 10


def test_video_file_source(liveview_video, opened):
    camera = opened(liveview_video, pace="fast")
    assert 29.9 < camera.nominal_fps < 30.1
    collector = Collector(camera)
    camera.start_live_view().result(timeout=5)
    frames = collector.until_closed(timeout=60)
    assert camera.stats.published == 275
    assert frames[-1].size == (640, 360) and frames[-1].jpeg[:2] == b"\xff\xd8"


def test_folder_source_in_name_order_skipping_bad_files(tmp_path, opened):
    folder = tmp_path / "shots"
    jpegs = make_folder(folder, 6)
    (folder / "frame_002b.jpg").write_text("not a jpeg at all")
    (folder / "notes.txt").write_text("ignored: not a .jpg")
    (folder / "FRAME_999.JPEG").write_bytes(make_jpeg(99))  # upper case counts; sorts first
    camera = opened(folder, fps=50.0)
    collector = Collector(camera)
    camera.start_live_view().result(timeout=5)
    frames = collector.until_closed()
    collector.assert_published([make_jpeg(99)] + jpegs)
    assert camera.stats.skipped == 1 and camera.stats.published == 7
    span = (frames[-1].timestamp - frames[0].timestamp) - (frames[-1].seq - frames[0].seq) / 50
    assert abs(span) < 0.1


def test_capture_saves_the_current_frame_through_the_sink(tmp_path, opened):
    jpegs = make_recording(tmp_path / "r.slv", 20, 50.0)
    camera = opened(tmp_path / "r.slv", loop=True, sink=FolderSink(tmp_path / "captures"))
    events = []
    camera.add_listener(events.append)
    first = camera.capture().result(timeout=5)  # before live view: the first frame
    assert first[0].read_bytes() == jpegs[0]
    camera.start_live_view().result(timeout=5)
    assert camera.frames.wait_newer(5, 5) is not None
    camera.stop_live_view().result(timeout=5)  # freeze the current frame
    current = camera.frames.latest()
    paths = camera.capture().result(timeout=5) + camera.capture().result(timeout=5)
    assert len(set(paths)) == 2 and all(p.parent == tmp_path / "captures" for p in paths)
    assert all(p.read_bytes() == current.jpeg for p in paths)
    added = [e for e in events if isinstance(e, FileAdded)]
    assert [e.path for e in added] == first + paths
    assert added[-1].size == len(current.jpeg)
    assert not list((tmp_path / "captures").glob("*.part"))


def test_capture_prefers_the_recorded_still_nearest_in_time(tmp_path, opened):
    stills = {2: make_jpeg(200, (320, 240)), 15: make_jpeg(201, (320, 240))}
    make_recording(tmp_path / "r.slv", 20, 50.0, stills=stills)
    camera = opened(tmp_path / "r.slv", sink=FolderSink(tmp_path / "captures"))
    assert camera.capture().result(timeout=5)[0].read_bytes() == stills[2]  # at frame 0
    camera.start_live_view().result(timeout=5)
    Collector(camera).until_closed()
    base = camera.frames.seq  # sequence numbers go on across replays
    camera.start_live_view().result(timeout=5)  # replay again, pause near the end
    assert camera.frames.wait_newer(base + 17, 5) is not None
    camera.stop_live_view().result(timeout=5)
    assert camera.capture().result(timeout=5)[0].read_bytes() == stills[15]


def test_emulated_settings_are_validated(tmp_path, opened):
    make_recording(tmp_path / "r.slv", 3, 20)
    camera = opened(tmp_path / "r.slv")
    settings = camera.settings().result(timeout=5)
    assert {"imageformat", "iso", "exposurecompensation", "cameramodel"} <= set(settings)
    assert settings["cameramodel"].value == "Test body" == camera.model
    assert camera.set_setting("iso", "400").result(timeout=5).value == "400"
    assert camera.settings().result(timeout=5)["iso"].value == "400"
    assert camera.set_setting("exposurecompensation", "0.7").result(timeout=5).value == 0.5
    with pytest.raises(SettingError, match=r"allowed: Auto, 100, 200.*6400"):
        camera.set_setting("iso", "123").result(timeout=5)
    with pytest.raises(SettingError, match="out of range"):
        camera.set_setting("exposurecompensation", "9").result(timeout=5)
    with pytest.raises(SettingError, match="read-only"):
        camera.set_setting("cameramodel", "Other").result(timeout=5)
    with pytest.raises(SettingError, match="no setting 'shutter'.*settings: cameramodel"):
        camera.set_setting("shutter", "1/100").result(timeout=5)


def test_emulated_exposure_controls_are_offered_like_a_body(tmp_path, opened):
    make_recording(tmp_path / "r.slv", 3, 20)
    camera = opened(tmp_path / "r.slv")
    offered = exposure_controls(camera.settings().result(timeout=5))
    assert [(s.name, s.control) for s in offered] == [("iso", ExposureControl.ISO),
                                                      ("exposurecompensation", ExposureControl.EXPOSURE_COMP)]
    assert camera.set_setting("iso", "800").result(timeout=5).control is ExposureControl.ISO


def _missing(d: Path) -> Path:
    return d / "missing.slv"


def _empty_folder(d: Path) -> Path:
    (d / "empty").mkdir()
    return d / "empty"


def _folder_of_broken_jpegs(d: Path) -> Path:
    (d / "bad").mkdir()
    (d / "bad" / "a.jpg").write_text("x")
    return d / "bad"


def _text_posing_as_video(d: Path) -> Path:
    (d / "clip.mp4").write_text("not a video")
    return d / "clip.mp4"


def _recording_without_frames(d: Path) -> Path:
    RecordingWriter(d / "empty.slv", meta()).close()
    return d / "empty.slv"


@pytest.mark.parametrize("make, message", [
    (_missing, "does not exist"),
    (_empty_folder, "holds no .jpg/.jpeg files"),
    (_folder_of_broken_jpegs, "none of the 1 JPEG"),
    (_text_posing_as_video, "not a video OpenCV can open"),
    (_recording_without_frames, "holds no live-view frames"),
])
def test_bad_sources_raise_a_clear_source_error(tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(SourceError) as info:
        camera = ReplayCamera(path)
        camera.open()
    assert message in str(info.value) and "\n" not in str(info.value)
    assert not [t for t in threading.enumerate() if t.name.startswith("replay-")]


def test_requests_after_close_fail_and_close_is_idempotent(tmp_path):
    make_recording(tmp_path / "r.slv", 5, 20)
    camera = ReplayCamera(tmp_path / "r.slv", sink=FolderSink(tmp_path / "c"))
    assert isinstance(camera.capture().exception(timeout=1), CameraGone)
    camera.open()
    camera.close()
    camera.close()
    assert camera.state is CameraState.CLOSED and camera.frames.closed
    assert isinstance(camera.start_live_view().exception(timeout=1), CameraGone)
    camera.open()  # a closed camera can be opened again
    try:
        assert camera.capture().result(timeout=5)[0].read_bytes() == make_jpeg(0)
    finally:
        camera.close()


def test_bundled_sample_replays(sample_recording, opened, tmp_path):
    camera = opened(sample_recording, pace="fast", sink=FolderSink(tmp_path))
    assert camera.metadata["frame_size"] == [1024, 680]
    collector = Collector(camera)
    camera.start_live_view().result(timeout=5)
    frames = collector.until_closed(timeout=30)
    with RecordingReader(sample_recording) as reader:
        assert camera.stats.published == reader.stats.frames
    assert frames[-1].size == (1024, 680)


# -- studio record ---------------------------------------------------------------------------


def studio(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "studio.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_record_converts_a_folder_byte_for_byte(tmp_path):
    jpegs = make_folder(tmp_path / "shots", 8)
    done = studio("record", "--source", "shots", "--fps", "25", "out.slv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("recorded 8 frames") and done.stdout.count("\n") == 1
    with RecordingReader(tmp_path / "out.slv") as reader:
        assert [(r.timestamp, r.payload) for r in reader.frames()] == [
            (i / 25, jpeg) for i, jpeg in enumerate(jpegs)]
        assert reader.metadata["frame_size"] == [64, 48] and reader.metadata["fps"] == 25
        assert reader.stats.complete


def test_record_converts_a_video(liveview_video, tmp_path):
    done = studio("record", "--source", str(liveview_video), "singer.slv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    with RecordingReader(tmp_path / "singer.slv") as reader:
        assert reader.stats.frames == 275 and reader.stats.complete
        assert reader.metadata["frame_size"] == [640, 360]
        assert abs(reader.frame_entries[-1].timestamp - 274 / 29.97) < 0.01
    short = studio("record", "--source", str(liveview_video), "--frames", "30", "s.slv", cwd=tmp_path)
    assert short.returncode == 0, short.stderr
    with RecordingReader(tmp_path / "s.slv") as reader:
        assert reader.stats.frames == 30


def test_record_through_the_camera_in_real_time(tmp_path):
    jpegs = make_folder(tmp_path / "shots", 12)
    done = studio("record", "--source", "shots", "--realtime", "--fps", "20", "live.slv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "dropped" in done.stdout
    with RecordingReader(tmp_path / "live.slv") as reader:
        frames = list(reader.frames())
        assert reader.stats.complete
    assert 8 <= len(frames) <= 12 and all(f.payload in jpegs for f in frames)
    assert abs(frames[-1].timestamp - 11 / 20) < 0.15  # arrival times, paced at 20 fps
    assert not (tmp_path / "captures").exists()  # nothing captured, no folder made


def test_record_user_errors_are_one_line(tmp_path):
    for args, text in [
        (("--source", "nowhere.mp4", "out.slv"), "does not exist"),
        (("--source", "notes.txt", "out.slv"), "not a video OpenCV can open"),
        (("--source", "shots", "taken.slv"), "already exists"),
        (("--source", "shots", "no/such/dir/out.slv"), "does not exist"),
        (("--source", "shots", "--frames", "0", "out.slv"), "--frames must be positive"),
    ]:
        (tmp_path / "notes.txt").write_text("hello")
        (tmp_path / "taken.slv").write_bytes(b"keep me")
        if not (tmp_path / "shots").exists():
            make_folder(tmp_path / "shots", 2)
        done = studio("record", *args, cwd=tmp_path)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.count("\n") == 1 and text in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    assert (tmp_path / "taken.slv").read_bytes() == b"keep me"
    assert not (tmp_path / "out.slv").exists()
    done = studio("record", "--source", "shots", "--force", "taken.slv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    with RecordingReader(tmp_path / "taken.slv") as reader:
        assert reader.stats.frames == 2


def test_close_from_a_listener_on_the_camera_thread(tmp_path, opened):
    make_recording(tmp_path / "r.slv", 5, 100.0)
    camera = opened(tmp_path / "r.slv")
    closed = threading.Event()

    def on_event(event) -> None:
        if isinstance(event, StateChanged) and event.state is CameraState.GONE:
            camera.close()  # runs on the camera's own thread: must not deadlock
            closed.set()

    camera.add_listener(on_event)
    camera.start_live_view().result(timeout=5)
    assert closed.wait(5)
    assert camera.state is CameraState.CLOSED
