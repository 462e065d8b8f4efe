"""``background`` (busy vs plain) and ``clothing`` (busy prints, regular patterns).

Both use the person mask (selfie segmentation) and measure texture at a fixed face scale, so a
plain backdrop reads the same in a headshot and a half-length shot: the mean Scharr gradient
(grey levels per pixel) at IED = 32 px, the same at IED = 64 px (detail in focus: a softly
blurred background has little of it), the share of strong edges (objects, text, pattern
lines), the 90th percentile of the gradient and the spread of colour (chroma). A small
calibrated model (:mod:`studio.vision.calibrated`, ``background.json`` / ``clothing.json``,
fitted on the tune half of the labelled photos by ``scripts/tune_scene.py fit``) turns them
into the probability that a photographer calls the region busy.
Regular stripes and checks (moiré risk) show up as a strong isolated peak in the spectrum.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import cv2
import numpy as np

from studio.analysis import CheckResult, Status
from studio.vision.calibrated import load_model
from studio.vision.context import FrameContext
from studio.vision.landmarks import FaceGeometry
from studio.vision.thresholds import Thresholds
from studio.vision.verdict import observes_nothing

log = logging.getLogger(__name__)

_SCALE_IED, _FINE_IED = 32.0, 64.0
# Which pixels of the person mask (selfie segmentation confidence) are background and which
# are the person: the regions measured, with the uncertain outline left out of both.
_BACKGROUND, _PERSON = 0.2, 0.5
# The torso box, in eye-to-chin distances below the chin and face widths: it starts 0.3 T
# below the chin (the collar and the shoulders either side of the neck: a head-and-shoulders
# frame shows little more), is 2.5 face widths tall and 3 wide.
_TORSO_BELOW_CHIN, _TORSO_HEIGHT, _TORSO_HALF_WIDTH = 0.3, 2.5, 1.5
_MIN_TORSO_PX = 5  # a torso box narrower or shorter than this (at IED = 32 px): out of frame
# Periodicity: the spectrum of a patch of at least 16 px, its lowest frequencies (the first 3
# rows and columns: shading, the torso's outline) left out, against its 99th percentile.
_MIN_SPECTRUM_PX, _LOW_FREQUENCIES, _SPECTRUM_REFERENCE = 16, 3, 99
# A strong edge: a gradient of at least 16 grey levels per pixel at IED = 32 px (an object's
# outline or a printed line; the shading of a backdrop or of soft folds stays far below).
_STRONG_EDGE = 16.0
# Tiles of 6 × 6 px at IED = 32 px (about a fifth of an eye-to-eye distance), counted when at
# least 70 % of them lies in the region.
_TILE, _TILE_INSIDE = 6, 0.7
# Where the subject's body can be (the person mask is trusted there only): 2 face widths either
# side of the face's centre (shoulders, and arms held close) from a fifth of a head length above
# the crown (hair, a hat) down.
_BODY_HALF_WIDTH, _BODY_ABOVE_CROWN = 2.0, 0.2
# Clothing outlines: Canny edges (hysteresis 40/80 grey levels at IED = 32 px) in one connected
# run at least 12 px long (0.4 IED, larger than a print's motif): the garment's outline, a
# collar, a neck ring, a zip or a seam. Print is measured away from them (1 px either side).
_OUTLINE_CANNY, _OUTLINE_PX = (40, 80), 12

Features = dict[str, float]


@dataclass(frozen=True)
class _Scaled:
    """The frame at a face scale: grey, Lab colour, person mask, scale factor."""

    gray: np.ndarray
    lab: np.ndarray
    person: np.ndarray
    k: float


def _at_scale(ctx: FrameContext, ied_px: float) -> _Scaled | None:
    mask = ctx.person_mask
    s = ctx.subject
    if mask is None or s is None:
        return None
    k = min(1.0, ied_px / max(s.ied, 1e-6))
    size = (max(8, round(ctx.w * k)), max(8, round(ctx.h * k)))
    small = cv2.resize(ctx.image, size, interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32)
    lab = cv2.cvtColor(small, cv2.COLOR_BGR2LAB).astype(np.float32)
    person = cv2.resize(mask.astype(np.float32), size, interpolation=cv2.INTER_LINEAR)
    return _Scaled(gray, lab, person, k)


def _scaled(ctx: FrameContext, ied_px: float = _SCALE_IED) -> _Scaled | None:
    return ctx.memo(f"scene_scaled_{ied_px:g}", lambda: _at_scale(ctx, ied_px))


def _energy(gray: np.ndarray) -> np.ndarray:
    gx = cv2.Scharr(gray, cv2.CV_32F, 1, 0)
    gy = cv2.Scharr(gray, cv2.CV_32F, 0, 1)
    return cv2.magnitude(gx, gy) / 16.0  # Scharr's gain: back to grey levels per pixel


def face_energy(ctx: FrameContext, coarse: _Scaled) -> float:
    """Mean gradient over the subject's face at the scaled size: the photo's own sharpness and
    compression, against which a region's texture is also read (a soft, compressed photo
    makes every region smoother; a busy background is busier than the face in it)."""
    mask = ctx.face_mask
    if mask is None:
        return 0.0
    h, w = coarse.gray.shape
    face = cv2.resize(mask, (w, h), interpolation=cv2.INTER_NEAREST) > 0
    face = cv2.erode(face.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    return float(_energy(coarse.gray)[face].mean()) if face.any() else 0.0


def _relative(features: Features, face: float, tiles: np.ndarray) -> None:
    features["log_rel"] = math.log((features["energy"] + 1.0) / (face + 1.0))
    features["rel_tiles"] = float((tiles > face).mean()) if tiles.size else 0.0


def texture(
    coarse: _Scaled, fine: _Scaled | None, where: np.ndarray, box: tuple[int, int, int, int]
) -> tuple[Features, np.ndarray]:
    """The texture features of one region: ``where`` (a boolean mask of ``coarse``, within
    ``box`` = x0, y0, x1, y1 of it) measured at IED 32 px, and at IED 64 px on ``fine``; and
    the region's tile energies."""
    x0, y0, x1, y1 = box
    grad = _energy(coarse.gray[y0:y1, x0:x1])[where]
    ab = coarse.lab[y0:y1, x0:x1, 1:][where]
    energy = float(grad.mean())
    fine_energy = energy
    if fine is not None and fine.k > coarse.k:
        r = fine.k / coarse.k
        fx0, fy0, fx1, fy1 = (round(v * r) for v in box)
        fgrad = _energy(fine.gray[fy0:fy1, fx0:fx1])
        fwhere = cv2.resize(where.astype(np.uint8), (fgrad.shape[1], fgrad.shape[0]),
                            interpolation=cv2.INTER_NEAREST) > 0
        if fwhere.any():
            fine_energy = float(fgrad[fwhere].mean())
    tiles = _tile_energies(_energy(coarse.gray[y0:y1, x0:x1]), where)
    features = {
        "energy": energy,
        "log_energy": math.log1p(energy),
        "log_fine": math.log1p(fine_energy),
        "sharpness": math.log((fine_energy + 1.0) / (energy + 1.0)),
        "strong": float((grad >= _STRONG_EDGE).mean()),
        "log_p90": math.log1p(float(np.percentile(grad, 90))),
        "chroma": float(np.sqrt(ab[:, 0].var() + ab[:, 1].var())),
        # Local busyness: a logo, a line of text or one object in focus fills a few tiles of
        # an otherwise plain region (the mean over the region dilutes it).
        "log_tile_p95": math.log1p(float(np.percentile(tiles, 95))) if tiles.size else math.log1p(energy),
        "busy_tiles": float((tiles >= _STRONG_EDGE / 2).mean()) if tiles.size else 0.0,
    }
    return features, tiles


def _tile_energies(grad: np.ndarray, where: np.ndarray) -> np.ndarray:
    """Mean gradient of each ``_TILE`` × ``_TILE`` tile that lies mostly inside ``where``."""
    t = _TILE
    h, w = (grad.shape[0] // t) * t, (grad.shape[1] // t) * t
    if h == 0 or w == 0:
        return np.zeros(0, np.float32)
    g = (grad[:h, :w] * where[:h, :w]).reshape(h // t, t, w // t, t).sum(axis=(1, 3))
    n = where[:h, :w].reshape(h // t, t, w // t, t).sum(axis=(1, 3))
    full = n >= _TILE_INSIDE * t * t
    return (g[full] / n[full]).astype(np.float32)


def busy_probability(model_name: str, features: Features, fallback_energy: float) -> float:
    """P(busy) from the packaged model; without it (a checkout before the first fit) the hand
    threshold on the mean gradient, as 0 or 1."""
    try:
        return load_model(model_name).probability(features)
    except FileNotFoundError:
        log.warning("no %s model: using the energy threshold", model_name)
        return 1.0 if features["energy"] > fallback_energy else 0.0


def _cut(model_name: str) -> float:
    try:
        return load_model(model_name).cut
    except FileNotFoundError:
        return 0.5


# -- background -------------------------------------------------------------------------------


def background_measure(ctx: FrameContext) -> Features | None:
    return ctx.memo("background", lambda: _background(ctx))


def _background(ctx: FrameContext) -> Features | None:
    coarse = _scaled(ctx)
    if coarse is None:
        return None
    # Away from the person's outline (its edge is not the background's texture), and the mask
    # trusted only where the subject's body can be: segmentation sometimes takes a whole
    # textured scene for the person, which would leave a sliver of sky as "the background".
    person = coarse.person < _BACKGROUND
    person |= ~_body_region(ctx, coarse)
    bg = cv2.erode(person.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    fraction = float(bg.mean())
    if fraction < ctx.th.background_min_pixels:
        return {"fraction": fraction}
    h, w = bg.shape
    features, tiles = texture(coarse, _scaled(ctx, _FINE_IED), bg, (0, 0, w, h))
    _relative(features, face_energy(ctx, coarse), tiles)
    features["fraction"] = fraction
    return features


def _body_region(ctx: FrameContext, coarse: _Scaled) -> np.ndarray:
    """Where the subject's body can be, at the scaled size: from a little above the crown down,
    ``_BODY_HALF_WIDTH`` face widths either side of the face's centre."""
    s = ctx.subject
    assert s is not None  # measured only with a subject
    h, w = coarse.person.shape
    x0, _, x1, _ = s.box
    cx, half = (x0 + x1) / 2 * coarse.k, _BODY_HALF_WIDTH * (x1 - x0) * coarse.k
    top = (s.crown_y - _BODY_ABOVE_CROWN * s.head_length) * coarse.k
    region = np.zeros((h, w), bool)
    region[max(0, int(top)) :, max(0, int(cx - half)) : max(0, int(cx + half) + 1)] = True
    return region


@observes_nothing
def check_background(ctx: FrameContext) -> CheckResult:
    if ctx.subject is None:
        return CheckResult("background", Status.UNKNOWN, ctx.face_decision.reason, None)
    m = background_measure(ctx)
    if m is None:
        return CheckResult("background", Status.UNKNOWN, "Background not measured yet", None)
    fields: dict[str, object] = {"busy": None, "fraction": round(m["fraction"], 3)}
    if "energy" not in m:
        return CheckResult("background", Status.UNKNOWN, "Too little background to judge", None, (), fields)
    p = busy_probability("background", m, ctx.th.background_busy)
    busy = p >= _cut("background")
    fields.update(busy=busy, p_busy=round(p, 3), features={k: round(v, 4) for k, v in m.items()})
    if busy:
        message = "Busy background: use a plain backdrop, move away from it or open the aperture"
        return CheckResult("background", Status.WARN, message, m["energy"], (), fields)
    return CheckResult("background", Status.PASS, "Plain background", m["energy"], (), fields)


# -- clothing ---------------------------------------------------------------------------------


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

    features: Features
    periodicity: float
    box: tuple[float, float, float, float]

    @property
    def energy(self) -> float:
        return self.features["energy"]


def _away_from_outlines(gray: np.ndarray, grad: np.ndarray, where: np.ndarray) -> Features:
    """Print as repeated texture: the mean gradient of ``where`` without the garment's long
    edges (``_OUTLINE_PX``), and the share of ``where`` left (long edges everywhere: stripes,
    a large print's motifs). A plain suit with a collar, a zip or a neck ring keeps little."""
    edges = (cv2.Canny(gray.astype(np.uint8), *_OUTLINE_CANNY) > 0) & where
    n, labels, stats, _ = cv2.connectedComponentsWithStats(edges.astype(np.uint8), connectivity=8)
    long_ids = np.flatnonzero(np.maximum(stats[:, 2], stats[:, 3]) >= _OUTLINE_PX)
    outline = np.isin(labels, long_ids[long_ids > 0])
    near = cv2.dilate(outline.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    keep = where & ~near
    texture_energy = float(grad[keep].mean()) if keep.any() else 0.0
    share = float(keep.sum() / max(1, where.sum()))
    return {"log_texture": math.log1p(texture_energy), "texture_share": share}


def _torso(ctx: FrameContext, s: FaceGeometry, th: Thresholds) -> Torso | None:
    """None when the torso is out of the frame (or hidden: too little person in its box)."""
    coarse = _scaled(ctx)
    if coarse is None:
        return None
    k = coarse.k
    # Torso: from a little below the chin down, about three face widths across.
    x0, _, x1, _ = s.box
    cx, width = (x0 + x1) / 2 * k, (x1 - x0) * k
    top = int((s.chin_y + _TORSO_BELOW_CHIN * s.eye_chin) * k)
    bottom = int(min(coarse.gray.shape[0], top + _TORSO_HEIGHT * width))
    left = max(0, int(cx - _TORSO_HALF_WIDTH * width))
    right = min(coarse.gray.shape[1], int(cx + _TORSO_HALF_WIDTH * width))
    if bottom - top < _MIN_TORSO_PX or right - left < _MIN_TORSO_PX:
        return None
    on_person = (coarse.person[top:bottom, left:right] > _PERSON).astype(np.uint8)
    inside = cv2.erode(on_person, np.ones((3, 3), np.uint8)) > 0
    if inside.mean() < th.clothing_min_torso:
        return None
    features, tiles = texture(coarse, _scaled(ctx, _FINE_IED), inside, (left, top, right, bottom))
    _relative(features, face_energy(ctx, coarse), tiles)
    region = coarse.gray[top:bottom, left:right]
    features.update(_away_from_outlines(region, _energy(region), inside))
    periodicity = _periodicity(np.where(inside, region, region[inside].mean()))
    features["periodicity"] = periodicity
    return Torso(features, periodicity, (left / k, top / k, right / k, bottom / k))


@observes_nothing
def check_clothing(ctx: FrameContext) -> CheckResult:
    s, th = ctx.subject, ctx.th
    if s is None:
        return CheckResult("clothing", Status.UNKNOWN, ctx.face_decision.reason, None)
    if ctx.person_mask is None:
        return CheckResult("clothing", Status.UNKNOWN, "Clothing not measured yet", None)
    torso = ctx.memo("torso", lambda: _torso(ctx, s, th))
    if torso is None:
        return CheckResult("clothing", Status.UNKNOWN, "Torso not in the frame", None)
    energy = torso.energy
    p = busy_probability("clothing", torso.features, th.clothing_busy)
    fields = {"energy": round(energy, 2), "periodicity": round(torso.periodicity, 2), "p_busy": round(p, 3),
              "features": {k: round(v, 4) for k, v in torso.features.items()}}
    regions = (ctx.norm_box(*torso.box),)
    if torso.periodicity > th.clothing_periodic and energy > th.clothing_periodic_min_busy * th.clothing_busy:
        message = "Regular pattern on the clothes: moiré risk, prefer plain"
        return CheckResult("clothing", Status.WARN, message, energy, regions, fields)
    if p >= _cut("clothing"):
        message = "Busy print on the clothes: prefer plain colours"
        return CheckResult("clothing", Status.WARN, message, energy, regions, fields)
    return CheckResult("clothing", Status.PASS, "Plain clothing", energy, regions, fields)
