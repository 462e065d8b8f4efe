"""The shape of the vision core: an immutable Analysis and FrameContext, checks that return
Verdicts with observations, a schedule that spreads periodic work, the tracker carrying slow
measurements between frames, and the model worker's Latest mailboxes (real models, real photos)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from drivers.base import LiveFrame
from studio.analysis import Analysis, CheckResult, Face, Status
from studio.vision import Analyzer, load_image
from studio.vision.checks import CHECKS
from studio.vision.context import FrameContext, Recent
from studio.vision.landmarks import FaceGeometry
from studio.vision.model_worker import Job, ModelWorker
from studio.vision.schedule import Schedule
from studio.vision.verdict import EyesSeen, FocusSeen, Verdict

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "portraits"
needs_fixtures = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not found at {FIXTURES}")


def test_check_result_is_immutable_all_the_way_down_and_its_json_unchanged():
    result = CheckResult(
        "glare",
        Status.WARN,
        "Glare",
        0.5,
        [[0.1, 0.2, 0.3, 0.4]],
        {"lenses": [{"side": "left", "area": 0.02}], "kinds": {"a", "b"}, "ear": {"left": 0.3}},
        [[0.5, 0.5]],
    )
    with pytest.raises(TypeError):
        result.fields["ear"]["left"] = 0.1  # type: ignore[index]
    with pytest.raises(TypeError):
        result.fields["lenses"][0]["area"] = 1.0  # type: ignore[index]
    assert isinstance(result.fields["lenses"], tuple) and isinstance(result.marks[0], tuple)
    assert isinstance(result.fields["kinds"], frozenset)
    assert result.fields.get("ear", {}).get("left") == 0.3  # readers keep working
    out = result.to_json()
    assert out["lenses"] == [{"side": "left", "area": 0.02}] and out["ear"] == {"left": 0.3}
    assert out["regions"] == [[0.1, 0.2, 0.3, 0.4]]
    json.dumps(out, allow_nan=False)


def test_analysis_and_face_are_immutable():
    landmarks = np.zeros((478, 3), np.float32)  # writeable: the Face keeps a read-only copy
    face = Face([0, 0, 1, 1], [0, 0, 0.1, 0.1], [0, 0, 0.1, 0.1], landmarks)
    a = Analysis("s", 1, 0.0, [640, 480], "headshot", 1, [CheckResult("face", Status.PASS, "One face")],
                 True, subject=face, timings={"total": 1}, required=["face"])
    assert a.size == (640, 480) and a.required == ("face",) and isinstance(a.checks, tuple)
    assert face.box == (0.0, 0.0, 1.0, 1.0)
    assert not face.landmarks.flags.writeable
    landmarks[0, 0] = 5.0
    assert face.landmarks[0, 0] == 0.0
    with pytest.raises(TypeError):
        a.timings["total"] = 2.0  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.ready = False  # type: ignore[misc]


def test_schedule_plans_at_most_one_periodic_stage_per_frame():
    schedule = Schedule()
    stages = [("glasses", 15), ("focus", 3)]
    runs: dict[str, list[int]] = {"glasses": [], "focus": []}
    for frame in range(1, 301):
        schedule.frame = frame
        due = schedule.plan(stages)
        if frame > 1:
            assert len(due) <= 1, (frame, due)
        for key in due:
            schedule.ran(key)
            runs[key].append(frame)
    for key, every in stages:
        gaps = np.diff(runs[key])
        assert gaps.min() >= every and gaps.max() <= 2 * every, (key, gaps)


@needs_fixtures
def test_checks_are_pure_and_the_same_code_serves_stills_and_live(analyzer):
    image = load_image(FIXTURES / "deepface__img24.jpg")
    base = analyzer.analyse_image(image, source="img24")
    lm = np.array(base.subject.landmarks, np.float32).copy()
    lm[:, 0] *= image.shape[1]
    lm[:, 1] *= image.shape[0]
    lm[:, 2] *= image.shape[1]
    th = analyzer.preset.thresholds

    def ctx(live: bool) -> FrameContext:
        return FrameContext(image, th=th, faces=[FaceGeometry(lm)], detected_only=[], live=live)

    still = ctx(False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        still.live = True  # type: ignore[misc]
    verdicts = {cid: CHECKS[cid](still) for cid in ("eyes_open", "eye_focus", "glasses")}
    assert all(isinstance(v, Verdict) for v in verdicts.values())
    again = CHECKS["eye_focus"](still)  # pure: the same context gives the same verdict
    assert again.result == verdicts["eye_focus"].result
    assert isinstance(verdicts["eyes_open"].observation, EyesSeen)
    assert {side for side, _ in verdicts["eyes_open"].observation.open_ear} == {"left", "right"}
    seen = verdicts["eye_focus"].observation
    assert isinstance(seen, FocusSeen) and seen.relative == pytest.approx(
        verdicts["eye_focus"].result.fields["relative"], abs=1e-3
    )
    assert verdicts["glasses"].observation is None
    # A live frame with no history judges what the still does (except the stills-only rule).
    live = CHECKS["eyes_open"](ctx(True))
    assert live.result == verdicts["eyes_open"].result


@needs_fixtures
def test_a_carried_measurement_is_reused_not_measured_again(analyzer):
    image = load_image(FIXTURES / "deepface__img24.jpg")
    lm = np.array(analyzer.analyse_image(image, source="img24").subject.landmarks, np.float32).copy()
    lm[:, 0] *= image.shape[1]
    lm[:, 1] *= image.shape[0]
    face = FaceGeometry(lm)
    th = analyzer.preset.thresholds
    fresh = FrameContext(image, th=th, faces=[face], detected_only=[], live=True, due=frozenset({"focus"}))
    first = CHECKS["eye_focus"](fresh)
    assert not fresh.is_carried("focus") and set(fresh.fresh_measurements) >= {"focus"}
    assert isinstance(first.observation, FocusSeen)
    recent = Recent(focus=((first.observation.relative, first.observation.blur),))
    carried = FrameContext(image, th=th, faces=[face], detected_only=[], live=True, recent=recent,
                           due=frozenset(), carried={"focus": fresh.fresh_measurements["focus"]})
    second = CHECKS["eye_focus"](carried)
    assert carried.is_carried("focus") and "focus" not in carried.fresh_measurements
    assert second.observation is None  # nothing new to remember
    assert second.result.fields["relative"] == first.result.fields["relative"]


def test_model_worker_hands_over_through_latest_and_forgets():
    worker = ModelWorker(name="vision-models-test")
    try:
        rgb = np.zeros((96, 128, 3), np.uint8)
        rgb.flags.writeable = False
        worker.submit(Job(rgb, 1, 0, pose=False, mask=True))
        assert worker.busy
        assert worker.wait_idle(30)
        found = worker.latest("mask")
        assert found is not None and found.frame == 1 and found.size == (128, 96)
        assert worker.latest("pose") is None and worker.runs == 1
        worker.forget()
        assert worker.latest("mask") is None and not worker.busy
    finally:
        worker.close()
    worker.submit(Job(rgb, 2, 0, pose=False, mask=True))  # closed: ignored
    assert not worker.busy and worker.wait_idle(0.1)


def _rss_mb() -> float:
    return int(Path("/proc/self/status").read_text().split("VmRSS:")[1].split()[0]) / 1024


def test_model_worker_builds_the_pose_graph_at_start_not_on_the_first_pose_frame():
    """The pose graph (~160 MB, two threads) is built when the worker starts: the first frame
    whose framing needs pose, minutes into a session, is no step in memory (the soak and the
    bench's RSS line measure growth after the warm-up)."""
    worker = ModelWorker(name="vision-models-warm")
    try:
        rgb = np.zeros((240, 320, 3), np.uint8)
        rgb.flags.writeable = False
        worker.submit(Job(rgb, 1, 0, pose=False, mask=True))
        assert worker.wait_idle(60)
        before = _rss_mb()
        worker.submit(Job(rgb, 2, 0, pose=True, mask=True))
        assert worker.wait_idle(60)
        assert worker.latest("pose") is not None  # the pose job ran (no person: value None)
        assert _rss_mb() - before < 40, f"{_rss_mb() - before:.0f} MB on the first pose frame"
    finally:
        worker.close()


@needs_fixtures
def test_live_eye_focus_is_measured_every_few_frames():
    image = load_image(FIXTURES / "deepface__img24.jpg")
    import cv2

    jpeg = cv2.imencode(".jpg", cv2.resize(image, (640, 598)))[1].tobytes()
    analyser = Analyzer("commercial-headshot", mode="live")
    try:
        results = [analyser.analyse_frame(LiveFrame(jpeg, i, float(i), (0, 0))) for i in range(1, 31)]
    finally:
        analyser.close()
    assert all(r.subject is not None for r in results)
    measured = [i for i, r in enumerate(results) if "check:eye_focus" in r.timings]
    assert len(measured) == 30  # the check runs on every frame…
    focus = [r.check("eye_focus") for r in results]
    assert all(f.status is not Status.UNKNOWN for f in focus)
    # …and "recent" appears once five fresh measurements (every 3rd frame or so) are kept.
    first_recent = next(i for i, f in enumerate(focus) if "recent" in f.fields)
    assert 10 <= first_recent <= 20, first_recent
