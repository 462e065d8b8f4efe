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
"""

from __future__ import annotations

import cv2
import numpy as np

from studio.analysis import CheckResult, Status
from studio.vision.context import ALIGNED_EYE_Y, ALIGNED_IED, Aligned, FrameContext
from studio.vision.landmarks import (
    FACE_OVAL,
    LEFT_CHEEK,
    LEFT_EYE_CONTOUR,
    RIGHT_CHEEK,
    RIGHT_EYE_CONTOUR,
    SIDES,
    FaceGeometry,
)
from studio.vision.thresholds import Thresholds

_EYE_Y = ALIGNED_EYE_Y
_GAUSS_FINE = cv2.getGaussianKernel(7, 1.2).ravel()
_GAUSS_TREND = cv2.getGaussianKernel(25, 6.0).ravel()


def _line_strength(region: np.ndarray) -> float:
    """Strongest horizontal line across ``region`` (grey levels above/below the local trend)."""
    if region.shape[0] < 8 or region.shape[1] < 4:
        return 0.0
    prof = region.mean(axis=1)
    padded = np.pad(prof, 12, mode="edge")
    fine = np.convolve(padded, _GAUSS_FINE, "same")[12:-12]
    trend = np.convolve(padded, _GAUSS_TREND, "same")[12:-12]
    return float(np.abs(fine - trend).max())


def _region(gray: np.ndarray, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    h, w = gray.shape
    return gray[int(max(0, y0)) : int(min(h, y1)), int(max(0, x0)) : int(min(w, x1))]


def glasses_features(a: Aligned, th: Thresholds) -> dict[str, float]:
    g, p = a.gray, a.points
    inner_r, inner_l = p[133], p[362]
    gap = inner_l[0] - inner_r[0]
    bridge = _line_strength(
        _region(g, inner_r[0] + 0.15 * gap, _EYE_Y - 64, inner_l[0] - 0.15 * gap, _EYE_Y + 20)
    )
    lower_lid = max(p[145][1], p[374][1])
    rims = []
    for outer, inner in ((33, 133), (263, 362)):
        x0, x1 = sorted((p[outer][0], p[inner][0]))
        rims.append(_line_strength(_region(g, x0, lower_lid + 4, x1, _EYE_Y + 85)))
    cheeks = _cheek_values(a)
    lens = np.concatenate([_region(g, *_lens_box(a, side)).ravel() for side in SIDES])
    c50 = max(float(np.median(cheeks)), 1.0)
    dark = float(np.median(lens)) / c50 if lens.size else 1.0
    veil = max(_pupil_level(a, side, th)[0] / c50 for side in SIDES)
    return {"bridge": bridge, "rim": min(rims), "dark": dark, "veil": veil}


def _iris_disc(a: Aligned, side: str) -> tuple[np.ndarray, tuple[int, int], float]:
    """The inner 80 % of the iris disc inside the eye opening, as a uint8 mask of a small box
    around it, the box's (x, y) origin, and the fraction of the disc the lids leave visible."""
    contour = a.points[list(RIGHT_EYE_CONTOUR if side == "right" else LEFT_EYE_CONTOUR)]
    centre = a.points[468 if side == "right" else 473]
    radius = max(1, int(0.8 * float(np.linalg.norm(a.points[469 if side == "right" else 474] - centre))))
    x0, y0 = int(round(centre[0])) - radius - 1, int(round(centre[1])) - radius - 1
    size = 2 * radius + 3
    disc = np.zeros((size, size), np.uint8)
    cv2.circle(disc, (radius + 1, radius + 1), radius, 1, -1)
    opening = np.zeros((size, size), np.uint8)
    cv2.fillPoly(opening, [np.round(contour - [x0, y0]).astype(np.int32)], 1)
    # Clip to the aligned image (a face at its edge).
    h, w = a.gray.shape
    cx0, cy0, cx1, cy1 = max(0, -x0), max(0, -y0), min(size, w - x0), min(size, h - y0)
    iris = np.zeros_like(disc)
    iris[cy0:cy1, cx0:cx1] = (disc & opening)[cy0:cy1, cx0:cx1]
    return iris, (x0, y0), float(iris.sum() / max(int(disc.sum()), 1))


def _pupil_level(a: Aligned, side: str, th: Thresholds) -> tuple[float, np.ndarray]:
    """The pupil's grey level (10th percentile of the iris disc) and the disc as a mask of the
    aligned image. A reflection on a lens lifts it; a bare pupil stays dark. 0 when the lids
    hide the pupil (squint, blink: the disc then holds lid skin, which is bright) or the disc
    is a few pixels."""
    iris, (x0, y0), visible = _iris_disc(a, side)
    full = np.zeros(a.gray.shape, np.uint8)
    ys, xs = np.nonzero(iris)
    ys, xs = ys + y0, xs + x0
    full[ys, xs] = 1
    inside = a.gray[ys, xs]
    if inside.size < 6 or visible < th.pupil_min_visible:
        return 0.0, full
    return float(np.partition(inside, inside.size // 10)[inside.size // 10]), full


def _cheek_values(a: Aligned) -> np.ndarray:
    mask = np.zeros(a.gray.shape, np.uint8)
    for cheek in (RIGHT_CHEEK, LEFT_CHEEK):
        cv2.fillPoly(mask, [np.round(a.points[list(cheek)]).astype(np.int32)], 255)
    values = a.gray[mask > 0]
    return values if values.size else a.gray.ravel()


def _lens_box(a: Aligned, side: str) -> tuple[float, float, float, float]:
    contour = a.points[list(RIGHT_EYE_CONTOUR if side == "right" else LEFT_EYE_CONTOUR)]
    x0, y0 = contour.min(axis=0)
    x1, y1 = contour.max(axis=0)
    # Field notes: eye box widened by 0.35 IED outwards, up towards the brows, 0.25 IED below
    # the lid; towards the nose only 0.08 IED (the lit nose bridge is not lens).
    out, inner = 0.35 * ALIGNED_IED, 0.08 * ALIGNED_IED
    left_pad, right_pad = (out, inner) if side == "right" else (inner, out)
    return (x0 - left_pad, y0 - 0.27 * ALIGNED_IED, x1 + right_pad, y1 + 0.25 * ALIGNED_IED)


def glasses_kind(ctx: FrameContext) -> str:
    return _glasses_memo(ctx)[0]


def _glasses_memo(ctx: FrameContext) -> tuple[str, dict[str, float]]:
    # Glasses do not come and go between frames: live view re-measures them now and then.
    return ctx.memo("glasses", lambda: _glasses(ctx), live_every=int(ctx.th.glasses_every))


def _glasses(ctx: FrameContext) -> tuple[str, dict[str, float]]:
    a = ctx.aligned
    if a is None or ctx.subject is None:
        return "unknown", {}
    return glasses_of(a, ctx.th)


def glasses_of(a: Aligned, th: Thresholds) -> tuple[str, dict[str, float]]:
    """(none / clear / sunglasses, the measures) for one face warped level."""
    f = glasses_features(a, th)
    framed = f["bridge"] >= th.glasses_bridge_line or f["rim"] >= th.glasses_rim_line
    if f["dark"] < th.sunglasses_dark_ratio and (framed or f["bridge"] >= 0.6 * th.glasses_bridge_line):
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
    regions = tuple(ctx.norm_box(*s.eye(side).box(0.5)) for side in SIDES) if kind != "none" else ()
    value = max(f["bridge"] / ctx.th.glasses_bridge_line, f["rim"] / ctx.th.glasses_rim_line)
    if kind == "sunglasses":
        return CheckResult(
            "glasses", Status.FAIL, "Dark lenses hide the eyes: take them off", value, regions, fields
        )
    if kind == "clear":
        return CheckResult("glasses", Status.PASS, "Clear glasses: watch for glare", value, regions, fields)
    return CheckResult("glasses", Status.PASS, "No glasses", value, regions, fields)


def glare_lenses(ctx: FrameContext) -> list[dict[str, object]]:
    return ctx.memo("glare", lambda: _glare(ctx))


def _glare(ctx: FrameContext) -> list[dict[str, object]]:
    return [] if ctx.aligned is None else glare_of(ctx.aligned, ctx.th)


def glare_of(a: Aligned, th: Thresholds) -> list[dict[str, object]]:
    """Per lens of one face warped level: glare area, whether it hides the eye, veil, marks."""
    g = a.gray
    sat = cv2.cvtColor(a.bgr, cv2.COLOR_BGR2HSV)[..., 1]
    c50, c90 = np.percentile(_cheek_values(a), (50, 90))
    # Brighter than the brightest lit skin and nearly colourless; capped so a face lit close to
    # white still shows glare at clipping.
    level = min(245.0, max(c90 + th.glare_level_above_skin, c50 + 45.0))
    bright = ((g >= level) & (sat < 64)).astype(np.uint8)
    # Drop isolated specks (JPEG ringing, a catchlight): glare is a blob of some size.
    bright = cv2.morphologyEx(bright, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    face = np.zeros(g.shape, np.uint8)
    cv2.fillPoly(face, [np.round(a.points[list(FACE_OVAL)]).astype(np.int32)], 1)
    lenses = []
    for side in SIDES:
        x0, y0, x1, y1 = (int(round(v)) for v in _lens_box(a, side))
        x0, y0 = max(0, x0), max(0, y0)
        x1, y1 = min(g.shape[1], x1), min(g.shape[0], y1)
        contour = a.points[list(RIGHT_EYE_CONTOUR if side == "right" else LEFT_EYE_CONTOUR)]
        opening = np.zeros(g.shape, np.uint8)
        cv2.fillPoly(opening, [np.round(contour).astype(np.int32)], 1)
        # The white of the eye is bright by nature: the lens area around the eye excludes it,
        # and inside the eye only the iris (normally dark) is judged.
        around = (face & (1 - cv2.dilate(opening, np.ones((5, 5), np.uint8))))[y0:y1, x0:x1]
        if around.sum() < 50:
            continue
        blobs = bright[y0:y1, x0:x1] & around
        area = float(blobs.sum() / around.sum())
        pupil, iris = _pupil_level(a, side, th)
        eye_cover = float((bright & iris).sum() / max(iris.sum(), 1))
        # A dim reflection veils the eye without reaching glare brightness: the pupil, the
        # darkest part of a face, turns grey. Its 10th percentile against the cheeks.
        veil = pupil / max(c50, 1.0)
        marks = []
        n, _, stats, centroids = cv2.connectedComponentsWithStats(blobs | (bright & iris)[y0:y1, x0:x1])
        for i in range(1, n):
            if stats[i, cv2.CC_STAT_AREA] >= 6:
                marks.append(tuple(a.to_image(centroids[i : i + 1] + [x0, y0])[0]))
        box = a.to_image(np.array([[x0, y0], [x1, y1], [x0, y1], [x1, y0]]))
        lenses.append(
            {
                "side": side,
                "area": area,
                "covers_eye": eye_cover >= th.glare_fail_eye_cover,
                "eye_cover": eye_cover,
                "veil": veil,
                "marks": marks,
                "box": (*box.min(axis=0), *box.max(axis=0)),
            }
        )
    return lenses


def _glaring(lenses: list[dict[str, object]], th: Thresholds) -> list[dict[str, object]]:
    return [
        ln
        for ln in lenses
        if float(ln["area"]) >= th.glare_min_area or ln["covers_eye"] or float(ln["veil"]) >= th.glare_veil
    ]


def _lens_fields(lenses: list[dict[str, object]]) -> list[dict[str, object]]:
    return [
        {
            "side": ln["side"],
            "area": round(float(ln["area"]), 4),
            "covers_eye": bool(ln["covers_eye"]),
            "veil": round(float(ln["veil"]), 3),
        }
        for ln in lenses
    ]


def others_with_glare(ctx: FrameContext) -> list[tuple[str, list[dict[str, object]]]]:
    """Group photos: (where in the picture, glaring lenses) for every other face with landmarks
    that wears clear glasses with glare. Live view follows one face, so this is for stills."""
    return ctx.memo("glare_others", lambda: _others(ctx))


def _others(ctx: FrameContext) -> list[tuple[str, list[dict[str, object]]]]:
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
    return "on the left" if x < 0.4 else "on the right" if x > 0.6 else "in the middle"


def check_glare(ctx: FrameContext) -> CheckResult:
    if ctx.subject is None:
        return CheckResult("glare", Status.UNKNOWN, "No face", None, (), {"lenses": []})
    th = ctx.th
    kind = glasses_kind(ctx)
    lenses = glare_lenses(ctx) if kind == "clear" else []
    glaring = _glaring(lenses, th)
    others = others_with_glare(ctx)
    fields: dict[str, object] = {"lenses": _lens_fields(lenses)}
    if others:
        fields["others"] = [{"where": where, "lenses": _lens_fields(lns)} for where, lns in others]
    worst = max((float(ln["area"]) for ln in lenses), default=0.0)
    regions = tuple(ctx.norm_box(*ln["box"]) for ln in glaring) + tuple(
        ctx.norm_box(*ln["box"]) for _, lns in others for ln in lns
    )
    marks = tuple(ctx.norm_point(*m) for ln in glaring for m in ln["marks"]) + tuple(
        ctx.norm_point(*m) for _, lns in others for ln in lns for m in ln["marks"]
    )
    fix = "raise the key light or move it to the side, or tilt the frames down slightly"
    also = "; also on the glasses of the person " + " and ".join(w for w, _ in others) if others else ""
    if any(ln["covers_eye"] for ln in lenses):
        sides = " and ".join(str(ln["side"]) for ln in lenses if ln["covers_eye"])
        return CheckResult(
            "glare", Status.FAIL, f"Glare hides the {sides} eye{also}: {fix}", worst, regions, fields, marks
        )
    if glaring:
        sides = " and ".join(str(ln["side"]) for ln in glaring)
        veiled = all(float(ln["area"]) < th.glare_min_area for ln in glaring)
        what = f"Reflections veil the {sides} eye" if veiled else f"Glare on the {sides} lens"
        return CheckResult("glare", Status.WARN, f"{what}{also}: {fix}", worst, regions, fields, marks)
    if others:
        whose = " and ".join(w for w, _ in others)
        message = f"Glare on the glasses of the person {whose}: {fix}"
        return CheckResult("glare", Status.WARN, message, worst, regions, fields, marks)
    if kind == "sunglasses":
        return CheckResult("glare", Status.UNKNOWN, "Dark lenses: glare not judged", None, (), fields)
    if kind != "clear":
        return CheckResult("glare", Status.PASS, "No glasses, no glare", 0.0, (), fields)
    return CheckResult("glare", Status.PASS, "No glare on the glasses", worst, (), fields)
