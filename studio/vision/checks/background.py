"""``background`` (busy vs plain) and ``clothing`` (busy prints, regular patterns).

Both use the person mask (selfie segmentation) and gradient energy measured at a fixed face
scale (IED = 32 px), so a plain backdrop reads the same in a headshot and a half-length shot:
mean Scharr gradient magnitude over the region, in grey levels per pixel.
Regular stripes and checks (moiré risk) show up as a strong isolated peak in the spectrum.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from studio.analysis import CheckResult, Status
from studio.vision.context import FrameContext
from studio.vision.landmarks import FaceGeometry
from studio.vision.thresholds import Thresholds
from studio.vision.verdict import observes_nothing

_SCALE_IED = 32.0
# Which pixels of the person mask (selfie segmentation confidence) are background and which
# are the person: the regions measured, with the uncertain outline left out of both.
_BACKGROUND, _PERSON = 0.2, 0.5
# The torso box, in eye-to-chin distances below the chin and face widths: it starts half a
# T below the chin, is 2.5 face widths tall and 3 wide.
_TORSO_BELOW_CHIN, _TORSO_HEIGHT, _TORSO_HALF_WIDTH = 0.5, 2.5, 1.5
_MIN_TORSO_PX = 6  # a torso box narrower or shorter than this (at IED = 32 px): out of frame
# Periodicity: the spectrum of a patch of at least 16 px, its lowest frequencies (the first 3
# rows and columns: shading, the torso's outline) left out, against its 99th percentile.
_MIN_SPECTRUM_PX, _LOW_FREQUENCIES, _SPECTRUM_REFERENCE = 16, 3, 99


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
    bg = cv2.erode((person < _BACKGROUND).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    fraction = float(bg.mean())
    if fraction < ctx.th.background_min_pixels:
        return {"energy": float("nan"), "fraction": fraction}
    return {"energy": float(_energy(gray)[bg].mean()), "fraction": fraction}


@observes_nothing
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
    if min(patch.shape) < _MIN_SPECTRUM_PX:
        return 0.0
    p = patch - patch.mean()
    p *= np.outer(np.hanning(p.shape[0]), np.hanning(p.shape[1]))
    spec = np.abs(np.fft.rfft2(p))
    low = _LOW_FREQUENCIES
    spec[:low, :low] = 0
    spec[-(low - 1) :, :low] = 0  # negative vertical frequencies: row 0 is counted above
    ref = float(np.percentile(spec, _SPECTRUM_REFERENCE)) + 1e-6
    return float(spec.max() / ref)


@dataclass(frozen=True)
class Torso:
    """The clothes on the torso, measured at IED = 32 px; ``box`` in analysed px."""

    energy: float
    periodicity: float
    box: tuple[float, float, float, float]


def _torso(scaled: tuple[np.ndarray, np.ndarray, float], s: FaceGeometry, th: Thresholds) -> Torso | None:
    """None when the torso is out of the frame (or hidden: too little person in its box)."""
    gray, person, k = scaled
    # Torso: from a little below the chin down, about three face widths across.
    x0, _, x1, _ = s.box
    cx, width = (x0 + x1) / 2 * k, (x1 - x0) * k
    top = (s.chin_y + _TORSO_BELOW_CHIN * s.eye_chin) * k
    bottom = min(gray.shape[0], top + _TORSO_HEIGHT * width)
    left = max(0, int(cx - _TORSO_HALF_WIDTH * width))
    right = min(gray.shape[1], int(cx + _TORSO_HALF_WIDTH * width))
    if bottom - top < _MIN_TORSO_PX or right - left < _MIN_TORSO_PX:
        return None
    region = gray[int(top) : int(bottom), left:right]
    on_person = (person[int(top) : int(bottom), left:right] > _PERSON).astype(np.uint8)
    inside = cv2.erode(on_person, np.ones((3, 3), np.uint8)) > 0
    if inside.mean() < th.clothing_min_torso:
        return None
    energy = float(_energy(region)[inside].mean())
    periodicity = _periodicity(np.where(inside, region, region[inside].mean()))
    return Torso(energy, periodicity, (left / k, top / k, right / k, bottom / k))


@observes_nothing
def check_clothing(ctx: FrameContext) -> CheckResult:
    s, th = ctx.subject, ctx.th
    if s is None:
        return CheckResult("clothing", Status.UNKNOWN, "No face", None)
    scaled = _scaled(ctx)
    if scaled is None:
        return CheckResult("clothing", Status.UNKNOWN, "Clothing not measured yet", None)
    torso = _torso(scaled, s, th)
    if torso is None:
        return CheckResult("clothing", Status.UNKNOWN, "Torso not in the frame", None)
    energy = torso.energy
    fields = {"energy": round(energy, 2), "periodicity": round(torso.periodicity, 2)}
    regions = (ctx.norm_box(*torso.box),)
    if torso.periodicity > th.clothing_periodic and energy > th.clothing_periodic_min_busy * th.clothing_busy:
        message = "Regular pattern on the clothes: moiré risk, prefer plain"
        return CheckResult("clothing", Status.WARN, message, energy, regions, fields)
    if energy > th.clothing_busy:
        message = "Busy print on the clothes: prefer plain colours"
        return CheckResult("clothing", Status.WARN, message, energy, regions, fields)
    return CheckResult("clothing", Status.PASS, "Plain clothing", energy, regions, fields)
