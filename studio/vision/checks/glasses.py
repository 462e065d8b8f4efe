"""``glasses``: none, clear, sunglasses, or unknown on a face too small to tell.

Measured on the face warped level at IED = 128 px (:class:`~studio.vision.context.Aligned`):
frame lines across the nose bridge and under each eye (row profiles against their trend), the
frame ridges of a coarse grid over the eye band and the lens colour
(:mod:`studio.vision.checks.frames`), lens darkness, pupil veil and the eye's own contrast
against the cheeks. Two calibrated models fitted by ``scripts/tune_glasses.py`` on the tune
half of the development set decide: ``glasses_present`` (worn or not) and ``glasses_sun`` (dark,
mirrored or tinted lenses that hide the eyes; lenses darker than ``sunglasses_dark_ratio`` of the
cheeks always do). On a face too small for a thin frame to show, an uncertain probability is
``unknown`` ("Face too small to tell glasses") rather than a guess.

Glare on the lenses is judged in :mod:`studio.vision.checks.glare`. The measures are in
:mod:`studio.vision.checks.lenses`; the numbers that decide are in
:class:`~studio.vision.thresholds.Thresholds`.
"""

from __future__ import annotations

import cv2
import numpy as np

from studio.analysis import CheckResult, Status
from studio.vision.calibrated import load_model
from studio.vision.checks.frames import EYE_FEATURES, RIDGE_FEATURES, frame_ridges, lens_colour
from studio.vision.checks.lenses import cheek_values, eye_opening, frame_lines, lens_box, pupil_level, region
from studio.vision.context import FrameContext
from studio.vision.crops import ALIGNED_IED, Aligned
from studio.vision.landmarks import LEFT_CHEEK, RIGHT_CHEEK, SIDES
from studio.vision.thresholds import Thresholds
from studio.vision.verdict import observes_nothing

PRESENT_MODEL = "glasses_present"
SUN_MODEL = "glasses_sun"
KIND_FEATURES = ("bridge_n", "rim_n", "dark", "veil", "lens_sat", "eye_contrast", "log_ied")
PRESENT_FEATURES = KIND_FEATURES + RIDGE_FEATURES
SUN_FEATURES = EYE_FEATURES + ("sclera_iris",)  # chosen by cross-validation (scripts/tune_glasses.py)
_EYE_REGION_PAD = 0.5  # drawn region around each eye, in eye widths


# -- glasses --------------------------------------------------------------------------------


def glasses_features(a: Aligned, th: Thresholds, *, colour: bool = True) -> dict[str, float]:
    """Frame lines (bridge, weaker rim; in units of their thresholds), lens darkness, pupil
    veil and the eyes' own contrast (all against the cheeks), lens colour, face size, and the
    frame ridges and (``colour``) lens colour of :mod:`studio.vision.checks.frames`."""
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
            "eye_contrast": contrast, "log_ied": float(np.log(max(source_ied(a), 1.0))),
            **frame_ridges(a), **(lens_colour(a) if colour else {})}


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
    """(none / clear / sunglasses / unknown, the measures) for one face warped level.

    The calibrated ``glasses_present`` model (frame ridges around the eyes and across the
    bridge, frame lines, lens darkness) decides whether glasses are worn; ``glasses_sun``
    (whether the eye shows through the lens: its tint, texture and darkness against the cheeks
    and forehead, and its sclera-iris contrast; :func:`frames.eye_visibility`) whether they
    hide the eyes. Both are fitted by scripts/tune_glasses.py on the tune half. On a face too
    small for a thin frame to show (``glasses_unsure_max_ied``) a probability between
    ``glasses_unsure_probability`` and the model's cut is ``unknown``, not a guess."""
    f = glasses_features(a, th, colour=False)
    p = load_model(PRESENT_MODEL).probability(f)
    f["p_glasses"] = p
    if p >= load_model(PRESENT_MODEL).cut:
        f.update(lens_colour(a))  # only glasses_sun reads it: a bare face skips the Lab pass
        f["p_sun"] = load_model(SUN_MODEL).probability(f)
        dark = f["dark"] < th.sunglasses_dark_ratio or f["p_sun"] >= load_model(SUN_MODEL).cut
        return ("sunglasses" if dark and f["lens_l"] < th.sunglasses_max_lightness else "clear"), f
    if source_ied(a) < th.glasses_unsure_max_ied and p >= th.glasses_unsure_probability:
        return "unknown", f
    return "none", f


def source_ied(a: Aligned) -> float:
    """Inter-eye distance of the face in the analysed image's pixels."""
    scale = float(np.hypot(a.matrix[0, 0], a.matrix[0, 1]))  # aligned px per analysed px
    return ALIGNED_IED / scale if scale > 0 else 0.0


_GLASSES_MESSAGES = {
    "unknown": (Status.UNKNOWN, "Face too small to tell glasses"),
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
        "probability": round(f["p_glasses"], 3),
    }
    s = ctx.subject
    shown = kind in ("clear", "sunglasses")
    regions = tuple(ctx.norm_box(*s.eye(side).box(_EYE_REGION_PAD)) for side in SIDES) if shown else ()
    value = f["p_glasses"]
    status, message = _GLASSES_MESSAGES[kind]
    return CheckResult("glasses", status, message, value, regions, fields)
