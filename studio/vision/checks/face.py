"""``face``: none, one or several faces, and which one is the subject.

It reports the frame's one :class:`~studio.vision.context.FaceDecision`; every other check reads
the same decision (:func:`studio.vision.evaluate.evaluate` makes them say its reason without a
subject), so no frame says "no face" beside a face, or "too small" beside an eye verdict.
"""

from __future__ import annotations

from studio.analysis import CheckResult, Status
from studio.vision.context import NO_FACE, FrameContext
from studio.vision.verdict import observes_nothing


@observes_nothing
def check_face(ctx: FrameContext) -> CheckResult:
    boxes = [ctx.norm_box(*f.box) for f in ctx.faces] + [ctx.norm_box(*d.box) for d in ctx.detected_only]
    n = ctx.face_count
    decision = ctx.face_decision
    fields = {"count": n, "detected": ctx.total_faces, "decision": decision.state}
    if decision.state == NO_FACE:
        return CheckResult("face", Status.FAIL, "No face in the frame", 0.0, (), fields)
    if not decision.has_subject:
        return CheckResult("face", Status.WARN, decision.reason, float(n), tuple(boxes), fields)
    extra = ctx.total_faces - n
    if n == 1:
        msg = "One face" + (f" (and {extra} small one{'s' * (extra > 1)} in the background)" if extra else "")
        return CheckResult("face", Status.PASS, msg, 1.0, tuple(boxes), fields)
    if ctx.preset_allows_groups:
        return CheckResult("face", Status.PASS, f"Group of {n}: checks follow the largest face",
                           float(n), tuple(boxes), fields)
    return CheckResult("face", Status.WARN, f"{n} faces: checks follow the largest one", float(n),
                       tuple(boxes), fields)
