"""``eye_focus``: are the eyes the sharpest part of the face?

Sharpness is measured as the width of edges (σ of an equivalent Gaussian blur, in pixels) with
the re-blur method: blurring an edge of width σ₀ by s lowers its gradient energy by
√(σ₀² + s²) / σ₀, so the ratio of gradient energy before and after a known blur gives σ₀,
whatever the edge contrast. It is measured on the strongest edges of each region (lashes, lids,
iris rim; lips, nostrils, brows), at the face's native resolution (the full still when there is
one), with catchlights masked out (their edges always read sharp).

The eye is judged against the sharpest other part of the same face (focus that landed on the
nose tip or the hair) and against its own absolute blur relative to the face size (everything
soft). Live view also compares with this subject's best recent frames: the check observes each fresh
measurement (:class:`~studio.vision.verdict.FocusSeen`) and the tracker keeps the recent ones.

Absolute blur is the part of an edge's width that scales with the face: even a perfectly
focused digital image has edges ~0.6 px wide (demosaicing, JPEG), which is a large share of a
small face's inter-eye distance but says nothing about focus, so it is taken out in quadrature
(σ_face = √(σ² − σ_px²)). A soft still (video frame, camera shake) is soft everywhere: then even
the sharpest edge of the face is wide for the face's size.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import cv2
import numpy as np

from studio.analysis import CheckResult, Status
from studio.vision.checks.glasses import glasses_kind
from studio.vision.context import FrameContext
from studio.vision.landmarks import (
    LEFT_BROW,
    LEFT_EYE_CONTOUR,
    LEFT_IRIS,
    MOUTH,
    NOSE_OUTLINE,
    RIGHT_BROW,
    RIGHT_EYE_CONTOUR,
    RIGHT_IRIS,
    SIDES,
    FaceGeometry,
)
from studio.vision.thresholds import DEFAULT
from studio.vision.verdict import FocusSeen, Verdict

# What the measurement is (not verdicts): the face band warped level, from the brows (0.5 IED
# above the eyes) to below the mouth (1.3 IED below), 2.4 IED wide; each region's polygon grown
# by a share of the IED to take in its edges; catchlight discs grown by a few px.
BAND_SIZE_IED = (2.4, 1.9)
BAND_EYE_Y_IED = 0.55
GROW_IED = {"eye": 0.06, "brows": 0.05, "mouth": 0.04, "nose": 0.03}
HIGHLIGHT_GROW_PX = 5
MIN_EDGE_PIXELS = 12  # a region with fewer pixels (or edges) has no edge width
NO_EDGE_SIGMA_PX = 8.0  # edge width reported where blurring lowers nothing: fully soft
FOCUS_BOX_MARGIN = 0.3  # drawn region around each judged eye, in eye widths


@dataclass(frozen=True, slots=True)
class FocusMeasure:
    """Edge widths (σ, px) of one face, measured in its level face band."""

    eyes: Mapping[str, float | None]  # side -> σ of the eye (lids, lashes, iris rim)
    refs: tuple[float | None, ...]  # σ of the brows, the mouth and the nose
    ied: float  # inter-eye distance in the band, px
    iris_px: Mapping[str, float]  # side -> iris diameter in the band, px


@dataclass(frozen=True, slots=True)
class Sharpness:
    """One frame's eye sharpness, before any smoothing over frames."""

    eye_sigma: float
    ref_sigma: float
    relative: float  # 1 = eyes as sharp as the sharpest other part of the face
    blur: float  # the eye's edge width per IED
    face_soft: float  # the sharpest edge of the face, per IED


def gradient_energies(
    gray: np.ndarray, reblur: float = DEFAULT.focus_reblur_px
) -> tuple[np.ndarray, np.ndarray]:
    """Squared gradient magnitude of ``gray`` and of ``gray`` re-blurred by ``reblur`` px."""
    blurred = cv2.GaussianBlur(gray, (0, 0), reblur)
    out = []
    for img in (gray, blurred):
        gx, gy = cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3)
        out.append(gx * gx + gy * gy)
    return out[0], out[1]


def edge_sigma(
    mask: np.ndarray,
    energies: tuple[np.ndarray, np.ndarray],
    top: float = DEFAULT.focus_edge_fraction,
    reblur: float = DEFAULT.focus_reblur_px,
) -> float | None:
    """Edge width σ (px) over the strongest ``top`` fraction of edges inside ``mask``."""
    if mask.sum() < MIN_EDGE_PIXELS:
        return None
    e0, e1 = energies[0][mask], energies[1][mask]
    if e1.size < MIN_EDGE_PIXELS or e1.max() <= 1e-3:
        return None
    sel = e1 >= np.quantile(e1, 1.0 - top)
    ratio = float(e0[sel].sum() / max(e1[sel].sum(), 1e-6))
    if ratio <= 1.0001:
        return NO_EDGE_SIGMA_PX
    return float(min(NO_EDGE_SIGMA_PX, reblur / np.sqrt(ratio * ratio - 1.0)))


def focus_measure(ctx: FrameContext) -> FocusMeasure:
    # Live view measures every few frames (the tracker decides): sharpness is smoothed anyway.
    measure: FocusMeasure = ctx.measure("focus", lambda: _measure(ctx))
    return measure


def _face_band(ctx: FrameContext, s: FaceGeometry) -> tuple[np.ndarray, np.ndarray, float, float]:
    """The face warped from the best-resolution image: eyes level, IED at native size (no
    finer than the limit). Returns the grey band, landmarks in band px, its IED, its scale."""
    native_ied = s.ied * ctx.full_scale
    limit = ctx.th.focus_live_ied_px if ctx.live else ctx.th.focus_max_ied_px
    k = min(1.0, limit / max(native_ied, 1e-6))  # band px per full px
    r, left = s.right_eye.centre, s.left_eye.centre
    angle = float(np.degrees(np.arctan2(left[1] - r[1], left[0] - r[0])))
    mid = (r + left) / 2.0 * ctx.full_scale
    ied = native_ied * k
    size = (int(BAND_SIZE_IED[0] * ied), int(BAND_SIZE_IED[1] * ied))
    m = np.asarray(cv2.getRotationMatrix2D((float(mid[0]), float(mid[1])), angle, k), np.float64)
    m[:, 2] += np.array([size[0] / 2, BAND_EYE_Y_IED * ied]) - mid
    flags = cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR
    band = cv2.warpAffine(ctx.full, m, size, flags=flags, borderMode=cv2.BORDER_REPLICATE)
    gray = cv2.cvtColor(band, cv2.COLOR_BGR2GRAY).astype(np.float32)
    pts = (s.xy * ctx.full_scale) @ m[:, :2].T + m[:, 2]
    return gray, pts, ied, k


def _polygon(shape: tuple[int, ...], pts: np.ndarray, idx: tuple[int, ...], grow_px: int) -> np.ndarray:
    mask: np.ndarray = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.round(pts[list(idx)]).astype(np.int32)], (255,))
    if grow_px > 0:
        mask = np.asarray(cv2.dilate(mask, np.ones((2 * grow_px + 1, 2 * grow_px + 1), np.uint8)))
    return mask


def _without_catchlights(
    gray: np.ndarray, pts: np.ndarray, iris_px: Mapping[str, float], contrast: float
) -> np.ndarray:
    """Where no catchlight is (their edges always read sharp): bright spots inside each iris."""
    highlights = np.zeros(gray.shape, np.uint8)
    for side, centre in (("right", RIGHT_IRIS[0]), ("left", LEFT_IRIS[0])):
        c = pts[centre]
        disc = np.zeros(gray.shape, np.uint8)
        cv2.circle(disc, (int(round(c[0])), int(round(c[1]))), max(1, int(iris_px[side] / 2)), (255,), -1)
        inside = gray[disc > 0]
        if inside.size:
            highlights |= ((gray > np.median(inside) + contrast) & (disc > 0)).astype(np.uint8)
    highlights = np.asarray(cv2.dilate(highlights, np.ones((HIGHLIGHT_GROW_PX, HIGHLIGHT_GROW_PX), np.uint8)))
    return highlights == 0


def _measure(ctx: FrameContext) -> FocusMeasure:
    s, th = ctx.subject, ctx.th
    assert s is not None  # asked for by the check only with a subject
    gray, pts, ied, k = _face_band(ctx, s)

    def region(idx: tuple[int, ...], part: str) -> np.ndarray:
        return _polygon(gray.shape, pts, idx, max(1, int(GROW_IED[part] * ied)))

    iris_px = {side: 2.0 * s.eye(side).iris_radius * ctx.full_scale * k for side in SIDES}
    keep = _without_catchlights(gray, pts, iris_px, th.catchlight_contrast)
    energies = gradient_energies(gray, th.focus_reblur_px)

    def sigma(mask: np.ndarray) -> float | None:
        return edge_sigma(mask, energies, th.focus_edge_fraction, th.focus_reblur_px)

    eyes = {
        side: sigma((region(contour, "eye") > 0) & keep)
        for side, contour in (("right", RIGHT_EYE_CONTOUR), ("left", LEFT_EYE_CONTOUR))
    }
    refs = (
        sigma((region(RIGHT_BROW, "brows") | region(LEFT_BROW, "brows")) > 0),
        sigma(region(MOUTH, "mouth") > 0),
        sigma(region(NOSE_OUTLINE, "nose") > 0),
    )
    return FocusMeasure(eyes, refs, ied, iris_px)


def face_scale_blur(sigma_px: float, ied: float, floor_px: float) -> float:
    """Edge width per inter-eye distance, without the pixel-level width every image has."""
    return float(np.sqrt(max(0.0, sigma_px * sigma_px - floor_px * floor_px)) / max(ied, 1e-6))


def check_eye_focus(ctx: FrameContext) -> Verdict:
    s, th = ctx.subject, ctx.th
    if s is None:
        return Verdict(CheckResult("eye_focus", Status.UNKNOWN, "No face", None, (), {"eye": None}))
    m = focus_measure(ctx)
    near = s.near_eye(th.near_eye_yaw)
    sides = (near,) if near else SIDES
    regions = tuple(ctx.norm_box(*s.eye(side).box(FOCUS_BOX_MARGIN)) for side in sides)
    iris = min(m.iris_px[side] for side in sides)
    fields: dict[str, object] = {"eye": near or "both", "iris_px": round(iris, 1)}
    sharp = _sharpness(ctx, m, sides)
    if isinstance(sharp, str):
        return Verdict(CheckResult("eye_focus", Status.UNKNOWN, sharp, None, regions, fields))
    fresh = not ctx.is_carried("focus")
    relative, blur = _over_frames(ctx, sharp, fresh)
    fields.update(
        {
            "relative": round(relative, 3),
            "blur": round(blur, 4),
            "eye_sigma_px": round(sharp.eye_sigma, 2),
            "face_sigma_px": round(sharp.ref_sigma, 2),
            "face_blur": round(sharp.face_soft, 4),
        }
    )
    recent = _against_recent(ctx, sharp.eye_sigma)
    if recent is not None:
        fields["recent"] = round(recent, 3)
    status, message = _status(ctx, "near eye" if near else "eyes", relative, blur, sharp.face_soft, recent)
    seen = FocusSeen(sharp.relative, sharp.blur, sharp.eye_sigma) if fresh else None
    return Verdict(CheckResult("eye_focus", status, message, relative, regions, fields), seen)


def _sharpness(ctx: FrameContext, m: FocusMeasure, sides: tuple[str, ...]) -> Sharpness | str:
    """The frame's sharpness of the judged eye(s), or why it cannot be judged."""
    th = ctx.th
    iris = min(m.iris_px[side] for side in sides)
    if iris < th.focus_min_iris_px:
        return f"Eyes too small to judge focus (iris {iris:.0f} px, need {th.focus_min_iris_px:.0f})"
    if glasses_kind(ctx) == "sunglasses":
        return "Eyes hidden by dark lenses: focus not judged"
    sigmas = {side: sigma for side in sides if (sigma := m.eyes[side]) is not None}
    if not sigmas:
        return "Eyes not visible enough to judge focus"
    eye_sigma = min(sigmas.values())
    refs = [v for v in m.refs if v is not None]
    ref_sigma = min(refs) if refs else eye_sigma
    floor = th.focus_pixel_sigma
    return Sharpness(
        eye_sigma,
        ref_sigma,
        min(th.focus_relative_cap, ref_sigma / eye_sigma),
        face_scale_blur(eye_sigma, m.ied, floor),
        face_scale_blur(min(eye_sigma, ref_sigma), m.ied, floor),
    )


def _over_frames(ctx: FrameContext, sharp: Sharpness, fresh: bool) -> tuple[float, float]:
    """Live view: the median of the last measurements (field notes: smooth over ~5 frames); a
    frame that reuses an earlier measurement takes the median of the measurements alone."""
    if not ctx.live:
        return sharp.relative, sharp.blur
    n = int(ctx.th.focus_median_frames)
    past = ctx.recent.focus
    values = past[max(0, len(past) - (n - 1)) :] + ((sharp.relative, sharp.blur),)
    if not fresh and past:
        values = past[max(0, len(past) - n) :]
    return float(np.median([v[0] for v in values])), float(np.median([v[1] for v in values]))


def _against_recent(ctx: FrameContext, eye_sigma: float) -> float | None:
    """Live view: this eye sharpness against the subject's best recent one (1 = as sharp)."""
    recent = ctx.recent.eye_sharpness
    if len(recent) < int(ctx.th.focus_recent_min_frames):
        return None
    return (1.0 / eye_sigma) / max(recent)


def _status(
    ctx: FrameContext, who: str, relative: float, blur: float, face_soft: float, recent: float | None
) -> tuple[Status, str]:
    th = ctx.th
    if blur > th.focus_blur_sigma_fail:
        return Status.FAIL, f"Soft {who}: the whole face is blurred or out of focus"
    # Stills only: live-view frames are soft by nature (small, heavily compressed); there the
    # comparison with this subject's best recent frames catches a soft moment.
    if not ctx.live and face_soft > th.focus_face_soft_fail:
        return Status.FAIL, (
            "Soft picture: nothing on the face is sharp (camera shake, motion or a video frame)"
        )
    if relative < th.focus_relative_fail:
        return Status.FAIL, f"Focus missed the {who}: another part of the face is sharper"
    if relative < th.focus_relative_warn or blur > th.focus_blur_sigma_warn:
        return Status.WARN, f"{who.capitalize()} slightly soft"
    if recent is not None and recent < th.focus_recent_drop:
        return Status.WARN, f"{who.capitalize()} softer than a moment ago: refocus"
    return Status.PASS, f"{who.capitalize()} sharp"
