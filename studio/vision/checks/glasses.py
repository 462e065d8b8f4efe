"""``glasses`` (none / clear / sunglasses) and ``glare`` on the lenses.

Both work on the face warped level at IED = 128 px (:class:`~studio.vision.context.Aligned`).

Glasses: a frame is a thin line that runs straight across the nose bridge and under each eye.
Averaging each row of those regions keeps lines that span the region and cancels skin texture;
the line strength is the largest deviation of that row profile from its smoothed trend.
Dark lenses: the lens area is much darker than the cheeks. A thin metal frame on a small face
leaves only a faint bridge line; it still counts when the lens also shows its other trace, a
reflection that veils the eye (a bare pupil stays dark).

Glare: pixels in the lens area (inside the face, around the eye, the white of the eye excluded)
clearly brighter than the brightest skin of the cheeks and nearly colourless. Over the iris
(which is normally dark) it hides the eye. A dim reflection that never gets that bright still
veils the eye: the pupil, normally the darkest part of the face, turns grey.

Every face with landmarks is judged (a group photo): glare on the main subject's glasses fails
or warns; glare on someone else's glasses warns and says whose.

The measures are in :mod:`studio.vision.checks.lenses`; the numbers that decide are in
:class:`~studio.vision.thresholds.Thresholds`.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from studio.analysis import CheckResult, Status
from studio.vision.checks.lenses import cheek_values, eye_opening, frame_lines, lens_box, pupil_level, region
from studio.vision.context import FrameContext
from studio.vision.crops import ALIGNED_IED, Aligned
from studio.vision.landmarks import FACE_OVAL, SIDES, FaceGeometry
from studio.vision.thresholds import Thresholds
from studio.vision.verdict import observes_nothing

_OPEN_KERNEL = np.ones((3, 3), np.uint8)  # drops isolated bright specks (JPEG ringing, catchlight)
_EYE_MARGIN_KERNEL = np.ones((5, 5), np.uint8)  # the eye opening grown by 2 px: lid edges are not lens
_MARK_MIN_PIXELS = 6  # a glare blob smaller than this gets no mark on the overlay
_LEFT_THIRD, _RIGHT_THIRD = 0.4, 0.6  # "on the left / in the middle / on the right" of a group
_BRIGHT_SKIN_PERCENTILE = 90  # "the brightest lit skin" of the cheeks
_EYE_REGION_PAD = 0.5  # drawn region around each eye, in eye widths


# -- glasses --------------------------------------------------------------------------------


def glasses_features(a: Aligned, th: Thresholds) -> dict[str, float]:
    """Frame lines (bridge, weaker rim), lens darkness and pupil veil, both against the cheeks."""
    bridge, rim = frame_lines(a)
    lens = np.concatenate([region(a.gray, *lens_box(a, side)).ravel() for side in SIDES])
    c50 = max(float(np.median(cheek_values(a))), 1.0)
    dark = float(np.median(lens)) / c50 if lens.size else 1.0
    veil = max(pupil_level(a, side, th)[0] / c50 for side in SIDES)
    return {"bridge": bridge, "rim": rim, "dark": dark, "veil": veil}


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
    """(none / clear / sunglasses, the measures) for one face warped level."""
    f = glasses_features(a, th)
    framed = f["bridge"] >= th.glasses_bridge_line or f["rim"] >= th.glasses_rim_line
    if f["dark"] < th.sunglasses_dark_ratio and (
        framed or f["bridge"] >= th.sunglasses_min_bridge * th.glasses_bridge_line
    ):
        return "sunglasses", f
    # Thin frames on small faces: a faint bridge line is only trusted together with a veiled
    # pupil (a reflection on the lens), two traces of glasses in different places.
    # Only on faces too small for frames to show: on a larger face real frames draw a strong
    # line, and a grey pupil is more often JPEG softness than a reflection (live view).
    small = source_ied(a) < th.glasses_faint_max_ied
    faint = small and f["bridge"] >= th.glasses_bridge_faint and f["veil"] >= th.glasses_veil
    return ("clear" if framed or faint else "none"), f


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


# -- glare ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LensGlare:
    """Glare on one lens of one face (positions in analysed-image px)."""

    side: str
    area: float  # bright blobs / the lens area around the eye
    covers_eye: bool
    eye_cover: float  # bright fraction of the visible iris
    veil: float  # pupil level / cheek median
    marks: tuple[tuple[float, float], ...]
    box: tuple[float, float, float, float]


def glare_lenses(ctx: FrameContext) -> list[LensGlare]:
    return ctx.memo("glare", lambda: _glare(ctx))


def _glare(ctx: FrameContext) -> list[LensGlare]:
    return [] if ctx.aligned is None else glare_of(ctx.aligned, ctx.th)


def _bright_mask(a: Aligned, th: Thresholds, c50: float, c90: float) -> np.ndarray:
    """Pixels brighter than the brightest lit skin and nearly colourless, specks dropped. The
    level is capped so a face lit close to white still shows glare at clipping."""
    sat = cv2.cvtColor(a.bgr, cv2.COLOR_BGR2HSV)[..., 1]
    level = min(th.glare_level_cap, max(c90 + th.glare_level_above_skin, c50 + th.glare_level_above_median))
    bright = ((a.gray >= level) & (sat < th.glare_max_saturation)).astype(np.uint8)
    return cv2.morphologyEx(bright, cv2.MORPH_OPEN, _OPEN_KERNEL)


def glare_of(a: Aligned, th: Thresholds) -> list[LensGlare]:
    """Per lens of one face warped level: glare area, whether it hides the eye, veil, marks."""
    c50, c90 = np.percentile(cheek_values(a), (50, _BRIGHT_SKIN_PERCENTILE))
    bright = _bright_mask(a, th, float(c50), float(c90))
    face = np.zeros(a.gray.shape, np.uint8)
    cv2.fillPoly(face, [np.round(a.points[list(FACE_OVAL)]).astype(np.int32)], (1,))
    lenses = (_lens_glare(a, side, bright, face, float(c50), th) for side in SIDES)
    return [lens for lens in lenses if lens is not None]


def _lens_glare(
    a: Aligned, side: str, bright: np.ndarray, face: np.ndarray, c50: float, th: Thresholds
) -> LensGlare | None:
    """One lens: None when too little of it is in the face to judge."""
    g = a.gray
    x0, y0, x1, y1 = (int(round(v)) for v in lens_box(a, side))
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(g.shape[1], x1), min(g.shape[0], y1)
    # The white of the eye is bright by nature: the lens area around the eye excludes it,
    # and inside the eye only the iris (normally dark) is judged.
    opening = eye_opening(a, side, g.shape)
    around = (face & (1 - cv2.dilate(opening, _EYE_MARGIN_KERNEL)))[y0:y1, x0:x1]
    if around.sum() < th.glare_min_lens_pixels:
        return None
    blobs = bright[y0:y1, x0:x1] & around
    pupil, iris = pupil_level(a, side, th)
    eye_cover = float((bright & iris).sum() / max(iris.sum(), 1))
    marks = _glare_marks(a, blobs | (bright & iris)[y0:y1, x0:x1], (x0, y0))
    corners = a.to_image(np.array([[x0, y0], [x1, y1], [x0, y1], [x1, y0]]))
    (bx0, by0), (bx1, by1) = corners.min(axis=0), corners.max(axis=0)
    return LensGlare(
        side=side,
        area=float(blobs.sum() / around.sum()),
        covers_eye=eye_cover >= th.glare_fail_eye_cover,
        eye_cover=eye_cover,
        # A dim reflection veils the eye without reaching glare brightness: the pupil, the
        # darkest part of a face, turns grey. Its 10th percentile against the cheeks.
        veil=pupil / max(c50, 1.0),
        marks=marks,
        box=(float(bx0), float(by0), float(bx1), float(by1)),
    )


def _glare_marks(a: Aligned, blobs: np.ndarray, origin: tuple[int, int]) -> tuple[tuple[float, float], ...]:
    """The centre of every glare blob of some size, in analysed-image px."""
    n, _, stats, centroids = cv2.connectedComponentsWithStats(blobs)
    marks = []
    for i in range(1, n):
        if stats[i, cv2.CC_STAT_AREA] >= _MARK_MIN_PIXELS:
            x, y = a.to_image(centroids[i : i + 1] + list(origin))[0]
            marks.append((float(x), float(y)))
    return tuple(marks)


def _glaring(lenses: list[LensGlare], th: Thresholds) -> list[LensGlare]:
    return [ln for ln in lenses if ln.area >= th.glare_min_area or ln.covers_eye or ln.veil >= th.glare_veil]


def _lens_fields(lenses: list[LensGlare]) -> list[dict[str, object]]:
    return [
        {"side": ln.side, "area": round(ln.area, 4), "covers_eye": ln.covers_eye, "veil": round(ln.veil, 3)}
        for ln in lenses
    ]


def others_with_glare(ctx: FrameContext) -> list[tuple[str, list[LensGlare]]]:
    """Group photos: (where in the picture, glaring lenses) for every other face with landmarks
    that wears clear glasses with glare. Live view follows one face, so this is for stills."""
    return ctx.memo("glare_others", lambda: _others(ctx))


def _others(ctx: FrameContext) -> list[tuple[str, list[LensGlare]]]:
    s, th = ctx.subject, ctx.th
    out = []
    for face in ctx.faces:
        if face is s or face.ied < th.glare_other_min_ied:
            continue
        a = Aligned.of(ctx.image, face)
        if glasses_of(a, th)[0] != "clear":
            continue
        glaring = _glaring(glare_of(a, th), th)
        if glaring:
            out.append((_where(ctx, face), glaring))
    return out


def _where(ctx: FrameContext, face: FaceGeometry) -> str:
    x = float(face.eye_mid[0]) / max(ctx.w, 1)
    return "on the left" if x < _LEFT_THIRD else "on the right" if x > _RIGHT_THIRD else "in the middle"


_GLARE_FIX = "raise the key light or move it to the side, or tilt the frames down slightly"


def _glare_verdict(
    kind: str, lenses: list[LensGlare], glaring: list[LensGlare], whose: str, th: Thresholds
) -> tuple[Status, str]:
    """Status and message: glare over an eye fails; glare, a veil or glare on someone else's
    glasses (``whose``: where they stand, "" for nobody) warns."""
    also = f"; also on the glasses of the person {whose}" if whose else ""
    covered = [ln.side for ln in lenses if ln.covers_eye]
    if covered:
        return Status.FAIL, f"Glare hides the {' and '.join(covered)} eye{also}: {_GLARE_FIX}"
    if glaring:
        sides = " and ".join(ln.side for ln in glaring)
        veiled = all(ln.area < th.glare_min_area for ln in glaring)
        what = f"Reflections veil the {sides} eye" if veiled else f"Glare on the {sides} lens"
        return Status.WARN, f"{what}{also}: {_GLARE_FIX}"
    if whose:
        return Status.WARN, f"Glare on the glasses of the person {whose}: {_GLARE_FIX}"
    if kind == "sunglasses":
        return Status.UNKNOWN, "Dark lenses: glare not judged"
    if kind != "clear":
        return Status.PASS, "No glasses, no glare"
    return Status.PASS, "No glare on the glasses"


@observes_nothing
def check_glare(ctx: FrameContext) -> CheckResult:
    if ctx.subject is None:
        return CheckResult("glare", Status.UNKNOWN, "No face", None, (), {"lenses": []})
    kind = glasses_kind(ctx)
    lenses = glare_lenses(ctx) if kind == "clear" else []
    glaring = _glaring(lenses, ctx.th)
    others = others_with_glare(ctx)
    fields: dict[str, object] = {"lenses": _lens_fields(lenses)}
    if others:
        fields["others"] = [{"where": where, "lenses": _lens_fields(lns)} for where, lns in others]
    shown = glaring + [ln for _, lns in others for ln in lns]
    regions = tuple(ctx.norm_box(*ln.box) for ln in shown)
    marks = tuple(ctx.norm_point(*m) for ln in shown for m in ln.marks)
    whose = " and ".join(where for where, _ in others)
    status, message = _glare_verdict(kind, lenses, glaring, whose, ctx.th)
    if status is Status.UNKNOWN:
        return CheckResult("glare", status, message, None, (), fields)
    worst = max((ln.area for ln in lenses), default=0.0)
    if status is Status.PASS:
        return CheckResult("glare", status, message, 0.0 if kind != "clear" else worst, (), fields)
    return CheckResult("glare", status, message, worst, regions, fields, marks)
