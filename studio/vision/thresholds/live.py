"""Live view over frames: stale detector boxes, smoothing.

Each value with its reason (see the package docstring).
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.vision.thresholds.spec import threshold as _t


@dataclass(frozen=True)
class LiveThresholds:
    # -- live detector boxes from older frames (studio/vision/stale.py) ----------------------------
    stale_detection_margin: float = _t(
        0.5,
        "measured on the bundled sample and the stage video: a moving face's detector box from "
        "≤ 1 s before lies within half a face width of where the mesh follows it now",
    )
    stale_detection_jump: float = _t(
        1.5,
        "heuristic: a followed face whose centre moves more than 1.5 face widths, or whose width "
        "changes more than 1.5 times, between two analysed frames is a cut (or someone else): "
        "older detector boxes are of another picture",
    )
    unjudged_large_face_px: float = _t(
        80.0,
        "looked at on the stage video (one source): landmark-less faces 81-200 px wide (analysis "
        "px) were profiles or turned faces, sharp; the blurred background faces 52-73 px",
    )

    # -- temporal smoothing (live) -----------------------------------------------------------------
    hysteresis_frames: float = _t(
        3, "heuristic: a verdict must hold for 3 frames (0.1 s at 30 fps) before it changes"
    )
    # Periodic work on live view. Pose and the person mask run on a background worker thread
    # (never waited for); the detector, glasses and eye focus run on the vision thread, spread
    # so that no frame carries two of them (schedule.Schedule.plan).
    focus_every: float = _t(
        3,
        "measured: eye sharpness costs ~1-3 ms; it is a 5-frame median anyway, so measuring "
        "every 3rd frame (10 times a second) loses nothing",
    )
    glasses_every: float = _t(15, "heuristic: glasses do not come and go within half a second")
    pose_every: float = _t(
        15, "measured: pose costs ~20-30 ms (on the model worker); a frame every 15th (0.5 s) is handed over"
    )
    mask_every: float = _t(
        15, "measured: segmentation costs ~6-10 ms (model worker); background and clothes change slowly"
    )
    detector_every: float = _t(
        15,
        "measured: the detector costs ~6-8 ms; it counts faces every 15th frame, and runs "
        "every 3rd frame while no face is seen",
    )
