"""The live path: frames from the fixture video through analyse_frame, smoothing, stability."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.base import LiveFrame
from studio.analysis import CheckResult, Status
from studio.vision import Analyzer, decode_jpeg
from studio.vision.image import ImageError
from studio.vision.smoothing import Smoother

VIDEO = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "fixtures"
    / "liveview"
    / "stage_singer_640x360_30fps.mp4"
)


def frames(n: int, start: int = 0) -> list[LiveFrame]:
    cap = cv2.VideoCapture(str(VIDEO))
    cap.set(cv2.CAP_PROP_POS_FRAMES, start)
    out = []
    while len(out) < n:
        ok, image = cap.read()
        if not ok:
            break
        jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes()
        out.append(LiveFrame(jpeg, len(out) + 1, 100.0 + len(out) / 30.0, (image.shape[1], image.shape[0])))
    cap.release()
    return out


@pytest.fixture(scope="module")
def live():
    if not VIDEO.is_file():
        pytest.skip(f"fixture video not found at {VIDEO}")
    a = Analyzer("portrait", mode="live")
    yield a
    a.close()


def test_video_frames_are_analysed_in_order(live):
    clip = frames(60, start=140)
    results = [live.analyse_frame(f) for f in clip]
    assert [r.frame for r in results] == [f.seq for f in clip]
    assert [r.timestamp for r in results] == [f.timestamp for f in clip]
    assert all(r.size == (640, 360) and r.source == "live" for r in results)
    with_face = [r for r in results if r.faces >= 1]
    assert len(with_face) >= 45  # the singer's face, except when the microphone hides it
    assert all(r.subject is not None for r in with_face if r.check("face").status is Status.PASS)
    assert all("face_mesh" in r.timings and "decode" in r.timings for r in results)


def test_still_subject_verdicts_are_stable(live):
    base = decode_jpeg(frames(1, start=150)[0].jpeg).astype(np.float32)
    rng = np.random.default_rng(3)
    live.reset()
    statuses = []
    for i in range(60):
        noisy = np.clip(base + rng.normal(0, 2.5, base.shape), 0, 255).astype(np.uint8)
        jpeg = cv2.imencode(".jpg", noisy, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes()
        a = live.analyse_frame(LiveFrame(jpeg, i + 1, i / 30.0, (640, 360)))
        statuses.append(tuple(c.status for c in a.checks))
    pairs = zip(statuses, statuses[1:], strict=False)
    flips = sum(sum(x != y for x, y in zip(p, q, strict=True)) for p, q in pairs)
    assert flips / 2.0 <= 1.0  # flips per second over 2 s of a sitter holding still


def test_corrupt_frame_raises_a_clear_error(live):
    with pytest.raises(ImageError):
        live.analyse_frame(LiveFrame(b"\xff\xd8garbage", 1, 0.0, (0, 0)))


def _result(status: Status) -> CheckResult:
    return CheckResult("framing", status, status.value)


def test_smoother_hysteresis():
    s = Smoother(frames=3)
    assert s.smooth(_result(Status.PASS)).status is Status.PASS
    # One bad frame is not enough to change the verdict...
    assert s.smooth(_result(Status.WARN)).status is Status.PASS
    assert s.smooth(_result(Status.PASS)).status is Status.PASS
    # ...two in a row are (towards worse is quicker)...
    s.smooth(_result(Status.WARN))
    assert s.smooth(_result(Status.WARN)).status is Status.WARN
    # ...and back to better takes three.
    assert s.smooth(_result(Status.PASS)).status is Status.WARN
    assert s.smooth(_result(Status.PASS)).status is Status.WARN
    assert s.smooth(_result(Status.PASS)).status is Status.PASS


def test_a_blink_is_reported_at_once():
    s = Smoother(frames=3)
    s.smooth(CheckResult("eyes_open", Status.PASS, "open"))
    assert s.smooth(CheckResult("eyes_open", Status.FAIL, "closed")).status is Status.FAIL


def test_shot_type_hysteresis():
    s = Smoother(frames=3)
    assert s.smooth_shot("headshot") == "headshot"
    assert s.smooth_shot("half-length") == "headshot"
    assert s.smooth_shot("half-length") == "headshot"
    assert s.smooth_shot("half-length") == "half-length"
