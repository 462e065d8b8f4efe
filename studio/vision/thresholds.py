"""Every threshold the checks use, in one place, each with the reason for its value.

Values marked *measured* were tuned on the labelled fixtures and the synthetic cases of
``scripts/evaluate_checks.py`` (figures in docs/accuracy.md); *convention* values come from
photographic practice or ISO/ICAO rules; *heuristic* ones are reasoned, not tuned. A preset may
override any of them (``Preset.thresholds``), and a user preset file may too.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any


def _t(value: float, why: str) -> Any:
    return field(default=value, metadata={"why": why})


@dataclass(frozen=True)
class Thresholds:
    # -- faces ---------------------------------------------------------------------------------
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
    # -- framing -------------------------------------------------------------------------------
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
    # -- crop names (scene: checks/framing.py; set by scripts/tune_scene.py fit) ----------------
    crop_tight_max_below_crown: float = _t(
        1.23,
        "definition (scripts/tune_scene.py sets it to 1 + neck_crop_band / 2): a frame ending this "
        "few head lengths below the crown ends at the chin or the neck, where crop-at-joint:neck "
        "fires: a tight headshot (tune labels: tight headshots end at 0.83-1.19, head-and-shoulders "
        "from 1.13; the crown is an estimate)",
    )
    crop_tight_top_cut: float = _t(
        0.06,
        "measured (tune half of glasses-pool, real photos, keeping ≥ 95 % of the synthetic tight "
        "crops named tight, scripts/tune_scene.py): the crown this far (head lengths) above the top "
        "edge, the hair cropped, also makes a tight headshot down to crop_tight_cut_max_below_crown",
    )
    crop_tight_cut_max_below_crown: float = _t(
        1.33, "measured (tune half, scripts/tune_scene.py): see crop_tight_top_cut"
    )
    crop_shoulders_max_below_crown: float = _t(
        1.35,
        "measured (tune half, scripts/tune_scene.py): a headshot ending this many head lengths "
        "below the crown shows the head and shoulders; lower, the chest: a bust",
    )
    crop_bust_max_below_crown: float = _t(
        2.21,
        "measured (tune half, scripts/tune_scene.py): a frame ending above this many head lengths "
        "below the crown is a headshot crop (down to the chest: a bust); lower, a body crop "
        "(half-length = waist); the frame's width plays no part",
    )
    # -- eyes open -----------------------------------------------------------------------------
    ear_closed: float = _t(0.11, "measured: closed eyes 0.03-0.09, open 0.12-0.40 on the fixtures (EAR)")
    ear_uncertain: float = _t(0.13, "measured: between ear_closed and this an eye is half shut (warn)")
    ear_relative_closed: float = _t(
        0.55, "heuristic (live): below 55 % of this subject's running median EAR = closed"
    )
    ear_blink_drop: float = _t(
        0.75,
        "heuristic (live): EAR falling under 75 % of the running median in the last frames announces a blink",
    )
    eye_min_width_px: float = _t(8.0, "heuristic: an eye narrower than 8 px cannot be judged")
    # -- eye focus -----------------------------------------------------------------------------
    focus_min_iris_px: float = _t(
        10.0, "measured: below ~10 px iris the eye region is a few JPEG blocks wide"
    )
    focus_relative_fail: float = _t(
        0.62, "measured: eye sharpness / sharpest face region below 0.62 = focus missed"
    )
    focus_relative_warn: float = _t(
        0.70, "measured: sharp fixtures 0.73-1.5 (lowest: eyes behind glasses), eye-blurred copies 0.25-0.58"
    )
    focus_pixel_sigma: float = _t(
        0.6,
        "measured: the edge width (σ, px) of a perfectly focused digital image (demosaicing, "
        "JPEG): the sharpest fixtures measure 0.31-0.6 px; removed in quadrature before "
        "judging blur against the face size, so small sharp faces are not called soft",
    )
    focus_blur_sigma_fail: float = _t(
        0.016,
        "measured: eye edge blur σ (pixel width removed) in inter-eye distances; sharp "
        "fixtures 0-0.0077, a sharp 1280 px group frame with 10 px irises 0.014, copies "
        "blurred by 0.035 IED 0.0173-0.073",
    )
    focus_blur_sigma_warn: float = _t(
        0.0115, "measured: sharp fixtures up to 0.0077 (0.014 at 10 px irises: warn, not fail)"
    )
    focus_face_soft_fail: float = _t(
        0.0077,
        "measured (stills only): the sharpest edge anywhere on the face (eyes, brows, mouth, "
        "nose; pixel width removed) in inter-eye distances: sharp fixtures 0-0.0072 (highest: "
        "eyes behind glasses, a half-length frame), the soft video still 0.0081, heavy blur "
        "0.0103. Thin margin: a judgement call between soft and acceptable",
    )
    focus_recent_drop: float = _t(
        0.7, "heuristic (live): eye sharpness under 70 % of this subject's best recent frame"
    )
    eye_patch_iris_px: float = _t(
        48.0,
        "heuristic: eye patches are cut at most at this iris size; more detail changes "
        "nothing and costs time on 45 MP stills",
    )
    near_eye_yaw: float = _t(
        20.0,
        "field notes: at 85 mm f/1.8 from 1.5 m the depth of field (~34 mm) cannot hold "
        "both eyes beyond ~20° of yaw: check the near eye",
    )
    # -- catchlights ---------------------------------------------------------------------------
    catchlight_min_iris_px: float = _t(12.0, "field notes: a catchlight needs an iris of ≳ 12 px to be seen")
    catchlight_contrast: float = _t(
        45.0,
        "measured: a catchlight stands at least this many grey levels above its "
        "surroundings (white top-hat of half the iris size); iris texture stays below",
    )
    catchlight_min_level: float = _t(120.0, "measured: catchlights are bright in absolute terms")
    catchlight_max_area: float = _t(
        0.35,
        "heuristic: a bright area over 35 % of the iris is a reflection of a window or "
        "glare, not a catchlight",
    )
    catchlight_max_offset: float = _t(
        0.7,
        "heuristic: a catchlight's centre lies within 0.7 iris radius of the iris centre; a "
        "bright blob farther out is the white of the eye or lid shine at the disc's edge",
    )
    catchlight_clock_agree: float = _t(
        1.5, "field notes: both eyes should agree within about an hour (1.5 h allows for a turned head)"
    )
    # catchlights (fp-catchlights): resolution of a clock reading
    catchlight_clock_px_error: float = _t(
        1.0,
        "geometry: the iris centre and the catchlight's centroid are each placed to about half a "
        "patch pixel, so a clock read d px from the centre is known to atan(1 px / d) only",
    )
    # -- glasses and glare ---------------------------------------------------------------------
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
    # -- glasses kind on faces too small to tell (issue 14 round 2, helper glasses) ------------
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
        1.0,
        "measured (tune half): lens / cheek lightness (CIE L) of dark lenses 0.19-0.98, 4 "
        "mirrored ones of 41 at 1.0-1.16; a lens lit brighter than the skin is a reflection on "
        "clear glasses (synthetic glare over both eyes), not a dark lens",
    )
    # -- glare against the lens's own surroundings (issue 14, helper glare: checks/glare.py) ---
    glare_local_contrast: float = _t(
        60.0,
        "tuned (scripts/tune_glasses.py, tune half): a reflection stands 60 grey levels above "
        "the median of its surroundings (0.33 IED); of 25/40/60 the one whose glare model "
        "finds the most synthetic glare (one lens or both) at ≤ 4 % false alarms on clean "
        "glasses (77 % of tune)",
    )
    glare_min_ied: float = _t(
        24.0,
        "heuristic: below 24 px between the eyes a lens is ~15 px across and an iris ~5 px: "
        "a reflection cannot be told from JPEG blocks, so glare is 'unknown', not guessed",
    )
    # -- eyes open: one eye alone (issue 14, helper glare: checks/eyes.py) ----------------------
    ear_one_closed_ratio: float = _t(
        0.35,
        "tuned (scripts/tune_eyes.py, tune half): one eye alone is closed only under this "
        "share of the other eye's EAR; open-eyed tune faces with one narrow outline (a turned "
        "head, a look aside) reach 0.36, a wink 0.18",
    )
    # -- exposure ------------------------------------------------------------------------------
    face_highlights_dark: float = _t(
        120.0,
        "measured: the lit skin (95th percentile of face luma) of every correctly exposed "
        "fixture reaches 115-240 whatever the skin tone; copies 2.5 stops darker 63-109",
    )
    face_dark: float = _t(
        45.0,
        "measured: median face luma; a low-key fixture face sits at 59, 2.5-stop dark "
        "copies of most faces at 38-90 (the highlight rule catches those)",
    )
    face_bright: float = _t(205.0, "measured: median face luma above 205/255 washes skin out")
    face_clipped_fraction: float = _t(
        0.04, "heuristic: over 4 % of the face at ≥ 250 = clipped highlights on skin"
    )
    face_crushed_fraction: float = _t(0.25, "OFIQ-like: over 25 % of the face at ≤ 25 = blocked shadows")
    face_clipped_level: float = _t(
        250.0, "convention: 8-bit luma at or above 250 is clipped (no detail left in the highlight)"
    )
    face_crushed_level: float = _t(
        25.0, "OFIQ-like: 8-bit luma at or below 25 is a blocked shadow (no detail left)"
    )
    # -- light (issue 14: under-exposure judged against skin-free references) --
    exposure_dark_min_probability: float = _t(
        0.0,
        "convention: a preset may ask for more certainty before calling a face too dark (the "
        "under-exposure model's own cut applies when higher); theatrical low-key light: 0.9",
    )
    # -- background and clothing ---------------------------------------------------------------
    background_busy: float = _t(
        10.0,
        "measured on the fixtures (no labels, judged by eye): studio backdrops and plain "
        "walls 0-6, rooms, flags, curtains and foliage 10-27 (mean gradient at IED = 32 px)",
    )
    background_min_pixels: float = _t(0.08, "need ≥ 8 % of the frame as background to judge")
    clothing_busy: float = _t(
        26.0,
        "measured: gradient energy on the torso at IED = 32 px; plain shirts, suits and "
        "knits 3-23, a flowered shirt 48, a costume 31, a chunky knit 29",
    )
    clothing_periodic: float = _t(
        20.0,
        "measured: spectral peak / 99th percentile on the torso: the fixtures' clothes "
        "0-14 (a striped tie 9), regular stripes painted over a torso 63-141",
    )
    clothing_periodic_min_busy: float = _t(
        0.5,
        "heuristic: a regular pattern warns only with at least half the busy energy "
        "(clothing_busy): a faint regular weave does not cause moiré",
    )
    clothing_min_torso: float = _t(
        0.3,
        "heuristic: the person mask covers under 30 % of the torso box below the chin: the "
        "torso is out of the frame or hidden, clothing is not judged",
    )
    # -- live detector boxes from older frames (helper "livefp", studio/vision/stale.py) --
    stale_detection_margin: float = _t(
        0.5,
        "measured on the bundled sample and the stage video: a moving face's detector box from "
        "≤ 1 s before lies within half a face width of where the mesh follows it now",
    )
    stale_detection_jump: float = _t(
        1.5,
        "heuristic: a followed face whose centre moves more than 1.5 face widths, or whose width "
        "changes more than 1.5 times, between two analysed frames is a cut (or someone else): "
        "older detector boxes are of another picture",
    )
    unjudged_large_face_px: float = _t(
        80.0,
        "looked at on the stage video (one source): landmark-less faces 81-200 px wide (analysis "
        "px) were profiles or turned faces, sharp; the blurred background faces 52-73 px",
    )
    # -- temporal smoothing (live) -------------------------------------------------------------
    hysteresis_frames: float = _t(
        3, "heuristic: a verdict must hold for 3 frames (0.1 s at 30 fps) before it changes"
    )
    # Periodic work on live view. Pose and the person mask run on a background worker thread
    # (never waited for); the detector, glasses and eye focus run on the vision thread, spread
    # so that no frame carries two of them (schedule.Schedule.plan).
    focus_every: float = _t(
        3,
        "measured: eye sharpness costs ~1-3 ms; it is a 5-frame median anyway, so measuring "
        "every 3rd frame (10 times a second) loses nothing",
    )
    glasses_every: float = _t(15, "heuristic: glasses do not come and go within half a second")
    pose_every: float = _t(
        15, "measured: pose costs ~20-30 ms (on the model worker); a frame every 15th (0.5 s) is handed over"
    )
    mask_every: float = _t(
        15, "measured: segmentation costs ~6-10 ms (model worker); background and clothes change slowly"
    )
    detector_every: float = _t(
        15,
        "measured: the detector costs ~6-8 ms; it counts faces every 15th frame, and runs "
        "every 3rd frame while no face is seen",
    )
    # -- eyes_open and eye_focus over frames and at which size (checks/eyes.py, checks/focus.py) --
    ear_history_frames: float = _t(
        90, "heuristic: 3 s at 30 fps of open-eye EAR makes this subject's typical opening"
    )
    ear_calibration_frames: float = _t(
        10, "heuristic: the subject's running median is trusted from 10 open-eye frames (1/3 s)"
    )
    focus_reblur_px: float = _t(
        1.5,
        "measured: the known re-blur of the re-blur method; wide enough to lower the energy of "
        "sharp and soft eye edges measurably, narrow enough not to merge lashes and lids",
    )
    focus_edge_fraction: float = _t(
        0.3, "heuristic: edge width is read on the strongest 30 % of a region's edges (lashes, rims)"
    )
    focus_max_ied_px: float = _t(
        240.0,
        "heuristic (stills): a large JPEG decoded at reduced size is decoded again, larger, until "
        "the IED reaches 240 px (a blur of 1 % of the IED is then 2.4 px, 4x the pixel floor); the "
        "eyes are measured at the full resolution of the image in hand (native for every photo "
        "read whole), never reduced to this size",
    )
    # -- light (issue 14: eye focus at native size on stills) --
    focus_coarse_ied_px: float = _t(
        110.0,
        "measured (fixtures): the coarse focus rules (relative, blur, face_blur) read stills no "
        "finer than an IED of 110 px, the size they were tuned at; the fine scale reads native",
    )
    focus_still_max_ied_px: float = _t(
        1200.0,
        "heuristic (stills): cost bound only; the fine scale reads the face band at native "
        "resolution unless its IED exceeds 1200 px (a 45 MP close-up), then at 1200 px",
    )
    focus_fine_reblur_px: float = _t(
        1.0,
        "heuristic (stills): the fine scale for 'slightly soft at 100 %': re-blur by 1 px (0.5 px "
        "reads JPEG noise, 1.5 px hides a 1 %-of-IED blur on a 100 px IED)",
    )
    focus_fine_edge_fraction: float = _t(
        0.05, "measured (tune half, scripts/tune_light.py): the strongest 5 % of each region's edges"
    )
    focus_fine_min_iris_px: float = _t(
        16.0,
        "measured (tune half, leave-one-out in scripts/tune_light.py): the smallest iris at which "
        "a blur of 1 % of the IED is found in ≥ 90 % of sharp photos with ≤ 5 % false alarms (16 "
        "px: 93 %, 5 %; 14 px: 82 %, 3 %); smaller irises: fine focus not judged (unknown), a "
        "face soft overall still fails",
    )
    focus_live_ied_px: float = _t(
        80.0,
        "measured: live view measures at IED 80 px (half the pixels); the sharp/soft margin "
        "holds on the fixture video (docs/checks.md)",
    )
    focus_relative_cap: float = _t(
        1.5, "heuristic: eyes sharper than 1.5 × the rest of the face say nothing more about focus"
    )
    focus_median_frames: float = _t(
        5, "field notes: live eye sharpness is the median of the last 5 measurements"
    )
    focus_history_length: float = _t(
        150,
        "heuristic: 'softer than a moment ago' compares with the best of the last 150 "
        "measurements (15 s at one every 3rd frame)",
    )
    focus_recent_min_frames: float = _t(
        5, "heuristic: the 'moment ago' comparison needs at least 5 earlier measurements"
    )
    # -- expression (issue 12): smile, mouth, smile reaching the eyes ------------------------
    # The smile / full / eyes / mouth cuts are calibrated models (studio/data/models/
    # expression_*.json) set by scripts/tune_expression.py from the tune half.
    expression_min_ied_px: float = _t(
        24.0, "heuristic: below 24 px between the eyes the lips and lids are a few pixels; "
        "the mesh there does not resolve a slight smile or a lower-lid raise"
    )
    # -- depth of field (issue 12, helper "depth"): advice only, never READY -------------------
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

    # -- consistency (issue 12, helper "consistency"): deltas from the team's reference shot ---
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
        4.0, "heuristic: a tilt a few degrees apart reads as a different pose; the mesh's roll is steady to ~1°"
    )
    consistency_yaw_tol: float = _t(
        8.0, "heuristic: the mesh's turn estimate wanders a few degrees on a still face; 8° is a visible turn"
    )
    consistency_exposure_tol: float = _t(
        0.33, "convention: a third of a stop, the camera's exposure step, is the smallest change retouchers match"
    )
    consistency_background_tol: float = _t(
        0.5, "heuristic: half a stop of backdrop brightness shows between neighbouring team photos"
    )
    consistency_auto_reference: float = _t(
        0.0, "preset option: 1 = the session's first keeper (a still READY on its required checks) "
        "becomes the reference when none is set; 0 = the photographer picks it (R, --reference)"
    )

    def why(self, name: str) -> str:
        for f in fields(self):
            if f.name == name:
                return str(f.metadata.get("why", ""))
        raise KeyError(name)

    def updated(self, **changes: float) -> Thresholds:
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise KeyError(f"unknown threshold(s): {', '.join(sorted(unknown))}")
        return replace(self, **{k: float(v) for k, v in changes.items()})


DEFAULT = Thresholds()
