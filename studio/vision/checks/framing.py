"""``framing``: shot type and crop problems (head cut, eye line, head pose, crops at joints).

Body extent is estimated in head lengths below the crown (an adult is ~8 heads tall: chin 1,
chest 2, waist 3, hips 4, mid-thigh 5, knees 6, feet 8), so the shot type works without pose;
pose landmarks, when the preset needs them, add the crops at joints.
"""

from __future__ import annotations

from studio.analysis import CheckResult, Status
from studio.vision.context import FrameContext

# MediaPipe pose landmark indices per joint name (both sides).
JOINTS = {
    "elbows": (13, 14),
    "wrists": (15, 16),
    "knees": (25, 26),
    "ankles": (27, 28),
}
_SHOULDERS, _HIPS = (11, 12), (23, 24)

_FAILS = {"top-of-head-cut", "chin-cut", "face-cut-left", "face-cut-right"}


def below_crown(ctx: FrameContext) -> float | None:
    """Visible body below the crown, in head lengths."""
    s = ctx.subject
    if s is None:
        if not ctx.detected_only:  # a face the detector found but the mesh could not follow
            return None
        x0, y0, x1, y1 = max(ctx.detected_only, key=lambda d: d.area).box
        # The detector's box runs from the brows to the chin: ~0.75 of a head length.
        head = 1.3 * (y1 - y0)
        return (ctx.h - (y1 - head)) / head if head > 0 else None
    if s.head_length <= 0:
        return None
    return (ctx.h - s.crown_y) / s.head_length


def _head_to_width(ctx: FrameContext) -> float:
    s = ctx.subject
    return s.head_length / ctx.w if s is not None else 0.0


def shot_type(ctx: FrameContext) -> str:
    if ctx.face_count == 0:
        return "none"
    if ctx.face_count > 1:
        return "group"
    depth = below_crown(ctx)
    if depth is None:  # a face too small for landmarks: far away
        return "full-length"
    th = ctx.th
    if depth < th.headshot_max_below_crown:
        return "headshot"
    # Down to the chest, a frame still reads as a headshot when it is tight around the head;
    # a wide frame showing the arms and the body to the sides reads as half-length.
    if depth < th.headshot_tight_max_below_crown and _head_to_width(ctx) >= th.headshot_min_head_width:
        return "headshot"
    pose = ctx.pose  # only computed for body shots
    if pose is not None:

        def inside(i: int) -> bool:
            return pose[i, 3] >= th.joint_min_visibility and 0 <= pose[i, 1] <= ctx.h * 0.98

        if any(inside(i) for i in JOINTS["ankles"]):
            return "full-length"
        # Three-quarter: cut at mid-thigh or lower. The frame reaches the knees, or goes a
        # third of the shoulder-to-hip length below the hips.
        hips = pose[list(_HIPS)]
        body = float(abs(hips[:, 1].mean() - pose[list(_SHOULDERS), 1].mean()))
        below_hips = ctx.h - float(hips[:, 1].mean())
        if any(inside(i) for i in JOINTS["knees"]) or (
            hips[:, 3].max() >= th.joint_min_visibility and below_hips > th.thigh_fraction * body
        ):
            return "three-quarter"
        return "half-length"
    if depth < th.half_length_max_below_crown:
        return "half-length"
    if depth < th.three_quarter_max_below_crown:
        return "three-quarter"
    return "full-length"


def _joint_crops(ctx: FrameContext, shot: str) -> list[str]:
    pose = ctx.pose
    if pose is None:
        return []
    th = ctx.th
    vis = pose[:, 3]
    sh = pose[list(_SHOULDERS), :2].mean(axis=0)
    hip = pose[list(_HIPS), :2].mean(axis=0)
    body = float(((sh - hip) ** 2).sum() ** 0.5)
    if body < 1.0:
        return []
    margin = th.joint_margin * body
    found = []
    for name, idx in JOINTS.items():
        for i in idx:
            if vis[i] < th.joint_min_visibility:
                continue
            x, y = pose[i, 0], pose[i, 1]
            near_edge = min(abs(x), abs(ctx.w - x), abs(ctx.h - y)) < margin
            if near_edge:
                found.append(f"crop-at-joint:{name}")
                break
    return found


def check_framing(ctx: FrameContext) -> CheckResult:
    shot = shot_type(ctx)
    s = ctx.subject
    fields: dict[str, object] = {"shot": shot, "problems": []}
    if s is None:
        status = Status.FAIL if shot == "none" else Status.UNKNOWN
        return CheckResult(
            "framing",
            status,
            "No face to frame" if shot == "none" else "Face too small to judge the framing",
            None,
            (),
            fields,
        )
    th, h, w = ctx.th, ctx.h, ctx.w
    problems: list[str] = []
    notes: list[str] = []
    head = s.head_length
    if s.crown_y < -th.top_cut_margin * head:
        problems.append("top-of-head-cut")
        notes.append(
            "top of the head cut" + (" (fine if a deliberate tight crop)" if shot == "headshot" else "")
        )
    if s.chin_y > h - th.chin_cut_margin * head:
        problems.append("chin-cut")
        notes.append("chin cut")
    # Side crops; the subject's right eye is on the image's left when facing the camera.
    for side in ("right", "left"):
        eye = s.eye(side).centre
        on_left = eye[0] < s.eye_mid[0]
        to_edge = eye[0] if on_left else w - eye[0]
        if to_edge < th.side_cut_ied * s.ied:
            problems.append(f"face-cut-{side}")
            notes.append(f"face cut on the subject's {side}")
    eye_line = float(s.eye_mid[1] / h)
    fields["eye_line"] = round(eye_line, 3)
    fields["below_crown"] = round(float(below_crown(ctx) or 0.0), 2)  # head lengths in the frame
    fields["crown"] = round(s.crown_y / head, 3)  # crown above (-) or below the top edge, head lengths
    if eye_line > th.eye_line_low:  # bottom-heavy in any shot type
        problems.append("eye-line-low")
        notes.append(f"eye line low ({eye_line:.0%} down)")
    if shot in ("headshot", "half-length"):
        if eye_line < th.eye_line_high and "top-of-head-cut" not in problems:
            problems.append("eye-line-high")
            notes.append(f"eye line high ({eye_line:.0%} down)")
        if shot == "headshot" and s.crown_y / h > th.headroom_large:
            problems.append("headroom-large")
            notes.append("too much room above the head")
        below_chin = (h - s.chin_y) / max(s.eye_chin, 1e-6)
        if shot == "headshot" and 0 <= below_chin < th.neck_crop_band:
            problems.append("crop-at-joint:neck")
            notes.append("bottom edge cuts the neck")
    if abs(s.roll) > th.roll_max:
        problems.append("tilted")
        notes.append(f"head tilted {abs(s.roll):.0f}°")
    if abs(s.yaw) > th.yaw_max or abs(s.pitch) > th.pitch_max:
        problems.append("turned")
        notes.append(f"head turned (yaw {s.yaw:.0f}°, pitch {s.pitch:.0f}°)")
    if shot in ("half-length", "three-quarter", "full-length"):
        for joint in _joint_crops(ctx, shot):
            if joint not in problems:
                problems.append(joint)
                notes.append(f"crop at the {joint.split(':')[1]}")
    wanted = ctx.preset.shots
    if wanted and shot not in wanted:
        problems.append("shot-type")
        notes.append(f"{shot} (preset wants {', '.join(wanted)})")
    fields["problems"] = problems
    fields["yaw"], fields["pitch"], fields["roll"] = round(s.yaw, 1), round(s.pitch, 1), round(s.roll, 1)
    regions = (ctx.norm_box(*s.box),)
    if not problems:
        return CheckResult(
            "framing", Status.PASS, f"{shot.capitalize()}, framing good", eye_line, regions, fields
        )
    fails = set(_FAILS)
    if shot == "headshot":  # cutting across the forehead is a style in tight headshots
        fails.discard("top-of-head-cut")
    status = Status.FAIL if fails & set(problems) else Status.WARN
    return CheckResult(
        "framing", status, f"{shot.capitalize()}: " + "; ".join(notes), eye_line, regions, fields
    )
