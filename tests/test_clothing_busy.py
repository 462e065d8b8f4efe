"""Clothing: prints, stripes, checks and logos are busy, plain clothes are kept. Real photos with
patterns painted on the torso only (inside the person mask, below the chin: a known truth)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from studio.analysis import Status
from studio.vision import Analyzer, load_image
from studio.vision.calibrated import load_model

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "portraits"
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not found at {FIXTURES}")

PLAIN = "frec__obama.jpg"  # a dark suit


@pytest.fixture(scope="module")
def analyzer():
    with Analyzer("id-photo", mode="still") as a:  # clothing advisory: computed
        yield a


def _torso(analyzer: Analyzer, image: np.ndarray) -> np.ndarray:
    """Where the clothes are: below the chin, 3 face widths across (the check's own box)."""
    check = analyzer.analyse_image(image, source="plain").check("clothing")
    assert check.status is Status.PASS, check.message
    h, w = image.shape[:2]
    x, y, bw, bh = check.regions[0]
    region = np.zeros((h, w), bool)
    region[int(y * h) :, int(x * w) : int((x + bw) * w)] = True
    return region


def _print(kind: str, shape: tuple[int, int], w: int, divisions: int) -> np.ndarray:
    h, width = shape
    yy, xx = np.mgrid[0:h, 0:width]
    period = max(4, w // divisions)
    if kind == "checks":
        light = ((xx // period + yy // period) % 2).astype(np.float32)
        return np.dstack([light * 180 + 40, light * 60 + 40, 90 - light * 40])
    if kind == "stripes":
        light = ((yy // period) % 2).astype(np.float32)
        return np.dstack([light * 200 + 30] * 3)
    out = np.full((h, width, 3), (40.0, 90.0, 160.0))  # a flowered print: blobs of colour
    rng = np.random.default_rng(7)
    for _ in range(int(160 * (divisions / 25) ** 2)):  # the same share of the torso covered
        centre = (int(rng.integers(0, width)), int(rng.integers(0, h)))
        colour = tuple(float(c) for c in rng.integers(40, 250, 3))
        cv2.circle(out, centre, int(rng.integers(period // 3, period)), colour, -1)
    return out


# A pattern of 60 periods across the frame is a check or stripe of ~2 cm on this half-length
# suit; flowers of 90 across are ~1-3 cm blobs. Coarser prints (a 4 cm check) are missed today
# (docs/checks.md, docs/accuracy.md: about a third of busy clothes on held-out photos).
@pytest.mark.parametrize(
    ("kind", "divisions"), [("checks", 60), ("stripes", 60), ("stripes", 25), ("flowers", 90)]
)
def test_a_print_on_the_clothes_is_busy(analyzer, kind, divisions):
    image = load_image(FIXTURES / PLAIN)
    torso = _torso(analyzer, image)
    pattern = _print(kind, image.shape[:2], image.shape[1], divisions)
    painted = image.astype(np.float32)
    # Keep the shading of the suit (folds, light): the pattern modulated by it.
    shade = painted[torso].mean(axis=1, keepdims=True) / max(1.0, float(painted[torso].mean()))
    painted[torso] = np.clip(pattern[torso] * (0.6 + 0.4 * shade), 0, 255)
    check = analyzer.analyse_image(painted.astype(np.uint8), source=kind).check("clothing")
    assert check.status is Status.WARN, (kind, check.message, check.fields)
    assert "clothes" in check.message


def test_plain_clothes_are_kept(analyzer):
    for name in (PLAIN, "frec__biden.jpg"):
        check = analyzer.analyse_path(FIXTURES / name).check("clothing")
        assert check.status is Status.PASS, (name, check.message, check.fields)
        assert check.fields["p_busy"] < load_model("clothing").cut


def test_candidate_features_are_measured_only_when_read(analyzer, monkeypatch):
    """The candidates beyond the first round's (garment alone, print features, the third round's
    face-relative texture and coherence) cost ~10x the rest of the check: measured when the
    packaged model reads one of them or while tuning, and measuring them all changes no verdict."""
    from studio.vision.checks import clothing, prints

    reads = prints.model_reads("clothing", clothing.EXTRA_FEATURES)
    shown = analyzer.analyse_path(FIXTURES / PLAIN).check("clothing")
    assert bool(set(clothing.EXTRA_FEATURES) & set(shown.fields["features"])) == reads
    monkeypatch.setattr(prints, "MEASURE_ALL", True)
    tuning = analyzer.analyse_path(FIXTURES / PLAIN).check("clothing")
    assert set(clothing.EXTRA_FEATURES) <= set(tuning.fields["features"])
    assert tuning.fields["p_busy"] == shown.fields["p_busy"]
    assert tuning.status is shown.status
    assert set(load_model("clothing").features) <= set(shown.fields["features"])  # what it reads
