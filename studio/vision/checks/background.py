"""``background`` (busy vs plain) and ``clothing`` (busy prints, regular patterns).

Both use the person mask (selfie segmentation) and gradient energy measured at a fixed face
scale (IED = 32 px), so a plain backdrop reads the same in a headshot and a half-length shot:
mean Scharr gradient magnitude over the region, in grey levels per pixel.
Regular stripes and checks (moiré risk) show up as a strong isolated peak in the spectrum.
"""

from __future__ import annotations

import cv2
import numpy as np

from studio.analysis import CheckResult, Status
from studio.vision.context import FrameContext

_SCALE_IED = 32.0


def _scaled(ctx: FrameContext) -> tuple[np.ndarray, np.ndarray, float] | None:
    mask = ctx.person_mask
    s = ctx.subject
    if mask is None or s is None:
        return None
    k = min(1.0, _SCALE_IED / max(s.ied, 1e-6))
    size = (max(8, round(ctx.w * k)), max(8, round(ctx.h * k)))
    gray = cv2.resize(ctx.gray, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    person = cv2.resize(mask.astype(np.float32), size, interpolation=cv2.INTER_LINEAR)
    return gray, person, k


def _energy(gray: np.ndarray) -> np.ndarray:
    gx = cv2.Scharr(gray, cv2.CV_32F, 1, 0)
    gy = cv2.Scharr(gray, cv2.CV_32F, 0, 1)
    return cv2.magnitude(gx, gy) / 16.0  # Scharr's gain: back to grey levels per pixel


def background_measure(ctx: FrameContext) -> dict[str, float] | None:
    return ctx.memo("background", lambda: _background(ctx))


def _background(ctx: FrameContext) -> dict[str, float] | None:
    scaled = _scaled(ctx)
    if scaled is None:
        return None
    gray, person, _ = scaled
    # Away from the person's outline (its edge is not the background's texture).
    bg = cv2.erode((person < 0.2).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    fraction = float(bg.mean())
    if fraction < ctx.th.background_min_pixels:
        return {"energy": float("nan"), "fraction": fraction}
    return {"energy": float(_energy(gray)[bg].mean()), "fraction": fraction}


def check_background(ctx: FrameContext) -> CheckResult:
    if ctx.subject is None:
        return CheckResult("background", Status.UNKNOWN, "No face", None)
    m = background_measure(ctx)
    if m is None:
        return CheckResult("background", Status.UNKNOWN, "Background not measured yet", None)
    fields = {"busy": None, "fraction": round(m["fraction"], 3)}
    if not np.isfinite(m["energy"]):
        return CheckResult("background", Status.UNKNOWN, "Too little background to judge", None, (), fields)
    busy = m["energy"] > ctx.th.background_busy
    fields["busy"] = busy
    if busy:
        return CheckResult(
            "background",
            Status.WARN,
            "Busy background: use a plain backdrop, move away from it or open the aperture",
            m["energy"],
            (),
            fields,
        )
    return CheckResult("background", Status.PASS, "Plain background", m["energy"], (), fields)


def _periodicity(patch: np.ndarray) -> float:
    """Strongest spectral peak over the 99th percentile of the spectrum (lowest frequencies
    excluded): stripes and checks put their energy in a few peaks, prints and folds do not."""
    if min(patch.shape) < 16:
        return 0.0
    p = patch - patch.mean()
    p *= np.outer(np.hanning(p.shape[0]), np.hanning(p.shape[1]))
    spec = np.abs(np.fft.rfft2(p))
    spec[:3, :3] = 0
    spec[-2:, :3] = 0
    ref = float(np.percentile(spec, 99)) + 1e-6
    return float(spec.max() / ref)


def check_clothing(ctx: FrameContext) -> CheckResult:
    s, th = ctx.subject, ctx.th
    if s is None:
        return CheckResult("clothing", Status.UNKNOWN, "No face", None)
    scaled = _scaled(ctx)
    if scaled is None:
        return CheckResult("clothing", Status.UNKNOWN, "Clothing not measured yet", None)
    gray, person, k = scaled
    # Torso: from a little below the chin down, about three face widths across.
    x0, _, x1, _ = s.box
    cx, width = (x0 + x1) / 2 * k, (x1 - x0) * k
    top = (s.chin_y + 0.5 * s.eye_chin) * k
    bottom = min(gray.shape[0], top + 2.5 * width)
    left, right = max(0, int(cx - 1.5 * width)), min(gray.shape[1], int(cx + 1.5 * width))
    if bottom - top < 6 or right - left < 6:
        return CheckResult("clothing", Status.UNKNOWN, "Torso not in the frame", None)
    region = gray[int(top) : int(bottom), left:right]
    inside = (
        cv2.erode(
            (person[int(top) : int(bottom), left:right] > 0.5).astype(np.uint8), np.ones((3, 3), np.uint8)
        )
        > 0
    )
    if inside.mean() < 0.3:
        return CheckResult("clothing", Status.UNKNOWN, "Torso not in the frame", None)
    energy = float(_energy(region)[inside].mean())
    periodic = _periodicity(np.where(inside, region, region[inside].mean()))
    fields = {"energy": round(energy, 2), "periodicity": round(periodic, 2)}
    regions = (ctx.norm_box(left / k, top / k, right / k, bottom / k),)
    if periodic > th.clothing_periodic and energy > 0.5 * th.clothing_busy:
        return CheckResult(
            "clothing",
            Status.WARN,
            "Regular pattern on the clothes: moiré risk, prefer plain",
            energy,
            regions,
            fields,
        )
    if energy > th.clothing_busy:
        return CheckResult(
            "clothing",
            Status.WARN,
            "Busy print on the clothes: prefer plain colours",
            energy,
            regions,
            fields,
        )
    return CheckResult("clothing", Status.PASS, "Plain clothing", energy, regions, fields)
