"""The analyzer: one frame or still in, one immutable :class:`~studio.analysis.Analysis` out.

Per frame: decode → measure (faces: :mod:`studio.vision.faces`) → build the frame's
:class:`~studio.vision.context.FrameContext` → evaluate the preset's checks on it
(:mod:`studio.vision.evaluate`) → on live view, track (:class:`~studio.vision.tracker.LiveTracker`:
history, periodic work, the model worker, smoothing) → :class:`Analysis`.

Live view keeps the per-frame work small and even: face mesh in tracking mode on every frame;
pose and the person mask on a background :class:`~studio.vision.model_worker.ModelWorker`, the
checks that read the mask on :class:`~studio.vision.scene_worker.SceneWorker`; the face
detector, glasses and eye focus every Nth frame, spread so that no frame carries two of them
(:mod:`studio.vision.schedule`). Stills run everything synchronously. A still is analysed at a
reduced size (≤ 1280 px) with eye detail cut from a higher-resolution source; a large JPEG is
decoded at a reduced size (DCT scaling), and only its face's band again, at full size, when its
eyes need more (:mod:`studio.vision.image`).

Thread-confined: MediaPipe graphs belong to the thread that uses them. One Analyzer per thread
(its model worker owns a second set of graphs on its own thread).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import replace
from typing import Literal

import cv2
import numpy as np

from drivers.base import LiveFrame
from studio.analysis import Analysis, Face
from studio.vision.ahead import PreparedFrame
from studio.vision.checks import shot_type
from studio.vision.context import FrameContext
from studio.vision.evaluate import evaluate, graded, readiness
from studio.vision.faces import Frame, find_still_faces
from studio.vision.image import ImageError, StillSource, read_still, to_bgr8
from studio.vision.live_input import live_input
from studio.vision.model_worker import MASK_WIDTH, ModelWorker, small_rgb
from studio.vision.models import Models
from studio.vision.presets import Preset, load_preset
from studio.vision.reference import Reference
from studio.vision.scene_worker import SceneWorker
from studio.vision.timing import Stopwatch
from studio.vision.tracker import MASK_CHECKS, LiveTracker

log = logging.getLogger(__name__)

Mode = Literal["live", "still"]
EYE_BOX_MARGIN = 0.2  # the subject's eye boxes, in eye widths


class Analyzer:
    def __init__(self, preset: str | Preset = "commercial-headshot", *, mode: Mode = "live") -> None:
        if mode not in ("live", "still"):
            raise ValueError(f"mode must be 'live' or 'still', not {mode!r}")
        self.mode = mode
        self._preset = load_preset(preset)
        self._models = Models(live=mode == "live", max_faces=1 if mode == "live" else 4)
        self._tracker = LiveTracker(self._preset.thresholds) if mode == "live" else None
        self._live_warmed = mode != "live"
        self._aperture: float | None = None
        self._reference: Reference | None = None

    # -- public ----------------------------------------------------------------------------

    @property
    def preset(self) -> Preset:
        return self._preset

    def set_preset(self, preset: str | Preset) -> None:
        self._preset = load_preset(preset)
        if self._tracker is not None:
            self._tracker.preset_changed(self._preset.thresholds)

    def set_camera_hints(self, *, aperture: float | str | None = None) -> None:
        """What the camera's settings say about the lens (the ``depth`` advice names the
        f-number): ``aperture`` as a number or the camera's text ("f/5.6"); None = unknown."""
        from drivers.camera_settings import f_number

        self._aperture = f_number(aperture)

    def set_reference(self, reference: Reference | None) -> None:
        """The team's reference shot the ``consistency`` check compares frames with (None: none).
        A new one's verdict stands from the next frame (no smoothing towards the old one's)."""
        if reference != self._reference and self._tracker is not None:
            self._tracker.forget("consistency")
        self._reference = reference

    @property
    def reference(self) -> Reference | None:
        return self._reference

    def reset(self) -> None:
        """Forget everything learnt about the current subject (new person, new set-up)."""
        if self._tracker is not None:
            self._tracker.reset()

    def close(self) -> None:
        if self._tracker is not None:
            self._tracker.close()
        self._models.close()

    @property
    def model_worker(self) -> ModelWorker | None:
        """Live view's background worker for pose and the person mask (None for stills)."""
        return self._tracker.worker if self._tracker is not None else None

    @property
    def scene_worker(self) -> SceneWorker | None:
        """Live view's background worker for the mask checks (None for stills)."""
        return self._tracker.scene if self._tracker is not None else None

    def __enter__(self) -> Analyzer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def analyse_frame(self, frame: LiveFrame, source: str = "live") -> Analysis:
        """A live frame; one from live view's first stage (:mod:`studio.vision.ahead`) goes on
        from where that stage left it, if it was reduced to this preset's analysis size."""
        if not self._live_warmed:  # on the loop's thread: the graphs are bound to it
            self._live_warmed = True
            try:
                self._models.warm_live(self._preset.thresholds.detector_min_score)
            except Exception:  # built on first use instead
                log.exception("the vision thread's graphs could not be built ahead")
        max_side = self._preset.thresholds.max_analysis_side
        if isinstance(frame, PreparedFrame) and frame.max_side == max_side and self._tracker is not None:
            watch = Stopwatch(dict(frame.timings))  # the first stage's parts, with the rest
            watch.add("ahead", sum(frame.timings.values()))  # ("total" is this thread's part)
            got, ahead = frame.input, frame
        else:
            watch = Stopwatch()  # a large frame is analysed reduced, its eyes cut at full size
            got, ahead = live_input(frame, max_side, watch), None
        return self._analyse(got.image, got.full, got.full_scale, watch, source=source, frame=frame.seq,
                             timestamp=frame.timestamp, size=got.native, ahead=ahead)

    def ahead_hints(self) -> tuple[float, bool]:
        """What live view's first stage should do for the next frame: the analysis size, and
        whether the frame-wide face mesh is needed (:meth:`MeshAhead.follow`)."""
        th = self._preset.thresholds
        wide = self._tracker.wants_wide_mesh(th) if self._tracker is not None else True
        return th.max_analysis_side, wide

    def analyse_image(
        self, image_bgr: np.ndarray, *, source: str, frame: int | None = None, timestamp: float | None = None
    ) -> Analysis:
        if image_bgr is None or not isinstance(image_bgr, np.ndarray) or image_bgr.ndim not in (2, 3):
            raise ImageError("expected a BGR image array")
        if image_bgr.dtype != np.uint8 or image_bgr.ndim != 3 or image_bgr.shape[2] != 3:
            image_bgr = to_bgr8(image_bgr)  # grey, BGRA, 16-bit…
        h, w = image_bgr.shape[:2]
        watch = Stopwatch()
        small = watch.timed("resize", lambda: self._to_analysis_size(image_bgr, (w, h)))
        scale = w / small.shape[1]
        return self._analyse(small, image_bgr, scale, watch, source=source, frame=frame, timestamp=timestamp)

    def analyse_path(self, path: str | os.PathLike[str]) -> Analysis:
        """A still from disk. A large JPEG is decoded at reduced size (:func:`read_still`) and
        decoded larger only if the eyes need the detail; the analysed image is the same size
        as :meth:`analyse_image` of the full decode would analyse."""
        watch = Stopwatch()
        still = watch.timed("decode", lambda: read_still(path, self._preset.thresholds.max_analysis_side))
        small = watch.timed("resize", lambda: self._to_analysis_size(still.image, still.native))
        before = watch.timings["decode"] + watch.timings["resize"]
        analysis = self._analyse(
            small,
            still.image,
            still.image.shape[1] / small.shape[1],
            watch,
            source=str(path),
            frame=None,
            timestamp=None,
            detail=still if still.reduce > 1 else None,
            size=still.native,
        )
        # A still's total includes reading it (a live frame's does not: the camera decodes).
        timings = dict(analysis.timings)
        timings["total"] += before
        return replace(analysis, timings=timings)

    def _to_analysis_size(self, image: np.ndarray, native: tuple[int, int]) -> np.ndarray:
        """``image`` (the picture at ``native`` size, or a reduced decode of it) scaled to the
        analysis size: ≤ max_analysis_side, rounded from the native size."""
        w, h = native
        k = min(1.0, self._preset.thresholds.max_analysis_side / max(h, w))
        if k >= 1.0:
            return image
        target = (max(1, round(w * k)), max(1, round(h * k)))  # a sliver never rounds to 0 px
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
        watch: Stopwatch,
        *,
        source: str,
        frame: int | None,
        timestamp: float | None,
        detail: StillSource | None = None,
        size: tuple[int, int] | None = None,
        ahead: PreparedFrame | None = None,
    ) -> Analysis:
        start = time.perf_counter()
        preset = self._preset
        if ahead is not None:
            rgb = ahead.rgb
            view = Frame(image, rgb, full, full_scale, detail, ahead=True, wide=ahead.wide)
        else:
            rgb = watch.timed("convert", lambda: cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
            view = Frame(image, rgb, full, full_scale, detail)
        tracker = self._tracker
        if tracker is None:
            ctx = self._still_context(view, watch)
        else:
            ctx = tracker.context(view, preset, self._models, watch,
                                  timestamp if timestamp is not None else time.monotonic())
        if self._aperture is not None:
            ctx = replace(ctx, aperture=self._aperture)
        if self._reference is not None:
            ctx = replace(ctx, reference=self._reference)
        shot = shot_type(ctx)
        verdicts = evaluate(ctx, preset.checks, tracker.held if tracker else {}, watch)
        results = [graded(preset, v.result) for v in verdicts]
        if tracker is not None:
            results, shot = tracker.track(ctx, rgb, verdicts, results, shot)
            shown = next((r for r in results if r.id == "framing"), None)  # one shot per frame
            shot = str(shown.fields.get("shot", shot)) if shown is not None else shot
        required, excused, ready = readiness(preset, ctx.subject is not None, shot, results)
        watch.add("total", (time.perf_counter() - start) * 1000.0)
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
            subject=subject_face(ctx),
            timings=watch.timings,
            required=required,
            excused=excused,
        )

    def _still_context(self, view: Frame, watch: Stopwatch) -> FrameContext:
        """A still: every face, and pose and mask computed here if a check asks for them."""
        preset, models = self._preset, self._models
        faces, detected = find_still_faces(models, view, preset.thresholds, watch)
        wanted = preset.checks
        need_pose = "framing" in wanted and bool(faces)
        need_mask = any(c in wanted for c in MASK_CHECKS) and bool(faces)
        return FrameContext(
            view.image,
            th=preset.thresholds,
            faces=faces,
            detected_only=detected,
            live=False,
            full_source=view.full,
            source_scale=view.full_scale,
            pose_source=(lambda: watch.timed("pose", lambda: models.pose(view.rgb))) if need_pose else None,
            mask_source=(
                (lambda: watch.timed("mask", lambda: models.person_mask(small_rgb(view.rgb, MASK_WIDTH))))
                if need_mask
                else None
            ),
            preset=preset,
            detail=view.detail,
        )


def subject_face(ctx: FrameContext) -> Face | None:
    """The main subject's geometry, normalised to the frame, for the Analysis."""
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
        left_eye=ctx.norm_box(*s.left_eye.box(EYE_BOX_MARGIN)),
        right_eye=ctx.norm_box(*s.right_eye.box(EYE_BOX_MARGIN)),
        landmarks=lm,
        yaw=s.yaw,
        pitch=s.pitch,
        roll=s.roll,
    )
