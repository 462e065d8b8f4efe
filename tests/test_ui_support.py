"""Known inputs for the window tests (a frame and an analysis); no tests in this module.

The Xvfb screenshot script (test_ui_xvfb.py run as a program) uses them too.
"""

from __future__ import annotations

import time

import cv2
import numpy as np

from studio.analysis import Analysis, CheckResult, Face

FRAME_SIZE = (1024, 680)
FRAME_GRAY = 90
FACE_BOX = (0.38, 0.22, 0.25, 0.42)
LEFT_EYE = (0.53, 0.36, 0.06, 0.04)
RIGHT_EYE = (0.42, 0.36, 0.06, 0.04)
REQUIRED = ("face", "framing", "eyes_open", "eye_focus", "glare", "exposure")


def known_jpeg(gray: int = FRAME_GRAY, size: tuple[int, int] = FRAME_SIZE) -> bytes:
    """A flat grey frame: any pixel of the overlay stands out against it."""
    image = np.full((size[1], size[0], 3), gray, np.uint8)
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 95])
    assert ok
    return data.tobytes()


def known_analysis(frame: int = 1, *, ready: bool = False, timestamp: float | None = None) -> Analysis:
    """Framing warns (face box orange), eye focus and glare fail, catchlights unknown (advisory)."""
    if ready:
        checks = tuple(CheckResult(c, "pass", "fine") for c in REQUIRED)
    else:
        checks = (
            CheckResult("face", "pass", "one face"),
            CheckResult("framing", "warn", "Headshot: eye line low (55% down)"),
            CheckResult("eyes_open", "pass", "both open"),
            CheckResult("eye_focus", "fail", "eyes soft: focus on the near eye"),
            CheckResult("glare", "fail", "glare on the left lens",
                        regions=((0.52, 0.35, 0.08, 0.06),), marks=((0.56, 0.38),)),
            CheckResult("exposure", "pass", "face well exposed"),
        )
    checks += (
        CheckResult("catchlights", "unknown", "iris too small to judge", marks=((0.45, 0.38),)),
        CheckResult("background", "warn", "busy background"),
    )
    at = time.monotonic() if timestamp is None else timestamp
    return Analysis(source="test", frame=frame, timestamp=at,
                    size=FRAME_SIZE, shot="headshot", faces=1, checks=checks, ready=ready,
                    preset="commercial-headshot", subject=Face(FACE_BOX, LEFT_EYE, RIGHT_EYE),
                    required=REQUIRED)
