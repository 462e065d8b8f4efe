"""The crop is named by where the bottom edge cuts the body, never by the frame's width.

The bundled sample recording (the astronaut photo, 1024x680 landscape) opens on a bust: the
frame ends across the upper chest (looked at: frames 0-47, docs/screenshots/problem-framing.png).
Before the fix a chest-level frame counted as a headshot only when the head filled 40 % of the
frame's width, so this wide frame was called "Half-length: the preset wants headshot" and the
window said "Zoom in" on the first thing a new user sees. The same photo padded to a wider
frame must keep its crop name too.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.base import LiveFrame
from drivers.replay.sources import open_frame_source
from studio.vision import Analyzer, load_image
from studio.vision.checks.framing import CROPS

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
OPENING_BUST = range(0, 48)  # by eye: bust (bottom edge across the upper chest)


@pytest.fixture(scope="module")
def sample_analyses(sample_recording):
    source = open_frame_source(sample_recording)
    out = []
    with Analyzer("commercial-headshot", mode="live") as analyzer:
        for i, (ts, jpeg) in enumerate(source.frames()):
            out.append(analyzer.analyse_frame(LiveFrame(jpeg, i, ts, (0, 0))))
    source.close()
    return out


def test_sample_opening_is_a_bust_not_half_length(sample_analyses) -> None:
    wrong = [(a.frame, a.check("framing").message) for a in sample_analyses[: len(OPENING_BUST)]
             if a.check("framing").fields.get("crop") not in ("bust", "head-and-shoulders")]
    assert wrong == [], wrong
    asked = [a.frame for a in sample_analyses if "shot-type" in a.check("framing").fields["problems"]]
    assert asked == [], asked  # every frame of the sample is a headshot crop


def test_one_shot_per_frame(sample_analyses) -> None:
    """The analysis' shot is the shot of the framing verdict shown in the same frame."""
    split = [a.frame for a in sample_analyses if a.shot != a.check("framing").fields["shot"]]
    assert split == [], split


@pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not found at {FIXTURES}")
def test_wider_frame_keeps_the_crop_name() -> None:
    """Busts (labelled by eye, frames ending across the chest) and a head-and-shoulders, padded
    left and right with a plain grey to 2:1: the same crop name (before: half-length)."""
    with Analyzer("portrait", mode="still") as analyzer:
        for name in ("glasses-pool/noglasses_008.jpg", "glasses-pool/noglasses_089.jpg",
                     "portraits/deepface__img24.jpg"):
            image = load_image(FIXTURES / name)
            h, w = image.shape[:2]
            pad = max(0, (2 * h - w) // 2)
            wide = cv2.copyMakeBorder(image, 0, 0, pad, pad, cv2.BORDER_CONSTANT, value=(128, 128, 128))
            crops = [analyzer.analyse_image(np.ascontiguousarray(im), source=name).check("framing")
                     .fields["crop"] for im in (image, wide)]
            assert crops[0] in CROPS[:3] and crops[1] == crops[0], (name, crops)
