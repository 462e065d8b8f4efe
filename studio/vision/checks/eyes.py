"""``eyes_open``: each eye open, closed or unknown, from the eye aspect ratio (EAR).

Stills use absolute limits measured on the fixtures. Live view also compares with this subject's
running median (eyes differ: a narrow open eye may measure what a wide one does half closed) and
treats a falling EAR as a blink on its way: not a pass.
"""

from __future__ import annotations

import numpy as np

from studio.analysis import CheckResult, Status
from studio.vision.checks.glasses import glasses_kind
from studio.vision.context import FrameContext
from studio.vision.landmarks import SIDES

_HISTORY = 90  # frames of EAR kept per eye (3 s at 30 fps)


def eye_states(ctx: FrameContext) -> dict[str, tuple[str, float | None]]:
    """side -> (open / closed / half / unknown, EAR)."""
    return ctx.memo("eye_states", lambda: _eye_states(ctx))


def _eye_states(ctx: FrameContext) -> dict[str, tuple[str, float | None]]:
    s, th = ctx.subject, ctx.th
    out: dict[str, tuple[str, float | None]] = {}
    hidden = s is not None and glasses_kind(ctx) == "sunglasses"
    for side in SIDES:
        if s is None or hidden:
            out[side] = ("unknown", None)
            continue
        eye = s.eye(side)
        if eye.width < th.eye_min_width_px:
            out[side] = ("unknown", eye.ear)
            continue
        ear = eye.ear
        closed_at, half_at = th.ear_closed, th.ear_uncertain
        hist = ctx.history.ear[side] if ctx.history is not None else None
        if hist is not None and len(hist) >= 10:
            typical = float(np.median(hist))
            closed_at = max(closed_at, th.ear_relative_closed * typical)
            half_at = max(half_at, th.ear_blink_drop * typical)
        if ear < closed_at:
            state = "closed"
        elif ear < half_at:
            state = "half"
        else:
            state = "open"
        out[side] = (state, ear)
    return out


def record_history(ctx: FrameContext) -> None:
    """Live view: remember this frame's EAR of open eyes (after the checks ran)."""
    if ctx.history is None or ctx.subject is None:
        return
    for side, (state, ear) in eye_states(ctx).items():
        if ear is not None and state == "open":
            hist = ctx.history.ear[side]
            hist.append(ear)
            del hist[:-_HISTORY]


def check_eyes_open(ctx: FrameContext) -> CheckResult:
    states = eye_states(ctx)
    s = ctx.subject
    fields = {side: ("open" if st == "half" else st) for side, (st, _) in states.items()}
    fields["ear"] = {side: (round(e, 3) if e is not None else None) for side, (_, e) in states.items()}
    regions = tuple(ctx.norm_box(*s.eye(side).box(0.2)) for side in SIDES) if s else ()
    kinds = {st for st, _ in states.values()}
    ears = [e for _, e in states.values() if e is not None]
    value = min(ears) if ears else None
    if s is None:
        return CheckResult("eyes_open", Status.UNKNOWN, "No face", None, (), fields)
    if kinds == {"unknown"}:
        why = "hidden by dark lenses" if glasses_kind(ctx) == "sunglasses" else "too small to judge"
        return CheckResult("eyes_open", Status.UNKNOWN, f"Eyes {why}", value, regions, fields)
    closed = [side for side, (st, _) in states.items() if st == "closed"]
    if len(closed) == 2:
        return CheckResult("eyes_open", Status.FAIL, "Eyes closed", value, regions, fields)
    if closed:
        return CheckResult(
            "eyes_open", Status.FAIL, f"{closed[0].capitalize()} eye closed", value, regions, fields
        )
    if "half" in kinds:
        return CheckResult("eyes_open", Status.WARN, "Eyes half shut or blinking", value, regions, fields)
    if "unknown" in kinds:
        return CheckResult("eyes_open", Status.UNKNOWN, "One eye cannot be judged", value, regions, fields)
    return CheckResult("eyes_open", Status.PASS, "Eyes open", value, regions, fields)
