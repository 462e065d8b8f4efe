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
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from studio.analysis import CheckResult, Status
from studio.vision.checks.focus_fine import fine_features, soft_probability, still_status
from studio.vision.checks.glasses import glasses_kind
from studio.vision.context import FrameContext
from studio.vision.image import StillSource
from studio.vision.landmarks import SIDES, FaceGeometry
from studio.vision.regions import face_band, pieces_rect
from studio.vision.thresholds import DEFAULT
from studio.vision.verdict import FocusSeen, Verdict

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
    scale: float = 1.0  # px of the fine band per px of the best-resolution image (1: native)
    fine: Mapping[str, float | None] = field(default_factory=dict)  # stills: fine-scale σ by region
    fine_ied: float = 0.0  # stills: IED of the band the fine scale read, px
    fine_iris: float = 0.0  # stills: the smaller iris in that band, px


@dataclass(frozen=True, slots=True)
class Sharpness:
    """One frame's eye sharpness, before any smoothing over frames."""

    eye_sigma: float
    ref_sigma: float
    relative: float  # 1 = eyes as sharp as the sharpest other part of the face
    blur: float  # the eye's edge width per IED
    face_soft: float  # the sharpest edge of the face, per IED


def _energy(img: np.ndarray) -> np.ndarray:
    gx, gy = cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3)
    return np.asarray(gx * gx + gy * gy)


def gradient_energies(
    gray: np.ndarray, reblur: float = DEFAULT.focus_reblur_px, base: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Squared gradient magnitude of ``gray`` (``base`` when already computed) and of ``gray``
    re-blurred by ``reblur`` px."""
    return (_energy(gray) if base is None else base), _energy(cv2.GaussianBlur(gray, (0, 0), reblur))


def _quantile(values: np.ndarray, q: float) -> float:
    """``np.quantile(values, q)`` (linear interpolation) by a partial sort: ~3× faster on the
    ~10⁵ edge pixels of a native band."""
    pos = (values.size - 1) * q
    lo = int(np.floor(pos))
    hi = min(lo + 1, values.size - 1)
    part = np.partition(values, (lo, hi))
    a, b = float(part[lo]), float(part[hi])
    return a + (b - a) * (pos - lo)


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
    sel = e1 >= _quantile(e1, 1.0 - top)
    ratio = float(e0[sel].sum() / max(e1[sel].sum(), 1e-6))
    if ratio <= 1.0001:
        return NO_EDGE_SIGMA_PX
    return float(min(NO_EDGE_SIGMA_PX, reblur / np.sqrt(ratio * ratio - 1.0)))


def sigma_reach(reblur: float) -> int:
    """How far (px) around a region its edge widths read: the re-blur's kernel and Sobel's."""
    return int(np.ceil(4.0 * reblur)) + 3


def region_sigmas(
    gray: np.ndarray, masks: Mapping[str, np.ndarray], reblur: float, top: float
) -> dict[str, float | None]:
    """:func:`edge_sigma` of each mask, the energies computed on the mask's box only (plus the
    reach of the re-blur and the Sobel kernel: the same values as over the whole band, for a
    fraction of a native band's ~1.4 MP)."""
    reach = sigma_reach(reblur)
    h, w = gray.shape[:2]
    out: dict[str, float | None] = {}
    for name, mask in masks.items():
        x, y, bw, bh = cv2.boundingRect(mask.view(np.uint8))
        if bw == 0 or bh == 0:
            out[name] = None
            continue
        x0, y0 = max(0, x - reach), max(0, y - reach)
        x1, y1 = min(w, x + bw + reach), min(h, y + bh + reach)
        energies = gradient_energies(np.ascontiguousarray(gray[y0:y1, x0:x1]), reblur)
        out[name] = edge_sigma(mask[y0:y1, x0:x1], energies, top, reblur)
    return out


def focus_measure(ctx: FrameContext) -> FocusMeasure:
    # Live view measures every few frames (the tracker decides): sharpness is smoothed anyway.
    measure: FocusMeasure = ctx.measure("focus", lambda: _measure(ctx))
    return measure


def _measure(ctx: FrameContext) -> FocusMeasure:
    s, th = ctx.subject, ctx.th
    assert s is not None  # asked for by the check only with a subject
    # The coarse rules read a band no finer than they were tuned at; a still's fine scale reads
    # its native pixels (regions.py).
    coarse_limit = th.focus_live_ied_px if ctx.live else th.focus_coarse_ied_px
    band = face_band(ctx, s, coarse_limit, th.catchlight_contrast)
    energies = gradient_energies(band.gray, th.focus_reblur_px)

    def sigma(mask: np.ndarray) -> float | None:
        return edge_sigma(mask, energies, th.focus_edge_fraction, th.focus_reblur_px)

    eyes = {side: sigma(band.masks[side]) for side in SIDES}
    refs = (sigma(band.masks["brows"]), sigma(band.masks["mouth"]), sigma(band.masks["nose"]))
    m = FocusMeasure(eyes, refs, band.ied, band.iris_px, band.scale)
    if ctx.live:
        return m
    native = band
    region = _native_region(ctx, s)
    if region is not None or (band.scale < 1.0 and th.focus_still_max_ied_px > band.ied):
        native = face_band(ctx, s, th.focus_still_max_ied_px, th.catchlight_contrast, region,
                           reach=sigma_reach(th.focus_fine_reblur_px))
    fine: dict[str, float | None] = {}
    for piece in native.pieces or (native,):  # a still's native band: one piece per region
        fine.update(region_sigmas(piece.gray, piece.masks, th.focus_fine_reblur_px,
                                  th.focus_fine_edge_fraction))
    iris = min(native.iris_px.values())
    return replace(m, fine=fine, fine_ied=native.ied, fine_iris=iris, scale=native.scale)


def _native_region(
    ctx: FrameContext, s: FaceGeometry
) -> tuple[np.ndarray, float, tuple[float, float]] | None:
    """A still decoded at reduced size: its face band's rectangle decoded on its own at full
    size (the pixels the photographer sees at 100 %), as :func:`face_band` takes a source;
    None when the image in hand is already the full-size one."""
    detail = ctx.detail
    if detail is None or not isinstance(detail, StillSource):
        return None
    native_scale = detail.native[0] / ctx.w  # full-size px per analysed px
    if native_scale <= ctx.full_scale * 1.001:
        return None  # ctx.full is already native (the face's band decoded at full size)
    th = ctx.th  # only the rows and columns the fine scale's pieces read (fewer rows to decode)
    reach = sigma_reach(th.focus_fine_reblur_px)
    x0, y0, x1, y1 = pieces_rect(s, native_scale, th.focus_still_max_ied_px, reach)
    pixels, origin = detail.region(x0, y0, x1, y1)
    return pixels, native_scale, (float(origin[0]), float(origin[1]))


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
    who = "near eye" if near else "eyes"
    judged = None
    if not ctx.live:
        features = fine_features(m.fine, sides, m.fine_ied)
        fields["fine"] = {k: None if v is None else round(v, 3) for k, v in m.fine.items()}
        fields.update(fine_ied_px=round(m.fine_ied, 1), fine_iris_px=round(m.fine_iris, 1),
                      fine_scale=round(m.scale, 3))
        p = soft_probability(features)
        fields["p_soft"] = round(p[0], 3) if p else None
        coarse = {"relative": relative, "blur": blur, "face_soft": sharp.face_soft}
        judged = still_status(th, who, m.fine_iris, coarse, features)
    status, message = judged or _status(ctx, who, relative, blur, sharp.face_soft, recent)
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
