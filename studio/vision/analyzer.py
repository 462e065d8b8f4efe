"""The analyzer: one frame or still in, one immutable :class:`~studio.analysis.Analysis` out.

Per frame: decode, find faces (face mesh; the full-range detector plus a mesh on a crop for
faces the mesh's short-range detector misses), build the :class:`FrameContext` once, run the
preset's checks on it, smooth the verdicts over frames (live view only).

Live view keeps the per-frame work small and even: face mesh in tracking mode on every frame;
pose and the person mask on a background :class:`~studio.vision.model_worker.ModelWorker`
(handed a frame every ``pose_every`` / ``mask_every`` frames, never waited for: the checks use
its newest finished result); the face detector, glasses and eye focus every Nth frame
(``detector_every``, ``glasses_every``, ``focus_every``), spread so that no frame carries two of
them (:meth:`History.due`). Stills run everything synchronously. A still is analysed at a
reduced size (≤ 1280 px) with eye detail cut from a higher-resolution source; a large JPEG is
decoded at a reduced size (DCT scaling) and decoded again, larger, only if its eyes need it
(:mod:`studio.vision.image`).

Thread-confined: MediaPipe graphs belong to the thread that uses them. One Analyzer per thread
(its model worker owns a second set of graphs on its own thread).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import Literal

import cv2
import numpy as np

from drivers.base import LiveFrame
from studio.analysis import Analysis, CheckResult, Face, Status
from studio.vision.checks import CHECKS, shot_type
from studio.vision.checks import eyes as eyes_check
from studio.vision.checks import focus as focus_check
from studio.vision.context import Detected, FrameContext, History
from studio.vision.image import ImageError, StillSource, decode_jpeg, read_still, to_bgr8
from studio.vision.landmarks import FaceGeometry
from studio.vision.model_worker import Job, Measured, ModelWorker
from studio.vision.models import Detection, Models
from studio.vision.presets import Preset, load_preset
from studio.vision.smoothing import Smoother

log = logging.getLogger(__name__)

MASK_CHECKS = ("background", "clothing")
CROP_SIDE = 320  # px: the face mesh on a crop around a detection (models.Models.mesh_in_crop)

Mode = Literal["live", "still"]


class Analyzer:
    def __init__(self, preset: str | Preset = "commercial-headshot", *, mode: Mode = "live") -> None:
        if mode not in ("live", "still"):
            raise ValueError(f"mode must be 'live' or 'still', not {mode!r}")
        self.mode = mode
        self._preset = load_preset(preset)
        self._models = Models(live=mode == "live", max_faces=1 if mode == "live" else 4)
        self._smoother = Smoother(int(self._preset.thresholds.hysteresis_frames))
        self._history = History()
        self._frames = 0
        self._crop_box: tuple[float, float, float, float] | None = None  # live: face the mesh misses
        self._detections: list[Detection] = []
        # Live view: pose and the person mask come from a background worker. Its results carry
        # the epoch they belong to (a reset starts a new one: a new subject's frames only).
        self._worker = ModelWorker() if mode == "live" else None
        self._epoch = 0
        self._size: tuple[int, int] = (0, 0)
        self._pose_asked = -(10**9)  # last frame a check asked for pose (body shots only)
        self._submitted = -(10**9)  # last frame handed to the worker
        self._detected_at = -(10**9)  # frame self._detections were measured on
        self._mask_results: dict[str, tuple[tuple[int, int], CheckResult]] = {}  # id -> (mask key, result)
        self._mask_waiting: dict[str, int] = {}  # id -> frame a newer mask was first seen

    # -- public ----------------------------------------------------------------------------

    @property
    def preset(self) -> Preset:
        return self._preset

    def set_preset(self, preset: str | Preset) -> None:
        self._preset = load_preset(preset)
        self._smoother = Smoother(int(self._preset.thresholds.hysteresis_frames))
        # Pose and mask describe the frame, not the preset: they stay. Verdicts made from them
        # with the old preset's thresholds do not.
        self._mask_results.clear()
        self._mask_waiting.clear()

    def reset(self) -> None:
        """Forget everything learnt about the current subject (new person, new set-up)."""
        self._smoother.reset()
        self._history.clear()
        self._crop_box = None
        self._detections = []
        self._mask_results.clear()
        self._mask_waiting.clear()
        self._frames = 0
        self._epoch += 1
        self._pose_asked = self._submitted = self._detected_at = -(10**9)
        if self._worker is not None:
            self._worker.forget()

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
        self._models.close()

    @property
    def model_worker(self) -> ModelWorker | None:
        """Live view's background worker for pose and the person mask (None for stills)."""
        return self._worker

    def __enter__(self) -> Analyzer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def analyse_frame(self, frame: LiveFrame, source: str = "live") -> Analysis:
        t0 = time.perf_counter()
        image = decode_jpeg(frame.jpeg)
        decode_ms = (time.perf_counter() - t0) * 1000.0
        return self._analyse(
            image,
            image,
            1.0,
            source=source,
            frame=frame.seq,
            timestamp=frame.timestamp,
            timings={"decode": decode_ms},
        )

    def analyse_image(
        self, image_bgr: np.ndarray, *, source: str, frame: int | None = None, timestamp: float | None = None
    ) -> Analysis:
        if image_bgr is None or not isinstance(image_bgr, np.ndarray) or image_bgr.ndim not in (2, 3):
            raise ImageError("expected a BGR image array")
        if image_bgr.dtype != np.uint8 or image_bgr.ndim != 3 or image_bgr.shape[2] != 3:
            image_bgr = to_bgr8(image_bgr)  # grey, BGRA, 16-bit…
        h, w = image_bgr.shape[:2]
        t0 = time.perf_counter()
        small = self._to_analysis_size(image_bgr, (w, h))
        resize_ms = (time.perf_counter() - t0) * 1000.0
        return self._analyse(
            small,
            image_bgr,
            w / small.shape[1],
            source=source,
            frame=frame,
            timestamp=timestamp,
            timings={"resize": resize_ms},
        )

    def analyse_path(self, path: str | os.PathLike[str]) -> Analysis:
        """A still from disk. A large JPEG is decoded at reduced size (:func:`read_still`) and
        decoded larger only if the eyes need the detail; the analysed image is the same size
        as :meth:`analyse_image` of the full decode would analyse."""
        t0 = time.perf_counter()
        still = read_still(path, self._preset.thresholds.max_analysis_side)
        decode_ms = (time.perf_counter() - t0) * 1000.0
        t0 = time.perf_counter()
        small = self._to_analysis_size(still.image, still.native)
        resize_ms = (time.perf_counter() - t0) * 1000.0
        timings = {"decode": decode_ms, "resize": resize_ms}
        analysis = self._analyse(
            small,
            still.image,
            still.image.shape[1] / small.shape[1],
            source=str(path),
            frame=None,
            timestamp=None,
            timings=timings,
            detail=still if still.reduce > 1 else None,
            size=still.native,
        )
        timings = dict(analysis.timings)
        timings["total"] = timings.get("total", 0.0) + decode_ms + resize_ms
        return _with_timings(analysis, timings)

    def _to_analysis_size(self, image: np.ndarray, native: tuple[int, int]) -> np.ndarray:
        """``image`` (the picture at ``native`` size, or a reduced decode of it) scaled to the
        analysis size: ≤ max_analysis_side, rounded from the native size."""
        w, h = native
        k = min(1.0, self._preset.thresholds.max_analysis_side / max(h, w))
        if k >= 1.0:
            return image
        target = (round(w * k), round(h * k))
        ih, iw = image.shape[:2]
        # An integer factor first (OpenCV's fast path for area averaging: 47 instead of 98 ms
        # on 36 MP), then the rest.
        factor = int(min(iw / target[0], ih / target[1]))
        if factor >= 2:
            image = cv2.resize(image, (iw // factor, ih // factor), interpolation=cv2.INTER_AREA)
        if image.shape[1] == target[0] and image.shape[0] == target[1]:
            return image
        return cv2.resize(image, target, interpolation=cv2.INTER_AREA)

    # -- work ------------------------------------------------------------------------------

    def _analyse(
        self,
        image: np.ndarray,
        full: np.ndarray,
        full_scale: float,
        *,
        source: str,
        frame: int | None,
        timestamp: float | None,
        timings: dict[str, float],
        detail: StillSource | None = None,
        size: tuple[int, int] | None = None,
    ) -> Analysis:
        start = time.perf_counter()
        live = self.mode == "live"
        preset, th = self._preset, self._preset.thresholds
        wanted = preset.checks
        self._frames += 1
        self._history.frame = self._frames
        self._size = (int(image.shape[1]), int(image.shape[0]))

        def timed(stage: str, fn: Callable[[], object]) -> object:
            t = time.perf_counter()
            out = fn()
            timings[stage] = timings.get(stage, 0.0) + (time.perf_counter() - t) * 1000.0
            return out

        rgb = timed("convert", lambda: cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
        faces, detected = self._find_faces(rgb, image, full, full_scale, detail, timed)

        need_pose = "framing" in wanted and bool(faces)
        need_mask = ("background" in wanted or "clothing" in wanted) and bool(faces)
        worker = self._worker
        # Live: the worker's newest mask, taken once (it may finish another while we work).
        mask = self._usable("mask") if worker is not None and need_mask else None
        mask_key = (mask.epoch, mask.frame) if mask is not None else None

        def pose() -> np.ndarray | None:
            # Asked for by the framing check only beyond a headshot (a headshot's neck crop
            # comes from the face landmarks).
            if not need_pose:
                return None
            if worker is None:
                return timed("pose", lambda: self._models.pose(rgb))
            self._pose_asked = self._frames
            found = self._usable("pose")
            return found.value if found is not None else None

        def person_mask() -> np.ndarray | None:
            if not need_mask:
                return None
            if worker is None:
                return timed("mask", lambda: self._models.person_mask(_small_rgb(rgb, 256)))
            return mask.value if mask is not None else None

        ctx = FrameContext(
            image,
            th=th,
            faces=faces,
            detected_only=detected,
            live=live,
            full=full,
            full_scale=full_scale,
            pose=pose,
            person_mask=person_mask,
            history=self._history if live else None,
            preset=preset,
            detail=detail,
        )
        shot = shot_type(ctx)
        results = []
        for check_id in wanted:
            if live and check_id in MASK_CHECKS and mask_key is not None and not self._mask_check_due(
                check_id, mask_key
            ):
                result = self._mask_results[check_id][1]  # judged again with the next mask
            else:
                result = timed(f"check:{check_id}", lambda c=check_id: CHECKS[c](ctx))
                if live and check_id in MASK_CHECKS and mask_key is not None:
                    self._mask_results[check_id] = (mask_key, result)
                    self._history.ran(f"check:{check_id}")
            if preset.severity(check_id) == "advisory" and result.status is Status.FAIL:
                result = CheckResult(
                    result.id,
                    Status.WARN,
                    result.message,
                    result.value,
                    result.regions,
                    result.fields,
                    result.marks,
                )
            results.append(result)
        if worker is not None and faces:
            # Pose only while a check keeps asking for it (body shots); the mask while a check
            # of the preset needs it; the detector counts faces while the mesh follows one.
            asked = self._frames - self._pose_asked <= 2 * int(th.pose_every)
            self._feed_worker(rgb, {"pose": need_pose and asked, "mask": need_mask, "detect": True})
        if live:
            eyes_check.record_history(ctx)
            focus_check.record_history(ctx, next((r for r in results if r.id == "eye_focus"), None))
            results = [_without_raw(r) for r in results]
            results = [self._smoother.smooth(r) for r in results]
            shot = self._smoother.smooth_shot(shot)
        required = tuple(c for c in preset.required if c in wanted)
        ready = bool(
            ctx.subject is not None and all(r.status is Status.PASS for r in results if r.id in required)
        )
        timings["total"] = timings.get("total", 0.0) + (time.perf_counter() - start) * 1000.0
        return Analysis(
            source=source,
            frame=frame,
            timestamp=timestamp if timestamp is not None else time.monotonic(),
            size=size or (int(full.shape[1]), int(full.shape[0])),
            shot=shot,
            faces=ctx.face_count,
            checks=tuple(results),
            ready=ready,
            preset=preset.name,
            subject=_face(ctx),
            timings=timings,
            required=required,
        )

    def _usable(self, kind: str) -> Measured | None:
        """The worker's newest ``kind`` result if it belongs to this subject (epoch) and frame
        size. Whatever its age: the worker is handed a frame every ``*_every`` frames, so it is
        that old under normal load; a starved worker makes it older, never missing (a verdict
        flickering to "not measured" would be worse than one judged on a slightly older mask)."""
        found = self._worker.latest(kind) if self._worker is not None else None
        if found is None or (found.epoch, found.size) != (self._epoch, self._size):
            return None
        return found if found.frame <= self._frames else None

    def _mask_check_due(self, check_id: str, mask_key: tuple[int, int]) -> bool:
        """Background and clothing are judged again when a new mask has arrived, each on a
        frame no other periodic stage has taken (waiting at most ``mask_every`` frames)."""
        cached = self._mask_results.get(check_id)
        if cached is None:
            return True
        if cached[0] == mask_key:
            return False
        waiting = self._mask_waiting.setdefault(check_id, self._frames)
        if self._history.busy_frame == self._frames and self._frames - waiting < int(
            self._preset.thresholds.mask_every
        ):
            return False
        del self._mask_waiting[check_id]
        return True

    def _feed_worker(self, rgb: np.ndarray, want: dict[str, bool]) -> None:
        """Hand this frame to the model worker when a result is due (never waits for it)."""
        th = self._preset.thresholds
        periods = {"pose": th.pose_every, "mask": th.mask_every, "detect": th.detector_every}
        wanted = [kind for kind, yes in want.items() if yes]
        if not wanted or self._worker.busy:
            return
        missing = any(self._usable(kind) is None for kind in wanted)
        if missing or self._frames - self._submitted >= min(int(periods[k]) for k in wanted):
            rgb.flags.writeable = False  # shared with the worker thread from here on
            job = Job(
                rgb,
                self._frames,
                self._epoch,
                pose=want["pose"],
                mask=want["mask"],
                detect=want["detect"],
                min_score=th.detector_min_score,
            )
            self._worker.submit(job)
            self._submitted = self._frames

    def _find_faces(
        self,
        rgb: np.ndarray,
        image: np.ndarray,
        full: np.ndarray,
        full_scale: float,
        detail: StillSource | None,
        timed: Callable[[str, Callable[[], object]], object],
    ) -> tuple[list[FaceGeometry], list[Detected]]:
        th = self._preset.thresholds
        live = self.mode == "live"

        def crop_mesh(box: tuple[float, float, float, float]) -> FaceGeometry | None:
            if full_scale == 1.0:
                return timed("crop_mesh", lambda: self._models.mesh_in_crop(rgb, box, 1.0, track=live))
            source = full
            if detail is not None:
                # The mesh runs on a crop of 2.2 face widths at ≤ CROP_SIDE px: decode no more.
                side = 2.2 * max(box[2] - box[0], box[3] - box[1], 1.0)
                source = detail.at_least(image.shape[1] * CROP_SIDE / side)
            scale = source.shape[1] / image.shape[1]
            return timed(
                "crop_mesh",
                lambda: self._models.mesh_in_crop(source, box, scale, side=CROP_SIDE, track=live, bgr=True),
            )

        if live:
            faces: list[FaceGeometry] = []
            # A face too small for the frame-wide mesh is followed on a fixed crop around it (the
            # tracker then runs on a large face); the frame-wide mesh is retried now and then.
            if self._crop_box is not None:
                found = crop_mesh(self._crop_box)
                if found is None:
                    self._crop_box = None
                else:
                    faces = [found]
                    self._crop_box = _follow(self._crop_box, found.box)
            if not faces or self._history.due("wide_mesh", int(th.detector_every)):
                if faces:
                    self._history.ran("wide_mesh")
                wide = timed("face_mesh", lambda: self._models.mesh(rgb))
                if wide:
                    faces, self._crop_box = wide, None
            if not faces and self._frames % 3 == 1:
                # No face: the detector looks for a small one on this frame (a frame without
                # a face is light); while faces are seen it runs on the model worker.
                self._detections = timed("detect", lambda: self._models.detect(rgb, th.detector_min_score))
                self._detected_at = self._frames
                for det in sorted(self._detections, key=lambda d: -_area(d.box)):
                    found = crop_mesh(det.box)
                    if found is not None:
                        faces, self._crop_box = [found], det.box
                        break
            elif faces:
                latest = self._usable("detect")
                if latest is not None and latest.frame > self._detected_at:
                    self._detections, self._detected_at = latest.value, latest.frame
            detections = self._detections
        else:
            faces = timed("face_mesh", lambda: self._models.mesh(rgb))
            detections = timed("detect", lambda: self._models.detect(rgb, th.detector_min_score))
            for det in detections:
                if not any(_matches(det.box, f.box) for f in faces):
                    found = crop_mesh(det.box)
                    if found is not None and not any(_matches(found.box, f.box) for f in faces):
                        faces.append(found)
        detected = [
            Detected(d.box, d.score) for d in detections if not any(_matches(d.box, f.box) for f in faces)
        ]
        return faces, detected


def _follow(
    crop: tuple[float, float, float, float], face: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
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


def _area(box: tuple[float, float, float, float]) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def _matches(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Same face: the centre of one box lies inside the other."""
    ax, ay = (a[0] + a[2]) / 2, (a[1] + a[3]) / 2
    bx, by = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    return (b[0] <= ax <= b[2] and b[1] <= ay <= b[3]) or (a[0] <= bx <= a[2] and a[1] <= by <= a[3])


def _small_rgb(rgb: np.ndarray, width: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    if w <= width:
        return rgb
    return cv2.resize(rgb, (width, max(1, round(h * width / w))), interpolation=cv2.INTER_AREA)


def _face(ctx: FrameContext) -> Face | None:
    s = ctx.subject
    if s is None:
        return None
    lm = s.landmarks.astype(np.float32).copy()
    lm[:, 0] /= ctx.w
    lm[:, 1] /= ctx.h
    lm[:, 2] /= ctx.w
    lm.flags.writeable = False
    return Face(
        box=ctx.norm_box(*s.box),
        left_eye=ctx.norm_box(*s.left_eye.box(0.2)),
        right_eye=ctx.norm_box(*s.right_eye.box(0.2)),
        landmarks=lm,
        yaw=s.yaw,
        pitch=s.pitch,
        roll=s.roll,
    )


def _without_raw(result: CheckResult) -> CheckResult:
    if "raw" not in result.fields:
        return result
    fields = {k: v for k, v in result.fields.items() if k != "raw"}
    return CheckResult(
        result.id, result.status, result.message, result.value, result.regions, fields, result.marks
    )


def _with_timings(analysis: Analysis, timings: dict[str, float]) -> Analysis:
    return Analysis(
        analysis.source,
        analysis.frame,
        analysis.timestamp,
        analysis.size,
        analysis.shot,
        analysis.faces,
        analysis.checks,
        analysis.ready,
        analysis.preset,
        analysis.subject,
        timings,
        analysis.required,
    )
