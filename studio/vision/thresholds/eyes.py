"""Eyes open, eye focus, catchlights.

Each value with its reason (see the package docstring).
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.vision.thresholds.spec import threshold as _t


@dataclass(frozen=True)
class EyeThresholds:
    # -- eyes open ---------------------------------------------------------------------------------
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

    # -- eye focus ---------------------------------------------------------------------------------
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

    # -- catchlights -------------------------------------------------------------------------------
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

    # -- eyes open: one eye alone (checks/eyes.py) -------------------------------------------------
    ear_one_closed_ratio: float = _t(
        0.35,
        "tuned (scripts/tune_eyes.py, tune half): one eye alone is closed only under this "
        "share of the other eye's EAR; open-eyed tune faces with one narrow outline (a turned "
        "head, a look aside) reach 0.36, a wink 0.18",
    )

    # -- eyes_open and eye_focus over frames and at which size (checks/eyes.py, checks/focus.py) ---
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

    # -- eye focus at native size on stills --------------------------------------------------------
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
