"""1080p live view analysed at a reduced size gives the verdicts of the full-size analysis.

The bundled sample's frames scaled to 1920x1080 are analysed three ways: at full size (the
analysis before: ``max_analysis_side`` raised above 1920), and reduced (960x540, eyes cut from
the full frame) both as raw pixels (the video-capture source) and as JPEGs (a camera body).
The mask-based checks (background, clothing, depth) come from the model worker thread whenever
its result is ready, so their timing differs between runs; every other check must agree.
"""

from __future__ import annotations

import dataclasses
import time

import cv2
import numpy as np
import pytest

from drivers.base import LiveFrame
from studio.analysis import Analysis
from studio.app import bundled_sample
from studio.bench.frames import load_frames
from studio.vision import Analyzer
from studio.vision.presets import Preset, load_preset
from studio.vision.tracker import MASK_CHECKS

FRAMES = 45
MIN_AGREEMENT = 0.95


@pytest.fixture(scope="module")
def runs() -> dict[str, list[Analysis]]:
    sample = bundled_sample()
    if not sample.exists():
        pytest.skip("the bundled sample recording is missing")
    frames = load_frames(sample, (1920, 1080), FRAMES, "sample")
    pixels = [cv2.imdecode(np.frombuffer(d, np.uint8), cv2.IMREAD_COLOR) for d in frames.jpegs]
    preset = load_preset("commercial-headshot")
    unreduced = dataclasses.replace(preset.thresholds, max_analysis_side=4096)
    whole = dataclasses.replace(preset, thresholds=unreduced)

    def run(p: Preset, raw: bool) -> list[Analysis]:
        out = []
        with Analyzer(p, mode="live") as analyser:
            for i, (data, px) in enumerate(zip(frames.jpegs, pixels, strict=True)):
                frame = (LiveFrame(b"", i + 1, time.monotonic(), frames.size, pixels=px) if raw
                         else LiveFrame(data, i + 1, time.monotonic(), frames.size))
                out.append(analyser.analyse_frame(frame, "test"))
        return out

    return {"full size": run(whole, True), "raw": run(preset, True), "jpeg": run(preset, False)}


@pytest.mark.parametrize("form", ["raw", "jpeg"])
def test_reduced_analysis_keeps_the_verdicts(runs: dict[str, list[Analysis]], form: str) -> None:
    ref, got = runs["full size"], runs[form]
    assert all(a.size == (1920, 1080) for a in got)
    assert sum(a.subject is not None for a in ref) >= 0.9 * FRAMES  # the sample shows a face
    agree: dict[str, int] = {}
    for a, b in zip(ref, got, strict=True):
        theirs = {c.id: c.status for c in b.checks}
        for c in a.checks:
            if c.id not in MASK_CHECKS:
                agree[c.id] = agree.get(c.id, 0) + (theirs.get(c.id) == c.status)
    assert {"eyes_open", "catchlights", "glare", "eye_focus", "framing"} <= set(agree)
    low = {k: v for k, v in agree.items() if v < MIN_AGREEMENT * FRAMES}
    assert not low, f"verdicts that changed on more than 5% of {FRAMES} frames: {low}"
    ready = sum(a.ready == b.ready for a, b in zip(ref, got, strict=True))
    assert ready >= MIN_AGREEMENT * FRAMES
    boxes = [np.abs(np.subtract(a.subject.box, b.subject.box)).max()
             for a, b in zip(ref, got, strict=True) if a.subject and b.subject]
    assert boxes and max(boxes) < 0.01  # the face found at 960x540 is where it is at 1920x1080


def test_reduced_analysis_reports_its_stages(runs: dict[str, list[Analysis]]) -> None:
    raw, jpeg, whole = runs["raw"][-1], runs["jpeg"][-1], runs["full size"][-1]
    assert "resize" in raw.timings and "decode" not in raw.timings  # raw: scaled, never decoded
    assert "decode" in jpeg.timings and "resize" in jpeg.timings
    assert "resize" not in whole.timings and "decode" not in whole.timings  # taken as it is
