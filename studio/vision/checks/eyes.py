"""``eyes_open``: each eye open, closed or unknown, from the eye aspect ratio (EAR).

Stills use absolute limits measured on the fixtures. Live view also compares with this subject's
running median (eyes differ: a narrow open eye may measure what a wide one does half closed) and
treats a falling EAR as a blink on its way: not a pass. The median is of the EARs the check
observed on earlier frames (:class:`~studio.vision.verdict.EyesSeen`, kept by the tracker).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from studio.analysis import CheckResult, Status
from studio.vision.checks.glasses import glasses_kind
from studio.vision.context import FrameContext
from studio.vision.landmarks import SIDES, FaceGeometry
from studio.vision.verdict import EyesSeen, Verdict

EyeState = tuple[str, float | None]  # open / closed / half / unknown, EAR
EYE_BOX_MARGIN = 0.2  # drawn region around each eye, in eye widths


def eye_states(ctx: FrameContext) -> Mapping[str, EyeState]:
    """side -> (open / closed / half / unknown, EAR)."""
    result: Mapping[str, EyeState] = ctx.memo("eye_states", lambda: _eye_states(ctx))
    return result


def _eye_states(ctx: FrameContext) -> dict[str, EyeState]:
    s = ctx.subject
    if s is None or glasses_kind(ctx) == "sunglasses":
        return {side: ("unknown", None) for side in SIDES}
    return one_closed_check({side: _eye_state(ctx, s, side) for side in SIDES}, ctx.th.ear_one_closed_ratio)


def one_closed_check(states: dict[str, EyeState], ratio: float) -> dict[str, EyeState]:
    """One eye alone reads closed only when it is much narrower than the other (a wink:
    under ``ratio`` × the other eye's EAR). Otherwise it is a head turned or a look aside that
    narrows one eye's outline: half shut (a warning), never "closed". The other eye may itself be
    half shut (a squint narrows both): still one eye alone."""
    closed = [side for side, (st, _) in states.items() if st == "closed"]
    if len(closed) != 1:
        return states
    other = next(side for side in states if side != closed[0])
    ear, other_ear = states[closed[0]][1], states[other][1]
    if states[other][0] in ("open", "half") and ear is not None and other_ear and ear >= ratio * other_ear:
        return {**states, closed[0]: ("half", ear)}
    return states


def _eye_state(ctx: FrameContext, face: FaceGeometry, side: str) -> EyeState:
    th, eye = ctx.th, face.eye(side)
    if eye.width < th.eye_min_width_px:
        return ("unknown", eye.ear)
    closed_at, half_at = th.ear_closed, th.ear_uncertain
    recent = ctx.recent.ear(side)
    if len(recent) >= int(th.ear_calibration_frames):
        typical = float(np.median(recent))
        closed_at = max(closed_at, th.ear_relative_closed * typical)
        half_at = max(half_at, th.ear_blink_drop * typical)
    if eye.ear < closed_at:
        return ("closed", eye.ear)
    if eye.ear < half_at:
        return ("half", eye.ear)
    return ("open", eye.ear)


def observe_eyes(ctx: FrameContext) -> EyesSeen | None:
    """This frame's EAR of open eyes, for the subject's running median (None without a face)."""
    if ctx.subject is None:
        return None
    states = eye_states(ctx).items()
    return EyesSeen(tuple((side, ear) for side, (st, ear) in states if ear is not None and st == "open"))


def check_eyes_open(ctx: FrameContext) -> Verdict:
    return Verdict(_judge(ctx), observe_eyes(ctx))


def _judge(ctx: FrameContext) -> CheckResult:
    states = eye_states(ctx)
    s = ctx.subject
    fields: dict[str, object] = {side: ("open" if st == "half" else st) for side, (st, _) in states.items()}
    fields["ear"] = {side: (round(e, 3) if e is not None else None) for side, (_, e) in states.items()}
    if s is None:
        return CheckResult("eyes_open", Status.UNKNOWN, "No face", None, (), fields)
    regions = tuple(ctx.norm_box(*s.eye(side).box(EYE_BOX_MARGIN)) for side in SIDES)
    ears = [e for _, e in states.values() if e is not None]
    value = min(ears) if ears else None
    status, message = _status(ctx, states)
    return CheckResult("eyes_open", status, message, value, regions, fields)


def _status(ctx: FrameContext, states: Mapping[str, EyeState]) -> tuple[Status, str]:
    kinds = {st for st, _ in states.values()}
    closed = [side for side, (st, _) in states.items() if st == "closed"]
    if kinds == {"unknown"}:
        why = "hidden by dark lenses" if glasses_kind(ctx) == "sunglasses" else "too small to judge"
        return Status.UNKNOWN, f"Eyes {why}"
    if len(closed) == 2:
        return Status.FAIL, "Eyes closed"
    if closed:
        return Status.FAIL, f"{closed[0].capitalize()} eye closed"
    if "half" in kinds:
        return Status.WARN, "Eyes half shut or blinking"
    if "unknown" in kinds:
        return Status.UNKNOWN, "One eye cannot be judged"
    return Status.PASS, "Eyes open"
