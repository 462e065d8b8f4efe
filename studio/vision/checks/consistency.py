"""``consistency``: does this frame match the team's reference shot?

A corporate day wants the same crop for everyone: eye line, head size and position, tilt and
turn, face exposure and background brightness (``../shared/notes/photographer.md``). The frame's
measures (:func:`measure`, frame-relative: :class:`~studio.vision.reference.Reference`) are
compared with the reference the analyser was given (``FrameContext.reference``); each delta
beyond its tolerance (``consistency_*`` in :mod:`studio.vision.thresholds`, per preset) is said
in the words a photographer uses, with what to do ("head 8 % smaller — step in"). Without a
reference the check is ``unknown`` and still reports the frame's measures in its ``measured``
field: that is how a shot becomes the reference (:meth:`Reference.from_fields`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from studio.analysis import CheckResult, Status
from studio.vision.checks.exposure import face_values
from studio.vision.context import FrameContext
from studio.vision.landmarks import FACE_OVAL
from studio.vision.reference import Reference, stops
from studio.vision.thresholds import Thresholds
from studio.vision.verdict import observes_nothing

NO_REFERENCE = "No reference: R on a shot, or --reference FILE"
_STEP = 4  # every 4th pixel of the background is plenty for a median (a still's)
_LIVE_STEP = 8  # live view: every 8th (a 1080p frame still gives ~9,000 background pixels)
_MIN_FACE_PIXELS = 16


def measure(ctx: FrameContext) -> Reference | None:
    """The subject's measures on this frame (None without a subject). Live view without a
    reference measures only the geometry: nothing compares the light (a reference is made
    from a shot's still, which measures everything)."""
    s = ctx.subject
    if s is None or s.ied < 2:
        return None
    mid = s.eye_mid
    light = not ctx.live or ctx.reference is not None
    values = face_values(ctx, step=4 if ctx.live else 2) if light else None
    face = stops(float(np.median(values))) if values is not None and values.size >= _MIN_FACE_PIXELS else None
    oval = s.xy[list(FACE_OVAL)]
    return Reference(
        eye_y=float(mid[1]) / ctx.h,
        head=s.head_length / ctx.h,
        head_x=float(mid[0]) / ctx.w,
        roll=s.roll,
        yaw=s.yaw,
        face=face,
        background=background_stops(ctx, _LIVE_STEP if ctx.live else _STEP) if light else None,
        # the ghost's outline comes from a still (a shot, --reference): live JSON stays small
        outline=() if ctx.live else tuple((float(x) / ctx.w, float(y) / ctx.h) for x, y in oval),
        eyes=tuple((float(e.centre[0]) / ctx.w, float(e.centre[1]) / ctx.h)
                   for e in (s.right_eye, s.left_eye)),
        aspect=ctx.w / ctx.h,
    )


def background_stops(ctx: FrameContext, step: int = _STEP) -> float | None:
    """Median brightness (stops) of the frame above the eye line beside and above the head:
    the backdrop a team page lines up, away from hair (half a face width kept clear)."""
    s = ctx.subject
    if s is None:
        return None
    x0, y0, x1, _ = s.box
    margin = 0.5 * (x1 - x0)
    bottom = int(min(ctx.h, max(0.0, float(s.eye_mid[1]))))
    if bottom < step:
        return None
    gray = ctx.gray[:bottom:step, ::step]
    ys = np.arange(gray.shape[0])[:, None] * step
    xs = np.arange(gray.shape[1])[None, :] * step
    head = (xs >= x0 - margin) & (xs <= x1 + margin) & (ys >= y0 - 0.3 * margin)
    outside = gray[~head]
    if outside.size < _MIN_FACE_PIXELS:
        return None
    return stops(float(np.median(outside)))


@dataclass(frozen=True, slots=True)
class Delta:
    """One measure's difference from the reference, its tolerance, and the words for it."""

    name: str
    value: float  # in the unit of ``words`` (% of frame, %, degrees, stops)
    tolerance: float
    words: str

    @property
    def beyond(self) -> bool:
        return abs(self.value) > self.tolerance


def _tilt_words(d: float) -> str:
    """Roll is positive with the subject's left eye higher (head leaning to their right
    shoulder): more than the reference is undone towards their left shoulder."""
    return f"tilt {abs(d):.0f}° off — head towards their {'left' if d > 0 else 'right'} shoulder"


def _turn_words(d: float) -> str:
    """Yaw is positive turned to the subject's left: more than the reference, turn to their right."""
    return f"turned {abs(d):.0f}° off — turn to their {'right' if d > 0 else 'left'}"


def deltas(now: Reference, ref: Reference, th: Thresholds) -> list[Delta]:
    """Every measure's delta (light only where both frames have it)."""
    size = 100.0 * (now.head / max(ref.head, 1e-6) - 1.0)
    eye = 100.0 * (now.eye_y - ref.eye_y)
    x = 100.0 * (now.head_x - ref.head_x)
    side = "left" if x < 0 else "right"
    out = [
        Delta("head_size", size, 100.0 * th.consistency_size_tol,
              f"head {abs(size):.0f} % {'smaller — step in' if size < 0 else 'larger — step back'}"),
        Delta("eye_line", eye, 100.0 * th.consistency_eye_line_tol,
              f"eye line {abs(eye):.0f} % "
              f"{'lower — tilt the camera down' if eye > 0 else 'higher — tilt the camera up'}"),
        Delta("head_x", x, 100.0 * th.consistency_x_tol,
              f"head {abs(x):.0f} % {side} of the reference — pan {side}"),
        Delta("tilt", now.roll - ref.roll, th.consistency_roll_tol, _tilt_words(now.roll - ref.roll)),
        Delta("turn", now.yaw - ref.yaw, th.consistency_yaw_tol, _turn_words(now.yaw - ref.yaw)),
    ]
    for name, a, b, tol in (("face", now.face, ref.face, th.consistency_exposure_tol),
                            ("background", now.background, ref.background, th.consistency_background_tol)):
        if a is not None and b is not None:
            d = a - b
            out.append(Delta(name, d, tol, f"{name} {abs(d):.1f} stop {'darker' if d < 0 else 'brighter'}"))
    return out


def compare(now: Reference, ref: Reference, th: Thresholds) -> tuple[str, list[Delta]]:
    """("", every delta) of ``now`` against ``ref`` as a frame of ``now``'s shape shows it (its
    centre), or (why not, []) for a portrait against a landscape: the check's and the report's."""
    turned = turned_reason(ref.aspect, now.aspect)
    if turned:
        return turned, []
    return "", deltas(now, ref.seen_at(now.aspect), th)


def _measured(m: Reference | None) -> dict[str, object] | None:
    if m is None:
        return None
    data = m.to_dict()
    data.pop("source", None)
    return data


_SQUARE = 0.05  # within 5 % of square, a frame is neither portrait nor landscape


def turned_reason(ref_aspect: float, aspect: float) -> str:
    """Why a portrait reference and a landscape frame (or the other way) are not compared: no
    centre crop of one is the other (a camera turned on its side, a live view not rotated);
    "" when they can be (same orientation, square, or unknown)."""
    if ref_aspect <= 0 or aspect <= 0 or min(abs(ref_aspect - 1), abs(aspect - 1)) <= _SQUARE:
        return ""
    if (ref_aspect < 1) == (aspect < 1):
        return ""
    ref_is, now_is = ("portrait", "landscape") if ref_aspect < 1 else ("landscape", "portrait")
    return f"Reference is {ref_is}, this frame {now_is}: not compared"


@observes_nothing
def check_consistency(ctx: FrameContext) -> CheckResult:
    now = measure(ctx)
    ref: Reference | None = ctx.reference
    fields: dict[str, object] = {"measured": _measured(now), "reference": ref.source if ref else None}
    if now is None:
        return CheckResult("consistency", Status.UNKNOWN, "No face", None, (), fields)
    if ref is None:
        return CheckResult("consistency", Status.UNKNOWN, NO_REFERENCE, None, (), fields)
    turned, found = compare(now, ref, ctx.th)  # a frame of another shape: its centre
    if turned:
        return CheckResult("consistency", Status.UNKNOWN, turned, None, (), fields)
    fields["deltas"] = {d.name: round(d.value, 2) for d in found}
    off = sorted((d for d in found if d.beyond), key=lambda d: -abs(d.value) / max(d.tolerance, 1e-6))
    fields["advice"] = [d.words for d in off]
    worst = max((abs(d.value) / max(d.tolerance, 1e-6) for d in found), default=0.0)
    box = (ctx.norm_box(*ctx.subject.box),) if ctx.subject is not None else ()
    if not off:
        return CheckResult("consistency", Status.PASS, "Matches the reference", worst, box, fields)
    return CheckResult("consistency", Status.FAIL, "; ".join(d.words for d in off[:2]), worst, box, fields)
