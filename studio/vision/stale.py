"""Live view: which of the detector's boxes still describe this frame.

The detector runs on the model worker every ``detector_every`` frames, so its boxes come from an
older frame (older still when the worker is starved: a busy window). A face that moved since
leaves its old box beside the face the mesh follows now; taken as a second, landmark-less face it
made "2 faces", a "group" framing, or — when the old box is wider — "Face too small or blurred
to analyse" on a clearly visible face. After a cut (the followed face jumps) every older box is
of another picture.

Rules (pure functions, numbers in :class:`~studio.vision.thresholds.Thresholds`):

- a box from an older frame that overlaps a followed face (grown by
  ``stale_detection_margin`` face widths on each side) is that face, moved: dropped;
- a box measured before the last jump of the followed face is dropped;
- a box measured on this frame is kept as it is (:func:`studio.vision.faces.detected_only`).
"""

from __future__ import annotations

from collections.abc import Sequence

from studio.vision.context import Detected
from studio.vision.landmarks import FaceGeometry
from studio.vision.thresholds import Thresholds

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 px


def grown(box: Box, margin: float) -> Box:
    """``box`` grown by ``margin`` of its width on every side."""
    pad = margin * max(box[2] - box[0], box[3] - box[1])
    return (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad)


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def jumped(before: Box | None, now: Box | None, th: Thresholds) -> bool:
    """The followed face moved further, or changed size more, between two analysed frames
    than a face does: a cut, or the mesh now follows someone else."""
    if before is None or now is None:
        return False
    w0, w1 = max(before[2] - before[0], 1.0), max(now[2] - now[0], 1.0)
    dx = abs((before[0] + before[2]) - (now[0] + now[2])) / 2
    dy = abs((before[1] + before[3]) - (now[1] + now[3])) / 2
    limit = th.stale_detection_jump
    return max(dx, dy) > limit * max(w0, w1) or max(w0, w1) > limit * min(w0, w1)


def trusted_detections(
    detected: Sequence[Detected],
    faces: Sequence[FaceGeometry],
    *,
    measured_at: int,
    frame: int,
    cut_at: int,
    th: Thresholds,
) -> list[Detected]:
    """The landmark-less boxes that are faces of this frame (see the module's rules).
    ``measured_at``: the analysed frame the boxes come from; ``cut_at``: the last jump."""
    if measured_at >= frame or not detected:
        return list(detected)
    if measured_at < cut_at:
        return []
    areas = [grown(f.box, th.stale_detection_margin) for f in faces]
    return [d for d in detected if not any(overlaps(d.box, a) for a in areas)]
