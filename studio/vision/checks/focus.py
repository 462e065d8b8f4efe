"""``eye_focus``: are the eyes the sharpest part of the face?

Sharpness is measured as the width of edges (σ of an equivalent Gaussian blur, in pixels) with
the re-blur method: blurring an edge of width σ₀ by s lowers its gradient energy by
√(σ₀² + s²) / σ₀, so the ratio of gradient energy before and after a known blur gives σ₀,
whatever the edge contrast. It is measured on the strongest edges of each region (lashes, lids,
iris rim; lips, nostrils, brows), at the face's native resolution (the full still when there is
one), with catchlights masked out (their edges always read sharp).

The eye is judged against the sharpest other part of the same face (focus that landed on the
nose tip or the hair) and against its own absolute blur relative to the face size (everything
soft). Live view also compares with this subject's best recent frames.

Absolute blur is the part of an edge's width that scales with the face: even a perfectly
focused digital image has edges ~0.6 px wide (demosaicing, JPEG), which is a large share of a
small face's inter-eye distance but says nothing about focus, so it is taken out in quadrature
(σ_face = √(σ² − σ_px²)). A soft still (video frame, camera shake) is soft everywhere: then even
the sharpest edge of the face is wide for the face's size.
"""

from __future__ import annotations

import cv2
import numpy as np

from studio.analysis import CheckResult, Status
from studio.vision.checks.glasses import glasses_kind
from studio.vision.context import FrameContext
from studio.vision.landmarks import (
    LEFT_BROW,
    LEFT_EYE_CONTOUR,
    MOUTH,
    RIGHT_BROW,
    RIGHT_EYE_CONTOUR,
    SIDES,
)

_REBLUR = 1.5  # px
_NOSE = (48, 64, 98, 97, 2, 326, 327, 294, 278, 4)  # nostrils and tip outline
_FOCUS_IED = 110.0  # px: measure at native resolution, but no finer than this
_FOCUS_IED_LIVE = 80.0  # live view: half the pixels; the sharp/soft margin holds (docs/checks.md)
_HISTORY = 150  # frames of eye sharpness kept (5 s at 30 fps)
_SMOOTH = 5  # measurements in the live running median


def gradient_energies(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Squared gradient magnitude of ``gray`` and of ``gray`` re-blurred by ``_REBLUR``."""
    blurred = cv2.GaussianBlur(gray, (0, 0), _REBLUR)
    out = []
    for img in (gray, blurred):
        gx, gy = cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3)
        out.append(gx * gx + gy * gy)
    return out[0], out[1]


def edge_sigma(
    gray: np.ndarray,
    mask: np.ndarray,
    top: float = 0.3,
    energies: tuple[np.ndarray, np.ndarray] | None = None,
) -> float | None:
    """Edge width σ (px) over the strongest ``top`` fraction of edges inside ``mask``."""
    if mask.sum() < 12:
        return None
    e0_all, e1_all = energies if energies is not None else gradient_energies(gray)
    e0, e1 = e0_all[mask], e1_all[mask]
    if e1.size < 12 or e1.max() <= 1e-3:
        return None
    cut = np.quantile(e1, 1.0 - top)
    sel = e1 >= cut
    ratio = float(e0[sel].sum() / max(e1[sel].sum(), 1e-6))
    if ratio <= 1.0001:
        return 8.0
    return float(min(8.0, _REBLUR / np.sqrt(ratio * ratio - 1.0)))


def focus_measure(ctx: FrameContext) -> dict[str, object] | None:
    # Live view measures every few frames: sharpness is smoothed over frames anyway.
    return ctx.memo("focus", lambda: _measure(ctx), live_every=int(ctx.th.focus_every))


def _measure(ctx: FrameContext) -> dict[str, object] | None:
    s = ctx.subject
    if s is None:
        return None
    # Warp the face from the best-resolution image: level eyes, IED at native size (≤ _FOCUS_IED).
    native_ied = s.ied * ctx.full_scale
    limit = _FOCUS_IED_LIVE if ctx.live else _FOCUS_IED
    k = min(1.0, limit / max(native_ied, 1e-6))  # output px per full px
    r, left = s.right_eye.centre, s.left_eye.centre
    angle = float(np.degrees(np.arctan2(left[1] - r[1], left[0] - r[0])))
    mid = (r + left) / 2.0 * ctx.full_scale
    ied_out = native_ied * k
    # Brows (0.5 IED above the eyes) to below the mouth (1.3 IED below), 2.4 IED wide.
    size = (int(2.4 * ied_out), int(1.9 * ied_out))
    m = cv2.getRotationMatrix2D((float(mid[0]), float(mid[1])), angle, k)
    m[:, 2] += np.array([size[0] / 2, 0.55 * ied_out]) - mid
    gray = cv2.cvtColor(
        cv2.warpAffine(
            ctx.full,
            m,
            size,
            flags=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        ),
        cv2.COLOR_BGR2GRAY,
    )
    gray = gray.astype(np.float32)
    pts = (s.xy * ctx.full_scale) @ m[:, :2].T + m[:, 2]

    def poly(idx: tuple[int, ...], grow: float = 0.0) -> np.ndarray:
        mask = np.zeros(gray.shape, np.uint8)
        cv2.fillPoly(mask, [np.round(pts[list(idx)]).astype(np.int32)], 255)
        if grow > 0:
            g = max(1, int(grow * ied_out))
            mask = cv2.dilate(mask, np.ones((2 * g + 1, 2 * g + 1), np.uint8))
        return mask

    iris_px = {side: 2.0 * s.eye(side).iris_radius * ctx.full_scale * k for side in SIDES}
    highlights = np.zeros(gray.shape, np.uint8)
    for side, centre in (("right", 468), ("left", 473)):
        c = pts[centre]
        disc = np.zeros(gray.shape, np.uint8)
        cv2.circle(disc, (int(round(c[0])), int(round(c[1]))), max(1, int(iris_px[side] / 2)), 255, -1)
        inside = gray[disc > 0]
        if inside.size:
            highlights |= ((gray > np.median(inside) + ctx.th.catchlight_contrast) & (disc > 0)).astype(
                np.uint8
            )
    highlights = cv2.dilate(highlights, np.ones((5, 5), np.uint8))
    keep = highlights == 0
    energies = gradient_energies(gray)
    eyes = {}
    for side, contour in (("right", RIGHT_EYE_CONTOUR), ("left", LEFT_EYE_CONTOUR)):
        mask = (poly(contour, 0.06) > 0) & keep
        eyes[side] = edge_sigma(gray, mask, energies=energies)
    refs = {
        "brows": edge_sigma(gray, (poly(RIGHT_BROW, 0.05) | poly(LEFT_BROW, 0.05)) > 0, energies=energies),
        "mouth": edge_sigma(gray, poly(MOUTH, 0.04) > 0, energies=energies),
        "nose": edge_sigma(gray, poly(_NOSE, 0.03) > 0, energies=energies),
    }
    measured_at = ctx.history.frame if ctx.history is not None else 0
    return {"eyes": eyes, "refs": refs, "ied": ied_out, "iris_px": iris_px, "frame": measured_at}


def record_history(ctx: FrameContext, result: CheckResult | None) -> None:
    """Live view: remember this frame's eye sharpness (1/σ) for "best recent" comparisons and
    its raw relative sharpness and blur for the running median."""
    if ctx.history is None or result is None or "raw" not in result.fields:
        return
    raw = result.fields["raw"]
    ctx.history.focus.append((raw["relative"], raw["blur"]))
    del ctx.history.focus[:-_SMOOTH]
    ctx.history.eye_sharpness.append(1.0 / raw["eye_sigma_px"])
    del ctx.history.eye_sharpness[:-_HISTORY]


def face_scale_blur(sigma_px: float, ied: float, floor_px: float) -> float:
    """Edge width per inter-eye distance, without the pixel-level width every image has."""
    return float(np.sqrt(max(0.0, sigma_px * sigma_px - floor_px * floor_px)) / max(ied, 1e-6))


def check_eye_focus(ctx: FrameContext) -> CheckResult:
    s, th = ctx.subject, ctx.th
    if s is None:
        return CheckResult("eye_focus", Status.UNKNOWN, "No face", None, (), {"eye": None})
    m = focus_measure(ctx)
    near = s.near_eye(th.near_eye_yaw)
    sides = (near,) if near else SIDES
    target = near or "both"
    regions = tuple(ctx.norm_box(*s.eye(side).box(0.3)) for side in sides)
    iris = min(m["iris_px"][side] for side in sides)
    fields: dict[str, object] = {"eye": target, "iris_px": round(iris, 1)}
    if iris < th.focus_min_iris_px:
        return CheckResult(
            "eye_focus",
            Status.UNKNOWN,
            f"Eyes too small to judge focus (iris {iris:.0f} px, need {th.focus_min_iris_px:.0f})",
            None,
            regions,
            fields,
        )
    if glasses_kind(ctx) == "sunglasses":
        return CheckResult(
            "eye_focus", Status.UNKNOWN, "Eyes hidden by dark lenses: focus not judged", None, regions, fields
        )
    sigmas = {side: m["eyes"][side] for side in sides if m["eyes"][side] is not None}
    if not sigmas:
        return CheckResult(
            "eye_focus", Status.UNKNOWN, "Eyes not visible enough to judge focus", None, regions, fields
        )
    eye_side = min(sigmas, key=sigmas.get)
    eye_sigma = sigmas[eye_side]
    refs = [v for v in m["refs"].values() if v is not None]
    ref_sigma = min(refs) if refs else eye_sigma
    relative = min(1.5, ref_sigma / eye_sigma)  # 1 = eyes as sharp as the sharpest other part
    floor = th.focus_pixel_sigma
    blur = face_scale_blur(eye_sigma, m["ied"], floor)
    # Nothing on the face is sharp: a soft still (no history to compare with).
    face_soft = face_scale_blur(min(eye_sigma, ref_sigma), m["ied"], floor)
    if ctx.history is not None:
        # Live view: the median of the last frames (field notes: smooth over ~5 frames).
        recent_values = ctx.history.focus[-(_SMOOTH - 1) :] + [(relative, blur)]
        if m["frame"] != ctx.history.frame and ctx.history.focus:
            recent_values = ctx.history.focus[-_SMOOTH:]  # this frame reuses the last measurement
        relative = float(np.median([v[0] for v in recent_values]))
        blur = float(np.median([v[1] for v in recent_values]))
    raw = {
        "relative": min(1.5, ref_sigma / eye_sigma),
        "blur": face_scale_blur(eye_sigma, m["ied"], floor),
        "eye_sigma_px": eye_sigma,
    }
    fields.update(
        {
            "relative": round(relative, 3),
            "blur": round(blur, 4),
            "eye_sigma_px": round(eye_sigma, 2),
            "face_sigma_px": round(ref_sigma, 2),
            "face_blur": round(face_soft, 4),
        }
    )
    if ctx.history is not None and m["frame"] == ctx.history.frame:  # a fresh measurement
        fields["raw"] = raw
    recent = None
    if ctx.history is not None and len(ctx.history.eye_sharpness) >= 5:
        best = max(ctx.history.eye_sharpness)
        recent = (1.0 / eye_sigma) / best
        fields["recent"] = round(recent, 3)
    who = "near eye" if near else "eyes"
    if blur > th.focus_blur_sigma_fail:
        return CheckResult(
            "eye_focus",
            Status.FAIL,
            f"Soft {who}: the whole face is blurred or out of focus",
            relative,
            regions,
            fields,
        )
    # Stills only: live-view frames are soft by nature (small, heavily compressed); there the
    # comparison with this subject's best recent frames catches a soft moment.
    if ctx.history is None and face_soft > th.focus_face_soft_fail:
        return CheckResult(
            "eye_focus",
            Status.FAIL,
            "Soft picture: nothing on the face is sharp (camera shake, motion or a video frame)",
            relative,
            regions,
            fields,
        )
    if relative < th.focus_relative_fail:
        return CheckResult(
            "eye_focus",
            Status.FAIL,
            f"Focus missed the {who}: another part of the face is sharper",
            relative,
            regions,
            fields,
        )
    if relative < th.focus_relative_warn or blur > th.focus_blur_sigma_warn:
        return CheckResult(
            "eye_focus", Status.WARN, f"{who.capitalize()} slightly soft", relative, regions, fields
        )
    if recent is not None and recent < th.focus_recent_drop:
        return CheckResult(
            "eye_focus",
            Status.WARN,
            f"{who.capitalize()} softer than a moment ago: refocus",
            relative,
            regions,
            fields,
        )
    return CheckResult("eye_focus", Status.PASS, f"{who.capitalize()} sharp", relative, regions, fields)
