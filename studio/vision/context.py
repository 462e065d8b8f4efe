"""The per-frame context: everything the checks read, computed once per frame.

Checks are pure functions ``check(ctx, th) -> CheckResult``. Expensive inputs (pose, person
mask, eye patches) are computed on first use and cached on the context, so a check that is not
asked for costs nothing. The analyzer decides whether pose and mask are available for this
frame (live view hands in the newest result of its background model worker).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

import cv2
import numpy as np

from studio.vision.landmarks import FACE_OVAL, SIDES, FaceGeometry
from studio.vision.presets import Preset, load_preset
from studio.vision.thresholds import Thresholds


@dataclass
class EyePatch:
    """One eye cut from the best-resolution image available (the full-size still when there is
    one). Coordinates inside the patch are patch pixels."""

    side: str
    gray: np.ndarray  # float32 0..255
    bgr: np.ndarray
    iris_centre: tuple[float, float]
    iris_radius: float
    opening: np.ndarray  # uint8 mask of the eye opening (eyelid polygon)
    scale: float  # patch px per analysed-image px
    origin: tuple[float, float]  # analysed-image px of the patch's (0, 0)

    def to_image(self, x: float, y: float) -> tuple[float, float]:
        return (self.origin[0] + x / self.scale, self.origin[1] + y / self.scale)


ALIGNED_IED = 128.0
ALIGNED_EYE_Y = 104.0  # the band kept: brows to cheeks (rows for glasses, lenses and cheeks)
ALIGNED_SIZE = (512, 256)


@dataclass
class Aligned:
    """The eye band of a face warped so the eyes are level: IED = 128 px, eye midpoint at
    (256, 104), 512 × 256 px (brows to mid-cheeks; the rest of the face is not needed)."""

    bgr: np.ndarray
    gray: np.ndarray  # float32
    points: np.ndarray  # landmarks (x, y) in aligned px
    matrix: np.ndarray  # 2x3, analysed px -> aligned px

    @classmethod
    def of(cls, image: np.ndarray, face: FaceGeometry) -> Aligned:
        r, left = face.right_eye.centre, face.left_eye.centre
        angle = np.degrees(np.arctan2(left[1] - r[1], left[0] - r[0]))
        k = ALIGNED_IED / face.ied
        mid = (r + left) / 2.0
        m = cv2.getRotationMatrix2D((float(mid[0]), float(mid[1])), float(angle), k)
        m[:, 2] += np.array([256.0, ALIGNED_EYE_Y]) - mid
        bgr = cv2.warpAffine(image, m, ALIGNED_SIZE, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        pts = face.xy @ m[:, :2].T + m[:, 2]
        gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype(np.float32)
        return cls(bgr, gray, pts, m)

    def to_image(self, pts: np.ndarray) -> np.ndarray:
        inv = cv2.invertAffineTransform(self.matrix)
        return np.asarray(pts, np.float64) @ inv[:, :2].T + inv[:, 2]


@dataclass
class History:
    """Per-subject memory across live-view frames (empty for stills)."""

    ear: dict[str, list[float]] = field(default_factory=lambda: {"right": [], "left": []})
    eye_sharpness: list[float] = field(default_factory=list)
    focus: list[tuple[float, float]] = field(default_factory=list)  # (relative, blur) per frame
    # Slow-changing measures reused for a few frames (glasses do not come and go at 30 fps).
    reuse: dict[str, tuple[int, Any]] = field(default_factory=dict)  # key -> (frame, value)
    frame: int = 0
    # Periodic work (detector, glasses, eye focus, mask-based checks): when each last ran, and
    # the last frame that carried one of them.
    last_run: dict[str, int] = field(default_factory=dict)
    busy_frame: int = -1

    def clear(self) -> None:
        self.ear = {"right": [], "left": []}
        self.eye_sharpness = []
        self.focus = []
        self.reuse = {}
        self.last_run = {}
        self.busy_frame = -1

    def due(self, key: str, every: int) -> bool:
        """Whether periodic work ``key`` (every ``every`` frames) runs on this frame.

        At most one periodic stage runs on a frame, so no frame carries two of them: a stage
        that falls due on a frame another one already took waits for the next free frame (for
        at most another ``every`` frames). Call :meth:`ran` when it runs."""
        last = self.last_run.get(key)
        if last is None:
            return True  # never measured: nothing to reuse
        age = self.frame - last
        if age < every:
            return False
        return self.busy_frame != self.frame or age >= 2 * every

    def ran(self, key: str) -> None:
        self.last_run[key] = self.frame
        self.busy_frame = self.frame

    def recall(self, key: str, every: int) -> Any | None:
        """The value stored by :meth:`keep`, unless this frame is one where it is re-measured."""
        entry = self.reuse.get(key)
        if entry is None or self.due(key, every):
            return None
        return entry[1]

    def keep(self, key: str, value: Any) -> Any:
        self.reuse[key] = (self.frame, value)
        self.ran(key)
        return value


class DetailSource(Protocol):
    """A larger version of the analysed image, decoded on demand (a large still JPEG)."""

    def at_least(self, width: float) -> np.ndarray: ...


# Eye detail wanted from the best-resolution source: eye patches are cut with irises of up to
# eye_patch_iris_px, and eye focus is measured at an inter-eye distance of up to ~110 px
# (checks/focus.py). A still decoded at reduced size is decoded larger only when its eyes fall
# short of this.
DETAIL_FOCUS_IED = 110.0


@dataclass
class Detected:
    """A face found by the detector only (no landmarks: too small, too blurred, occluded)."""

    box: tuple[float, float, float, float]
    score: float

    @property
    def area(self) -> float:
        return max(0.0, self.box[2] - self.box[0]) * max(0.0, self.box[3] - self.box[1])


class FrameContext:
    def __init__(
        self,
        image: np.ndarray,
        *,
        th: Thresholds,
        faces: list[FaceGeometry],
        detected_only: list[Detected],
        live: bool,
        full: np.ndarray | None = None,
        full_scale: float = 1.0,
        pose: Callable[[], np.ndarray | None] | None = None,
        person_mask: Callable[[], np.ndarray | None] | None = None,
        history: History | None = None,
        preset: Preset | None = None,
        detail: DetailSource | None = None,
    ) -> None:
        self.image = image  # analysed BGR image
        self.h, self.w = image.shape[:2]
        self.th = th
        self.faces = sorted(faces, key=lambda f: -f.area)
        self.detected_only = detected_only
        self.live = live
        # Best-resolution source for eye detail and its px per analysed px; with a ``detail``
        # source, decoded on first use at the resolution the subject's eyes need.
        self._full = full if full is not None else image
        self._full_scale = full_scale
        self._detail = detail
        self._pose = pose
        self._person_mask = person_mask
        self.history = history
        self.preset = preset if preset is not None else load_preset("commercial-headshot")
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, compute: Callable[[], Any], *, live_every: int = 1) -> Any:
        """Compute a value shared by several checks once per frame; on live view, a slow-changing
        value may be reused for ``live_every`` frames (the history carries it)."""
        if key not in self._memo:
            value = None
            if self.history is not None and live_every > 1:
                value = self.history.recall(key, live_every)
            if value is None:
                value = compute()
                if self.history is not None and live_every > 1:
                    self.history.keep(key, value)
            self._memo[key] = value
        return self._memo[key]

    @property
    def full(self) -> np.ndarray:
        """The best-resolution source for eye detail (the full-size still, or enough of it)."""
        self._resolve_detail()
        return self._full

    @property
    def full_scale(self) -> float:
        """Pixels of :attr:`full` per analysed pixel."""
        self._resolve_detail()
        return self._full_scale

    def _resolve_detail(self) -> None:
        if self._detail is None:
            return
        detail, self._detail = self._detail, None
        need = 1.0  # analysed px per analysed px: nothing needs more without a subject
        s = self.subject
        if s is not None:
            iris = 2.0 * min(s.right_eye.iris_radius, s.left_eye.iris_radius)
            need = max(self.th.eye_patch_iris_px / max(iris, 1e-6), DETAIL_FOCUS_IED / max(s.ied, 1e-6))
        self._full = detail.at_least(self.w * need)
        self._full_scale = self._full.shape[1] / self.w

    @property
    def preset_allows_groups(self) -> bool:
        return self.preset.allow_groups

    # -- faces -----------------------------------------------------------------------------

    @property
    def subject(self) -> FaceGeometry | None:
        """The main subject: the largest face with landmarks, unless a landmark-less face is
        clearly bigger (then nothing can be judged about the subject's eyes)."""
        if not self.faces:
            return None
        main = self.faces[0]
        if self.detected_only and max(d.box[2] - d.box[0] for d in self.detected_only) > 1.5 * main.width:
            return None
        return main

    @cached_property
    def face_count(self) -> int:
        """Faces that count as subjects: comparable in size to the main one (a small face in
        the background is reported but does not make a group)."""
        # Widths compare mesh faces (oval) and detector boxes alike; areas of the two do not.
        # A smaller face cut by the frame edge is a passer-by, not a member of a group.
        boxes = [f.box for f in self.faces] + [d.box for d in self.detected_only]
        if not boxes:
            return 0
        widths = [b[2] - b[0] for b in boxes]
        biggest = max(widths)
        count = 0
        for box, width in zip(boxes, widths, strict=True):
            if (
                width >= biggest
                or width >= self.th.group_min_width_ratio * biggest
                and self._inside(box) >= 0.85
            ):
                count += 1
        return count

    def _inside(self, box: tuple[float, float, float, float]) -> float:
        x0, y0, x1, y1 = box
        area = max(1e-6, (x1 - x0) * (y1 - y0))
        w = max(0.0, min(x1, self.w) - max(x0, 0.0))
        h = max(0.0, min(y1, self.h) - max(y0, 0.0))
        return w * h / area

    @property
    def total_faces(self) -> int:
        return len(self.faces) + len(self.detected_only)

    # -- pixels ----------------------------------------------------------------------------

    @cached_property
    def gray(self) -> np.ndarray:
        return cv2.cvtColor(self.image, cv2.COLOR_BGR2GRAY)

    @cached_property
    def face_mask(self) -> np.ndarray | None:
        """uint8 mask of the subject's face oval (skin, eyes, mouth), analysed-image size."""
        s = self.subject
        if s is None:
            return None
        mask = np.zeros((self.h, self.w), np.uint8)
        cv2.fillPoly(mask, [np.round(s.xy[list(FACE_OVAL)]).astype(np.int32)], 255)
        return mask

    @cached_property
    def pose(self) -> np.ndarray | None:
        return self._pose() if self._pose else None

    @cached_property
    def person_mask(self) -> np.ndarray | None:
        return self._person_mask() if self._person_mask else None

    @cached_property
    def aligned(self) -> Aligned | None:
        """The subject's face rotated level and scaled to IED = 128 px (glasses, glare)."""
        s = self.subject
        if s is None or s.ied < 4:
            return None
        return Aligned.of(self.image, s)

    def eye_patch(self, side: str) -> EyePatch | None:
        return self._eye_patches.get(side)

    @cached_property
    def _eye_patches(self) -> dict[str, EyePatch]:
        s = self.subject
        if s is None:
            return {}
        return {side: p for side in SIDES if (p := self._cut_eye(s, side)) is not None}

    def _cut_eye(self, face: FaceGeometry, side: str) -> EyePatch | None:
        eye = face.eye(side)
        # Square around the eye: the whole opening plus lashes and a little lid/brow margin.
        half = 0.75 * max(eye.width, 1.0)
        cx, cy = (eye.corners[0] + eye.corners[1]) / 2.0
        # Resolution: as much detail as the source has, but no more than needed (an iris of
        # ~max_iris_px across), so a 45 MP still costs what a small one does.
        iris_full = 2.0 * eye.iris_radius * self.full_scale
        k = self.full_scale * min(1.0, self.th.eye_patch_iris_px / max(iris_full, 1e-6))
        fx0, fy0 = (cx - half) * self.full_scale, (cy - half) * self.full_scale
        fx1, fy1 = (cx + half) * self.full_scale, (cy + half) * self.full_scale
        fh, fw = self.full.shape[:2]
        ix0, iy0, ix1, iy1 = int(max(0, fx0)), int(max(0, fy0)), int(min(fw, fx1)), int(min(fh, fy1))
        if ix1 - ix0 < 4 or iy1 - iy0 < 4:
            return None
        crop = self.full[iy0:iy1, ix0:ix1]
        r = k / self.full_scale  # patch px per full px
        if r < 0.999:
            crop = cv2.resize(
                crop,
                (max(4, round(crop.shape[1] * r)), max(4, round(crop.shape[0] * r))),
                interpolation=cv2.INTER_AREA,
            )
            r = crop.shape[1] / (ix1 - ix0)
        scale = r * self.full_scale  # patch px per analysed px
        origin = (ix0 / self.full_scale, iy0 / self.full_scale)

        def to_patch(pts: np.ndarray) -> np.ndarray:
            return (pts - np.array(origin)) * scale

        opening = np.zeros(crop.shape[:2], np.uint8)
        cv2.fillPoly(opening, [np.round(to_patch(eye.contour)).astype(np.int32)], 255)
        c = to_patch(eye.centre[None, :])[0]
        gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY).astype(np.float32)
        return EyePatch(
            side, gray, crop, (float(c[0]), float(c[1])), eye.iris_radius * scale, opening, scale, origin
        )

    # -- helpers ---------------------------------------------------------------------------

    def norm_box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        """Pixel corners -> normalised (x, y, w, h), clipped to the frame."""
        x0, x1 = max(0.0, min(x0, self.w)), max(0.0, min(x1, self.w))
        y0, y1 = max(0.0, min(y0, self.h)), max(0.0, min(y1, self.h))
        return (x0 / self.w, y0 / self.h, (x1 - x0) / self.w, (y1 - y0) / self.h)

    def norm_point(self, x: float, y: float) -> tuple[float, float]:
        return (x / self.w, y / self.h)
