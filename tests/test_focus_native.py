"""Eye focus on stills at native resolution (issue 14, item 5).

Real held-out photos of the development set: the face band is measured at the photo's own
pixels, eyes blurred by σ = 1 % of the inter-eye distance at full size are "slightly soft" while
the sharp original passes, and an iris too small for that judgement is `unknown` with its size.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from studio.analysis import Status
from studio.vision import load_image, synthetic
from studio.vision.calibrated import load_model
from studio.vision.checks.focus_fine import FEATURE_SETS, MODEL
from studio.vision.thresholds import DEFAULT

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from scripts.devset import FIXTURES, HELD_OUT, split_of  # noqa: E402

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not found at {FIXTURES}")
POOL = FIXTURES / "glasses-pool"
# Held-out photos with irises of 25-48 px: large enough for the fine scale.
SHARP = ("noglasses_036.jpg", "noglasses_066.jpg", "noglasses_098.jpg")


def _landmarks(analysis, image: np.ndarray) -> np.ndarray:
    return np.asarray(analysis.subject.landmarks[:, :2]) * [image.shape[1], image.shape[0]]


def test_the_model_is_packaged():
    model = load_model(MODEL)
    assert model.features in FEATURE_SETS and 0.5 <= model.cut < 1.0


@pytest.mark.parametrize("name", SHARP)
def test_sharp_original_passes_and_eyes_soft_at_one_percent_of_the_ied_are_flagged(analyzer, name):
    assert split_of(name) == HELD_OUT
    image = load_image(POOL / name)
    original = analyzer.analyse_image(image, source=name)
    check = original.check("eye_focus")
    assert check.fields["fine_scale"] == 1.0  # the fine scale reads the photo's own pixels
    lm = _landmarks(original, image)
    native_ied = float(np.linalg.norm(lm[473] - lm[468]))
    assert check.fields["fine_ied_px"] == pytest.approx(native_ied, rel=0.05)
    assert check.status is Status.PASS, check.message
    soft = synthetic.blur_eyes(image, lm, 0.01, floor_px=0.0)
    flagged = analyzer.analyse_image(soft, source="soft").check("eye_focus")
    assert flagged.status in (Status.WARN, Status.FAIL), flagged.fields
    assert flagged.fields["p_soft"] > check.fields["p_soft"]


def test_an_iris_too_small_for_the_fine_scale_is_unknown_with_its_size(analyzer):
    image = load_image(POOL / SHARP[0])
    base = analyzer.analyse_image(image, source="full").check("eye_focus")
    k = 0.8 * DEFAULT.focus_fine_min_iris_px / base.fields["fine_iris_px"]  # under the fine scale
    small = cv2.resize(image, None, fx=k, fy=k, interpolation=cv2.INTER_AREA)
    check = analyzer.analyse_image(small, source="small").check("eye_focus")
    assert check.status is Status.UNKNOWN
    assert "too small to judge fine focus" in check.message and "px" in check.message
    assert check.fields["iris_px"] >= DEFAULT.focus_min_iris_px  # the coarse rules could look
    assert check.fields["fine_iris_px"] < DEFAULT.focus_fine_min_iris_px


def test_a_large_jpeg_is_measured_at_enough_resolution(analyzer, tmp_path):
    """A 6000 px JPEG is decoded at reduced size for the face, and again larger for the eyes
    when the reduced decode leaves the IED under focus_max_ied_px."""
    image = load_image(POOL / SHARP[1])
    k = 6000 / max(image.shape[:2])
    big = cv2.resize(image, None, fx=k, fy=k, interpolation=cv2.INTER_CUBIC)
    path = tmp_path / "big.jpg"
    cv2.imwrite(str(path), big, [cv2.IMWRITE_JPEG_QUALITY, 92])
    check = analyzer.analyse_path(path).check("eye_focus")
    assert check.fields["fine_ied_px"] >= DEFAULT.focus_max_ied_px
    assert check.status is not Status.UNKNOWN


def _camera_jpeg(path: Path, orientation: int = 1, grey: bool = False) -> Path:
    """A 6000×4000 camera-sized JPEG (blocks and grain, so the decode has real work) with an
    EXIF orientation tag."""
    import io

    from PIL import Image

    rng = np.random.default_rng(orientation)
    pixels = cv2.resize(rng.integers(0, 255, (40, 60, 3), dtype=np.uint8), (6000, 4000),
                        interpolation=cv2.INTER_LINEAR)
    pixels = np.clip(pixels + rng.normal(0, 6, pixels.shape), 0, 255).astype(np.uint8)
    im = Image.fromarray(pixels).convert("L") if grey else Image.fromarray(pixels)
    exif = im.getexif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=92, exif=exif.tobytes())
    path.write_bytes(buf.getvalue())
    return path


@pytest.mark.parametrize("orientation", range(1, 9))
def test_a_region_of_a_large_jpeg_is_decoded_on_its_own_at_full_size(tmp_path, orientation):
    from studio.vision import jpeg_region
    from studio.vision.image import read_still

    if not jpeg_region.available():
        pytest.skip("libjpeg-turbo (libjpeg62-turbo or Pillow's copy) not found")
    path = _camera_jpeg(tmp_path / "shot.jpg", orientation, grey=orientation == 3)
    whole = load_image(path)  # full decode, turned upright
    still = read_still(path, 1280)
    assert still.reduce > 1 and still.native == (whole.shape[1], whole.shape[0])
    h, w = whole.shape[:2]
    for box in ((w // 3, h // 4, w // 3 + 1401, h // 4 + 977), (0, 0, 37, 29), (w - 50, h - 61, w + 20, h)):
        pixels, (x0, y0) = still.region(*box)
        assert still.decodes[-1] == 0  # a region of its own, not a full decode
        expected = whole[y0:min(h, box[3]), x0:min(w, box[2])]
        assert pixels.shape == expected.shape
        diff = np.abs(pixels.astype(int) - expected.astype(int))
        assert diff.max() <= 1  # the edge columns too (chroma upsampled from their neighbours)
    assert 1 not in still.decodes  # never decoded whole


def test_a_24_mp_still_reads_its_eyes_at_full_size(analyzer, tmp_path):
    """The face is found on a reduced decode; eye focus measures the band decoded at full size:
    its IED is the full-size one (not the reduced decode's), as on the same picture read whole."""
    image = load_image(POOL / SHARP[1])
    k = 6000 / max(image.shape[:2])
    big = cv2.resize(image, None, fx=k, fy=k, interpolation=cv2.INTER_CUBIC)
    path = tmp_path / "big.jpg"
    cv2.imwrite(str(path), big, [cv2.IMWRITE_JPEG_QUALITY, 92])
    still = analyzer.analyse_path(path)
    whole = analyzer.analyse_image(load_image(path), source="whole")
    lm = _landmarks(whole, big)
    native_ied = float(np.linalg.norm(lm[473] - lm[468]))
    got, ref = still.check("eye_focus").fields, whole.check("eye_focus").fields
    assert got["fine_scale"] == 1.0 and got["fine_ied_px"] == pytest.approx(native_ied, rel=0.03)
    for region in ("right", "left", "brows", "mouth", "nose"):
        assert got["fine"][region] == pytest.approx(ref["fine"][region], rel=0.1), region


@pytest.mark.parametrize("sampling", ["420", "422", "440", "411", "444"])
def test_a_region_has_the_whole_decodes_pixels_up_to_its_edges(sampling):
    """Chroma upsampled across the region's own edges: with 4:2:0 / 4:2:2, a region's first and
    last columns were up to ~20 levels off the whole decode's (the crop's edge chroma replicated
    instead of its neighbour's), in place into a canvas too."""
    from studio.vision import jpeg_region

    if not jpeg_region.available():
        pytest.skip("libjpeg-turbo (libjpeg62-turbo or Pillow's copy) not found")
    y, x = np.mgrid[0:781, 0:1037]
    colours = np.stack([(x * 7 + y * 3) % 256, (x * x // 50 + y) % 256, (y * 5) % 256], -1)
    picture = cv2.GaussianBlur(colours.astype(np.uint8), (0, 0), 2)
    factor = getattr(cv2, f"IMWRITE_JPEG_SAMPLING_FACTOR_{sampling}")
    params = [cv2.IMWRITE_JPEG_QUALITY, 90, cv2.IMWRITE_JPEG_SAMPLING_FACTOR, factor]
    ok, buf = cv2.imencode(".jpg", picture, params)
    whole = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    boxes = ((13, 17, 300, 211), (32, 32, 301, 212), (16, 0, 1037, 40), (1000, 700, 1037, 781), (1, 1, 2, 2))
    for box in boxes:
        x0, y0, x1, y1 = box
        alone = jpeg_region.decode_region(buf.tobytes(), *box)
        canvas = np.zeros_like(whole)
        in_place = jpeg_region.decode_region(buf.tobytes(), *box, out=canvas)
        for got in (alone, in_place):
            assert got is not None and got.shape == (y1 - y0, x1 - x0, 3)
            assert np.abs(got.astype(int) - whole[y0:y1, x0:x1]).max() <= 1, box


def test_a_damaged_jpeg_region_is_refused_not_guessed(tmp_path):
    """Data that runs out before the region's last row: libjpeg warns, the region decoder says
    None (the caller then decodes whole and refuses the file as usual); so does a non-JPEG."""
    from studio.vision import jpeg_region

    if not jpeg_region.available():
        pytest.skip("libjpeg-turbo (libjpeg62-turbo or Pillow's copy) not found")
    data = _camera_jpeg(tmp_path / "shot.jpg").read_bytes()
    cut = data[: len(data) // 2]
    assert jpeg_region.decode_region(cut, 100, 3500, 300, 3600) is None  # rows past the cut
    assert jpeg_region.decode_region(cut, 100, 100, 300, 200) is not None  # rows before it
    assert jpeg_region.decode_region(b"\x89PNG\r\n\x1a\n" + data[8:], 0, 0, 10, 10) is None


def _big_still(tmp_path: Path, name: str = SHARP[1], fill: float = 1.0) -> Path:
    """A 6000 px JPEG of a real photo, scaled up to ``fill`` of it on a grainy ground."""
    image = load_image(POOL / name)
    k = fill * 6000 / max(image.shape[:2])
    photo = cv2.resize(image, None, fx=k, fy=k, interpolation=cv2.INTER_CUBIC)
    h, w = photo.shape[:2]
    ground = np.random.default_rng(0).normal(60, 12, (round(h / fill), round(w / fill), 3))
    big = np.clip(ground, 0, 255).astype(np.uint8)  # grain: not the flat grey of a damaged file
    big[:h, :w] = photo
    path = tmp_path / "big.jpg"
    cv2.imwrite(str(path), big, [cv2.IMWRITE_JPEG_QUALITY, 92])
    return path


def test_a_24_mp_still_is_decoded_once_reduced_and_its_face_once_at_full_size(analyzer, tmp_path):
    """The face is found on a reduced decode (1/2 of 6000 px); when its irises are too small
    there for the eye patches, the eyes' detail (eye patches and eye focus) comes from the face's
    band decoded at full size into a canvas, never from a second whole decode; and the eye
    patches are the ones the same picture read whole gives."""
    from studio.vision import jpeg_region
    from studio.vision.checks import focus
    from studio.vision.crops import cut_eye
    from studio.vision.image import read_still

    if not jpeg_region.available():
        pytest.skip("libjpeg-turbo (libjpeg62-turbo or Pillow's copy) not found")
    path = _big_still(tmp_path, fill=0.3)  # a smaller face: irises under 48 px at 1/2
    assert read_still(path, DEFAULT.max_analysis_side).reduce == 2
    seen = {}
    measure = focus._measure

    def spy(ctx):
        seen["ctx"] = ctx
        return measure(ctx)

    focus._measure = spy
    try:
        still = analyzer.analyse_path(path)
        reduced = seen.pop("ctx")
        whole = analyzer.analyse_image(load_image(path), source="whole")
        full = seen.pop("ctx")
    finally:
        focus._measure = measure
    assert reduced.detail.decodes == [2, 0]  # the 1/2 decode, then the face's band in place
    assert reduced.full.shape == full.full.shape and reduced.full_scale == pytest.approx(full.full_scale)
    picture = load_image(path)
    for side in ("right", "left"):  # the eye patches: the full-size pixels of a whole decode
        a = reduced.eye_patch(side)
        b = cut_eye(picture, reduced.full_scale, reduced.subject, side, DEFAULT.eye_patch_iris_px)
        assert a is not None and b is not None and a.gray.shape == b.gray.shape
        assert np.abs(a.gray - b.gray).max() <= 1, side
    assert still.check("eye_focus").status is whole.check("eye_focus").status
    assert still.check("eyes_open").status is whole.check("eyes_open").status
    assert still.check("catchlights").status is whole.check("catchlights").status


def test_a_region_inside_the_decoded_face_band_is_not_decoded_again(tmp_path):
    from studio.vision import jpeg_region
    from studio.vision.image import read_still

    if not jpeg_region.available():
        pytest.skip("libjpeg-turbo (libjpeg62-turbo or Pillow's copy) not found")
    path = _camera_jpeg(tmp_path / "shot.jpg")
    whole = load_image(path)
    data = path.read_bytes()
    canvas = np.zeros_like(whole)
    got = jpeg_region.decode_region(data, 1000, 1200, 2400, 2300, out=canvas)
    assert got is not None and got.shape == (1100, 1400, 3)
    rows = canvas.any(axis=(1, 2))
    assert not rows[:1200].any() and not rows[2300:].any()  # nothing written outside its rows
    diff = np.abs(canvas[1210:2290, 1010:2390].astype(int) - whole[1210:2290, 1010:2390].astype(int))
    assert diff.max() <= 1
    still = read_still(path, 1280)
    still._canvas, still._held = canvas, (1000, 1200, 2400, 2300)
    pixels, origin = still.region(1100, 1300, 2000, 2200)
    assert origin == (1100, 1300) and np.shares_memory(pixels, canvas) and still.decodes == [2]


def test_the_native_band_cut_per_region_reads_the_same_edge_widths(analyzer, tmp_path):
    """Eye focus's fine scale makes only each region's part of a large native band: the edge
    widths are those of the whole band (to interpolation rounding)."""
    from studio.vision import regions
    from studio.vision.checks import focus

    seen = {}
    measure = focus._measure

    def spy(ctx):
        seen["ctx"] = ctx
        return measure(ctx)

    focus._measure = spy
    try:
        analyzer.analyse_image(load_image(_big_still(tmp_path)), source="big")
    finally:
        focus._measure = measure
    ctx = seen["ctx"]
    th = ctx.th
    whole = regions.face_band(ctx, ctx.subject, th.focus_still_max_ied_px, th.catchlight_contrast)
    cut = regions.face_band(ctx, ctx.subject, th.focus_still_max_ied_px, th.catchlight_contrast,
                            reach=focus.sigma_reach(th.focus_fine_reblur_px))
    assert len(cut.pieces) == 5 and sum(p.gray.size for p in cut.pieces) < 0.8 * whole.gray.size
    a = focus.region_sigmas(whole.gray, whole.masks, th.focus_fine_reblur_px, th.focus_fine_edge_fraction)
    b: dict = {}
    for piece in cut.pieces:
        b.update(focus.region_sigmas(piece.gray, piece.masks, th.focus_fine_reblur_px,
                                     th.focus_fine_edge_fraction))
    assert list(a) == list(b)
    for name in a:
        assert b[name] == pytest.approx(a[name], rel=0.01), name
    # What the pieces read of the picture: inside the band's rectangle, and far less of it.
    reach = focus.sigma_reach(th.focus_fine_reblur_px)
    px0, py0, px1, py1 = regions.pieces_rect(ctx.subject, ctx.full_scale, th.focus_still_max_ied_px, reach)
    bx0, by0, bx1, by1 = regions.band_rect(ctx.subject, ctx.full_scale)
    assert bx0 <= px0 < px1 <= bx1 and by0 <= py0 < py1 <= by1
    assert (px1 - px0) * (py1 - py0) < 0.8 * (bx1 - bx0) * (by1 - by0)
    pixels = ctx.full[py0:py1, px0:px1]  # the pieces made from that rectangle alone: the same
    alone = regions.face_band(ctx, ctx.subject, th.focus_still_max_ied_px, th.catchlight_contrast,
                              (pixels, ctx.full_scale, (float(px0), float(py0))), reach=reach)
    c: dict = {}
    for piece in alone.pieces:
        c.update(focus.region_sigmas(piece.gray, piece.masks, th.focus_fine_reblur_px,
                                     th.focus_fine_edge_fraction))
    for name in b:
        assert c[name] == pytest.approx(b[name], rel=1e-3), name
