"""``background`` (busy vs plain), and the texture measures ``clothing`` shares.

Both use the person mask (selfie segmentation) and measure texture at a fixed face scale, so a
plain backdrop reads the same in a headshot and a half-length shot: the mean Scharr gradient
(grey levels per pixel) at IED = 32 px, the same at IED = 64 px (detail in focus: a softly
blurred background has little of it), the share of strong edges (objects, text, pattern
lines), the 90th percentile of the gradient and the spread of colour (chroma). A small
calibrated model (:mod:`studio.vision.calibrated`, ``background.json`` / ``clothing.json``,
fitted on the tune half of the labelled photos by ``scripts/tune_scene.py fit``) turns them
into the probability that a photographer calls the region busy. The background adds the print
features of :mod:`.prints` (short edges, colours, compact spots: text and objects in focus).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import cv2
import numpy as np

from studio.analysis import CheckResult, Status
from studio.vision.calibrated import load_model
from studio.vision.checks import prints
from studio.vision.checks.prints import blob_contrast, colour_entropy, print_edges
from studio.vision.context import FrameContext
from studio.vision.verdict import observes_nothing

log = logging.getLogger(__name__)

_SCALE_IED, _FINE_IED = 32.0, 64.0
# Which pixels of the person mask (selfie segmentation confidence) are background and which
# are the person: the regions measured, with the uncertain outline left out of both.
_BACKGROUND, _PERSON = 0.2, 0.5
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
# Outlines (see :mod:`.clothing`): a Canny run at least this long is an object's or a
# garment's outline, shorter is print, text or small detail.
OUTLINE_PX = 12
BACKGROUND_EXTRA = ("print_edges", "colour_entropy", "log_blob")

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


def _face_ab(ctx: FrameContext, coarse: _Scaled) -> tuple[float, float] | None:
    """The median a, b (Lab) of the subject's face at the scaled size: the skin's colour."""
    mask = ctx.face_mask
    if mask is None:
        return None
    h, w = coarse.gray.shape
    face = cv2.resize(mask, (w, h), interpolation=cv2.INTER_NEAREST) > 0
    if not face.any():
        return None
    ab = coarse.lab[face][:, 1:]
    return float(np.median(ab[:, 0])), float(np.median(ab[:, 1]))


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
    # Objects and text in focus: short edges, many colours, compact high-contrast spots (the
    # second round's candidates: measured when the model reads them, or for tuning).
    if prints.MEASURE_ALL or prints.model_reads("background", BACKGROUND_EXTRA):
        features["print_edges"] = print_edges(coarse.gray, bg, OUTLINE_PX)
        features["colour_entropy"] = colour_entropy(coarse.lab, bg)
        features["log_blob"] = math.log1p(blob_contrast(coarse.gray, bg))
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
