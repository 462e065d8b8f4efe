"""``framing``: shot type, crop name and crop problems (head cut, eye line, head pose, joints).

Body extent is estimated in head lengths below the crown (an adult is ~8 heads tall: chin 1,
chest 2, waist 3, hips 4, mid-thigh 5, knees 6, feet 8), so the shot type works without pose;
pose landmarks, when the preset needs them, add the crops at joints.

The crop is named as photographers name it (:data:`CROPS`): a headshot is a tight headshot, a
head-and-shoulders or a bust; a body shot is half-length, three-quarter or full-length. A tight
headshot crops the top of the hair or the chin on purpose and ends at the neck: that is a style,
never a fault in the headshot presets (``Preset.tight_crop_style``); ID photos and presets for
any framing report those cuts.
"""

from __future__ import annotations

import numpy as np

from studio.analysis import CheckResult, Status
from studio.vision.context import FrameContext
from studio.vision.landmarks import (
    CHIN,
    FOREHEAD,
    POSE_HIPS,
    POSE_JOINTS,
    POSE_SHOULDERS,
    SIDES,
    FaceGeometry,
)
from studio.vision.thresholds import Thresholds
from studio.vision.verdict import observes_nothing

# The face detector's box runs from the brows to the chin: ~0.75 of a head length (geometry of
# the estimate, used only for a face without landmarks).
_DETECTOR_BOX_TO_HEAD = 1.3

_FAILS = {"top-of-head-cut", "chin-cut", "face-cut-left", "face-cut-right"}
_BODY_SHOTS = ("half-length", "three-quarter", "full-length")
_HEADSHOT_CROPS = ("tight-headshot", "head-and-shoulders", "bust")
CROPS = ("tight-headshot", "head-and-shoulders", "bust", "half-length", "three-quarter", "full-length")
_CROP_NAMES = {"tight-headshot": "Tight headshot", "head-and-shoulders": "Head and shoulders",
               "bust": "Bust", "group": "Group", "none": "No face"}
# What a tight headshot cuts on purpose: not a problem in it unless the preset is strict.
_TIGHT_STYLE = {"top-of-head-cut", "chin-cut", "crop-at-joint:neck", "eye-line-high"}
Problem = tuple[str, str]  # id, note for the message


def below_crown(ctx: FrameContext) -> float | None:
    """Visible body below the crown, in head lengths."""
    s = ctx.subject
    if s is None:
        if not ctx.detected_only:  # a face the detector found but the mesh could not follow
            return None
        x0, y0, x1, y1 = max(ctx.detected_only, key=lambda d: d.area).box
        head = _DETECTOR_BOX_TO_HEAD * (y1 - y0)
        return (ctx.h - (y1 - head)) / head if head > 0 else None
    if s.head_length <= 0:
        return None
    return (ctx.h - s.crown_y) / s.head_length


def shot_type(ctx: FrameContext) -> str:
    """``headshot`` for the crops that end above the waist (tight headshot, head-and-shoulders,
    bust), else the body crop; ``group`` / ``none`` by the face count. One rule for both: the
    shot type is the crop's family, never a second opinion (the frame's width does not make a
    bust a half-length)."""
    crop = _crop(ctx)
    return "headshot" if crop in _HEADSHOT_CROPS else crop


def crop_name(ctx: FrameContext, shot: str) -> str:
    """The crop (:data:`CROPS`), or the shot type itself for ``group`` and ``none``."""
    return _crop(ctx) if shot == "headshot" else shot


def crop_measures(ctx: FrameContext) -> dict[str, float] | None:
    """The subject's frame bottom below the chin, the face's height (chin to the top of the
    forehead) and the eye-chin distance, each in inter-eye distances: the inputs of the crop
    name (scripts/tune_scene.py fits the crop cuts on them). None without landmarks."""
    s = ctx.subject
    if s is None or s.ied <= 0:
        return None
    height = float(np.linalg.norm(s.xy[CHIN] - s.xy[FOREHEAD]))
    return {"below_chin_ied": (ctx.h - s.chin_y) / s.ied, "face_height_ied": height / s.ied,
            "eye_chin_ied": s.eye_chin / s.ied}


def below_chin(measures: dict[str, float], th: Thresholds) -> float:
    """The frame bottom below the chin in face units: IED^w x face height^(1-w), the weight w
    (``crop_unit_ied_weight``) chosen by cross-validation on the tune half. Two measures of the
    face, across and down, so neither a turned head (IED) nor a tilted one (height) alone sets it."""
    return measures["below_chin_ied"] / measures["face_height_ied"] ** (1.0 - th.crop_unit_ied_weight)


def _headshot_crop(ctx: FrameContext, s: FaceGeometry, m: dict[str, float], bottom: float) -> str:
    """Tight when the frame ends at the chin or on the neck (where ``crop-at-joint:neck`` would
    fire, by definition, or above the learned cut), or the hair is cropped and the frame ends
    above the shoulders; then head-and-shoulders down to the armpits, else bust."""
    th = ctx.th
    at_neck = m["below_chin_ied"] / max(m["eye_chin_ied"], 1e-6) < th.neck_crop_band
    top_cut = -s.crown_y / s.head_length  # head lengths of the head above the top edge
    hair_cut = top_cut > th.crop_tight_top_cut and bottom < th.crop_tight_cut_max_below_chin
    if at_neck or bottom < th.crop_tight_max_below_chin or hair_cut:
        return "tight-headshot"
    return "head-and-shoulders" if bottom < th.crop_shoulders_max_below_chin else "bust"


def _crop(ctx: FrameContext) -> str:
    """Where the bottom edge cuts the body: below the chin in face units for the headshot crops
    (cuts set from the tune half by scripts/tune_scene.py); pose, when read, tells the body crops
    apart. The top edge plays a part only in a tight headshot's hair cut."""
    if ctx.face_count == 0:
        return "none"
    if ctx.face_count > 1:
        return "group"
    depth, s, th = below_crown(ctx), ctx.subject, ctx.th
    if depth is None:  # a face too small for landmarks: far away
        return "full-length"
    m = crop_measures(ctx)
    if s is None or m is None:  # the detector's box only: no landmarks to tell the headshot crops apart
        return "tight-headshot" if depth < th.crop_bust_max_below_crown else _body_shot(ctx, depth)
    bottom = below_chin(m, th)
    if bottom < th.crop_bust_max_below_chin:
        return _headshot_crop(ctx, s, m, bottom)
    return _body_shot(ctx, depth)


def _body_shot(ctx: FrameContext, depth: float) -> str:
    th = ctx.th
    pose = ctx.pose  # only computed for body shots
    if pose is not None:
        return _body_shot_from_pose(pose, ctx.h, th)
    if depth < th.half_length_max_below_crown:
        return "half-length"
    if depth < th.three_quarter_max_below_crown:
        return "three-quarter"
    return "full-length"


def _body_shot_from_pose(pose: np.ndarray, h: int, th: Thresholds) -> str:
    """Full-length when an ankle is in the frame; three-quarter when a knee is, or the frame
    goes a third of the shoulder-to-hip length below the hips (cut at mid-thigh or lower)."""

    def inside(i: int) -> bool:
        return pose[i, 3] >= th.joint_min_visibility and 0 <= pose[i, 1] <= h * th.joint_in_frame

    if any(inside(i) for i in POSE_JOINTS["ankles"]):
        return "full-length"
    hips = pose[list(POSE_HIPS)]
    body = float(abs(hips[:, 1].mean() - pose[list(POSE_SHOULDERS), 1].mean()))
    below_hips = h - float(hips[:, 1].mean())
    if any(inside(i) for i in POSE_JOINTS["knees"]) or (
        hips[:, 3].max() >= th.joint_min_visibility and below_hips > th.thigh_fraction * body
    ):
        return "three-quarter"
    return "half-length"


def _joint_crops(ctx: FrameContext, shot: str) -> list[str]:
    pose = ctx.pose
    if pose is None:
        return []
    th = ctx.th
    vis = pose[:, 3]
    sh = pose[list(POSE_SHOULDERS), :2].mean(axis=0)
    hip = pose[list(POSE_HIPS), :2].mean(axis=0)
    body = float(((sh - hip) ** 2).sum() ** 0.5)
    if body < 1.0:
        return []
    margin = th.joint_margin * body
    found = []
    for name, idx in POSE_JOINTS.items():
        for i in idx:
            if vis[i] < th.joint_min_visibility:
                continue
            x, y = pose[i, 0], pose[i, 1]
            near_edge = min(abs(x), abs(ctx.w - x), abs(ctx.h - y)) < margin
            if near_edge:
                found.append(f"crop-at-joint:{name}")
                break
    return found


# -- problems, in the order the message lists them --------------------------------------------


def _cuts(ctx: FrameContext, s: FaceGeometry, shot: str) -> list[Problem]:
    """The head cut by the top, bottom or a side edge."""
    th, head = ctx.th, s.head_length
    out: list[Problem] = []
    if s.crown_y < -th.top_cut_margin * head:
        out.append(("top-of-head-cut", "top of the head cut"))
    if s.chin_y > ctx.h - th.chin_cut_margin * head:
        out.append(("chin-cut", "chin cut"))
    # Side crops; the subject's right eye is on the image's left when facing the camera.
    for side in SIDES:
        eye = s.eye(side).centre
        to_edge = eye[0] if eye[0] < s.eye_mid[0] else ctx.w - eye[0]
        if to_edge < th.side_cut_ied * s.ied:
            out.append((f"face-cut-{side}", f"face cut on the subject's {side}"))
    return out


def _placement(
    ctx: FrameContext, s: FaceGeometry, shot: str, eye_line: float, head_cut: bool
) -> list[Problem]:
    """Where the head sits: the eye line, the room above the head, the bottom edge at the neck."""
    th, h = ctx.th, ctx.h
    out: list[Problem] = []
    if eye_line > th.eye_line_low:  # bottom-heavy in any shot type
        out.append(("eye-line-low", f"eye line low ({eye_line:.0%} down)"))
    if shot not in ("headshot", "half-length"):
        return out
    if eye_line < th.eye_line_high and not head_cut:
        out.append(("eye-line-high", f"eye line high ({eye_line:.0%} down)"))
    if shot == "headshot" and s.crown_y / h > th.headroom_large:
        out.append(("headroom-large", "too much room above the head"))
    below_chin = (h - s.chin_y) / max(s.eye_chin, 1e-6)
    if shot == "headshot" and 0 <= below_chin < th.neck_crop_band:
        out.append(("crop-at-joint:neck", "bottom edge cuts the neck"))
    return out


def _head_pose(s: FaceGeometry, th: Thresholds) -> list[Problem]:
    out: list[Problem] = []
    if abs(s.roll) > th.roll_max:
        out.append(("tilted", f"head tilted {abs(s.roll):.0f}°"))
    if abs(s.yaw) > th.yaw_max or abs(s.pitch) > th.pitch_max:
        out.append(("turned", f"head turned (yaw {s.yaw:.0f}°, pitch {s.pitch:.0f}°)"))
    return out


def _shot_problems(ctx: FrameContext, shot: str) -> list[Problem]:
    """Crops at the joints of a body shot, and a shot type the preset does not want."""
    out: list[Problem] = []
    if shot in _BODY_SHOTS:
        out += [(joint, f"crop at the {joint.split(':')[1]}") for joint in _joint_crops(ctx, shot)]
    wanted = ctx.preset.shots
    if wanted and shot not in wanted:
        out.append(("shot-type", f"the preset wants {' or '.join(wanted)}"))
    return out


def _status(shot: str, problems: list[str]) -> Status:
    if not problems:
        return Status.PASS
    fails = set(_FAILS)
    if shot == "headshot":  # cutting across the forehead is a style
        fails.discard("top-of-head-cut")
    return Status.FAIL if fails & set(problems) else Status.WARN


def _found(ctx: FrameContext, s: FaceGeometry, shot: str, crop: str, eye_line: float) -> list[Problem]:
    """Every problem of the frame, once each, in message order; a tight headshot's deliberate
    cuts left out where the preset takes them for a style."""
    found = _cuts(ctx, s, shot)
    head_cut = any(pid == "top-of-head-cut" for pid, _ in found)
    found += _placement(ctx, s, shot, eye_line, head_cut) + _head_pose(s, ctx.th) + _shot_problems(ctx, shot)
    if crop == "tight-headshot" and ctx.preset.tight_crop_style:
        found = [(pid, note) for pid, note in found if pid not in _TIGHT_STYLE]
    unique: dict[str, str] = {}
    for pid, note in found:
        unique.setdefault(pid, note)  # a joint is named once
    return list(unique.items())


@observes_nothing
def check_framing(ctx: FrameContext) -> CheckResult:
    shot = shot_type(ctx)
    s = ctx.subject
    crop = crop_name(ctx, shot)
    fields: dict[str, object] = {"shot": shot, "crop": crop if s is not None else None, "problems": []}
    if s is None:
        if shot == "none":
            return CheckResult("framing", Status.FAIL, "No face to frame", None, (), fields)
        return CheckResult("framing", Status.UNKNOWN, "Face too small to judge the framing", None, (), fields)
    eye_line = float(s.eye_mid[1] / ctx.h)
    fields["eye_line"] = round(eye_line, 3)
    fields["below_crown"] = round(float(below_crown(ctx) or 0.0), 2)  # head lengths in the frame
    fields["crown"] = round(s.crown_y / s.head_length, 3)  # crown above (-) or below the top edge
    measures = crop_measures(ctx)
    if measures is not None:  # the crop name's inputs (scripts/tune_scene.py fits on them)
        fields["below_chin"] = round(below_chin(measures, ctx.th), 3)
        fields.update({k: round(v, 3) for k, v in measures.items()})
    found = _found(ctx, s, shot, crop, eye_line)
    problems = [pid for pid, _ in found]
    fields["problems"] = problems
    fields["yaw"], fields["pitch"], fields["roll"] = round(s.yaw, 1), round(s.pitch, 1), round(s.roll, 1)
    regions = (ctx.norm_box(*s.box),)
    status = _status(shot, problems)
    name = _CROP_NAMES.get(crop, crop.capitalize())
    message = f"{name}, framing good" if not found else f"{name}: " + "; ".join(note for _, note in found)
    return CheckResult("framing", status, message, eye_line, regions, fields)
