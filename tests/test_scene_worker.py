"""Live view's mask checks on the scene worker thread (real models, the bundled sample).

After a subject's first mask (judged on the vision thread: nothing to show meanwhile), every
newer mask's background/clothing/depth verdicts are judged on the scene worker, and the vision
thread shows the newest published ones; a reset or a preset change drops them."""

from __future__ import annotations

import dataclasses
import threading
from types import MappingProxyType

import pytest

from drivers.base import LiveFrame
from studio.vision import Analyzer
from studio.vision.scene_worker import judge, scene_job
from studio.vision.tracker import MASK_CHECKS

SLOW_MS = 1.0  # a mask check judged on the vision thread costs several ms; a held one is not timed


@pytest.fixture(scope="module")
def sample_frames() -> list[bytes]:
    from drivers.recording import RecordingReader
    from studio.app import bundled_sample

    if not bundled_sample().exists():
        pytest.skip("the bundled sample recording is missing")
    with RecordingReader(bundled_sample()) as reader:
        return [reader.payload(e) for e in reader.frame_entries[:75]]


def _judged_here(analysis) -> set[str]:
    return {c for c in MASK_CHECKS if analysis.timings.get(f"check:{c}", 0.0) > SLOW_MS}


def _run(analyser: Analyzer, frames: list[bytes], start: int, wait: bool = True) -> list:
    out = []
    for i, data in enumerate(frames):
        if wait:  # the workers keep up (a loaded test machine may starve them otherwise)
            assert analyser.model_worker.wait_idle(10) and analyser.scene_worker.wait_idle(10)
        out.append(analyser.analyse_frame(LiveFrame(data, start + i, float(start + i), (0, 0))))
    return out


def test_mask_checks_leave_the_vision_thread_after_the_first_mask(sample_frames) -> None:
    with Analyzer("id-photo", mode="live") as analyser:
        results = _run(analyser, sample_frames, 1)
        scene = analyser.scene_worker
        assert scene is not None and scene.wait_idle(10)
        here = [i for i, a in enumerate(results) if _judged_here(a)]
        assert len(here) == 1, here  # the first mask only
        assert scene.runs >= 3  # one per newer mask (every mask_every frames)
        hold = int(analyser.preset.thresholds.hysteresis_frames)  # a new verdict shows after this
        shown = [(i, a.check("background").message) for i, a in enumerate(results) if i >= here[0] + hold]
        assert shown and all(m != "Background not measured yet" for _, m in shown), shown
    assert not any(t.name == "vision-scene" and t.is_alive() for t in threading.enumerate())


def test_the_worker_judges_what_the_vision_thread_would(sample_frames) -> None:
    """The job's own context (copied image, the mask handed in) gives the verdicts the checks
    give on the frame's context."""
    from studio.vision.checks import CHECKS

    with Analyzer("id-photo", mode="live") as analyser:
        _run(analyser, sample_frames[:20], 1)
        tracker = analyser._tracker
        assert tracker is not None
        mask = analyser.model_worker.latest("mask")
        assert mask is not None
        seen = {}
        before = dict(CHECKS)

        def keep(check_id):
            def run(ctx):
                seen[check_id] = ctx
                return before[check_id](ctx)
            return run

        try:
            for c in MASK_CHECKS:
                CHECKS[c] = keep(c)
            analyser.set_preset("id-photo")  # the next frame judges the mask checks here
            _run(analyser, sample_frames[20:21], 21)
        finally:
            CHECKS.update(before)
        assert set(seen) == set(MASK_CHECKS) & set(analyser.preset.checks)
        ctx = next(iter(seen.values()))
        job = scene_job(ctx, ctx.person_mask, tuple(seen), (0, 1), 0)
        assert job.ctx.image is not ctx.image and (job.ctx.image == ctx.image).all()
        theirs = judge(job)
        for c in seen:
            assert theirs[c].result == CHECKS[c](ctx).result, c


def test_a_preset_change_judges_the_mask_checks_again(sample_frames) -> None:
    with Analyzer("id-photo", mode="live") as analyser:
        _run(analyser, sample_frames[:30], 1)
        analyser.set_preset("id-photo")
        again = _run(analyser, sample_frames[30:32], 31)
        assert _judged_here(again[0])  # verdicts made with the old thresholds are not shown
        assert not _judged_here(again[1])


def test_the_glasses_measure_stays_on_the_vision_thread(sample_frames) -> None:
    """tracker.OFFLOADED is empty (the glasses measure on the worker changed the video's glasses
    and glare flips): nothing is measured there on live view, though a job can measure it, with
    the value the frame's own context gives."""
    from studio.vision.checks.glasses import glasses_kind
    from studio.vision.scene_worker import measure
    from studio.vision.tracker import OFFLOADED

    assert OFFLOADED == ()
    with Analyzer("commercial-headshot", mode="live") as analyser:
        seen = []
        from studio.vision.checks import CHECKS

        before = CHECKS["glasses"]
        CHECKS["glasses"] = lambda ctx: seen.append(ctx) or before(ctx)
        try:
            _run(analyser, sample_frames[:40], 1)
        finally:
            CHECKS["glasses"] = before
        assert analyser.scene_worker is not None and analyser.scene_worker.latest_measured() is None
        ctx = seen[-1]
        job = scene_job(ctx, None, (), None, 0, frame=40, measures=("glasses",))
        fresh = dataclasses.replace(ctx, due=None, carried=MappingProxyType({}))
        glasses_kind(fresh)
        assert measure(job)["glasses"] == fresh.fresh_measurements["glasses"]


def _blank_like(data: bytes) -> bytes:
    """A frame of the sample's size with nobody in it (a grey backdrop)."""
    import cv2
    import numpy as np

    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    image[:] = 128
    return cv2.imencode(".jpg", image)[1].tobytes()


def test_verdicts_from_before_a_gap_without_a_subject_are_not_shown_after_it(sample_frames) -> None:
    """The subject leaves (frames without a face, beyond the coasting), then someone is in view
    again: the mask checks are judged on that frame (the smoothing was reset by the new face
    decision, so the verdicts judged before the gap would have stood at once for the new
    person)."""
    with Analyzer("id-photo", mode="live") as analyser:
        _run(analyser, sample_frames[:30], 1)
        gap = [_blank_like(sample_frames[0])] * (int(analyser.preset.thresholds.hysteresis_frames) + 3)
        empty = _run(analyser, gap, 31)
        assert empty[-1].subject is None  # the first few coast on the last face
        back = _run(analyser, sample_frames[30:45], 31 + len(gap))
        first = next(a for a in back if a.subject is not None)  # the face decision coasts too
        assert _judged_here(first), first.timings  # not the verdicts from before the gap


def test_a_check_failing_on_the_worker_says_unknown_and_the_worker_goes_on(sample_frames, caplog) -> None:
    """A mask check raising on the scene worker: logged, that check ``unknown`` for the mask
    (not the previous mask's verdict kept), the other checks judged, the next job judged."""
    from studio.vision.checks import CHECKS
    from studio.vision.scene_worker import SceneWorker

    with Analyzer("id-photo", mode="live") as analyser:
        seen = []
        before = dict(CHECKS)
        CHECKS["background"] = lambda ctx: seen.append(ctx) or before["background"](ctx)
        try:
            _run(analyser, sample_frames[:20], 1)
        finally:
            CHECKS.update(before)
    ctx = seen[-1]
    ids = tuple(c for c in MASK_CHECKS if c in ("background", "clothing"))
    worker = SceneWorker("vision-scene-test")

    def broken(ctx):
        raise ValueError("broken")

    try:
        CHECKS["clothing"] = broken
        worker.submit(scene_job(ctx, ctx.person_mask, ids, (0, 1), 0))
        assert worker.wait_idle(20)
    finally:
        CHECKS.update(before)
    failed = worker.latest()
    assert failed is not None and failed.verdicts["clothing"].result.status.value == "unknown"
    assert failed.verdicts["background"].result == before["background"](ctx).result
    assert any("clothing check failed" in r.getMessage() for r in caplog.records)
    worker.submit(scene_job(ctx, ctx.person_mask, ids, (0, 2), 0))
    assert worker.wait_idle(20)
    again = worker.latest()
    assert again is not None and again.key == (0, 2)
    assert again.verdicts["clothing"].result == before["clothing"](ctx).result
    worker.close()
    assert not any(t.name == "vision-scene-test" and t.is_alive() for t in threading.enumerate())


def _resized(data: bytes, width: int) -> bytes:
    import cv2
    import numpy as np

    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    h, w = image.shape[:2]
    return cv2.imencode(".jpg", cv2.resize(image, (width, round(h * width / w))))[1].tobytes()


def test_verdicts_judged_before_a_frame_size_change_are_not_shown_after_it(sample_frames) -> None:
    """Another camera, or a video source's bars cut: the worker's verdicts of a mask of the old
    size (published before the change or after it) are not shown on frames of the new size."""
    with Analyzer("id-photo", mode="live") as analyser:
        tracker = analyser._tracker
        assert tracker is not None
        _run(analyser, sample_frames[:30], 1)
        switch = tracker.schedule.frame + 1
        for i, data in enumerate(sample_frames[30:60]):
            _run(analyser, [_resized(data, 800)], 31 + i)
            shown = tracker._desk.verdicts
            if tracker.held:
                assert shown is not None and shown.key[1] >= switch, (shown.key if shown else None, switch)


def test_close_while_a_job_runs_waits_for_it_and_publishes_nothing_after(sample_frames) -> None:
    """App exit (Analyzer.close) while the worker is inside a mask check: close() returns once
    that check ends, the thread is gone, no verdict is published after it."""
    import time

    from studio.vision.checks import CHECKS
    from studio.vision.scene_worker import SceneWorker

    with Analyzer("id-photo", mode="live") as analyser:
        seen = []
        before = dict(CHECKS)
        CHECKS["background"] = lambda ctx: seen.append(ctx) or before["background"](ctx)
        try:
            _run(analyser, sample_frames[:20], 1)
        finally:
            CHECKS.update(before)
    ctx = seen[-1]
    inside = threading.Event()

    def slow(ctx):
        inside.set()
        time.sleep(0.4)
        return before["background"](ctx)

    worker = SceneWorker("vision-scene-close")
    try:
        CHECKS["background"] = slow
        worker.submit(scene_job(ctx, ctx.person_mask, ("background",), (0, 1), 0))
        assert inside.wait(20)
        worker.close(timeout=20)
    finally:
        CHECKS.update(before)
    assert not any(t.name == "vision-scene-close" and t.is_alive() for t in threading.enumerate())
    assert worker.latest() is None
    worker.submit(scene_job(ctx, ctx.person_mask, ("background",), (0, 2), 0))  # after close: ignored
    assert not worker.busy and worker.latest() is None


@pytest.mark.parametrize("change", ["preset", "reset", "gap"])
def test_a_job_in_flight_across_a_change_is_not_shown_after_it(sample_frames, change) -> None:
    """A preset change, a reset (new subject: epoch) or a frame without a subject while the
    worker is inside the job: its verdicts, published after the change, are not shown."""
    from studio.vision.checks import CHECKS
    from studio.vision.scene_worker import SceneDesk

    with Analyzer("id-photo", mode="live") as analyser:
        seen = []
        before = dict(CHECKS)
        CHECKS["background"] = lambda ctx: seen.append(ctx) or before["background"](ctx)
        try:
            _run(analyser, sample_frames[:20], 1)
        finally:
            CHECKS.update(before)
    ctx = seen[-1]
    desk, go = SceneDesk(), threading.Event()

    def held_back(ctx):
        assert go.wait(20)
        return before["background"](ctx)

    try:
        CHECKS["background"] = held_back
        desk.keep({"background": before["background"](ctx)}, (0, 1), held=False)  # a first mask
        desk.hand_over(ctx, (0, 5), ("background",), (), 5, 0)
        epoch = 0
        if change == "preset":
            desk.generation += 1
            desk.forget_verdicts()
        elif change == "reset":
            epoch = 1
            desk.forget_verdicts()
        else:
            desk.restart()
        go.set()
        assert desk.worker.wait_idle(20)
    finally:
        go.set()
        CHECKS.update(before)
    assert desk.worker.latest() is not None and desk.worker.latest().key == (0, 5)  # published
    assert desk.held(["background"], (epoch, 5), epoch) == {}  # but not shown: judged on the frame
    desk.worker.close()
