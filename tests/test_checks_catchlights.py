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
