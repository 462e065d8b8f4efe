"""Eye focus on a still at 100 %: is the eye "slightly soft" where the photographer will zoom?

A still's face band is measured at native resolution (:mod:`studio.vision.checks.focus`). On
top of the coarse rules (focus missed by far, the whole face soft), a still is judged at a fine
scale: the edge width σ of the eyes, the brows, the mouth and the nose after a re-blur of
``focus_fine_reblur_px`` on the strongest ``focus_fine_edge_fraction`` of their edges. A small
logistic model (``studio/data/models/eye_focus_soft.json``, fitted by ``scripts/tune_light.py``
on the tune half: sharp originals against copies whose eyes alone are blurred by σ = 1 % of the
inter-eye distance) turns those widths and the IED into P(slightly soft).

Which widths the model reads is chosen by the same script from :data:`FEATURE_SETS`, by
leave-one-out on the tune half (fewest false alarms among the sets that find ≥ 90 % of soft eyes):
the judged eye(s) or the sharper of both eyes, each reference region or their median. The sharper
eye: a turned face's near eye, as the landmarks' yaw names it, is not always the eye the lens
focused on, and a photo whose other eye is sharp at 100 % is focused on an eye (focus missed by
far is the coarse rules' verdict, read on the near eye). The median reference: one region whose
strongest edges are not skin (a glasses frame over the brows, rhinestones, paint, a cream mask's
edge) reads sharper than any face and would make every eye look soft.

Below ``focus_fine_min_iris_px`` the fine scale says nothing reliable: the check then reports
``unknown`` with the iris size, unless the whole face is soft (that still fails).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from studio.analysis import Status
from studio.vision.calibrated import load_model
from studio.vision.thresholds import Thresholds

MODEL = "eye_focus_soft"
REFS = ("brows", "mouth", "nose")
# The inputs the model may read (scripts/tune_light.py picks one set by cross-validation).
FEATURE_SETS = (
    ("eye", "brows", "mouth", "nose", "ied"),
    ("eye_sharper", "brows", "mouth", "nose", "ied"),
    ("eye", "ref_median", "ied"),
    ("eye_sharper", "ref_median", "ied"),
)
FEATURES = FEATURE_SETS[0]  # the first set: what the check fell back to before the choice
_MIN_SIGMA = 0.05  # px: the log of a width is taken no lower than this


def fine_features(
    fine: Mapping[str, float | None], sides: tuple[str, ...], ied: float
) -> dict[str, float] | None:
    """Every input of :data:`FEATURE_SETS` (log px) from the fine widths: ``eye`` of the judged
    eye(s), ``eye_sharper`` of the sharper of both eyes, each reference and their median; a
    missing reference takes the eye's width (it then says nothing)."""
    eyes = [v for side in sides if (v := fine.get(side)) is not None]
    if not eyes or ied <= 0:
        return None
    eye = min(eyes)
    both = [v for side in ("right", "left") if (v := fine.get(side)) is not None]
    refs = {r: fine.get(r) or eye for r in REFS}
    median = sorted(refs.values())[1]
    values = {"eye": eye, "eye_sharper": min(both), **refs, "ref_median": median, "ied": ied}
    return {k: math.log(max(_MIN_SIGMA, float(v))) for k, v in values.items()}


def soft_probability(features: Mapping[str, float] | None) -> tuple[float, float] | None:
    """P(slightly soft) and the model's cut; None without features or without the model."""
    if features is None:
        return None
    try:
        model = load_model(MODEL)
    except (FileNotFoundError, KeyError, ValueError):
        return None
    return model.probability(features), model.cut


def still_status(
    th: Thresholds, who: str, iris: float, coarse: Mapping[str, float], features: Mapping[str, float] | None
) -> tuple[Status, str] | None:
    """A still's verdict from the coarse measures (``relative``, ``blur``, ``face_soft``) and the
    fine model; None when the model is not packaged (the coarse rules alone then decide)."""
    if coarse["blur"] > th.focus_blur_sigma_fail:
        return Status.FAIL, f"Soft {who}: the whole face is blurred or out of focus"
    if coarse["face_soft"] > th.focus_face_soft_fail:
        return Status.FAIL, (
            "Soft picture: nothing on the face is sharp (camera shake, motion or a video frame)"
        )
    missed = coarse["relative"] < th.focus_relative_fail
    judged = soft_probability(features)
    if judged is None and features is not None:
        return None  # no model packaged
    if judged is None or iris < th.focus_fine_min_iris_px:
        # At native size the brows or lips of a sharp face often read sharper than its lashes:
        # without the fine scale, "another part is sharper" is no evidence of missed focus.
        need = th.focus_fine_min_iris_px
        return Status.UNKNOWN, (
            f"Iris too small to judge fine focus at 100 % ({iris:.0f} px, need {need:.0f}); "
            "the face is not soft overall"
        )
    p, cut = judged
    if p < cut:
        return Status.PASS, f"{who.capitalize()} sharp at 100 %"
    if missed:
        return Status.FAIL, f"Focus missed the {who}: another part of the face is sharper"
    return Status.WARN, f"{who.capitalize()} slightly soft at 100 %: refocus on the near eye"
