"""The numbers that decide glasses, glare, catchlights, framing, exposure and clothing verdicts
are thresholds a preset can tune: changing one changes the verdict on a real photo."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from studio.analysis import Status
from studio.vision import Analyzer, load_preset
from studio.vision.thresholds import DEFAULT

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "portraits"
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not found at {FIXTURES}")


def _check(name: str, check_id: str, **thresholds: float):
    # Any shot type, so the framing check reports only the problem under test.
    preset = replace(load_preset("commercial-headshot"), shots=(), thresholds=DEFAULT.updated(**thresholds))
    with Analyzer(preset, mode="still") as analyser:
        return analyser.analyse_path(FIXTURES / name).check(check_id)


@pytest.mark.parametrize(
    ("name", "check_id", "default", "tuned", "changed"),
    [
        # Blobs off the iris centre no longer count as catchlights.
        ("deepface__img24.jpg", "catchlights", {}, {"catchlight_max_offset": 0.0}, "No catchlights"),
        # Lenses this small in the picture are not judged: glare is unknown, with the reason.
        ("deepface__img24.jpg", "glare", {}, {"glare_min_ied": 1e6}, "too small to judge glare"),
        # Dark lenses count as sunglasses only when darker than sunglasses_max_lightness of
        # the cheeks; at 0 every lens is a lit one: the glasses are still seen, as clear ones.
        ("glassesdet__demo_3.jpg", "glasses", {}, {"sunglasses_max_lightness": 0.0}, "Clear glasses"),
        # Ankles in the bottom (1 - joint_in_frame) of the frame are not in it.
        ("compreface__sample_001_A.jpg", "framing", {}, {"joint_in_frame": -1.0}, "Three-quarter"),
        ("frec__obama.jpg", "exposure", {}, {"face_clipped_level": 0.0}, "Clipped highlights"),
        ("frec__obama.jpg", "exposure", {}, {"face_crushed_level": 255.0}, "Deep shadows"),
        ("frec__obama.jpg", "clothing", {}, {"clothing_min_torso": 1.01}, "Torso not in the frame"),
    ],
)
def test_a_tuned_threshold_changes_the_verdict(name, check_id, default, tuned, changed):
    before = _check(name, check_id, **default)
    after = _check(name, check_id, **tuned)
    assert changed not in before.message
    assert changed in after.message, after.message
    assert (before.status, before.message) != (after.status, after.message)


def test_glare_on_a_small_lens_area_is_not_judged():
    before = _check("lfw__Raul_Rivero_0001.jpg", "glare")
    assert len(before.fields["lenses"]) == 2
    after = _check("lfw__Raul_Rivero_0001.jpg", "glare", glare_min_lens_pixels=1e9)
    assert after.fields["lenses"] == () and after.status is Status.PASS


def test_a_regular_pattern_needs_some_energy_to_warn_of_moire():
    """The painted stripes of test_checks_exposure warn of moiré; asking a regular pattern for
    more energy than any clothes have leaves at most the busy-print warning."""
    import numpy as np

    from studio.vision import load_image

    image = load_image(FIXTURES / "frec__obama.jpg")
    h, w = image.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    stripes = (np.sin(2 * np.pi * (xx + 0.3 * yy) / max(6, int(0.05 * w))) > 0).astype(np.float32)
    torso = yy > int(h * 0.45)
    out = image.astype(np.float32)
    out[torso] = out[torso] * 0.3 + (stripes[torso][:, None] * 200 + 20) * 0.7
    painted = out.astype(np.uint8)
    results = []
    for th in (DEFAULT, DEFAULT.updated(clothing_periodic_min_busy=1e6)):
        preset = replace(load_preset("commercial-headshot"), thresholds=th)
        with Analyzer(preset, mode="still") as analyser:
            results.append(analyser.analyse_image(painted, source="stripes").check("clothing"))
    assert "Regular pattern" in results[0].message
    assert "Regular pattern" not in results[1].message


def test_a_user_preset_file_tunes_a_new_threshold(tmp_path):
    path = tmp_path / "no-offset.toml"
    path.write_text("[thresholds]\ncatchlight_max_offset = 0.001\n")
    preset = load_preset(path)
    assert preset.thresholds.catchlight_max_offset == 0.001
    with Analyzer(preset, mode="still") as analyser:
        check = analyser.analyse_path(FIXTURES / "deepface__img24.jpg").check("catchlights")
    assert check.status is Status.WARN and "No catchlights" in check.message
