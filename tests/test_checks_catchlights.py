"""catchlights on real eyes, with the highlights removed and added back at a known hour."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.analysis import Status
from studio.vision import synthetic

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "portraits"
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not found at {FIXTURES}")


def test_catchlights_present_with_position(img24):
    check = img24[2].check("catchlights")
    assert check.status is Status.PASS
    for side in ("left", "right"):
        assert check.fields[side]["present"] is True
        assert check.fields[side]["count"] >= 1
        assert check.fields[side]["clock"] in range(1, 13)
    assert check.marks and all(0 <= x <= 1 and 0 <= y <= 1 for x, y in check.marks)


def test_removed_then_added_at_ten_oclock(analyzer, img24):
    image, lm, _ = img24
    removed = synthetic.remove_catchlights(image, lm)
    check = analyzer.analyse_image(removed, source="removed").check("catchlights")
    assert check.status is Status.WARN
    assert check.fields["right"]["present"] is False
    added = analyzer.analyse_image(synthetic.add_catchlights(removed, lm, 10), source="added").check(
        "catchlights"
    )
    assert added.status is Status.PASS
    for side in ("left", "right"):
        assert added.fields[side]["present"] is True
        assert added.fields[side]["clock"] in (9, 10, 11)
    assert added.fields["agree"] is True


def test_iris_too_small_says_the_size(analyzer):
    check = analyzer.analyse_path(FIXTURES / "skimage__astronaut.png").check("catchlights")
    assert check.status is Status.UNKNOWN
    assert "px" in check.message
    assert check.fields["left"]["present"] is None
    assert check.fields["iris_px"] < 12


def test_top_hat_around_the_iris_is_the_whole_patch_top_hat(img24):
    """The top-hat is computed only on the search area's box widened by one kernel size, on
    8-bit grey: on real eyes at several sizes it equals the float top-hat of the whole patch
    inside the search area, and that box is a fraction of the patch."""
    import cv2
    import numpy as np

    from studio.vision.checks.catchlights import _bright_detail, _search_area
    from studio.vision.crops import cut_eye
    from studio.vision.landmarks import FaceGeometry

    image, lm, _ = img24
    geometry = FaceGeometry(np.asarray(lm, np.float64))
    compared = 0
    for iris_px in (16.0, 30.0, 48.0, 90.0):
        for side in ("left", "right"):
            patch = cut_eye(image, 1.0, geometry, side, iris_px)
            assert patch is not None
            detail = _bright_detail(patch)
            assert detail is not None
            tophat, _, area, (x0, y0) = detail
            size = max(3, int(round(patch.iris_radius)) | 1)
            kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
            whole = cv2.morphologyEx(patch.gray, cv2.MORPH_TOPHAT, kernel)
            y1, x1 = y0 + tophat.shape[0], x0 + tophat.shape[1]
            everywhere = _search_area(patch, (0, 0, patch.gray.shape[1], patch.gray.shape[0]))
            assert np.array_equal(area, everywhere[y0:y1, x0:x1])
            assert int(area.sum()) == int(everywhere.sum())  # the box holds the whole search area
            assert np.array_equal(tophat[area].astype(np.float32), whole[y0:y1, x0:x1][area])
            assert tophat.size < 0.6 * patch.gray.size, (iris_px, side, tophat.shape, patch.gray.shape)
            compared += int(area.sum())
    assert compared > 500


def test_an_iris_at_or_off_the_patch_edge_and_tiny_irises() -> None:
    """Eyes at the frame's edge (the patch clipped: the iris centre near or beyond its border)
    and irises of 1-2 px: no error, and within the search area the box's top-hat is the whole
    patch's (random patches of whole grey levels, as cut_eye makes them)."""
    import cv2
    import numpy as np

    from studio.vision.checks.catchlights import _bright_detail, _search_area, find_catchlights
    from studio.vision.crops import EyePatch
    from studio.vision.thresholds import Thresholds

    rng = np.random.default_rng(7)
    th = Thresholds()
    off, compared = 0, 0
    for _ in range(400):
        h, w = (int(v) for v in rng.integers(4, 50, 2))
        r = float(rng.choice([0.6, 1.0, 1.5, 2.0, 6.0]))
        cx, cy = float(rng.uniform(-3 * r - 4, w + 3 * r + 4)), float(rng.uniform(-3 * r - 4, h + 3 * r + 4))
        gray = rng.integers(0, 256, (h, w)).astype(np.float32)
        opening = np.full((h, w), 255, np.uint8)
        patch = EyePatch("left", gray, np.zeros((h, w, 3), np.uint8), (cx, cy), r, opening, 1.0, (0.0, 0.0))
        blobs = find_catchlights(patch, th)  # raised ValueError with the centre off the patch
        assert all(0 <= x < w and 0 <= y < h for x, y, _ in blobs)
        detail = _bright_detail(patch)
        if detail is None:
            off += not (0 <= cx < w and 0 <= cy < h)
            continue
        tophat, _, area, (x0, y0) = detail
        size = max(3, int(round(r)) | 1)
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
        whole = cv2.morphologyEx(gray, cv2.MORPH_TOPHAT, kernel)
        y1, x1 = y0 + tophat.shape[0], x0 + tophat.shape[1]
        everywhere = _search_area(patch, (0, 0, w, h))
        assert int(area.sum()) == int(everywhere.sum())
        assert np.array_equal(tophat[area].astype(np.float32), whole[y0:y1, x0:x1][area])
        compared += 1
    assert off > 20 and compared > 30, (off, compared)
