"""The 1080p line of ``studio bench``: full analysis of 1920×1080 frames against the bare face
mesh on the same frames, in the same run.

Two forms of the same frames, each with its own baseline:

- ``raw``: BGR arrays in ``LiveFrame.pixels``, as the video-capture source (:mod:`drivers.video`)
  delivers them: baseline = BGR→RGB + face mesh at 1920×1080;
- ``jpeg``: 1080p JPEGs as a camera body would send them: baseline = decode + BGR→RGB + face mesh.

The full analysis finds the face at a reduced size and cuts the eyes from the full-size frame
(:mod:`studio.vision.live_input`), its first stage one frame ahead on a thread of its own as in
live view (:mod:`studio.bench.interleave`). ``fps_1080p`` (frames analysed per second, every
frame) and ``ratio_1080p`` (wall time per analysed frame over the bare mesh's per frame) in the
summary are the raw form's (the 60 fps sources are capture cards). Nothing here asserts.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from drivers.base import LiveFrame
from studio.bench.frames import FrameSet
from studio.bench.interleave import frame_maker, throughput, time_interleaved
from studio.bench.stats import summary_ms

SIZE_1080P = (1920, 1080)
WORKERS = ("model_worker", "scene_worker")  # threads beside the vision thread (pose, mask; mask checks)


def _frames(frames: FrameSet, raw: bool) -> list[Callable[[int], LiveFrame]]:
    """Per frame, a maker of its LiveFrame (seq given): pixels decoded beforehand (untimed)."""
    makers: list[Callable[[int], LiveFrame]] = []
    for data in frames.jpegs:
        if raw:
            pixels = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
            pixels.flags.writeable = False
            makers.append(frame_maker(b"", frames.size, pixels))
        else:
            makers.append(frame_maker(data, frames.size, None))
    return makers


def per_frame_hd(frames: FrameSet, preset: str, *, raw: bool) -> dict:
    """Median/p95 of the bare face mesh and of the full analysis's latency on the same 1080p
    frames, and the full analysis's throughput."""
    import mediapipe as mp

    from studio.vision import Analyzer

    mesh = mp.solutions.face_mesh.FaceMesh(static_image_mode=False, max_num_faces=1,
                                           refine_landmarks=True)
    analyser = Analyzer(preset, mode="live")
    workers: dict[str, dict[str, float]] = {}
    try:
        timed = time_interleaved(_frames(frames, raw), mesh, analyser)
        for name, worker in (("model_worker", analyser.model_worker),
                             ("scene_worker", analyser.scene_worker)):
            if worker is not None:
                worker.wait_idle(5.0)
                workers[name] = {"runs": worker.runs, "ms_per_run": worker.busy_ms / max(worker.runs, 1),
                                 "ms_per_frame": worker.busy_ms / max(len(frames.jpegs), 1)}
    finally:
        mesh.close()
        analyser.close()
    base, full, stages = summary_ms(timed.base_s), summary_ms(timed.full_s), timed.stages
    # The workers' threads (pose, mask, detector; the mask checks) run beside the timed frames:
    # their wall time per frame is reported next to the full analysis, not inside it.
    return {"frames": f"{frames.name} {'raw' if raw else 'jpeg'}", "form": "raw" if raw else "jpeg",
            "baseline": base, "full": full, **throughput(timed, base, full),
            "baseline_fps": 1000.0 / base["median_ms"],
            "stages": {k: summary_ms(v) for k, v in sorted(stages.items())}, **workers}


def run_hd(frames: FrameSet, preset: str) -> dict:
    """Both forms of the 1080p frames; the summary's figures come from ``raw``."""
    return {"raw": per_frame_hd(frames, preset, raw=True), "jpeg": per_frame_hd(frames, preset, raw=False)}


def render_hd(hd: dict) -> list[str]:
    lines = ["", "1080p (1920x1080; face found at 960x540, eyes cut from the full frame; "
                 "first stage one frame ahead)",
             f"  {'':<70} bare mesh: median   p95 |  full: median   p95 | ratio |   fps | workers ms/frame"]
    for form in ("raw", "jpeg"):
        p = hd.get(form)
        if p is None:
            continue
        b, f = p["baseline"], p["full"]
        lines.append(f"  {p['frames']:<70} {b['median_ms']:7.2f} {b['p95_ms']:7.2f} | "
                     f"{f['median_ms']:7.2f} {f['p95_ms']:7.2f} | {p['ratio']:5.2f} | {p['full_fps']:5.0f} | "
                     + " + ".join(f"{p[w]['ms_per_frame']:.1f}" for w in WORKERS if w in p))
    return lines
