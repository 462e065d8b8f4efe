"""``expression``: smile none / slight / full, mouth open or closed, and whether the smile
reaches the eyes (a Duchenne smile: the cheeks rise and the lower lids push up).

Measured from the face mesh alone, per frame, in the face's own frame: the 3-D landmarks are
projected on the eye-corner axis and the eye-to-chin axis (roll and most of a turn cancel) and
divided by the outer-eye-corner width. The measures:

- ``lift``: how far the mouth corners sit above the lips' centre (a smile pulls them up);
- ``width``: mouth width; ``opening``: the gap between the inner lips, per mouth width;
- ``aperture``: eye aspect ratio (eyes narrow in a real smile); ``lid``: how far the lower lid
  sits below the eye corners' line (a squinch raises it); ``cheek``: the cheek below the eye
  towards the lower lid; ``corner_eye``: mouth corner to eye corner height (both pull together).

The calls are calibrated logistic models (``studio/data/models/expression_*.json``) fitted by
``scripts/tune_expression.py`` on the ``tune`` half of hand labels (the mouth gap too: a
one-feature model). The preset decides what is asked: commercial headshots guide towards a
smile (a warning, never a blocker unless the preset requires it); theatrical ones accept a
neutral or intense look and warn on a forced smile (mouth smiling, eyes not).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from studio.analysis import CheckResult, Status
from studio.vision.calibrated import Logistic, load_model
from studio.vision.context import FrameContext
from studio.vision.landmarks import (
    LEFT_EYE_INNER,
    LEFT_EYE_OUTER,
    LEFT_LOWER_LID,
    RIGHT_EYE_INNER,
    RIGHT_EYE_OUTER,
    RIGHT_LOWER_LID,
    FaceGeometry,
)
from studio.vision.verdict import observes_nothing

# Mouth and cheek points of the face mesh (the subject's own sides).
MOUTH_RIGHT, MOUTH_LEFT = 61, 291  # the mouth corners
LIP_UPPER_INNER, LIP_LOWER_INNER = 13, 14  # the inner lips at the centre
LIP_UPPER_OUTER, LIP_LOWER_OUTER = 0, 17
RIGHT_CHEEK_APEX, LEFT_CHEEK_APEX = 117, 346  # the cheek just below each eye
CHIN_POINT = 152

SMILE_MODEL, FULL_MODEL, EYES_MODEL = "expression_smile", "expression_full", "expression_eyes"
MOUTH_MODEL = "expression_mouth"
MOUTH_FEATURES = ("opening",)
SMILE_FEATURES = ("lift", "width", "opening", "corner_eye", "aperture", "lid")
EYES_FEATURES = ("aperture", "lid", "cheek", "corner_eye", "lift", "width")
_MOUTH_BOX_PAD = 0.15  # drawn region around the mouth, in mouth widths


def expression_features(face: FaceGeometry) -> dict[str, float] | None:
    """The measures above for one face (None when the face is degenerate)."""
    p = np.asarray(face.landmarks[:, :3], np.float64)
    r_out, l_out = p[RIGHT_EYE_OUTER], p[LEFT_EYE_OUTER]
    scale = float(np.linalg.norm(l_out - r_out))
    if scale < 1e-6:
        return None
    ex = (l_out - r_out) / scale
    origin = (r_out + l_out) / 2.0
    down = p[CHIN_POINT] - origin
    down = down - ex * float(down @ ex)
    if float(np.linalg.norm(down)) < 1e-6:
        return None
    ey = down / float(np.linalg.norm(down))
    uv = np.stack([(p - origin) @ ex, (p - origin) @ ey], axis=1) / scale

    def y(i: int) -> float:
        return float(uv[i, 1])

    corners_y = (y(MOUTH_RIGHT) + y(MOUTH_LEFT)) / 2.0
    width = float(np.linalg.norm(uv[MOUTH_LEFT] - uv[MOUTH_RIGHT]))
    lids, cheeks, apertures = [], [], []
    for outer, inner, lower, apex, eye in (
        (RIGHT_EYE_OUTER, RIGHT_EYE_INNER, RIGHT_LOWER_LID, RIGHT_CHEEK_APEX, face.right_eye),
        (LEFT_EYE_OUTER, LEFT_EYE_INNER, LEFT_LOWER_LID, LEFT_CHEEK_APEX, face.left_eye),
    ):
        line = (y(outer) + y(inner)) / 2.0
        lids.append(y(lower) - line)
        cheeks.append(y(apex) - y(lower))
        apertures.append(eye.ear)
    return {
        "lift": (y(LIP_UPPER_INNER) + y(LIP_LOWER_INNER)) / 2.0 - corners_y,
        "width": width,
        "opening": (y(LIP_LOWER_INNER) - y(LIP_UPPER_INNER)) / max(width, 1e-6),
        "corner_eye": corners_y,
        "aperture": float(np.mean(apertures)),
        "lid": float(np.mean(lids)),
        "cheek": float(np.mean(cheeks)),
    }


def classify(f: dict[str, float], models: Mapping[str, Logistic] | None = None) -> dict[str, object]:
    """smile none / slight / full, mouth open / closed, eyes_smile yes / no, with the
    probabilities of the calibrated models (the packaged ones unless ``models`` are given)."""

    def model(name: str) -> Logistic:
        return models[name] if models is not None else load_model(name)

    smile, full, eyes = model(SMILE_MODEL), model(FULL_MODEL), model(EYES_MODEL)
    p_smile, p_full, p_eyes = smile.probability(f), full.probability(f), eyes.probability(f)
    smiling = p_smile >= smile.cut
    return {
        "smile": "full" if smiling and p_full >= full.cut else "slight" if smiling else "none",
        "mouth": "open" if model(MOUTH_MODEL).positive(f) else "closed",
        "eyes_smile": "yes" if smiling and p_eyes >= eyes.cut else "no",
        "p_smile": p_smile, "p_full": p_full, "p_eyes": p_eyes,
    }


def forced(call: dict[str, object]) -> bool:
    """A smile of the mouth that the eyes do not share."""
    return call["smile"] != "none" and call["eyes_smile"] == "no"


def _expression(ctx: FrameContext) -> tuple[dict[str, float] | None, dict[str, object] | None]:
    s = ctx.subject
    if s is None or s.ied < ctx.th.expression_min_ied_px:
        return None, None
    f = expression_features(s)
    return (f, classify(f)) if f is not None else (None, None)


def _status(ctx: FrameContext, call: dict[str, object]) -> tuple[Status, str]:
    wants = ctx.preset.name
    smile, eyes = call["smile"], call["eyes_smile"]
    if wants.startswith("theatrical"):
        if forced(call):
            return Status.WARN, "Smile looks forced: let it reach the eyes, or go serious"
        return Status.PASS, "Genuine smile" if smile != "none" else "Neutral or intense look"
    if smile == "none":
        return Status.WARN, "No smile: ask for a warm, friendly look"
    if eyes == "no":
        return Status.WARN, "Smile doesn't reach the eyes: a real laugh helps"
    return Status.PASS, "Warm smile, eyes smiling too" if smile == "full" else "Slight smile, eyes smiling"


@observes_nothing
def check_expression(ctx: FrameContext) -> CheckResult:
    f, call = ctx.memo("expression", lambda: _expression(ctx))
    unknown = {"smile": "unknown", "mouth": "unknown", "eyes_smile": "unknown"}
    if ctx.subject is None:
        return CheckResult("expression", Status.UNKNOWN, "No face", None, (), unknown)
    if f is None or call is None:
        return CheckResult("expression", Status.UNKNOWN, "Face too small to read the expression", None, (),
                           unknown)
    status, message = _status(ctx, call)
    fields = {
        "smile": call["smile"], "mouth": call["mouth"], "eyes_smile": call["eyes_smile"],
        "forced": forced(call),
        "smile_probability": round(float(call["p_smile"]), 3),
        "eyes_probability": round(float(call["p_eyes"]), 3),
        "lift": round(f["lift"], 4), "opening": round(f["opening"], 3),
    }
    xy = ctx.subject.xy
    mouth = xy[[MOUTH_RIGHT, MOUTH_LEFT, LIP_UPPER_OUTER, LIP_LOWER_OUTER]]
    pad = _MOUTH_BOX_PAD * float(np.linalg.norm(mouth[1] - mouth[0]))
    (x0, y0), (x1, y1) = mouth.min(axis=0) - pad, mouth.max(axis=0) + pad
    value = float(call["p_smile"])
    return CheckResult("expression", status, message, value, (ctx.norm_box(x0, y0, x1, y1),), fields)
