"""``clothing``: busy prints, stripes, checks and logos on the torso.

The torso box below the chin, inside the person mask, measured at the face scale of
:mod:`.background` (IED = 32 px, and 64 px for fine print): its texture, the same away from the
garment's outlines, the print features of :mod:`.prints` and the garment alone (skin left
out). The calibrated model ``clothing.json`` (``scripts/tune_scene.py fit``) turns them into
P(busy); a strong regular spectral peak (stripes, checks) warns of moiré.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from studio.analysis import CheckResult, Status
from studio.vision.checks import prints
from studio.vision.checks.background import (
    _FINE_IED,
    _PERSON,
    OUTLINE_PX,
    Features,
    _cut,
    _energy,
    _face_ab,
    _relative,
    _Scaled,
    _scaled,
    busy_probability,
    face_energy,
    texture,
)
from studio.vision.checks.prints import (
    blob_contrast,
    coherence,
    garment_features,
    print_edges,
    print_features,
    relative,
    skin_free,
)
from studio.vision.context import FrameContext
from studio.vision.landmarks import FaceGeometry
from studio.vision.thresholds import Thresholds
from studio.vision.verdict import observes_nothing

# The torso box, in eye-to-chin distances below the chin and face widths: it starts 0.3 T
# below the chin (the collar and the shoulders either side of the neck: a head-and-shoulders
# frame shows little more), is 2.5 face widths tall and 3 wide.
_TORSO_BELOW_CHIN, _TORSO_HEIGHT, _TORSO_HALF_WIDTH = 0.3, 2.5, 1.5
_MIN_TORSO_PX = 5  # a torso box narrower or shorter than this (at IED = 32 px): out of frame
# Periodicity: the spectrum of a patch of at least 16 px, its lowest frequencies (the first 3
# rows and columns: shading, the torso's outline) left out, against its 99th percentile.
_MIN_SPECTRUM_PX, _LOW_FREQUENCIES, _SPECTRUM_REFERENCE = 16, 3, 99
# Clothing outlines: Canny edges (hysteresis 40/80 grey levels at IED = 32 px) in one connected
# run at least 12 px long (0.4 IED, larger than a print's motif): the garment's outline, a
# collar, a neck ring, a zip or a seam. Print is measured away from them (1 px either side).
_OUTLINE_CANNY, _OUTLINE_PX = (40, 80), OUTLINE_PX
# The print features also measured at IED = 64 px (``<name>_fine``).
FINE_PRINT = ("log_texture", "print_edges", "log_blob")
# Measured only when the model reads one of them, or for tuning (``prints.MEASURE_ALL``): they
# cost ~10× the rest of the check (Canny runs, histograms, a second scale).
EXTRA_FEATURES = ("print_edges", "colour_entropy", "log_blob", "log_periodicity", "log_texture_fine",
                  "print_edges_fine", "log_blob_fine", "log_garment", "log_garment_p90", "garment_share",
                  "log_garment_texture", "log_garment_coarse",
                  # third round: read against the face's own texture at the same scale, and
                  # the orientation coherence of stripes
                  "garment_rel", "garment_texture_rel", "garment_coarse_rel", "texture_fine_rel",
                  "coherence")



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


def _away_from_outlines(gray: np.ndarray, grad: np.ndarray, where: np.ndarray,
                        outline_px: int = _OUTLINE_PX) -> Features:
    """Print as repeated texture: the mean gradient of ``where`` without the garment's long
    edges (``_OUTLINE_PX``), and the share of ``where`` left (long edges everywhere: stripes,
    a large print's motifs). A plain suit with a collar, a zip or a neck ring keeps little."""
    edges = (cv2.Canny(gray.astype(np.uint8), *_OUTLINE_CANNY) > 0) & where
    n, labels, stats, _ = cv2.connectedComponentsWithStats(edges.astype(np.uint8), connectivity=8)
    long_ids = np.flatnonzero(np.maximum(stats[:, 2], stats[:, 3]) >= outline_px)
    outline = np.isin(labels, long_ids[long_ids > 0])
    near = cv2.dilate(outline.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    keep = where & ~near
    texture_energy = float(grad[keep].mean()) if keep.any() else 0.0
    share = float(keep.sum() / max(1, where.sum()))
    return {"log_texture": math.log1p(texture_energy), "texture_share": share}


def _fine_print(fine: _Scaled | None, coarse: _Scaled, box: tuple[int, int, int, int],
                inside: np.ndarray) -> Features:
    """Print at IED = 64 px (a small print, a logo's letters are below the coarse scale); the
    coarse values where the photo has no more detail."""
    if fine is None or fine.k <= coarse.k * 1.05:
        return {}
    r = fine.k / coarse.k
    x0, y0, x1, y1 = (round(v * r) for v in box)
    gray = fine.gray[y0:y1, x0:x1]
    where = cv2.resize(inside.astype(np.uint8), (gray.shape[1], gray.shape[0]),
                       interpolation=cv2.INTER_NEAREST) > 0
    away = _away_from_outlines(gray, _energy(gray), where, round(_OUTLINE_PX * r))
    return {"log_texture_fine": away["log_texture"],
            "print_edges_fine": print_edges(gray, where, round(_OUTLINE_PX * r)),
            "log_blob_fine": math.log1p(blob_contrast(gray, where))}


def _coarse_garment(gray: np.ndarray, garment: np.ndarray) -> float:
    """The garment's mean gradient at half the scale (IED = 16 px): a print's motifs, letters
    and checks stay, the weave of denim, corduroy or a knit (finer than that) is gone."""
    h, w = gray.shape
    size = (max(1, w // 2), max(1, h // 2))
    small = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
    where = cv2.resize(garment.astype(np.uint8), size, interpolation=cv2.INTER_AREA) > 0
    where = cv2.erode(where.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    return math.log1p(float(_energy(small)[where].mean())) if where.any() else 0.0


def _face_coarse(ctx: FrameContext, coarse: _Scaled) -> float:
    """The face's mean gradient at half the scale (as :func:`_coarse_garment`)."""
    mask = ctx.face_mask
    if mask is None:
        return 0.0
    h, w = coarse.gray.shape
    size = (max(1, w // 2), max(1, h // 2))
    small = cv2.resize(coarse.gray, size, interpolation=cv2.INTER_AREA)
    face = cv2.resize(mask, size, interpolation=cv2.INTER_NEAREST) > 0
    face = cv2.erode(face.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    return float(_energy(small)[face].mean()) if face.any() else 0.0


def _against_face(ctx: FrameContext, coarse: _Scaled, features: Features) -> Features:
    """The garment's texture at 3 scales against the face's own at the same scale."""
    face = face_energy(ctx, coarse)
    fine = _scaled(ctx, _FINE_IED)
    if "log_texture_fine" in features and fine is not None and fine.k > coarse.k * 1.05:
        fine_rel = relative(math.expm1(features["log_texture_fine"]), face_energy(ctx, fine))
    else:
        fine_rel = relative(math.expm1(features["log_texture"]), face)
    coarse_rel = relative(math.expm1(features["log_garment_coarse"]), _face_coarse(ctx, coarse))
    return {"garment_rel": relative(math.expm1(features["log_garment"]), face),
            "garment_texture_rel": relative(math.expm1(features["log_garment_texture"]), face),
            "garment_coarse_rel": coarse_rel,
            "texture_fine_rel": fine_rel}


def _extra(ctx: FrameContext, coarse: _Scaled, box: tuple[int, int, int, int], inside: np.ndarray,
           periodicity: float) -> Features:
    """The second round's candidates (:data:`EXTRA_FEATURES`): print features, and the garment
    alone (skin left out), away from its outlines and at half scale."""
    left, top, right, bottom = box
    region, lab = coarse.gray[top:bottom, left:right], coarse.lab[top:bottom, left:right]
    features = print_features(region, lab, inside, _OUTLINE_PX, periodicity)
    features.update(_fine_print(_scaled(ctx, _FINE_IED), coarse, box, inside))
    skin = _face_ab(ctx, coarse)
    garment = skin_free(lab, inside, skin) if skin is not None else inside
    features.update(garment_features(region, _energy(region), garment, inside))
    # The garment alone and away from its outlines (a neck ring, a collar, a zip, lapels).
    features["log_garment_texture"] = _away_from_outlines(region, _energy(region), garment)["log_texture"]
    features["log_garment_coarse"] = _coarse_garment(region, garment)
    features["coherence"] = coherence(region, garment)
    return features


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
    if prints.MEASURE_ALL or prints.model_reads("clothing", EXTRA_FEATURES):
        features.update(_extra(ctx, coarse, (left, top, right, bottom), inside, periodicity))
        features.update(_against_face(ctx, coarse, features))
        for name in FINE_PRINT:  # no finer detail in the photo: the coarse values
            features.setdefault(f"{name}_fine", features[name])
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
