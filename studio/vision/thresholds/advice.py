"""The advisory checks: expression, depth of field, consistency.

Each value with its reason (see the package docstring).
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.vision.thresholds.spec import threshold as _t


@dataclass(frozen=True)
class AdviceThresholds:
    # -- expression: smile, mouth, smile reaching the eyes -----------------------------------------
    # The smile / full / eyes / mouth cuts are calibrated models (studio/data/models/
    # expression_*.json) set by scripts/tune_expression.py from the tune half.
    expression_min_ied_px: float = _t(
        24.0, "heuristic: below 24 px between the eyes the lips and lids are a few pixels; "
        "the mesh there does not resolve a slight smile or a lower-lid raise"
    )

    # -- depth of field: advice only, never READY --------------------------------------------------
    depth_sharp_separation: float = _t(
        1.36,
        "measured (scripts/tune_depth.py, tune half): ln((face + 1) / (background + 1)) of the "
        "mean |Laplacian| at IED 64 px; busy backgrounds as shot median 0.02, the same blurred "
        "(σ 2 % of the frame) 2.10; below the cut the background is about as sharp as the face",
    )
    depth_wide_open: float = _t(
        2.8, "convention: a portrait lens at f/2.8 or wider softens a background a few metres back"
    )
    depth_keep_background: float = _t(
        0.0, "preset option: 1 = the preset keeps the background (environmental portrait): a "
        "blurred background is advised to stop down; 0 = a headshot preset wants it soft"
    )

    # -- consistency: deltas from the team's reference shot ----------------------------------------
    consistency_size_tol: float = _t(
        0.05,
        "convention (team pages): heads more than ~5 % apart in size look uneven side by side "
        "in a grid; above the measured spread of the mesh's head length on a still subject",
    )
    consistency_eye_line_tol: float = _t(
        0.02,
        "convention: team pages line the eyes up across a row; 2 % of the frame height is "
        "~25 px on a 1280 px sheet tile, where a step starts to show",
    )
    consistency_x_tol: float = _t(
        0.03, "heuristic: a head 3 % of the width off the reference's centre shows in a row of crops"
    )
    consistency_roll_tol: float = _t(
        4.0,
        "heuristic: a tilt a few degrees apart reads as a different pose; the mesh's roll is steady to ~1°",
    )
    consistency_yaw_tol: float = _t(
        8.0, "heuristic: the mesh's turn estimate wanders a few degrees on a still face; 8° is a visible turn"
    )
    consistency_exposure_tol: float = _t(
        0.33,
        "convention: a third of a stop, the camera's exposure step, is the smallest change retouchers "
        "match",
    )
    consistency_background_tol: float = _t(
        0.5, "heuristic: half a stop of backdrop brightness shows between neighbouring team photos"
    )
    consistency_auto_reference: float = _t(
        0.0, "preset option: 1 = the session's first keeper (a still READY on its required checks) "
        "becomes the reference when none is set; 0 = the photographer picks it (R, --reference)"
    )
