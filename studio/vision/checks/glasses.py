"""``glasses``: none, clear or sunglasses.

Both work on the face warped level at IED = 128 px (:class:`~studio.vision.context.Aligned`).

Glasses: a frame is a thin line that runs straight across the nose bridge and under each eye.
Averaging each row of those regions keeps lines that span the region and cancels skin texture;
the line strength is the largest deviation of that row profile from its smoothed trend.
Dark lenses: the lens area is much darker than the cheeks. A thin metal frame on a small face
leaves only a faint bridge line; it still counts when the lens also shows its other trace, a
reflection that veils the eye (a bare pupil stays dark).

Glare on the lenses is judged in :mod:`studio.vision.checks.glare`. The measures are in
:mod:`studio.vision.checks.lenses`; the numbers that decide are in
:class:`~studio.vision.thresholds.Thresholds`.
"""

from __future__ import annotations

import cv2
import numpy as np

from studio.analysis import CheckResult, Status
from studio.vision.calibrated import load_model
from studio.vision.checks.lenses import cheek_values, eye_opening, frame_lines, lens_box, pupil_level, region
from studio.vision.context import FrameContext
from studio.vision.crops import ALIGNED_IED, Aligned
from studio.vision.landmarks import LEFT_CHEEK, RIGHT_CHEEK, SIDES
from studio.vision.thresholds import Thresholds
from studio.vision.verdict import observes_nothing

PRESENT_MODEL = "glasses_present"
KIND_FEATURES = ("bridge_n", "rim_n", "dark", "veil", "lens_sat", "eye_contrast", "log_ied")
_EYE_REGION_PAD = 0.5  # drawn region around each eye, in eye widths


# -- glasses --------------------------------------------------------------------------------


def glasses_features(a: Aligned, th: Thresholds) -> dict[str, float]:
    """Frame lines (bridge, weaker rim; in units of their thresholds), lens darkness, pupil
    veil and the eyes' own contrast (all against the cheeks), lens colour, face size."""
    bridge, rim = frame_lines(a)
    lens = np.concatenate([region(a.gray, *lens_box(a, side)).ravel() for side in SIDES])
    c50 = max(float(np.median(cheek_values(a))), 1.0)
    dark = float(np.median(lens)) / c50 if lens.size else 1.0
    veil = max(pupil_level(a, side, th)[0] / c50 for side in SIDES)
    sat = cv2.cvtColor(a.bgr, cv2.COLOR_BGR2HSV)[..., 1].astype(np.float32)
    lens_sat = np.concatenate([region(sat, *lens_box(a, side)).ravel() for side in SIDES])
    cheek_sat = max(float(np.median(sat[_cheek_mask(a) > 0])), 1.0)
    eye = np.concatenate([a.gray[eye_opening(a, side, a.gray.shape) > 0] for side in SIDES])
    contrast = float(np.percentile(eye, 90) - np.percentile(eye, 10)) / c50 if eye.size else 0.0
    return {"bridge": bridge, "rim": rim, "dark": dark, "veil": veil,
            "bridge_n": bridge / th.glasses_bridge_line, "rim_n": rim / th.glasses_rim_line,
            "lens_sat": float(np.median(lens_sat)) / cheek_sat if lens_sat.size else 1.0,
            "eye_contrast": contrast, "log_ied": float(np.log(max(source_ied(a), 1.0)))}


def _cheek_mask(a: Aligned) -> np.ndarray:
    mask = np.zeros(a.gray.shape, np.uint8)
    for cheek in (RIGHT_CHEEK, LEFT_CHEEK):
        cv2.fillPoly(mask, [np.round(a.points[list(cheek)]).astype(np.int32)], (1,))
    return mask


def glasses_kind(ctx: FrameContext) -> str:
    return _glasses_memo(ctx)[0]


def _glasses_memo(ctx: FrameContext) -> tuple[str, dict[str, float]]:
    # Glasses do not come and go between frames: live view re-measures them now and then.
    return ctx.measure("glasses", lambda: _glasses(ctx))


def _glasses(ctx: FrameContext) -> tuple[str, dict[str, float]]:
    a = ctx.aligned
    if a is None or ctx.subject is None:
        return "unknown", {}
    return glasses_of(a, ctx.th)


def glasses_of(a: Aligned, th: Thresholds) -> tuple[str, dict[str, float]]:
    """(none / clear / sunglasses, the measures) for one face warped level: the frame rules
    below, and where they see no glasses the calibrated ``glasses_present`` model (thin
    frames, rimless lenses; fitted by scripts/tune_glasses.py) may still find clear ones."""
    f = glasses_features(a, th)
    kind = _by_rules(f, a, th)
    if kind == "none" and load_model(PRESENT_MODEL).positive(f):
        return "clear", f
    return kind, f


def _by_rules(f: dict[str, float], a: Aligned, th: Thresholds) -> str:
    framed = f["bridge"] >= th.glasses_bridge_line or f["rim"] >= th.glasses_rim_line
    if f["dark"] < th.sunglasses_dark_ratio and (
        framed or f["bridge"] >= th.sunglasses_min_bridge * th.glasses_bridge_line
    ):
        return "sunglasses"
    # Thin frames on small faces: a faint bridge line is only trusted together with a veiled
    # pupil (a reflection on the lens), two traces of glasses in different places.
    # Only on faces too small for frames to show: on a larger face real frames draw a strong
    # line, and a grey pupil is more often JPEG softness than a reflection (live view).
    small = source_ied(a) < th.glasses_faint_max_ied
    faint = small and f["bridge"] >= th.glasses_bridge_faint and f["veil"] >= th.glasses_veil
    return "clear" if framed or faint else "none"


def source_ied(a: Aligned) -> float:
    """Inter-eye distance of the face in the analysed image's pixels."""
    scale = float(np.hypot(a.matrix[0, 0], a.matrix[0, 1]))  # aligned px per analysed px
    return ALIGNED_IED / scale if scale > 0 else 0.0


_GLASSES_MESSAGES = {
    "sunglasses": (Status.FAIL, "Dark lenses hide the eyes: take them off"),
    "clear": (Status.PASS, "Clear glasses: watch for glare"),
    "none": (Status.PASS, "No glasses"),
}


@observes_nothing
def check_glasses(ctx: FrameContext) -> CheckResult:
    if ctx.subject is None:
        return CheckResult("glasses", Status.UNKNOWN, "No face", None, (), {"kind": "unknown"})
    kind, f = _glasses_memo(ctx)
    if not f:
        return CheckResult("glasses", Status.UNKNOWN, "Face too small", None, (), {"kind": "unknown"})
    fields = {
        "kind": kind,
        "bridge_line": round(f["bridge"], 2),
        "rim_line": round(f["rim"], 2),
        "lens_darkness": round(f["dark"], 3),
    }
    s = ctx.subject
    regions = (
        tuple(ctx.norm_box(*s.eye(side).box(_EYE_REGION_PAD)) for side in SIDES) if kind != "none" else ()
    )
    value = max(f["bridge"] / ctx.th.glasses_bridge_line, f["rim"] / ctx.th.glasses_rim_line)
    status, message = _GLASSES_MESSAGES[kind]
    return CheckResult("glasses", status, message, value, regions, fields)
