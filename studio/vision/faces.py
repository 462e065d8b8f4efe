"""Measure: the faces of one frame (face mesh, full-range detector, a mesh on a crop).

The frame-wide face mesh is short-range: it misses small faces (full-length stills, groups).
The full-range detector finds those, and the mesh runs on a crop around each. A still runs
both every time (:func:`find_still_faces`); live view follows one face from frame to frame
(:class:`LiveFaces`, owned by the live tracker).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from studio.vision.context import DetailSource, Detected
from studio.vision.landmarks import FaceGeometry
from studio.vision.models import Detection, Models
from studio.vision.thresholds import Thresholds
from studio.vision.timing import Stopwatch

if TYPE_CHECKING:
    from studio.vision.schedule import Schedule

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 px

AHEAD_HINT_LAG = 1  # frames between the one a hint is given after and the one it reaches
CROP_SIDE = 320  # px: the face mesh on a crop around a detection (models.Models.mesh_in_crop)
CROP_FACE_WIDTHS = 2.2  # the crop's side in face widths (Models.mesh_in_crop)


@dataclass(frozen=True, eq=False)
class Frame:
    """One decoded frame or still, at analysis size, and where its detail comes from."""

    image: np.ndarray  # analysed BGR image
    rgb: np.ndarray  # the same, RGB (the models' input)
    full: np.ndarray  # best-resolution BGR image (``image`` itself on live view)
    full_scale: float  # px of ``full`` per analysed px
    detail: DetailSource | None = None  # a large still, decoded larger on demand
    # Live view's first stage (studio.vision.ahead) ran: ``wide`` is its frame-wide face mesh,
    # None where it was told the mesh was not needed (LiveFaces.find then runs none, unless the
    # face followed on a crop was lost on this frame).
    ahead: bool = False
    wide: Sequence[FaceGeometry] | None = None

    @property
    def size(self) -> tuple[int, int]:
        return (int(self.image.shape[1]), int(self.image.shape[0]))


def mesh_on_crop(
    models: Models, frame: Frame, box: Box, *, track: bool, watch: Stopwatch
) -> FaceGeometry | None:
    """The face mesh on a crop around ``box``, cut from the best-resolution source."""
    if frame.full_scale == 1.0:
        return watch.timed("crop_mesh", lambda: models.mesh_in_crop(frame.rgb, box, 1.0, track=track))
    source = frame.full
    if frame.detail is not None:
        # The mesh runs on a crop of 2.2 face widths at ≤ CROP_SIDE px: decode no more.
        side = CROP_FACE_WIDTHS * max(box[2] - box[0], box[3] - box[1], 1.0)
        source = frame.detail.at_least(frame.image.shape[1] * CROP_SIDE / side)
    scale = source.shape[1] / frame.image.shape[1]
    return watch.timed(
        "crop_mesh", lambda: models.mesh_in_crop(source, box, scale, side=CROP_SIDE, track=track, bgr=True)
    )


def find_still_faces(
    models: Models, frame: Frame, th: Thresholds, watch: Stopwatch
) -> tuple[list[FaceGeometry], list[Detected]]:
    """Every face of a still: the frame-wide mesh, then a mesh on a crop around each face the
    detector finds that the mesh missed."""
    faces = watch.timed("face_mesh", lambda: models.mesh(frame.rgb))
    detections = watch.timed("detect", lambda: models.detect(frame.rgb, th.detector_min_score))
    for det in detections:
        if not any(matches(det.box, f.box) for f in faces):
            found = mesh_on_crop(models, frame, det.box, track=False, watch=watch)
            if found is not None and not any(matches(found.box, f.box) for f in faces):
                faces.append(found)
    return faces, detected_only(detections, faces)


def detected_only(detections: Sequence[Detection], faces: Sequence[FaceGeometry]) -> list[Detected]:
    """The detections no mesh face accounts for."""
    return [Detected(d.box, d.score) for d in detections if not any(matches(d.box, f.box) for f in faces)]


class LiveFaces:
    """Live view's face following (state across frames, owned by the live tracker).

    The mesh tracks on every frame. A face too small for the frame-wide mesh is followed on a
    fixed crop around it (the tracker then runs on a large face); the frame-wide mesh is retried
    every ``detector_every`` frames. While no face is seen the detector looks for a small one on
    every 3rd frame (a frame without a face is light); while faces are seen its count comes from
    the model worker.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._crop: Box | None = None
        self._detections: list[Detection] = []
        self._detected_at = -(10**9)  # frame the detections were measured on

    @property
    def detected_at(self) -> int:
        """The analysed frame the landmark-less boxes were measured on (studio.vision.stale)."""
        return self._detected_at

    def find(
        self,
        models: Models,
        frame: Frame,
        th: Thresholds,
        schedule: Schedule,
        worker_detections: Callable[[], Any],
        watch: Stopwatch,
    ) -> tuple[list[FaceGeometry], list[Detected]]:
        """``worker_detections``: the model worker's newest usable detector result (or None)."""
        faces = self._followed(models, frame, watch)
        # A frame prepared ahead without the wide mesh (a face was followed on a crop) runs
        # none for a due retry (the next frames bring it), but its own when the face was lost.
        if (not faces or schedule.due("wide_mesh", int(th.detector_every))) and (
            frame.wide is not None or not frame.ahead or not faces
        ):
            if faces:
                schedule.ran("wide_mesh")
            wide = list(frame.wide) if frame.wide is not None else watch.timed(
                "face_mesh", lambda: models.mesh(frame.rgb))
            if wide:
                faces, self._crop = wide, None
        if not faces and schedule.frame % 3 == 1:
            faces = self._search(models, frame, th, schedule.frame, watch)
        elif faces:
            newest = worker_detections()
            if newest is not None and newest.frame > self._detected_at:
                self._detections, self._detected_at = newest.value, newest.frame
        return faces, detected_only(self._detections, faces)

    def wants_wide_mesh(self, schedule: Schedule, every: int) -> bool:
        """Whether the frames prepared next run the frame-wide mesh: always, unless a small
        face is followed on a crop (then every ``every`` frames at 30 fps, to find it grown).
        The hint reaches a frame up to two frames later (one is being prepared meanwhile)."""
        last = schedule.last_run.get("wide_mesh")
        lead = AHEAD_HINT_LAG + 1
        return self._crop is None or last is None or schedule.frame + lead - last >= every * schedule.stretch

    def _followed(self, models: Models, frame: Frame, watch: Stopwatch) -> list[FaceGeometry]:
        if self._crop is None:
            return []
        found = mesh_on_crop(models, frame, self._crop, track=True, watch=watch)
        if found is None:
            self._crop = None
            return []
        self._crop = follow(self._crop, found.box)
        return [found]

    def _search(
        self, models: Models, frame: Frame, th: Thresholds, frame_no: int, watch: Stopwatch
    ) -> list[FaceGeometry]:
        self._detections = watch.timed("detect", lambda: models.detect(frame.rgb, th.detector_min_score))
        self._detected_at = frame_no
        for det in sorted(self._detections, key=lambda d: -area(d.box)):
            found = mesh_on_crop(models, frame, det.box, track=True, watch=watch)
            if found is not None:
                self._crop = det.box
                return [found]
        return []


def follow(crop: Box, face: Box) -> Box:
    """Keep the crop still (the tracker works in crop coordinates) until the face drifts from
    its middle or changes size; then re-centre it."""
    cw, ch = crop[2] - crop[0], crop[3] - crop[1]
    fw, fh = face[2] - face[0], face[3] - face[1]
    dx = abs((face[0] + face[2]) - (crop[0] + crop[2])) / 2
    dy = abs((face[1] + face[3]) - (crop[1] + crop[3])) / 2
    size = max(fw, fh) / max(cw, ch, 1e-6)
    if dx > 0.25 * cw or dy > 0.25 * ch or not 0.7 < size < 1.5:
        return face
    return crop


def area(box: Box) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def matches(a: Box, b: Box) -> bool:
    """Same face: the centre of one box lies inside the other."""
    ax, ay = (a[0] + a[2]) / 2, (a[1] + a[3]) / 2
    bx, by = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    return (b[0] <= ax <= b[2] and b[1] <= ay <= b[3]) or (a[0] <= bx <= a[2] and a[1] <= by <= a[3])
