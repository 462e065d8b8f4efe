"""One story per frame: every check reads the frame's one face decision.

Real photos with no face, several faces, a face too small or blurred to analyse and small
faces that can still be analysed, as stills and as a live-view sequence that jumps between
them (the smoothing must never show a verdict about a face the frame no longer has)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.base import LiveFrame
from studio.analysis import Analysis, Status
from studio.vision import Analyzer, load_image

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "portraits"
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not found at {FIXTURES}")

FRAME_CHECKS = ("face", "framing")
NO_SUBJECT_WORDS = ("No face", "too small or blurred", "turned away or covered")


def _pasted(name: str, width: int) -> np.ndarray:
    """A real photo shrunk to ``width`` px on a 640x480 frame (a soft blue-grey gradient, so no
    decoder takes it for a truncated JPEG's grey fill): a small or tiny face."""
    image = load_image(FIXTURES / name)
    k = width / image.shape[1]
    small = cv2.resize(image, (width, max(1, round(image.shape[0] * k))), interpolation=cv2.INTER_AREA)
    ramp = np.linspace(90, 170, 640, dtype=np.float32)[None, :, None]
    canvas = np.broadcast_to(ramp * np.array([1.1, 1.0, 0.9], np.float32), (480, 640, 3)).astype(np.uint8)
    canvas = np.ascontiguousarray(canvas)
    canvas[100 : 100 + small.shape[0], 300 : 300 + width] = small
    return canvas


def _cases() -> list[tuple[str, np.ndarray]]:
    whole = ["skimage__chelsea_cat_noperson.png", "opencvdoc__fruits_noperson.jpg", "frec__two_people.jpg",
             "ultralytics__zidane.jpg", "dlib__faces_2008_002506.jpg", "deepface__img24.jpg",
             "lfw__Anna_Jones_0001.jpg", "inspireface__bulk_blur.jpg"]
    cases = [(name, load_image(FIXTURES / name)) for name in whole]
    for name, width in (("codeformer__cropped_faces_0599.png", 100), ("lfw__Anna_Jones_0001.jpg", 80),
                        ("facenetpt__paul_rudd_1.jpg", 40),
                        ("facenetpt__paul_rudd_1.jpg", 80), ("deepface__img24.jpg", 40),
                        ("deepface__img24.jpg", 80)):
        cases.append((f"{name}@{width}px", _pasted(name, width)))
    return cases


def assert_one_story(a: Analysis) -> str:
    """Every check of ``a`` agrees with its face decision; returns the decision."""
    face = a.check("face")
    assert face is not None
    decision = face.fields["decision"]
    about_subject = [c for c in a.checks if c.id not in FRAME_CHECKS]
    framing = a.check("framing")
    if decision == "subject":
        assert a.subject is not None and a.faces >= 1 and a.shot != "none"
        assert face.status is not Status.FAIL
        for c in about_subject:
            assert not any(w in c.message for w in NO_SUBJECT_WORDS), (c.id, c.message)
        if framing is not None:
            assert framing.message != "No face to frame"
        return decision
    assert a.subject is None and not a.ready
    for c in about_subject:
        assert c.status is Status.UNKNOWN and c.regions == (), (c.id, c.status, c.message)
        assert any(w in c.message for w in NO_SUBJECT_WORDS), (c.id, c.message)
    if decision == "none":
        assert a.faces == 0 and a.shot == "none" and face.status is Status.FAIL
        assert all(c.message == "No face" for c in about_subject)
    else:
        assert decision == "unjudged" and a.faces >= 1 and face.status is Status.WARN
        assert all(c.message == face.message for c in about_subject)
        if framing is not None:
            assert framing.status is Status.UNKNOWN
    return decision


@pytest.mark.parametrize("preset", ["commercial-headshot", "portrait", "id-photo"])
def test_every_still_tells_one_story(preset):
    seen = set()
    with Analyzer(preset, mode="still") as analyzer:
        for name, image in _cases():
            a = analyzer.analyse_image(image, source=name)
            seen.add(assert_one_story(a))
    assert seen == {"none", "unjudged", "subject"}  # all three decisions were exercised


def test_live_view_jumping_between_faces_tells_one_story_on_every_frame():
    """Frames alternate in runs between a face, no face, a face too small to analyse and a
    group: whatever the smoothing holds, each analysis agrees with its own face decision."""
    cases = dict(_cases())
    order = ["deepface__img24.jpg", "skimage__chelsea_cat_noperson.png", "deepface__img24.jpg",
             "codeformer__cropped_faces_0599.png@100px", "frec__two_people.jpg", "deepface__img24.jpg",
             "codeformer__cropped_faces_0599.png@100px", "opencvdoc__fruits_noperson.jpg"]
    frames = []
    for name in order:
        image = cv2.resize(cases[name], (640, 480), interpolation=cv2.INTER_AREA)
        jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes()
        frames += [jpeg] * 4  # a few frames each: long enough for smoothing to hold a verdict
    seen = []
    with Analyzer("commercial-headshot", mode="live") as analyzer:
        for i, jpeg in enumerate(frames):
            a = analyzer.analyse_frame(LiveFrame(jpeg, i + 1, i / 30.0, (640, 480)))
            seen.append(assert_one_story(a))
    assert {"none", "unjudged", "subject"} <= set(seen)


def test_a_face_lost_for_one_frame_is_coasted_and_a_lasting_loss_is_taken():
    """A hand or a microphone across the face for a frame: the subject is carried through (no
    flicker to "no face" and back); gone for longer, the frame says so within 3 frames."""
    cases = dict(_cases())
    face = cv2.resize(cases["deepface__img24.jpg"], (640, 480), interpolation=cv2.INTER_AREA)
    cat = cv2.resize(cases["skimage__chelsea_cat_noperson.png"], (640, 480), interpolation=cv2.INTER_AREA)
    order = [face] * 6 + [cat] + [face] * 6 + [cat] * 6
    decisions = []
    with Analyzer("commercial-headshot", mode="live") as analyzer:
        for i, image in enumerate(order):
            jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes()
            a = analyzer.analyse_frame(LiveFrame(jpeg, i + 1, i / 30.0, (640, 480)))
            decisions.append(assert_one_story(a))
    assert decisions[:13] == ["subject"] * 13  # the one-frame loss (frame 7) was coasted
    assert decisions[-4:] == ["none"] * 4  # a lasting loss is taken after at most 2 frames
