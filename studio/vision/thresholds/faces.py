"""Faces, framing and crop names.

Each value with its reason (see the package docstring).
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.vision.thresholds.spec import threshold as _t


@dataclass(frozen=True)
class FaceThresholds:
    # -- faces -------------------------------------------------------------------------------------
    detector_min_score: float = _t(
        0.5,
        "measured: the full-range detector scores real faces 0.63-0.97 on the fixtures and "
        "gives nothing above 0.3 on the cat, dogs, fruit, coffee and landscape images",
    )
    group_min_width_ratio: float = _t(
        0.67,
        "measured: faces of real groups are 0.75-1.0 of the main face's width; a "
        "background stranger at the edge of an LFW crop is 0.62",
    )
    group_min_inside: float = _t(
        0.85,
        "heuristic: a face counts towards a group only when this much of its box is inside the "
        "frame; a stranger half cut off at the edge is not a second subject",
    )
    subject_hidden_by_larger: float = _t(
        1.5,
        "heuristic: a face the detector sees (no landmarks) this many times wider than the "
        "largest landmarked face is the real subject, so the landmarked one is not judged",
    )
    max_analysis_side: float = _t(
        1280, "heuristic: faces and framing need no more; eye detail is cut from the full image"
    )

    # -- framing -----------------------------------------------------------------------------------
    half_length_max_below_crown: float = _t(
        4.0,
        "convention (8-head figure, our head length is ~0.9 of the canon's): hips at ~4.4; "
        "used only when pose is not available, else hips/knees/ankles in frame decide",
    )
    three_quarter_max_below_crown: float = _t(
        7.4, "convention: knees ~6.6, feet ~8.8 of our head lengths below the crown"
    )
    thigh_fraction: float = _t(
        0.35,
        "measured with pose: frames cut at mid-thigh reach 0.76-0.79 shoulder-to-hip "
        "lengths below the hips, waist-length crops -0.1-0.13",
    )
    top_cut_margin: float = _t(
        0.1,
        "measured: the crown is estimated one eye-chin distance above the eye line; hair "
        "adds to it, so allow 10 % of a head length before calling the head cut",
    )
    chin_cut_margin: float = _t(0.0, "the chin landmark itself outside the frame")
    side_cut_ied: float = _t(
        0.9,
        "OFIQ/ISO 29794-5: eye-to-edge distance under 0.9 × inter-eye distance means the "
        "face side is (nearly) cut",
    )
    eye_line_low: float = _t(
        0.52,
        "convention: eyes on the upper third (0.30-0.40 of the height); below the middle "
        "of the frame the picture looks bottom-heavy",
    )
    eye_line_high: float = _t(
        0.18, "convention: eyes in the top fifth leave no room for the forehead in a headshot"
    )
    headroom_large: float = _t(
        0.22, "convention: more than ~a fifth of the frame above the head looks empty in a headshot"
    )
    roll_max: float = _t(10.0, "convention: ICAO allows ±8° roll; portraits tolerate a bit more")
    yaw_max: float = _t(25.0, "convention: beyond ~25° the face reads as a three-quarter view")
    pitch_max: float = _t(20.0, "heuristic: chin clearly up or down")
    joint_margin: float = _t(
        0.08,
        "convention (field notes): an edge within ±0.08 × shoulder-to-hip length of a "
        "joint crops at the joint",
    )
    joint_min_visibility: float = _t(0.5, "MediaPipe pose visibility below 0.5 is a guess")
    joint_in_frame: float = _t(
        0.98,
        "heuristic: a knee or ankle in the bottom 2 % of the frame height is at the edge (pose "
        "places a cut-off joint there), not in the frame, for the shot type",
    )
    neck_crop_band: float = _t(
        0.45, "heuristic: the bottom edge between the chin and 0.45 × eye-chin below it cuts through the neck"
    )

    # -- crop names (checks/framing.py; set by scripts/tune_scene.py fit) --------------------------
    crop_unit_ied_weight: float = _t(
        0.75,
        "measured (tune half, scripts/tune_scene.py: leave-one-out over the crop boundaries): the face "
        "unit of the crop name is IED^w x face height^(1-w) (face height = chin to the top of the forehead)",
    )
    crop_tight_max_below_chin: float = _t(
        0.66,
        "measured (tune half of glasses-pool, real photos, scripts/tune_scene.py): a frame ending less "
        "than this many face units below the chin ends at the chin or the neck: a tight headshot (so "
        "does one where crop-at-joint:neck fires, by definition)",
    )
    crop_tight_top_cut: float = _t(
        0.06,
        "measured (tune half of glasses-pool, real photos, keeping ≥ 95 % of the synthetic tight "
        "crops named tight, scripts/tune_scene.py): the crown this far (head lengths) above the top "
        "edge, the hair cropped, also makes a tight headshot down to crop_tight_cut_max_below_chin",
    )
    crop_tight_cut_max_below_chin: float = _t(
        0.92,
        "measured (tune half, scripts/tune_scene.py): see crop_tight_top_cut (face units below the chin)",
    )
    crop_shoulders_max_below_chin: float = _t(
        1.23,
        "measured (tune half, scripts/tune_scene.py): a headshot ending less than this many face units "
        "below the chin shows the head and shoulders; lower, the chest: a bust",
    )
    crop_bust_max_below_chin: float = _t(
        3.43,
        "measured (tune half, scripts/tune_scene.py): a frame ending less than this many face units "
        "below the chin is a headshot crop (down to the chest: a bust); lower, a body crop "
        "(half-length = waist); the frame's width plays no part",
    )
    crop_bust_max_below_crown: float = _t(
        2.23,
        "measured (tune half, scripts/tune_scene.py): for a face the detector found without landmarks "
        "(no chin to measure from), a frame ending above this many head lengths below the crown is a "
        "headshot crop; lower, a body crop",
    )
