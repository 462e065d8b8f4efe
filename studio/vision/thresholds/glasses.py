"""Glasses, sunglasses and glare.

Each value with its reason (see the package docstring).
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.vision.thresholds.spec import threshold as _t


@dataclass(frozen=True)
class GlassesThresholds:
    # -- glasses and glare -------------------------------------------------------------------------
    glasses_bridge_line: float = _t(
        14.0,
        "measured: strength (grey levels) of a line across the nose bridge at IED = 128 px; "
        "frames 19-41 when the frame is visible, bare skin 2-11",
    )
    glasses_rim_line: float = _t(
        22.0,
        "measured: line under each eye (lower rim); frames 26-55, bare skin (lower lids, eye bags) up to 19",
    )
    pupil_min_visible: float = _t(
        0.65,
        "measured: fraction of the iris disc the lids leave visible; open eyes 0.69-1.0, "
        "squints and blinks 0.1-0.6 (their 'pupil' is lid skin, not a veil)",
    )
    sunglasses_dark_ratio: float = _t(
        0.38,
        "measured: lens area / cheek median: dark lenses 0.07-0.35, a side-lit face with "
        "shadowed eyes 0.41, other bare faces ≥ 0.48",
    )
    glare_max_saturation: float = _t(
        64.0,
        "heuristic: glare is a nearly colourless reflection of the light (HSV saturation under "
        "64/255); coloured bright pixels are skin, make-up or the frame",
    )
    glare_min_lens_pixels: float = _t(
        50.0,
        "heuristic: a lens area (face warped to IED = 128 px, the eye itself excluded) of "
        "under 50 px is a face at the image edge: that lens is not judged",
    )
    glare_fail_eye_cover: float = _t(
        0.35,
        "heuristic: glare over a third of the iris hides the eye (a catchlight covers < 35 % of it): fail",
    )

    # -- glasses kind on faces too small to tell ---------------------------------------------------
    glasses_unsure_max_ied: float = _t(
        64.0,
        "heuristic: under 64 px between the eyes (the 250 px LFW faces: 35-55 px) a thin wire "
        "frame is 1-2 px wide; there an uncertain glasses_present probability is 'unknown'",
    )
    glasses_unsure_probability: float = _t(
        0.12,
        "tuned (scripts/tune_glasses.py, tune half, cross-validated): the lowest glasses_present "
        "probability that is still 'unknown' on a small face rather than 'none': clear glasses "
        "reported as none ≤ 3 % of small tune faces",
    )
    sunglasses_max_lightness: float = _t(
        1.2,
        "measured (tune half): lens / cheek lightness (CIE L) of dark lenses 0.19-0.98, 4 "
        "mirrored ones of 41 at 1.0-1.16 (sunglasses: 1.0 called 2 of them clear); a lens lit "
        "well above the skin (synthetic glare over both eyes reaches 1.33) is a reflection on "
        "clear glasses, not a dark lens",
    )

    # -- glare against the lens's own surroundings (checks/glare.py) -------------------------------
    glare_local_contrast: float = _t(
        60.0,
        "tuned (scripts/tune_glasses.py, tune half): a reflection stands 60 grey levels above "
        "the median of its surroundings (0.33 IED); of 25/40/60 the one whose glare model "
        "finds the most synthetic glare (one lens or both) at ≤ 4 % false alarms on clean "
        "glasses (77 % of tune)",
    )
    glare_pupil_lit: float = _t(
        0.7,
        "tuned (scripts/tune_glasses.py, tune half): glare on a lens hides the eye when the pupil "
        "(the darkest part of a bare eye) reads this bright against the skin ring around the lens; "
        "the lowest value that calls ≤ 10 % of synthetic reflections beside the eye 'over the pupil'",
    )
    glare_min_ied: float = _t(
        24.0,
        "heuristic: below 24 px between the eyes a lens is ~15 px across and an iris ~5 px: "
        "a reflection cannot be told from JPEG blocks, so glare is 'unknown', not guessed",
    )
