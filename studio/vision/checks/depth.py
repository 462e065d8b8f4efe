"""``depth``: depth-of-field advice from how separated the subject is from the background.

Measured on the frame at a fixed face scale (IED = 64 px, so a headshot and a half-length shot
read alike): the mean absolute Laplacian (grey levels per pixel) of the background (person mask
under 0.2, its uncertain outline eroded away) against the same on the subject's face (the face
oval, which is in focus when the eyes are). ``separation`` = ln((face + 1) / (background + 1)):
high when the background is soft next to a sharp face, near 0 or below when the background is as
sharp as the face. A plain backdrop has no detail to be sharp: it reads as separated (nothing
to blur). The same background at IED = 16 px (``content``, coarse shapes) is reported as a field.

Advice only, never a blocker (``fields.advice`` is ``"open up"``, ``"stop down"`` or null): an
advisory ``warn`` where the preset has ``depth`` advisory (READY reads only required checks; the
panel keeps a warning's words), a ``pass`` with the same words where a preset requires it.
A headshot preset wants the background soft: a busy background in focus -> "open up (f/2.8 or
wider)", naming the lens's f-number when the camera's settings gave it
(:meth:`studio.vision.Analyzer.set_camera_hints`).
A preset that keeps the background (``depth_keep_background = 1``, an environmental portrait;
no built-in preset does) with a blurred background -> "stop down".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from studio.analysis import CheckResult, Status
from studio.vision.context import FrameContext
from studio.vision.verdict import observes_nothing

_FINE_IED, _COARSE_IED = 64.0, 16.0
# Person mask (selfie segmentation confidence): background below 0.2; its outline (hair, the
# shoulders' edge) is eroded away, it is neither face nor background texture.
_BACKGROUND = 0.2
_ERODE_PX = 7  # at IED = 64 px: about a tenth of the eye-to-eye distance


@dataclass(frozen=True, slots=True)
class Separation:
    """The subject's separation from the background on one frame."""

    background: float  # mean |Laplacian| of the background at IED 64 px
    face: float  # the same on the face oval
    content: float  # mean |Laplacian| of the background at IED 16 px (shapes to blur or keep)
    fraction: float  # share of the frame that is background

    @property
    def value(self) -> float:
        """ln((face + 1) / (background + 1)): > 0 the background is softer than the face."""
        return math.log((self.face + 1.0) / (self.background + 1.0))


def _laplacian(gray: np.ndarray) -> np.ndarray:
    return np.abs(cv2.Laplacian(gray, cv2.CV_32F, ksize=3))


def _resized(ctx: FrameContext, k: float) -> tuple[np.ndarray, np.ndarray]:
    size = (max(8, round(ctx.w * k)), max(8, round(ctx.h * k)))
    gray = cv2.resize(ctx.gray, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    mask = ctx.person_mask
    assert mask is not None
    person = cv2.resize(mask.astype(np.float32), size, interpolation=cv2.INTER_LINEAR)
    return gray, person


def measure_separation(ctx: FrameContext) -> Separation | None:
    """The frame's :class:`Separation` (None without a subject, a person mask or a face oval)."""
    return ctx.memo("depth", lambda: _measure(ctx))


def _measure(ctx: FrameContext) -> Separation | None:
    s, face_mask = ctx.subject, ctx.face_mask
    if s is None or ctx.person_mask is None or face_mask is None:
        return None
    k = min(1.0, _FINE_IED / max(s.ied, 1e-6))
    gray, person = _resized(ctx, k)
    kernel = np.ones((_ERODE_PX, _ERODE_PX), np.uint8)
    bg = cv2.erode((person < _BACKGROUND).astype(np.uint8), kernel) > 0
    oval = cv2.resize(face_mask, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_NEAREST)
    face = cv2.erode(oval, kernel) > 0
    fraction = float(bg.mean())
    if not face.any() or fraction < ctx.th.background_min_pixels:
        return Separation(0.0, 0.0, 0.0, fraction)
    lap = _laplacian(gray)
    coarse_size = (max(4, gray.shape[1] // 4), max(4, gray.shape[0] // 4))
    coarse_gray = cv2.resize(gray, coarse_size, interpolation=cv2.INTER_AREA)
    shrunk = cv2.resize(bg.astype(np.uint8), coarse_size, interpolation=cv2.INTER_NEAREST)
    coarse_bg = cv2.erode(shrunk, np.ones((3, 3), np.uint8)) > 0
    content = float(_laplacian(coarse_gray)[coarse_bg].mean()) if coarse_bg.any() else 0.0
    return Separation(float(lap[bg].mean()), float(lap[face].mean()), content, fraction)


def _f(value: float) -> str:
    return f"f/{value:g}"


# -- advice ------------------------------------------------------------------------------------


def advice(ctx: FrameContext, sep: Separation) -> tuple[str | None, str]:
    """(advice, message): "open up", "stop down" or None, and the words to show."""
    th, aperture = ctx.th, ctx.aperture
    now = f" (now {_f(aperture)})" if aperture is not None else ""
    sharp = sep.value < th.depth_sharp_separation
    if th.depth_keep_background >= 0.5:
        if not sharp:
            return "stop down", f"Background blurred: stop down{now} to keep the place readable"
        return None, "Background readable"
    if "headshot" not in ctx.preset.shots:
        return None, "Background sharp" if sharp else "Subject separated from the background"
    wide = th.depth_wide_open
    if sharp and (aperture is None or aperture > wide):
        wider = f"{_f(wide)} or wider"
        return "open up", f"Background in focus: open up ({wider}){now} or move the subject away from it"
    if sharp:
        return None, f"Background in focus at {_f(aperture or wide)}: move the subject away from it"
    return None, "Subject separated from the background"


@observes_nothing
def check_depth(ctx: FrameContext) -> CheckResult:
    if ctx.subject is None:
        return CheckResult("depth", Status.UNKNOWN, ctx.face_decision.reason, None)
    sep = measure_separation(ctx)
    if sep is None:
        return CheckResult("depth", Status.UNKNOWN, "Depth of field not measured yet", None)
    fields: dict[str, object] = {"advice": None, "aperture": ctx.aperture, "fraction": round(sep.fraction, 3)}
    if sep.face <= 0.0:
        return CheckResult("depth", Status.UNKNOWN, "Too little background to judge", None, (), fields)
    tip, message = advice(ctx, sep)
    fields.update(advice=tip, separation=round(sep.value, 3), background=round(sep.background, 2),
                  face=round(sep.face, 2), content=round(sep.content, 2))
    # Advice is shown as an advisory warning (READY never reads advisory checks); a preset that
    # makes depth required gets it as a pass, so the advice still never holds READY back.
    status = Status.WARN if tip and ctx.preset.severity("depth") == "advisory" else Status.PASS
    return CheckResult("depth", status, message, round(sep.value, 3), (), fields)
