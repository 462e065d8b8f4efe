"""Live view's first stage one frame ahead (studio.vision.ahead): the same analysis as one
thread would make, the loop's relay, the app's wiring, and the periods a fast source stretches.

Real MediaPipe on the bundled recording's frames scaled to 1920x1080 (raw pixels, as a capture
card sends them); the loop and the app run their real threads.
"""

from __future__ import annotations

import threading
import time

import cv2
import numpy as np
import pytest

from drivers.base import LatestFrameSlot, LiveFrame
from drivers.mailbox import Latest
from studio.analysis import Analysis
from studio.loop import VisionLoop
from studio.vision.ahead import MeshAhead, PreparedFrame
from studio.vision.schedule import Pace, Schedule

FRAMES = 40


@pytest.fixture(scope="module")
def frames_1080p() -> list[np.ndarray]:
    from studio.bench.frames import load_frames
    from studio.sources import bundled_sample

    got = load_frames(bundled_sample(), (1920, 1080), FRAMES, "sample")
    return [cv2.imdecode(np.frombuffer(j, np.uint8), cv2.IMREAD_COLOR) for j in got.jpegs]


def _run(pixels: list[np.ndarray], *, ahead: bool, fps: float = 30.0) -> list[Analysis]:
    from studio.vision import Analyzer

    analyser, stage = Analyzer("commercial-headshot", mode="live"), MeshAhead()
    out, meshed = [], []
    own_mesh = analyser._models.mesh  # the vision thread's own frame-wide mesh: counted
    analyser._models.mesh = lambda rgb: meshed.append(rgb.shape) or own_mesh(rgb)
    try:
        for i, p in enumerate(pixels):
            frame: LiveFrame = LiveFrame(b"", i + 1, 100.0 + i / fps, (1920, 1080), pixels=p)
            if ahead:
                frame = stage.prepare(frame)
                assert isinstance(frame, PreparedFrame)
            out.append(analyser.analyse_frame(frame, "t"))
            stage.follow(*analyser.ahead_hints())
        if ahead:  # the vision thread ran no frame-wide mesh of its own on a frame
            assert [shape for shape in meshed if shape != (64, 64, 3)] == []  # (its warm-up's)
    finally:
        stage.close()
        analyser.close()
    return out


MASK_CHECKS = {"background", "clothing", "depth"}  # judged on the scene worker: timing-dependent


def test_a_prepared_frame_is_analysed_as_the_frame_itself(frames_1080p):
    plain, ahead = _run(frames_1080p, ahead=False), _run(frames_1080p, ahead=True)
    assert all(a.subject is not None for a in plain)
    for p, a in zip(plain, ahead, strict=True):
        assert a.subject is not None
        np.testing.assert_array_equal(p.subject.landmarks, a.subject.landmarks)
        mine = [(c.id, c.status, c.message) for c in p.checks if c.id not in MASK_CHECKS]
        theirs = [(c.id, c.status, c.message) for c in a.checks if c.id not in MASK_CHECKS]
        assert mine == theirs
        assert (p.shot, p.faces) == (a.shot, a.faces)
    # The first stage's parts are reported with the rest; the vision thread ran no mesh itself.
    assert {"ahead", "face_mesh", "resize", "convert"} <= set(ahead[-1].timings)
    assert ahead[-1].timings["ahead"] == pytest.approx(
        sum(ahead[-1].timings[k] for k in ("face_mesh", "resize", "convert")), rel=1e-6)
    assert "ahead" not in plain[-1].timings


def test_a_frame_the_first_stage_cannot_read_goes_on_as_sent():
    stage = MeshAhead()
    bad = LiveFrame(b"\xff\xd8not a jpeg", 1, 0.0, (0, 0))
    assert stage.prepare(bad) is bad  # the vision thread meets the error and counts it
    assert stage._models is None  # nothing was run on it


def test_a_frame_reduced_for_another_analysis_size_is_analysed_afresh(frames_1080p):
    from studio.vision import Analyzer

    stage = MeshAhead(max_side=640)  # another preset's size: the analyser redoes the first stage
    analyser = Analyzer("commercial-headshot", mode="live")
    try:
        frame = stage.prepare(LiveFrame(b"", 1, 0.0, (1920, 1080), pixels=frames_1080p[0]))
        assert isinstance(frame, PreparedFrame) and frame.input.image.shape[1] == 640
        analysis = analyser.analyse_frame(frame, "t")
        assert "ahead" not in analysis.timings and analysis.subject is not None
        assert analyser.ahead_hints()[0] == analyser.preset.thresholds.max_analysis_side != 640
    finally:
        stage.close()
        analyser.close()


def test_a_face_lost_minutes_in_builds_no_graph_then(frames_1080p, caplog):
    """The vision thread's graphs (the face search's and its own frame-wide mesh) are built on
    the first frame: the first face loss (a person steps out) builds none, so it brings none of
    the native threads and memory a graph would (the soak's step after its warm-up)."""
    import logging

    from studio.vision import Analyzer

    stage, analyser = MeshAhead(), Analyzer("commercial-headshot", mode="live")
    try:
        def analyse(seq: int, pixels: np.ndarray):
            got = analyser.analyse_frame(stage.prepare(LiveFrame(b"", seq, seq / 30.0, (1920, 1080),
                                                                 pixels=pixels)), "t")
            stage.follow(*analyser.ahead_hints())
            return got

        with caplog.at_level(logging.DEBUG, logger="studio.vision.models"):
            assert analyse(1, frames_1080p[0]).subject is not None
            graphs = (analyser._models._detector, analyser._models._crop_tracker, analyser._models._mesh)
            assert None not in graphs
            me = threading.current_thread().name
            built = [r.getMessage() for r in caplog.records if r.threadName == me]
            assert any("face detector" in m for m in built), built
            caplog.clear()
            empty = np.full_like(frames_1080p[0], 128)  # nobody in the frame: the search runs
            lost = [analyse(2 + i, empty) for i in range(30)]
        assert lost[-1].faces == 0 and lost[-1].subject is None
        assert any("detect" in a.timings for a in lost)  # the search ran
        assert (analyser._models._detector, analyser._models._crop_tracker, analyser._models._mesh) == graphs
        mine = [r.getMessage() for r in caplog.records if r.threadName == me]
        assert not [m for m in mine if m.startswith("building")], mine
    finally:
        stage.close()
        analyser.close()


def test_live_faces_skip_the_wide_mesh_the_first_stage_was_told_was_not_needed(frames_1080p):
    from studio.vision.faces import Frame, LiveFaces
    from studio.vision.models import Models
    from studio.vision.thresholds import Thresholds
    from studio.vision.timing import Stopwatch

    full = frames_1080p[0]
    image = cv2.resize(full, (960, 540), interpolation=cv2.INTER_AREA)
    rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    finder = Models(live=False, max_faces=1)
    try:
        box = finder.mesh(rgb)[0].box
    finally:
        finder.close()

    def find(frame: Frame, crop: tuple[float, float, float, float] | None) -> tuple[list, bool]:
        """The faces found, and whether the vision thread built a frame-wide mesh of its own."""
        models, faces = Models(live=True, max_faces=1), LiveFaces()
        faces._crop = crop  # a face followed on a crop, the wide retry due (never run)
        try:
            found, _ = faces.find(models, frame, Thresholds(), Schedule(frame=2), lambda: None, Stopwatch())
            return found, models._mesh is not None
        finally:
            models.close()

    unasked = Frame(image, rgb, full, 2.0, ahead=True, wide=None)
    found, meshed = find(unasked, box)
    assert len(found) == 1 and not meshed  # followed on the crop; no wide mesh here
    found, meshed = find(Frame(image, rgb, full, 2.0), box)
    assert len(found) == 1 and meshed  # not prepared ahead: the retry runs
    blank = np.zeros_like(image)
    lost = Frame(blank, blank, np.zeros_like(full), 2.0, ahead=True, wide=None)
    found, meshed = find(lost, box)
    assert found == [] and meshed  # the face lost: the wide mesh runs here


def test_the_wide_mesh_hint_follows_the_stretched_retry_period():
    from studio.vision.faces import LiveFaces

    faces = LiveFaces()
    faces._crop = (10.0, 10.0, 40.0, 40.0)  # a small face followed on a crop
    for stretch in (1, 2):
        schedule = Schedule(last_run={"wide_mesh": 100}, stretch=stretch)
        every = 15 * stretch
        wanted = []
        for frame in range(100, 100 + every + 1):
            schedule.frame = frame
            wanted.append(faces.wants_wide_mesh(schedule, 15))
        # asked for only from two frames before the retry falls due (the hint's lead)
        assert wanted.count(True) == 3 and wanted[-3:] == [True] * 3, (stretch, wanted)
        schedule.frame = 100 + every
        assert schedule.due("wide_mesh", 15)


def test_pace_stretches_periods_at_60_fps_only():
    at30, at60, paused = Pace(), Pace(), Pace()
    assert [at30.stretch(i / 30) for i in range(40)][-1] == 1
    assert [at60.stretch(i / 60) for i in range(40)][-1] == 2
    # near a step it does not flip back: 60 fps, then 48 fps, keeps 2; 40 fps goes back to 1
    assert [at60.stretch(1.0 + i / 48) for i in range(1, 40)][-1] == 2
    assert [at60.stretch(2.0 + i / 40) for i in range(1, 40)][-1] == 1
    # 60 fps with a 0.3 s pause in the middle (a busy moment): still 60 fps
    times = [i / 60 for i in range(10)] + [0.45 + i / 60 for i in range(10)]
    assert [paused.stretch(t) for t in times][-1] == 2
    assert Pace().stretch(5.0) == 1  # too few frames to tell: as at 30 fps
    schedule = Schedule(frame=20, last_run={"glasses": 5}, stretch=2)
    assert not schedule.due("glasses", 15)  # 15 frames at 60 fps are a quarter second
    schedule.frame = 35
    assert schedule.due("glasses", 15)


def test_a_60_fps_source_hands_the_model_worker_half_as_many_frames(frames_1080p):
    from studio.vision import Analyzer

    def handed(fps: float) -> int:
        analyser = Analyzer("commercial-headshot", mode="live")
        try:
            submitted = []
            worker = analyser.model_worker
            assert worker is not None
            real_submit = worker.submit
            worker.submit = lambda job: (submitted.append(job.frame), real_submit(job))  # type: ignore[method-assign]
            for i in range(90):
                p = frames_1080p[i % len(frames_1080p)]
                analyser.analyse_frame(LiveFrame(b"", i + 1, 100.0 + i / fps, (1920, 1080), pixels=p), "t")
                worker.wait_idle(5.0)  # never busy when a frame could hand it a job
            return len(submitted)
        finally:
            analyser.close()

    at30, at60 = handed(30.0), handed(60.0)
    assert at30 >= 5 and at60 <= at30 * 0.6, (at30, at60)


# -- the vision loop's relay ---------------------------------------------------------------


def _analysis(frame: LiveFrame) -> Analysis:
    return Analysis(source="t", frame=frame.seq, timestamp=frame.timestamp, size=(8, 8), shot="headshot",
                    faces=0, checks=(), ready=False, required=())


def test_the_loop_analyses_each_frame_its_first_stage_prepared_on_another_thread():
    slot = LatestFrameSlot()
    threads: dict[str, set[str]] = {"prepare": set(), "analyse": set(), "prepare_exit": set()}
    analysed: list[tuple[int, bool]] = []

    def prepare(frame: LiveFrame) -> LiveFrame:
        threads["prepare"].add(threading.current_thread().name)
        return LiveFrame(frame.jpeg + b"+", frame.seq, frame.timestamp, frame.size)

    def analyse(frame: LiveFrame) -> Analysis:
        threads["analyse"].add(threading.current_thread().name)
        analysed.append((frame.seq, frame.jpeg.endswith(b"+")))
        return _analysis(frame)

    loop = VisionLoop(slot, analyse, prepare=prepare,
                      on_prepare_exit=lambda: threads["prepare_exit"].add(threading.current_thread().name))
    loop.start()
    for _ in range(20):
        slot.put_jpeg(b"\xff\xd8")
        time.sleep(0.02)
    slot.close()
    assert loop.wait(5)
    assert analysed == [(seq, True) for seq in range(1, 21)]
    assert threads == {"prepare": {"vision-ahead"}, "analyse": {"vision"}, "prepare_exit": {"vision-ahead"}}
    assert not any(t.name == "vision-ahead" for t in threading.enumerate())


def test_the_relay_prepares_only_frames_the_loop_takes_and_counts_the_dropped():
    slot = LatestFrameSlot()
    prepared: list[int] = []
    seen: list[int] = []

    def slow_prepare(frame: LiveFrame) -> LiveFrame:
        time.sleep(0.03)
        prepared.append(frame.seq)
        return frame

    def slow_analyse(frame: LiveFrame) -> Analysis:
        time.sleep(0.05)
        seen.append(frame.seq)
        return _analysis(frame)

    loop = VisionLoop(slot, slow_analyse, prepare=slow_prepare)
    loop.start()
    for _ in range(60):
        slot.put_jpeg(b"\xff\xd8")
        time.sleep(0.005)
    slot.close()
    assert loop.wait(5)
    assert seen == sorted(set(seen)) and seen[-1] == 60 and len(seen) < 30
    assert prepared == seen  # no frame prepared that the loop did not take
    assert loop.stats.analysed == len(seen)
    assert loop.stats.dropped == 60 - len(seen) - (seen[0] - 1)


def test_a_first_stage_that_fails_hands_the_frame_on_as_sent():
    slot = LatestFrameSlot()
    got: list[bytes] = []

    def broken(frame: LiveFrame) -> LiveFrame:
        raise RuntimeError("mesh graph failed")

    loop = VisionLoop(slot, lambda f: got.append(f.jpeg) or _analysis(f), prepare=broken)
    loop.start()
    slot.put_jpeg(b"\xff\xd8one")
    time.sleep(0.1)
    slot.close()
    assert loop.wait(5)
    assert got == [b"\xff\xd8one"] and loop.stats.errors == 0


def test_a_numbered_relay_refuses_to_go_back():
    relay: Latest[str] = Latest()
    relay.put_numbered(5, "five")
    assert relay.wait(0, 0) == (5, "five")
    with pytest.raises(ValueError):
        relay.put_numbered(5, "again")


def test_the_app_runs_the_first_stage_ahead_and_closes_it_on_its_thread(sample_recording):
    from studio.app import StudioApp, open_camera

    camera = open_camera(str(sample_recording), pace="recorded")
    app = StudioApp(camera, source_name="t")
    seen: list[Analysis] = []
    app.add_analysis_listener(seen.append)
    before = cv2.getNumThreads()
    cv2.setNumThreads(2)
    app.start()
    try:
        deadline = time.monotonic() + 60
        while len(seen) < 30 and time.monotonic() < deadline:
            time.sleep(0.1)
        names = {t.name for t in threading.enumerate()}
        during = cv2.getNumThreads()
    finally:
        app.stop()
    after = cv2.getNumThreads()
    cv2.setNumThreads(before)
    assert (during, after) == (1, 2)  # OpenCV's own pool off while live view runs
    assert len(seen) >= 30
    assert {"vision", "vision-ahead"} <= names
    assert sum("ahead" in a.timings for a in seen) >= len(seen) - 1  # every frame but a bad one
    assert app._ahead is not None and app._ahead._models is None  # its graph closed at the end
    assert not any(t.name == "vision-ahead" for t in threading.enumerate())
