"""Track: everything live view carries from one frame to the next, in one place.

Per frame the analyser asks the tracker for the frame's :class:`FrameContext` (:meth:`context`)
and, after the checks ran, hands it their verdicts (:meth:`track`). In between the checks only
read frozen values. The tracker owns:

- face following (:class:`~studio.vision.faces.LiveFaces`), coasting through a dropout of a
  frame or two;
- the schedule of periodic work (:class:`~studio.vision.schedule.Schedule`): which slow
  measurements (glasses, eye sharpness) are due on this frame and the ones carried from earlier
  frames;
- the model worker: what it is handed (pose only while a check reads it, the mask while a check
  needs it, the detector while faces are seen) and which of its results are usable;
- the scene worker (:mod:`studio.vision.scene_worker`): the mask checks' verdicts, judged there
  when a new mask has arrived and shown until the next ones are published (a subject's first
  mask: on this thread);
- this subject's recent eye ratios and sharpness, fed by the checks' observations;
- the smoothing of verdicts and of the shot type, within one face decision: when the frame's
  face decision changes (a face found, lost, or too small to analyse) smoothing starts afresh,
  so no verdict about an earlier face is shown beside the new decision.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from studio.analysis import CheckResult
from studio.vision.checks.eyes import observe_eyes
from studio.vision.context import Detected, FrameContext, Recent, face_state, main_subject
from studio.vision.faces import Frame, LiveFaces
from studio.vision.landmarks import FaceGeometry
from studio.vision.model_worker import Job, Measured, ModelWorker
from studio.vision.models import Models
from studio.vision.presets import Preset
from studio.vision.scene_worker import SceneDesk
from studio.vision.schedule import Pace, Schedule
from studio.vision.smoothing import Smoother
from studio.vision.stale import jumped, trusted_detections
from studio.vision.thresholds import Thresholds
from studio.vision.timing import Stopwatch
from studio.vision.verdict import EyesSeen, FocusSeen, Observation, Verdict

MASK_CHECKS = ("background", "clothing", "depth")
CARRIED = ("glasses", "focus")  # slow measurements (ctx.measure keys) carried between frames
# Of those, the ones taken again on the scene worker once a value is carried: none. The glasses
# measure there (1-2 frames later) raised the fixture video's glasses / glare flips from 3 / 3 to
# 5 / 5-7 in 9.2 s (scripts/tune_scene.py live, two runs each): it stays on the vision thread.
OFFLOADED: tuple[str, ...] = ()
NEVER = -(10**9)


@dataclass(frozen=True)
class _FramePlan:
    """What the tracker decided for the frame in hand, before its checks ran."""

    need_pose: bool
    need_mask: bool
    mask_key: tuple[int, int] | None  # (epoch, frame) of the mask this frame uses
    held: Mapping[str, Verdict]  # mask checks not judged on this frame (the newest verdicts)
    offload: tuple[str, ...] = ()  # slow measurements due, handed to the scene worker


class LiveTracker:
    def __init__(self, th: Thresholds) -> None:
        self.worker = ModelWorker()
        self._desk = SceneDesk()
        self.scene = self._desk.worker
        self.schedule = Schedule()
        self._pace = Pace()
        self._faces = LiveFaces()
        self._smoother = Smoother(int(th.hysteresis_frames))
        self._ear: dict[str, deque[float]] = {}
        self._focus: deque[tuple[float, float]] = deque()
        self._eye_sharpness: deque[float] = deque()
        self._carried: dict[str, Any] = {}  # slow measurement -> its last value
        # Worker results carry the epoch they belong to (a reset starts a new one).
        self._epoch = 0
        self._size: tuple[int, int] = (0, 0)
        self._pose_asked = NEVER  # last frame a check read pose (body shots only)
        self._submitted = NEVER  # last frame handed to the worker
        self._plan: _FramePlan | None = None
        self._story = ""  # the face decision (context.FaceDecision.state) the smoothing is about
        self._last_faces: tuple[list[FaceGeometry], list[Detected]] | None = None  # for coasting
        self._stable_state = ""  # the face decision of those faces
        self._coast = 0  # frames the last faces have been carried through a dropout
        self._followed: tuple[float, float, float, float] | None = None  # last frame's main face box
        self._cut_at = NEVER  # last frame the followed face jumped (stale.jumped)

    # -- lifecycle -------------------------------------------------------------------------

    def forget(self, check_id: str) -> None:
        """One check's smoothing history only (the consistency reference changed)."""
        self._smoother.forget(check_id)

    def reset(self) -> None:
        """Forget the subject: history, carried measurements, smoothing, the worker's results."""
        self._smoother.reset()
        self._ear, self._carried = {}, {}
        self._focus.clear()
        self._eye_sharpness.clear()
        self.schedule = Schedule()
        self._faces.reset()
        self._last_faces, self._stable_state, self._coast = None, "", 0
        self._followed, self._cut_at = None, NEVER
        self._desk.forget_verdicts()
        self._desk.measured_at = NEVER
        self._epoch += 1
        self._pose_asked = self._submitted = NEVER
        self.worker.forget()
        self.scene.forget()

    def preset_changed(self, th: Thresholds) -> None:
        """Pose and mask describe the frame, not the preset: they stay. Verdicts made from them
        with the old preset's thresholds do not."""
        self._smoother = Smoother(int(th.hysteresis_frames))
        self._desk.generation += 1
        self._desk.forget_verdicts()

    def close(self) -> None:
        self.worker.close()
        self.scene.close()

    # -- before the checks -----------------------------------------------------------------

    def context(self, frame: Frame, preset: Preset, models: Models, watch: Stopwatch,
                timestamp: float) -> FrameContext:
        """This frame's faces, what is due and carried, the worker's newest pose and mask.
        ``timestamp``: the frame's arrival (its source's pace stretches the periods)."""
        th, wanted = preset.thresholds, preset.checks
        self.schedule.frame += 1
        self.schedule.stretch = self._pace.stretch(timestamp)
        if frame.size != self._size:
            self._desk.restart()  # judged on frames of another size (another camera, bars cut)
        self._size = frame.size
        faces, detected = self._faces.find(
            models, frame, th, self.schedule, lambda: self._usable("detect"), watch
        )
        detected = self._current(faces, detected, th)
        faces, detected = self._coasted(faces, detected, th)
        need_pose = "framing" in wanted and bool(faces)
        need_mask = any(c in wanted for c in MASK_CHECKS) and bool(faces)
        has_subject = main_subject(faces, detected, th) is not None
        self._desk.take_measured(self._epoch, self._carried)
        due = self.schedule.plan(_slow_measurements(has_subject, wanted, th))
        offload = tuple(k for k in OFFLOADED if k in due and k in self._carried)
        due = due.difference(offload)
        mask = self._usable("mask") if need_mask else None  # taken once: another may finish meanwhile
        pose = self._usable("pose") if need_pose else None
        mask_key = (mask.epoch, mask.frame) if mask is not None else None
        held = self._desk.held([c for c in wanted if c in MASK_CHECKS], mask_key, self._epoch)
        self._plan = _FramePlan(need_pose, need_mask, mask_key, MappingProxyType(held), offload)
        return FrameContext(
            frame.image,
            th=th,
            faces=faces,
            detected_only=detected,
            live=True,
            full_source=frame.full,
            source_scale=frame.full_scale,
            pose_source=lambda: pose.value if pose is not None else None,
            mask_source=lambda: mask.value if mask is not None else None,
            recent=self._recent(),
            preset=preset,
            detail=frame.detail,
            due=due,
            carried=MappingProxyType(dict(self._carried)),
        )

    def _coasted(
        self, faces: list[FaceGeometry], detected: list[Detected], th: Thresholds
    ) -> tuple[list[FaceGeometry], list[Detected]]:
        """The faces the frame is judged on. A face decision that changes for a frame or two (a
        hand or a microphone across the face, a missed mesh, a detector box from an older frame
        taken for a larger face) keeps the last frame's faces, at most ``hysteresis_frames - 1``
        frames: the one face decision, and every verdict that follows it, does not flicker.
        A change that lasts is taken."""
        state = face_state(faces, detected, th)
        last = self._last_faces
        if last is not None and state != self._stable_state and self._coast < int(th.hysteresis_frames) - 1:
            self._coast += 1
            return last
        self._last_faces, self._stable_state, self._coast = (list(faces), list(detected)), state, 0
        return faces, detected

    def _current(self, faces: list[FaceGeometry], detected: list[Detected], th: Thresholds) -> list[Detected]:
        """The detector's boxes that still describe this frame (:mod:`studio.vision.stale`)."""
        main = max(faces, key=lambda f: f.area).box if faces else None
        if jumped(self._followed, main, th):
            self._cut_at = self.schedule.frame
        self._followed = main or self._followed  # a frame without the mesh face is no cut
        return trusted_detections(
            detected, faces, measured_at=self._faces.detected_at, frame=self.schedule.frame,
            cut_at=self._cut_at, th=th,
        )

    def wants_wide_mesh(self, th: Thresholds) -> bool:
        """Whether the next frame needs the frame-wide face mesh (live view's first stage, run
        ahead on its own thread, skips it otherwise)."""
        return self._faces.wants_wide_mesh(self.schedule, int(th.detector_every))

    @property
    def held(self) -> Mapping[str, Verdict]:
        """Verdicts of this frame's mask checks that are not judged again (no new mask)."""
        return self._plan.held if self._plan is not None else MappingProxyType({})

    def _recent(self) -> Recent:
        return Recent(
            ear_right=tuple(self._ear.get("right", ())),
            ear_left=tuple(self._ear.get("left", ())),
            eye_sharpness=tuple(self._eye_sharpness),
            focus=tuple(self._focus),
        )

    def _usable(self, kind: str) -> Measured | None:
        """The worker's newest ``kind`` result if it belongs to this subject (epoch) and frame
        size. Whatever its age: the worker is handed a frame every ``*_every`` frames, so it is
        that old under normal load; a starved worker makes it older, never missing (a verdict
        flickering to "not measured" would be worse than one judged on a slightly older mask)."""
        found = self.worker.latest(kind)
        if found is None or (found.epoch, found.size) != (self._epoch, self._size):
            return None
        return found if found.frame <= self.schedule.frame else None

    # -- after the checks ------------------------------------------------------------------

    def track(
        self,
        ctx: FrameContext,
        rgb: np.ndarray,
        verdicts: Sequence[Verdict],
        results: Sequence[CheckResult],
        shot: str,
    ) -> tuple[list[CheckResult], str]:
        """Apply what this frame measured and observed, feed the worker, smooth the verdicts."""
        plan = self._plan
        assert plan is not None, "track() follows context()"
        observations = [v.observation for v in verdicts if v.observation is not None]
        if not any(isinstance(o, EyesSeen) for o in observations):
            # The EAR calibration also serves catchlights' eye states when eyes_open is off.
            seen = observe_eyes(ctx)
            if seen is not None:
                observations.append(seen)
        self._keep_measurements(ctx)
        self._to_scene(ctx, verdicts, plan)
        if ctx.faces:
            if plan.need_pose and ctx.pose_read:
                self._pose_asked = self.schedule.frame
            asked = self.schedule.frame - self._pose_asked <= 2 * self._every(ctx.th.pose_every)
            self._feed_worker(rgb, ctx.th, pose=plan.need_pose and asked, mask=plan.need_mask)
        for observation in observations:
            self._observe(observation, ctx.th)
        story = ctx.face_decision.state
        if story != self._story:  # one story per frame: no verdict outlives the face it was about
            self._smoother.reset()
            self._story = story
        smoothed = [self._smoother.smooth(r) for r in results]
        return smoothed, self._smoother.smooth_shot(shot)

    def _keep_measurements(self, ctx: FrameContext) -> None:
        for key, value in ctx.fresh_measurements.items():
            if key in CARRIED:
                self._carried[key] = value
                self.schedule.ran(key)

    def _to_scene(self, ctx: FrameContext, verdicts: Sequence[Verdict], plan: _FramePlan) -> None:
        """Keep the mask verdicts judged on this frame; hand the scene worker a newer mask and
        the measurements due (only with a subject: without one the verdicts say the face
        decision, not the scene)."""
        if not ctx.face_decision.has_subject:
            self._desk.restart()  # a verdict judged before the gap is not the next subject's
            return
        newer = None
        if plan.mask_key is not None:
            judged = {v.result.id: v for v in verdicts if v.result.id in MASK_CHECKS}
            newer = self._desk.keep(judged, plan.mask_key, bool(plan.held))
        ids = tuple(c for c in ctx.preset.checks if c in MASK_CHECKS)
        self._desk.hand_over(ctx, newer, ids, plan.offload, self.schedule.frame, self._epoch)
        for key in plan.offload:
            self.schedule.ran(key)

    def _observe(self, observation: Observation, th: Thresholds) -> None:
        if isinstance(observation, EyesSeen):
            for side, ear in observation.open_ear:
                kept = self._ear.setdefault(side, deque())
                kept.append(ear)
                _trim(kept, int(th.ear_history_frames))
        elif isinstance(observation, FocusSeen):
            self._focus.append((observation.relative, observation.blur))
            _trim(self._focus, int(th.focus_median_frames))
            self._eye_sharpness.append(1.0 / observation.eye_sigma_px)
            _trim(self._eye_sharpness, int(th.focus_history_length))

    def _every(self, period: float) -> int:
        """A period of frames at 30 fps, in frames of this source (:class:`Schedule`)."""
        return int(period) * self.schedule.stretch

    def _feed_worker(self, rgb: np.ndarray, th: Thresholds, *, pose: bool, mask: bool) -> None:
        """Hand this frame to the model worker when a result is due (never waits for it)."""
        periods = {"pose": th.pose_every, "mask": th.mask_every, "detect": th.detector_every}
        periods = {kind: self._every(every) for kind, every in periods.items()}
        want = {"pose": pose, "mask": mask, "detect": True}
        wanted = [kind for kind, yes in want.items() if yes]
        if self.worker.busy:
            return
        frame = self.schedule.frame
        missing = any(self._usable(kind) is None for kind in wanted)
        if missing or frame - self._submitted >= min(periods[k] for k in wanted):
            rgb.flags.writeable = False  # shared with the worker thread from here on
            job = Job(
                rgb, frame, self._epoch, pose=pose, mask=mask, detect=True, min_score=th.detector_min_score
            )
            self.worker.submit(job)
            self._submitted = frame


def _slow_measurements(subject: bool, wanted: Sequence[str], th: Thresholds) -> list[tuple[str, int]]:
    """The slow measurements a frame takes if due, in priority order, with their periods:
    glasses whenever there is a subject (eye states read them), eye sharpness when eye_focus
    is judged."""
    if not subject:
        return []
    slow = [("glasses", int(th.glasses_every))]
    if "eye_focus" in wanted:
        slow.append(("focus", int(th.focus_every)))
    return slow


def _trim(values: deque[Any], keep: int) -> None:
    while len(values) > max(keep, 0):
        values.popleft()
