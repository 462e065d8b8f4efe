"""Live view: a detector box from an older frame is not a second face (studio/vision/stale.py);
a large face without landmarks is turned away, not "too small or blurred" (context.unjudged_reason).

On the real stage video (every frame, in order, live mode) the singer is alone on the stage
from frame 84 to 211, moving his head. Before the fix the worker's older detector boxes, left
beside his moved face, made "2 faces: checks follow the largest one" on 59 of those frames and a
"Group" framing on 35: false alarms. The audience shots before and after stay as they are.
"""

from __future__ import annotations

import pytest

from drivers.base import LiveFrame
from drivers.replay.sources import open_frame_source
from studio.vision.context import Detected
from studio.vision.landmarks import FaceGeometry
from studio.vision.stale import grown, jumped, overlaps, trusted_detections
from studio.vision.thresholds import Thresholds

SINGER_ALONE = range(84, 212)  # frames of the one-person stage shot (looked at, frame by frame)


@pytest.fixture(scope="module")
def stage_analyses(liveview_video):
    from studio.vision.analyzer import Analyzer

    source = open_frame_source(liveview_video)
    out = []
    with Analyzer("commercial-headshot", mode="live") as analyzer:
        for i, (ts, jpeg) in enumerate(source.frames()):
            out.append(analyzer.analyse_frame(LiveFrame(jpeg, i, ts, (0, 0))))
    source.close()
    return out


def test_singer_alone_is_one_face(stage_analyses) -> None:
    alone = [stage_analyses[i] for i in SINGER_ALONE]
    two = [a.frame for a in alone if a.check("face").message.startswith("2 faces")]
    group = [a.frame for a in alone if a.check("framing").message.startswith("Group")]
    assert two == [] and group == [], (two, group)
    assert sum(a.subject is not None for a in alone) == len(alone)


def test_real_audience_faces_still_counted(stage_analyses) -> None:
    """Frames 214-215: three people, the detector's boxes of the two beside the tracked face
    are current and real; they still count."""
    assert any(stage_analyses[i].check("face").message.startswith("2 faces") for i in (214, 215))


class _Face:
    """Only what trusted_detections reads of a FaceGeometry."""

    def __init__(self, box: tuple[float, float, float, float]) -> None:
        self.box = box


def test_rules_on_boxes() -> None:
    th = Thresholds()
    face = _Face((100.0, 100.0, 200.0, 220.0))
    beside = Detected((60.0, 110.0, 170.0, 240.0), 0.9)  # the same face, a few frames ago
    far = Detected((400.0, 100.0, 500.0, 220.0), 0.9)  # someone else
    faces: list[FaceGeometry] = [face]  # type: ignore[list-item]
    now = trusted_detections([beside, far], faces, measured_at=10, frame=10, cut_at=-1, th=th)
    assert now == [beside, far]  # measured on this frame: kept
    old = trusted_detections([beside, far], faces, measured_at=5, frame=10, cut_at=-1, th=th)
    assert old == [far]
    assert trusted_detections([far], faces, measured_at=5, frame=10, cut_at=7, th=th) == []
    assert overlaps(grown(face.box, 0.5), beside.box) and not overlaps(grown(face.box, 0.5), far.box)
    assert jumped(face.box, (400.0, 100.0, 500.0, 220.0), th)
    assert jumped(face.box, (100.0, 100.0, 260.0, 290.0), th)  # 1.6x wider
    assert not jumped(face.box, (120.0, 105.0, 225.0, 230.0), th)
    assert not jumped(None, face.box, th)


def test_a_large_profile_is_not_called_small_or_blurred(stage_analyses) -> None:
    """Frames 32-38: a sharp profile ~160-190 px wide fills the frame; the mesh finds no
    landmarks on it. "Face too small or blurred to analyse" was false there (7 of 7 frames)."""
    for i in range(32, 39):
        face = stage_analyses[i].check("face")
        assert face.fields["decision"] == "unjudged"
        assert face.message == "Face turned away or covered: nothing to analyse", (i, face.message)
        assert stage_analyses[i].check("eyes_open").message == face.message
