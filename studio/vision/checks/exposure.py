"""``exposure``: is the face too dark, too bright, or clipped on the skin?

A fixed face luma cannot tell a dark-skinned face that is well exposed from a light-skinned one
two stops under. So under-exposure is judged against references that do not depend on skin:

- the whites of the eyes (the bright end of the eye openings: sclera and catchlights, diffuse
  and specular white whatever the skin), when both eyes are open and not behind dark lenses;
- the scene's bright end (99th percentile of the whole frame: lights, white clothes, a bright
  backdrop; an under-exposed frame has no bright end at all);
- the lit skin (95th percentile of the face), the weakest of the three for dark skin.

A small logistic model (``studio/data/models/exposure_dark*.json``, fitted by
``scripts/tune_light.py`` on the tune half of the development set: originals against copies two
stops darker) combines them; without visible eyes a second model uses the scene and the skin.
Over-exposure and clipping are measured on the face itself (8-bit luma of the face oval).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from studio.analysis import CheckResult, Status
from studio.vision.calibrated import load_model
from studio.vision.checks.eyes import eye_states
from studio.vision.checks.glasses import glasses_kind
from studio.vision.context import FrameContext
from studio.vision.landmarks import EYE_CONTOURS, FACE_OVAL, SIDES
from studio.vision.thresholds import Thresholds
from studio.vision.verdict import observes_nothing

_MIN_PIXELS = 16  # fewer face pixels than this: nothing to judge
_MIN_EYE_PIXELS = 8  # fewer pixels in an eye opening: no white of the eye to read
_LIT_SKIN_PERCENTILE = 95  # "the lit skin": the 95th percentile of face luma
_EYE_WHITE_PERCENTILE = 90  # the bright end of the eye opening: sclera, catchlights
_SCENE_PERCENTILE = 99  # the scene's bright end
_SCENE_STEP = 4  # every 4th pixel of the frame is plenty for a percentile
MODEL_EYES, MODEL_NO_EYES = "exposure_dark", "exposure_dark_noeyes"
FEATURES_EYES = ("eye_white", "lit_skin", "scene_bright")
FEATURES_NO_EYES = ("lit_skin", "scene_bright")


def percentiles_u8(values: np.ndarray, qs: tuple[float, ...]) -> tuple[float, ...]:
    """``np.percentile(values, qs)`` of 8-bit values, the same numbers (linear interpolation
    between the same two order statistics, by numpy's formula), from a 256-bin histogram
    instead of a partial sort: a few times cheaper on a frame's worth of pixels."""
    flat = values.ravel()
    if flat.size == 0:
        raise ValueError("no values")
    n = flat.size
    cum = np.cumsum(np.bincount(flat, minlength=256))
    out = []
    for q in qs:
        virtual = (n - 1) * (q / 100.0)
        lo = math.floor(virtual)
        hi = lo + 1
        if virtual >= n - 1:
            lo = hi = n - 1
        a, b = (int(np.searchsorted(cum, i, side="right")) for i in (lo, hi))
        t, diff = virtual - lo, float(b - a)
        out.append(b - diff * (1.0 - t) if t >= 0.5 else a + diff * t)
    return tuple(out)


def _gray(ctx: FrameContext, rows: slice, cols: slice) -> np.ndarray:
    """8-bit grey of a part of the analysed image: cut from the frame's grey when a check
    already made it, else converted from just that part (the same values)."""
    if "gray" in ctx.__dict__:  # functools.cached_property: computed for this frame already
        return ctx.gray[rows, cols]
    return cv2.cvtColor(np.ascontiguousarray(ctx.image[rows, cols]), cv2.COLOR_BGR2GRAY)


def face_values(ctx: FrameContext, step: int = 2) -> np.ndarray | None:
    """Luma of the face oval, every ``step``-th pixel (plenty for percentiles, 4× cheaper)."""
    s = ctx.subject
    if s is None:
        return None
    x0, y0, x1, y1 = (int(v) for v in s.box)
    x0, y0 = max(0, x0), max(0, int(s.xy[:, 1].min()))
    x1, y1 = min(ctx.w, x1 + 1), min(ctx.h, y1 + 1)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    crop = cv2.cvtColor(ctx.image[y0:y1:step, x0:x1:step], cv2.COLOR_BGR2GRAY)
    mask = np.zeros(crop.shape, np.uint8)
    oval = (s.xy[list(FACE_OVAL)] - (x0, y0)) / step
    cv2.fillPoly(mask, [np.round(oval).astype(np.int32)], (255,))
    return crop[mask > 0]


def eye_white(ctx: FrameContext) -> float | None:
    """The bright end of both eye openings (luma), or None when an eye is closed or hidden."""
    s = ctx.subject
    if s is None or glasses_kind(ctx) == "sunglasses":
        return None
    states = eye_states(ctx)
    values = []
    for side in SIDES:
        if states[side][0] != "open":
            return None
        pts = s.xy[list(EYE_CONTOURS[side])]
        x0, y0 = np.floor(pts.min(axis=0)).astype(int)
        x1, y1 = np.ceil(pts.max(axis=0)).astype(int) + 1
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(ctx.w, x1), min(ctx.h, y1)
        if x1 - x0 < 2 or y1 - y0 < 2:
            return None
        mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
        cv2.fillPoly(mask, [np.round(pts - (x0, y0)).astype(np.int32)], (255,))
        inside = _gray(ctx, slice(y0, y1), slice(x0, x1))[mask > 0]
        if inside.size < _MIN_EYE_PIXELS:
            return None
        values.append(percentiles_u8(inside, (_EYE_WHITE_PERCENTILE,))[0])
    return float(np.mean(values))


def scene_bright(ctx: FrameContext) -> float:
    every = slice(None, None, _SCENE_STEP)
    return percentiles_u8(_gray(ctx, every, every), (_SCENE_PERCENTILE,))[0]


def exposure_measure(values: np.ndarray, th: Thresholds) -> dict[str, float]:
    """Median and lit-skin luma of the face, and the fractions clipped and crushed."""
    qs = (50, _LIT_SKIN_PERCENTILE)
    if values.dtype == np.uint8:
        median, highlights = percentiles_u8(values, qs)
    else:
        median, highlights = (float(v) for v in np.percentile(values, qs))
    return {
        "median": median,
        "highlights": highlights,
        "clipped": float((values >= th.face_clipped_level).mean()),
        "crushed": float((values <= th.face_crushed_level).mean()),
    }


def dark_probability(refs: dict[str, float | None]) -> tuple[float, float] | None:
    """P(under-exposed) from the skin-free references and the model's cut, with the eyes or
    without them; None when the model file is missing."""
    with_eyes = bool(refs.get("eye_white"))
    name, wanted = (MODEL_EYES, FEATURES_EYES) if with_eyes else (MODEL_NO_EYES, FEATURES_NO_EYES)
    try:
        model = load_model(name)
    except (FileNotFoundError, KeyError, ValueError):
        return None
    values = {f: math.log(max(1.0, float(refs.get(f) or 0.0))) for f in wanted}
    return model.probability(values), model.cut


def _too_dark(m: dict[str, float], th: Thresholds, refs: dict[str, float | None] | None) -> bool:
    judged = dark_probability(refs) if refs else None
    if judged is not None:
        return judged[0] >= max(judged[1], th.exposure_dark_min_probability)
    # No references (or no model): the lit skin and the median alone.
    return m["highlights"] < th.face_highlights_dark or m["median"] < th.face_dark


def exposure_verdict(
    m: dict[str, float], th: Thresholds, refs: dict[str, float | None] | None = None
) -> tuple[Status, str]:
    """The verdict from the face's luma (``m``) and the skin-free references (``refs``)."""
    median = m["median"]
    if _too_dark(m, th, refs):
        white = refs.get("eye_white") if refs else None
        eyes = f", whites of the eyes {white:.0f}" if white else ""
        return Status.FAIL, f"Face too dark (lit skin {m['highlights']:.0f}/255{eyes}): open up or add light"
    if median > th.face_bright:
        return Status.FAIL, f"Face too bright (median {median:.0f}/255): stop down or lower the light"
    if m["clipped"] > th.face_clipped_fraction:
        return Status.WARN, f"Clipped highlights on {m['clipped']:.0%} of the face: lower the key light"
    if m["crushed"] > th.face_crushed_fraction:
        return Status.WARN, f"Deep shadows on {m['crushed']:.0%} of the face: add fill"
    return Status.PASS, f"Face well exposed (lit skin {m['highlights']:.0f}/255)"


@observes_nothing
def check_exposure(ctx: FrameContext) -> CheckResult:
    values, s = face_values(ctx), ctx.subject
    if values is None or values.size < _MIN_PIXELS or s is None:
        return CheckResult("exposure", Status.UNKNOWN, "No face", None, (), {})
    m = exposure_measure(values, ctx.th)
    refs: dict[str, float | None] = {
        "eye_white": eye_white(ctx), "lit_skin": m["highlights"], "scene_bright": scene_bright(ctx),
    }
    status, message = exposure_verdict(m, ctx.th, refs)
    white, judged = refs["eye_white"], dark_probability(refs)
    fields = {
        "face_median": round(m["median"], 1),
        "face_p95": round(m["highlights"], 1),
        "eye_white": round(white, 1) if white is not None else None,
        "scene_p99": round(float(refs["scene_bright"] or 0.0), 1),
        "p_dark": round(judged[0], 3) if judged is not None else None,
        "clipped": round(m["clipped"], 4),
        "crushed": round(m["crushed"], 4),
    }
    return CheckResult("exposure", status, message, m["median"], (ctx.norm_box(*s.box),), fields)
