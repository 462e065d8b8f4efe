"""exposure, background and clothing on real photos and synthetic exposure/pattern changes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from studio.analysis import Status
from studio.vision import load_image, synthetic

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "portraits"
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not found at {FIXTURES}")


@pytest.mark.parametrize(
    "name", ["frec__obama.jpg", "compreface__sample_007_B.jpg", "openface__clapton-1.jpg"]
)
def test_well_exposed_faces_pass_including_low_key(analyzer, name):
    assert analyzer.analyse_path(FIXTURES / name).check("exposure").status is Status.PASS


@pytest.mark.parametrize("name", ["frec__obama.jpg", "facenetpt__paul_rudd_1.jpg"])
def test_dark_and_bright_copies_fail(analyzer, name):
    image = load_image(FIXTURES / name)
    dark = analyzer.analyse_image(synthetic.darken(image), source="dark").check("exposure")
    assert dark.status is Status.FAIL and "dark" in dark.message
    bright = analyzer.analyse_image(synthetic.brighten(image), source="bright").check("exposure")
    assert bright.status in (Status.FAIL, Status.WARN)
    assert "bright" in bright.message or "lipped" in bright.message


def test_plain_and_busy_backgrounds(analyzer):
    plain = analyzer.analyse_path(FIXTURES / "deepface__img13.jpg").check("background")
    assert plain.status is Status.PASS and plain.fields["busy"] is False
    busy = analyzer.analyse_path(FIXTURES / "frec__obama.jpg").check("background")
    assert busy.status is Status.WARN and busy.fields["busy"] is True  # flags and curtains


def test_busy_print_and_painted_stripes_on_clothing(analyzer):
    flowered = analyzer.analyse_path(FIXTURES / "lfw__Mahendra_Chaudhry_0001.jpg").check("clothing")
    assert flowered.status is Status.WARN
    image = load_image(FIXTURES / "frec__obama.jpg")
    base = analyzer.analyse_image(image, source="obama")
    assert base.check("clothing").status is Status.PASS  # dark suit
    h, w = image.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    stripes = (np.sin(2 * np.pi * (xx + 0.3 * yy) / max(6, int(0.05 * w))) > 0).astype(np.float32)
    torso = yy > int(h * 0.45)
    out = image.astype(np.float32)
    out[torso] = out[torso] * 0.3 + (stripes[torso][:, None] * 200 + 20) * 0.7
    check = analyzer.analyse_image(out.astype(np.uint8), source="stripes").check("clothing")
    assert check.status is Status.WARN
    assert check.fields["periodicity"] > 20


def test_histogram_percentiles_are_numpys():
    """exposure's percentiles come from a 256-bin histogram: the same numbers as np.percentile
    on 8-bit values of every size and shape (flat, clipped, three levels, one value)."""
    import numpy as np

    from studio.vision.checks.exposure import percentiles_u8

    rng = np.random.default_rng(7)
    for trial in range(3000):
        n = int(rng.integers(1, 5000))
        if trial % 3 == 0:
            values = rng.integers(0, 256, n)
        elif trial % 3 == 1:
            values = np.clip(rng.normal(rng.uniform(0, 255), rng.uniform(0.1, 40), n), 0, 255)
        else:
            values = rng.choice([0, 17, 255], n)
        values = values.astype(np.uint8)
        qs = (50, 95, 90, 99, float(rng.uniform(0, 100)), 0, 100)
        assert percentiles_u8(values, qs) == tuple(float(v) for v in np.percentile(values, qs))
