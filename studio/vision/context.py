"""The per-frame context: everything the checks read, built once per frame and never changed.

Checks are pure functions ``check(ctx) -> Verdict`` (:mod:`studio.vision.verdict`). Expensive
inputs (pose, person mask, eye patches) are computed on first use and kept for the frame, so a
check that is not asked for costs nothing. What spans frames (recent eye ratios and sharpness,
measurements carried from an earlier frame, which slow measurements are due) is handed in by
the live tracker as frozen values; nothing here is written for the next frame.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any, Protocol

import cv2
import numpy as np

from studio.vision.crops import Aligned, EyePatch, cut_eye
from studio.vision.landmarks import FACE_OVAL, SIDES, FaceGeometry
from studio.vision.presets import Preset, load_preset
from studio.vision.reference import Reference
from studio.vision.thresholds import Thresholds


class DetailSource(Protocol):
    """A larger version of the analysed image, decoded on demand (a large still JPEG)."""

    def at_least(self, width: float, face: FaceGeometry | None = None, analysed_w: int = 0) -> np.ndarray: ...


@dataclass(frozen=True)
class Detected:
    """A face found by the detector only (no landmarks: too small, too blurred, occluded)."""

    box: tuple[float, float, float, float]
    score: float

    @property
    def area(self) -> float:
        return max(0.0, self.box[2] - self.box[0]) * max(0.0, self.box[3] - self.box[1])


def main_subject(faces: Sequence[FaceGeometry], detected_only: Sequence[Detected],
                 th: Thresholds) -> FaceGeometry | None:
    """The largest face with landmarks, unless a landmark-less face is clearly bigger (then
    nothing can be judged about the subject's eyes)."""
    if not faces:
        return None
    main = max(faces, key=lambda f: f.area)
    widest_detected = max((d.box[2] - d.box[0] for d in detected_only), default=0.0)
    if widest_detected > th.subject_hidden_by_larger * main.width:
        return None
    return main


@dataclass(frozen=True, slots=True)
class Recent:
    """What live view remembers of this subject, as the checks may read it: a frozen snapshot
    taken by the tracker before the checks run (a still has none)."""

    ear_right: tuple[float, ...] = ()  # EAR of the right eye on recent frames where it was open
    ear_left: tuple[float, ...] = ()
    eye_sharpness: tuple[float, ...] = ()  # 1 / eye σ of recent fresh focus measurements
    focus: tuple[tuple[float, float], ...] = ()  # (relative, blur) of the last measurements

    def ear(self, side: str) -> tuple[float, ...]:
        return self.ear_right if side == "right" else self.ear_left


NOTHING_RECENT = Recent()

NO_FACE, UNJUDGED, SUBJECT = "none", "unjudged", "subject"
_REASONS = {NO_FACE: "No face", UNJUDGED: "Face too small or blurred to analyse", SUBJECT: ""}


TURNED_AWAY = "Face turned away or covered: nothing to analyse"


def unjudged_reason(faces: Sequence[FaceGeometry], detected_only: Sequence[Detected], th: Thresholds) -> str:
    """Why a face that was found cannot be analysed. A landmark-less face as wide as
    ``unjudged_large_face_px`` is not too small or blurred for the mesh: it is turned away (a
    profile) or covered (a hand, a microphone)."""
    widest = max((d.box[2] - d.box[0] for d in detected_only), default=0.0)
    if widest >= th.unjudged_large_face_px:
        return TURNED_AWAY
    return _REASONS[UNJUDGED]


def face_state(faces: Sequence[FaceGeometry], detected_only: Sequence[Detected], th: Thresholds) -> str:
    """The face decision these faces make: ``NO_FACE``, ``UNJUDGED`` (faces, but no subject
    that can be analysed: :func:`main_subject`) or ``SUBJECT``."""
    if not faces and not detected_only:
        return NO_FACE
    return SUBJECT if main_subject(faces, detected_only, th) is not None else UNJUDGED


@dataclass(frozen=True, slots=True)
class FaceDecision:
    """The one decision about faces that every check of a frame reads: no face, a face that
    cannot be analysed (too small, blurred, or hidden behind a larger landmark-less face), or a
    subject. Without a subject no check judges anything about a face; each says ``reason``."""

    state: str  # NO_FACE, UNJUDGED or SUBJECT
    reason: str  # why nothing about the subject is judged ("" with a subject)

    @property
    def has_subject(self) -> bool:
        return self.state == SUBJECT


@dataclass(frozen=True, eq=False)
class FrameContext:
    """Everything the checks read about one frame. Immutable: built once, then only read.

    Derived per-frame values (grey image, aligned face, eye patches, a lazily decoded larger
    still, pose and mask when a check asks) are computed on first use from the immutable inputs.
    Live view's tracker decides, before the checks run, which slow measurements are ``due`` on
    this frame and hands in the ones ``carried`` from earlier frames; a still has everything due.
    """

    image: np.ndarray  # analysed BGR image
    th: Thresholds
    faces: Sequence[FaceGeometry]
    detected_only: Sequence[Detected]
    live: bool
    full_source: np.ndarray | None = None  # best-resolution image (None: ``image``)
    source_scale: float = 1.0  # px of ``full_source`` per analysed px
    pose_source: Callable[[], np.ndarray | None] | None = None
    mask_source: Callable[[], np.ndarray | None] | None = None
    recent: Recent = NOTHING_RECENT
    preset: Preset = field(default_factory=lambda: load_preset("commercial-headshot"))
    detail: DetailSource | None = None  # a large still, decoded larger on demand
    due: frozenset[str] | None = None  # slow measurements taken on this frame (None: all)
    carried: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    aperture: float | None = None  # the lens's f-number from the camera's settings (None: unknown)
    reference: Reference | None = None  # the consistency reference (None: none set)
    _memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False)
    _fresh: set[str] = field(default_factory=set, init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "faces", tuple(sorted(self.faces, key=lambda f: -f.area)))
        object.__setattr__(self, "detected_only", tuple(self.detected_only))

    @cached_property
    def h(self) -> int:
        return int(self.image.shape[0])

    @cached_property
    def w(self) -> int:
        return int(self.image.shape[1])

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """A value several checks share, computed once per frame."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def measure(self, key: str, compute: Callable[[], Any]) -> Any:
        """A slow-changing measurement: on live view, the one carried from an earlier frame
        unless the tracker made it due on this one (then measured, and carried on from here)."""
        if key not in self._memo:
            carried = self.carried.get(key)
            if carried is not None and self.due is not None and key not in self.due:
                self._memo[key] = carried
            else:
                self._memo[key] = compute()
                self._fresh.add(key)
        return self._memo[key]

    def is_carried(self, key: str) -> bool:
        """Whether :meth:`measure` of ``key`` gave an earlier frame's value."""
        return key in self._memo and key not in self._fresh

    @property
    def fresh_measurements(self) -> Mapping[str, Any]:
        """The slow measurements taken on this frame (for the tracker to carry on)."""
        return MappingProxyType({k: self._memo[k] for k in self._fresh})

    @property
    def pose_read(self) -> bool:
        """Whether a check asked for pose on this frame (live view keeps it coming only then)."""
        return "pose" in self._memo

    @property
    def full(self) -> np.ndarray:
        """The best-resolution source for eye detail (the full-size still, or enough of it)."""
        return self._resolved[0]

    @property
    def full_scale(self) -> float:
        """Pixels of :attr:`full` per analysed pixel."""
        return self._resolved[1]

    @property
    def _resolved(self) -> tuple[np.ndarray, float]:
        return self.memo("detail", self._resolve_detail)

    def _resolve_detail(self) -> tuple[np.ndarray, float]:
        full = self.full_source if self.full_source is not None else self.image
        if self.detail is None:
            return full, self.source_scale
        need = 1.0  # analysed px per analysed px: nothing needs more without a subject
        s = self.subject
        if s is not None:
            iris = 2.0 * min(s.right_eye.iris_radius, s.left_eye.iris_radius)
            need = max(
                self.th.eye_patch_iris_px / max(iris, 1e-6), self.th.focus_max_ied_px / max(s.ied, 1e-6)
            )
        full = self.detail.at_least(self.w * need, s, self.w)  # with s: its band at full size (image.py)
        return full, full.shape[1] / self.w

    @property
    def preset_allows_groups(self) -> bool:
        return self.preset.allow_groups

    # -- faces -----------------------------------------------------------------------------

    @cached_property
    def subject(self) -> FaceGeometry | None:
        """The main subject (:func:`main_subject`)."""
        return main_subject(self.faces, self.detected_only, self.th)

    @cached_property
    def face_decision(self) -> FaceDecision:
        """No face, a face that cannot be analysed, or a subject (:class:`FaceDecision`)."""
        state = face_state(self.faces, self.detected_only, self.th)
        if state == UNJUDGED:
            return FaceDecision(state, unjudged_reason(self.faces, self.detected_only, self.th))
        return FaceDecision(state, _REASONS[state])

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
                and self._inside(box) >= self.th.group_min_inside
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
        cv2.fillPoly(mask, [np.round(s.xy[list(FACE_OVAL)]).astype(np.int32)], (255,))
        return mask

    @property
    def pose(self) -> np.ndarray | None:
        source = self.pose_source
        return self.memo("pose", lambda: source() if source is not None else None)

    @property
    def person_mask(self) -> np.ndarray | None:
        source = self.mask_source
        return self.memo("person_mask", lambda: source() if source is not None else None)

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
        patches = (cut_eye(self.full, self.full_scale, s, side, self.th.eye_patch_iris_px) for side in SIDES)
        return {p.side: p for p in patches if p is not None}

    # -- helpers ---------------------------------------------------------------------------

    def norm_box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        """Pixel corners -> normalised (x, y, w, h), clipped to the frame."""
        x0, x1 = max(0.0, min(x0, self.w)), max(0.0, min(x1, self.w))
        y0, y1 = max(0.0, min(y0, self.h)), max(0.0, min(y1, self.h))
        return (x0 / self.w, y0 / self.h, (x1 - x0) / self.w, (y1 - y0) / self.h)

    def norm_point(self, x: float, y: float) -> tuple[float, float]:
        return (x / self.w, y / self.h)
