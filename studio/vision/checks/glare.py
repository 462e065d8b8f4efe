"""``glare``: a bright reflection on a lens of clear glasses, which lens, and whether it covers
the pupil.

Glare is measured against the lens's own surroundings, on the face warped level at
IED = 128 px (:class:`~studio.vision.crops.Aligned`):

- *reflection*: the largest colourless patch inside the lens that stands above its local
  surroundings (the median over a third of the IED), thin frame lines opened away, less the
  largest such patch on the bare skin just around the lens (skin shine lights both; a
  reflection only the lens);
- *pupil*: the share of the visible iris such a patch covers, catchlight-sized spots left out;
- *iris lift*: the share of the iris (normally darker than the cheeks) lit above their median;
- *pupil against the ring*: the pupil's median grey level against the skin ring's: a pupil is
  the darkest part of a bare eye, and a reflection over it lifts it to the skin's level (with
  the model's P(glare), this decides "hides the eye");
- *lift* and *tint*: a veil lifts the lens above the brightest skin around it and washes its
  colour out.

A small calibrated model (``studio/data/models/glare.json``, fitted by
``scripts/tune_glasses.py`` on the tune half of the development set) turns the five measures
into P(glare); the frame and tint of ordinary glasses, skin shine and catchlights stay below
its cut. Glare over the pupil fails (the eye is hidden); elsewhere it warns. A lens too small
in the picture to tell a reflection from JPEG noise is ``unknown``, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from studio.analysis import CheckResult, Status
from studio.vision.calibrated import load_model
from studio.vision.checks.glasses import glasses_kind, source_ied
from studio.vision.checks.lenses import (
    box_mask,
    cheek_values,
    eye_opening,
    iris_glare,
    lens_box,
    lens_brightness,
    local_contrast,
    pair_measures,
    pupil_brightness,
    skin_ring,
)
from studio.vision.context import FrameContext
from studio.vision.crops import Aligned
from studio.vision.landmarks import FACE_OVAL, IRISES, SIDES
from studio.vision.thresholds import Thresholds
from studio.vision.verdict import observes_nothing

MODEL = "glare"
FEATURES = ("reflection", "pupil", "iris_lift", "lift", "tint",
            "asym_p95", "asym_p75", "asym_mean", "asym_iris", "asym_op",
            "own_p95", "own_p75", "own_iris", "own_op",
            "asym_refl", "lc99", "asym_lc99", "asym_lift", "asym_pupil")
_EYE_MARGIN = np.ones((5, 5), np.uint8)  # the eye opening grown by 2 px: lid edges are not lens
_SOLID = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7))  # opens away frame lines (≤ 6 px)
_MARK_MIN_PIXELS = 12  # a patch smaller than this gets no mark on the overlay
_IRIS_LIFT = 1.0  # an iris as bright as the cheeks' median is lit: bare irises stay darker


@dataclass(frozen=True)
class LensGlare:
    """Glare on one lens of one face (positions in analysed-image px)."""

    side: str
    measures: dict[str, float]
    probability: float
    glaring: bool
    covers_eye: bool
    marks: tuple[tuple[float, float], ...]
    box: tuple[float, float, float, float]


def lit_mask(a: Aligned, th: Thresholds, lc: np.ndarray | None = None) -> np.ndarray:
    """Colourless pixels standing ``glare_local_contrast`` above their surroundings and at
    least as bright as the cheeks' median, thin lines opened away. ``lc``: the face's
    :func:`~studio.vision.checks.lenses.local_contrast` when already taken (a median filter:
    the costliest step of glare, taken once per frame)."""
    sat = cv2.cvtColor(a.bgr, cv2.COLOR_BGR2HSV)[..., 1]
    c50 = float(np.median(cheek_values(a)))
    lc = local_contrast(a) if lc is None else lc
    lit = (lc >= th.glare_local_contrast) & (sat < th.glare_max_saturation) & (a.gray >= c50)
    return cv2.morphologyEx(lit.astype(np.uint8), cv2.MORPH_OPEN, _SOLID)


def lens_measures(
    a: Aligned, side: str, lit: np.ndarray, face: np.ndarray, th: Thresholds
) -> dict[str, float] | None:
    """The five glare measures of one lens; None when too little of it is in the face."""
    around = box_mask(a.gray.shape, lens_box(a, side)) & face
    around &= 1 - cv2.dilate(eye_opening(a, side, a.gray.shape), _EYE_MARGIN)
    ring = skin_ring(a, side, face)
    n_lens, n_ring = int(around.sum()), int(ring.sum())
    if n_lens < th.glare_min_lens_pixels or n_ring < th.glare_min_lens_pixels:
        return None
    reflection = _reflection(lit, around, ring)
    sat = cv2.cvtColor(a.bgr, cv2.COLOR_BGR2HSV)[..., 1].astype(np.float32)
    lens_v, ring_v = a.gray[around > 0], a.gray[ring > 0]
    c50 = max(float(np.median(cheek_values(a))), 1.0)
    bright = (a.gray >= _IRIS_LIFT * c50).astype(np.uint8)
    return {
        "reflection": float(max(0.0, reflection)),
        "pupil": iris_glare(a, side, lit),
        "iris_lift": iris_glare(a, side, bright),
        "lift": float(np.mean(lens_v > np.percentile(ring_v, 90))),
        "tint": float(np.median(sat[around > 0]) / max(float(np.median(sat[ring > 0])), 1.0)),
        "pupil_ring": pupil_brightness(a, side) / max(float(np.median(ring_v)), 1.0),
    }


def _reflection(lit: np.ndarray, around: np.ndarray, ring: np.ndarray) -> float:
    """The largest lit patch on the lens (its share of the lens area) less the largest on the
    skin ring around it (its share of the ring). A patch that runs from the lens over the ring
    is the lens's own reflection (the lens box is smaller than many lenses): it is not skin
    shine, and only patches wholly on the ring are."""
    n, labels = cv2.connectedComponents((lit & (around | ring)).astype(np.uint8))
    if n <= 1:
        return 0.0
    on_lens = np.bincount(labels[(lit & around) > 0], minlength=n)
    on_ring = np.bincount(labels[(lit & ring) > 0], minlength=n)
    skin = on_ring[1:][on_lens[1:] == 0]
    lens_part = float(on_lens[1:].max()) / max(int(around.sum()), 1)
    return lens_part - (float(skin.max()) if skin.size else 0.0) / max(int(ring.sum()), 1)


def paired_measures(
    a: Aligned, lit: np.ndarray, face: np.ndarray, th: Thresholds, lc: np.ndarray | None = None
) -> dict[str, dict[str, float]]:
    """side -> every glare measure of that lens: its own (:func:`lens_measures`) and against
    the other lens (:func:`~studio.vision.checks.lenses.pair_measures`); sides too little in
    the face left out."""
    ms = {side: lens_measures(a, side, lit, face, th) for side in SIDES}
    c50 = max(float(np.median(cheek_values(a))), 1.0)
    bright = {side: lens_brightness(a, side, c50) for side in SIDES}
    lc = local_contrast(a) if lc is None else lc
    lc99 = {}
    for side in SIDES:
        inside = (box_mask(a.gray.shape, lens_box(a, side)) & face) > 0
        lc99[side] = float(np.percentile(lc[inside], 99)) if inside.any() else 0.0
    out = {}
    for side, other in (("right", "left"), ("left", "right")):
        m = ms[side]
        if m is not None:
            pair = pair_measures(bright[side], bright[other], (lc99[side], lc99[other]), m, ms[other])
            out[side] = {**m, **pair}
    return out


def glare_of(a: Aligned, th: Thresholds) -> list[LensGlare]:
    """Per lens of one face warped level: its measures, P(glare), whether it hides the eye."""
    lc = local_contrast(a)
    lit = lit_mask(a, th, lc)
    face = np.zeros(a.gray.shape, np.uint8)
    cv2.fillPoly(face, [np.round(a.points[list(FACE_OVAL)]).astype(np.int32)], (1,))
    model = load_model(MODEL)
    out = []
    for side, m in paired_measures(a, lit, face, th, lc).items():
        p = model.probability(m)
        glaring = p >= model.cut
        covers = glaring and (max(m["pupil"], m["iris_lift"]) >= th.glare_fail_eye_cover
                              or m["pupil_ring"] >= th.glare_pupil_lit)
        marks = _marks(a, side, lit)
        if covers and not marks:  # a veil lit the whole iris: mark the pupil it hides
            x, y = a.to_image(a.points[IRISES[side][0]][None, :])[0]
            marks = ((float(x), float(y)),)
        out.append(LensGlare(side, m, p, glaring, covers, marks, _image_box(a, side)))
    return out


def _image_box(a: Aligned, side: str) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = lens_box(a, side)
    corners = a.to_image(np.array([[x0, y0], [x1, y1], [x0, y1], [x1, y0]]))
    (bx0, by0), (bx1, by1) = corners.min(axis=0), corners.max(axis=0)
    return (float(bx0), float(by0), float(bx1), float(by1))


def _marks(a: Aligned, side: str, lit: np.ndarray) -> tuple[tuple[float, float], ...]:
    """The centre of every lit patch of some size on this lens, in analysed-image px."""
    n, _, stats, centroids = cv2.connectedComponentsWithStats(lit & box_mask(lit.shape, lens_box(a, side)))
    keep = [i for i in range(1, n) if stats[i, cv2.CC_STAT_AREA] >= _MARK_MIN_PIXELS]
    return tuple((float(x), float(y)) for x, y in a.to_image(centroids[keep])) if keep else ()


def glare_lenses(ctx: FrameContext) -> list[LensGlare]:
    return ctx.memo("glare", lambda: [] if ctx.aligned is None else glare_of(ctx.aligned, ctx.th))


_GLARE_FIX = "raise the key light or move it to the side, or tilt the frames down slightly"


def _lens_fields(lenses: list[LensGlare]) -> list[dict[str, object]]:
    return [
        {"side": ln.side, "glare": ln.glaring, "covers_eye": ln.covers_eye,
         "area": round(ln.measures["reflection"], 4), "probability": round(ln.probability, 3),
         **{k: round(v, 4) for k, v in ln.measures.items()}}
        for ln in lenses
    ]


def _verdict(kind: str, lenses: list[LensGlare]) -> tuple[Status, str]:
    """Glare over a pupil fails; glare elsewhere on a lens warns."""
    covered = [ln.side for ln in lenses if ln.covers_eye]
    if covered:
        return Status.FAIL, f"Glare hides the {' and '.join(covered)} eye: {_GLARE_FIX}"
    glaring = [ln.side for ln in lenses if ln.glaring]
    if glaring:
        return Status.WARN, f"Glare on the {' and '.join(glaring)} lens: {_GLARE_FIX}"
    if kind != "clear":
        return Status.PASS, "No glasses, no glare"
    return Status.PASS, "No glare on the glasses"


def _abstain(ctx: FrameContext, kind: str) -> str | None:
    """Why glare cannot be judged on the subject's lenses, or None."""
    if kind == "sunglasses":
        return "Dark lenses: glare not judged"
    if kind == "unknown" and ctx.aligned is not None:
        return "Face too small to tell glasses: glare not judged"
    if kind == "clear" and ctx.aligned is not None and source_ied(ctx.aligned) < ctx.th.glare_min_ied:
        return f"Lenses too small to judge glare ({source_ied(ctx.aligned):.0f} px between the eyes)"
    return None


@observes_nothing
def check_glare(ctx: FrameContext) -> CheckResult:
    """Glare on the subject's lenses: the face of the frame's one face decision, as every other
    check judges it. Other faces in a group are not read (a phone-lit bare face or a profile
    beside the subject is not the subject's glare)."""
    if not ctx.face_decision.has_subject:
        return CheckResult("glare", Status.UNKNOWN, ctx.face_decision.reason, None, (), {"lenses": []})
    kind = glasses_kind(ctx)
    why = _abstain(ctx, kind)
    lenses = glare_lenses(ctx) if kind == "clear" and why is None else []
    fields: dict[str, object] = {"lenses": _lens_fields(lenses)}
    if why is not None:
        return CheckResult("glare", Status.UNKNOWN, why, None, (), fields)
    status, message = _verdict(kind, lenses)
    worst = max((ln.probability for ln in lenses), default=0.0)
    if status is Status.PASS:
        return CheckResult("glare", status, message, worst, (), fields)
    shown = [ln for ln in lenses if ln.glaring]
    regions = tuple(ctx.norm_box(*ln.box) for ln in shown)
    marks = tuple(ctx.norm_point(*m) for ln in shown for m in ln.marks)
    return CheckResult("glare", status, message, worst, regions, fields, marks)
