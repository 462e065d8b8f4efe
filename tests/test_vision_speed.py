"""What keeps the analysis fast, checked for behaviour (not timings): the model worker of live
view, the spreading of periodic work over frames, and stills decoded at reduced size."""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.base import LiveFrame
from studio.analysis import Status
from studio.app import bundled_sample
from studio.vision import Analyzer, load_image
from studio.vision.image import StillSource, read_still
from studio.vision.schedule import Schedule

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "portraits"


@pytest.fixture(scope="module")
def sample_frames() -> list[bytes]:
    from drivers.recording import RecordingReader

    with RecordingReader(bundled_sample()) as reader:
        frames = [reader.payload(e) for e in reader.frame_entries[:60]]
    assert len(frames) == 60
    return frames


def _live(frames: list[bytes], analyser: Analyzer, start: int = 1):
    return [
        analyser.analyse_frame(LiveFrame(data, start + i, float(i), (0, 0))) for i, data in enumerate(frames)
    ]


def test_history_never_runs_two_periodic_stages_on_one_frame():
    history = Schedule()
    periods = {"focus": 3, "glasses": 15, "detect": 15, "wide_mesh": 15}
    runs: dict[str, list[int]] = {k: [] for k in periods}
    for frame in range(1, 301):
        history.frame = frame
        ran_here = []
        for key, every in periods.items():
            if history.due(key, every):
                history.ran(key)
                runs[key].append(frame)
                ran_here.append(key)
        if frame > 1:  # frame 1 measures everything once: there is nothing to reuse yet
            assert len(ran_here) <= 1, (frame, ran_here)
    for key, every in periods.items():
        gaps = np.diff(runs[key])
        assert gaps.min() >= every and gaps.max() <= 2 * every, (key, gaps)
        assert len(runs[key]) >= 300 // (2 * every)


def test_live_view_never_runs_pose_mask_or_detector_on_the_vision_thread(sample_frames):
    analyser = Analyzer("id-photo", mode="live")  # background required: the mask is wanted
    try:
        worker = analyser.model_worker
        results = _live(sample_frames[:30], analyser)
        assert worker is not None and worker.wait_idle(10)  # the first job loads the models
        results += _live(sample_frames[30:], analyser, start=31)
        assert worker.wait_idle(10)
        assert worker.runs >= 2  # the mask and detector ran, on the worker
        stages = set().union(*(r.timings for r in results))
        assert not stages & {"pose", "mask"}
        with_face = [r for r in results if r.subject is not None]
        assert len(with_face) >= 40
        assert "detect" not in set().union(*(r.timings for r in with_face))
        # The mask arrived while frames went on: background was judged on later frames.
        assert any(r.check("background").message != "Background not measured yet" for r in results[-20:])
    finally:
        analyser.close()
    assert not any(t.name == "vision-models" and t.is_alive() for t in threading.enumerate())


def test_reset_drops_the_workers_results_of_the_previous_subject(sample_frames):
    analyser = Analyzer("id-photo", mode="live")
    try:
        _live(sample_frames[:26], analyser)
        assert analyser.model_worker.wait_idle(10)
        before = _live(sample_frames[26:31], analyser, start=27)[-1]  # verdicts hold 3 frames
        assert before.check("background").message != "Background not measured yet"
        analyser.reset()
        after = analyser.analyse_frame(LiveFrame(sample_frames[31], 1, 32.0, (0, 0)))
        assert after.check("background").status is Status.UNKNOWN  # old mask not reused
        later = []
        for i, data in enumerate(sample_frames[32:40]):  # the worker keeps up: waited for here
            assert analyser.model_worker.wait_idle(10)
            later.append(analyser.analyse_frame(LiveFrame(data, 2 + i, 33.0 + i, (0, 0))))
        assert later[-1].check("background").message != "Background not measured yet"
    finally:
        analyser.close()


def _big_jpeg(tmp_path: Path, name: str, side: int = 6000) -> Path:
    image = load_image(FIXTURES / name)
    h, w = image.shape[:2]
    k = side / max(h, w)
    big = cv2.resize(image, (round(w * k), round(h * k)), interpolation=cv2.INTER_CUBIC)
    path = tmp_path / (Path(name).stem + ".jpg")
    cv2.imwrite(str(path), big, [cv2.IMWRITE_JPEG_QUALITY, 92])
    return path


@pytest.fixture()
def fixtures_present():
    if not FIXTURES.is_dir():
        pytest.skip(f"fixture photos not found at {FIXTURES}")


def test_large_jpeg_is_decoded_at_reduced_size(tmp_path, fixtures_present):
    path = _big_jpeg(tmp_path, "frec__obama.jpg")
    still = read_still(path, 1280)
    native = load_image(path)
    assert still.native == (native.shape[1], native.shape[0])
    assert still.reduce == 2 and still.image.shape[1] == (native.shape[1] + 1) // 2
    # Larger only on demand, the cheapest decode that is wide enough, each decode once.
    assert still.at_least(1000) is still.image and still.decodes == [2]
    full = still.at_least(still.image.shape[1] + 1)
    assert full.shape == native.shape and still.decodes == [2, 1]
    assert np.array_equal(full, native)
    assert still.at_least(native.shape[1]) is full and still.decodes == [2, 1]


def test_png_and_small_jpeg_are_read_whole(fixtures_present):
    for name in ("skimage__astronaut.png", "deepface__img13.jpg"):
        still = read_still(FIXTURES / name, 1280)
        assert still.reduce == 1 and np.array_equal(still.image, load_image(FIXTURES / name))
        assert isinstance(still, StillSource) and still.at_least(10**5) is still.image


def test_reduced_decode_gives_the_same_verdicts_as_the_full_decode(tmp_path, fixtures_present):
    analyser = Analyzer("portrait", mode="still")
    try:
        for name in ("frec__obama.jpg", "openface__lennon-1.jpg", "ultralytics__zidane.jpg"):
            path = _big_jpeg(tmp_path, name)
            fast = analyser.analyse_path(path)
            exact = analyser.analyse_image(load_image(path), source=str(path))
            assert fast.size == exact.size and fast.shot == exact.shot and fast.faces == exact.faces
            for check in ("face", "eyes_open", "eye_focus", "glasses", "exposure"):
                assert fast.check(check).status is exact.check(check).status, (name, check)
            assert fast.subject is not None
            assert np.abs(fast.subject.landmarks[:, :2] - exact.subject.landmarks[:, :2]).max() < 0.01
    finally:
        analyser.close()


@pytest.mark.parametrize("orientation", range(1, 9))
def test_stills_are_turned_upright_by_their_exif_orientation(tmp_path, orientation):
    """A vertical shot is stored as landscape pixels plus an EXIF tag: every decode size must
    honour it (OpenCV's reduced decode does not), and agree with Pillow's reading of the tag."""
    import io

    from PIL import Image, ImageOps

    from studio.vision.image import exif_orientation, load_image, read_still

    rng = np.random.default_rng(orientation)
    pixels = cv2.resize(rng.integers(0, 255, (12, 18, 3), dtype=np.uint8), (6000, 4000),
                        interpolation=cv2.INTER_NEAREST)
    im = Image.fromarray(pixels)
    exif = im.getexif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=95, exif=exif.tobytes())
    path = tmp_path / "shot.jpg"
    path.write_bytes(buf.getvalue())
    assert exif_orientation(buf.getvalue()) == orientation
    expected = np.asarray(ImageOps.exif_transpose(Image.open(path)))[:, :, ::-1]
    whole = load_image(path)
    assert whole.shape == expected.shape
    assert np.abs(whole.astype(int) - expected).mean() < 3
    still = read_still(path, 1280)
    assert still.reduce > 1 and still.native == (expected.shape[1], expected.shape[0])
    small = cv2.resize(expected, (still.image.shape[1], still.image.shape[0]), interpolation=cv2.INTER_AREA)
    assert np.abs(still.image.astype(int) - small).mean() < 6
