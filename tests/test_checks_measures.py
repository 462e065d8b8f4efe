"""The small pieces the checks are made of: landmark names, eye-band measures, exposure and
catchlight arithmetic, and the shape of the check modules themselves."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from studio.analysis import Status
from studio.vision import landmarks as lm
from studio.vision.checks.catchlights import clock_hour
from studio.vision.checks.exposure import exposure_measure, exposure_verdict
from studio.vision.checks.lenses import line_strength, region
from studio.vision.thresholds import DEFAULT

CHECKS = Path(__file__).resolve().parents[1] / "studio" / "vision" / "checks"
SMALL_CHECK_MODULES = ("glasses", "lenses", "catchlights", "framing", "background", "exposure")


def test_named_eye_points_are_where_the_contours_and_the_ear_put_them():
    for side in lm.SIDES:
        outer, inner = lm.EYE_CORNERS[side]
        assert {outer, inner} <= set(lm.EYE_CONTOURS[side])
    assert lm.RIGHT_LOWER_LID in lm.RIGHT_EYE_CONTOUR and lm.LEFT_LOWER_LID in lm.LEFT_EYE_CONTOUR
    # EAR points p1 and p4 are the corners: outer/inner for the right eye, inner/outer for the left.
    assert (lm.RIGHT_EAR[0], lm.RIGHT_EAR[3]) == (lm.RIGHT_EYE_OUTER, lm.RIGHT_EYE_INNER)
    assert (lm.LEFT_EAR[0], lm.LEFT_EAR[3]) == (lm.LEFT_EYE_INNER, lm.LEFT_EYE_OUTER)
    assert lm.IRISES["right"][0] == 468 and lm.IRISES["left"][0] == 473  # the centres come first
    assert set(lm.POSE_JOINTS) == {"elbows", "wrists", "knees", "ankles"}


def test_line_strength_sees_a_line_across_a_region_and_not_flat_skin():
    flat = np.full((40, 30), 120.0, np.float32)
    assert line_strength(flat) == pytest.approx(0.0, abs=1e-4)
    lined = flat.copy()
    lined[19:22] = 60.0  # a dark 3 px line across: a frame
    assert line_strength(lined) >= DEFAULT.glasses_bridge_line
    dotted = flat.copy()
    dotted[19:22, ::10] = 60.0  # short marks, not a line across: averaged away
    assert line_strength(dotted) < line_strength(lined) / 5
    assert line_strength(lined[:6]) == 0.0  # too few rows to tell


def test_region_is_clipped_to_the_image():
    gray = np.arange(100, dtype=np.float32).reshape(10, 10)
    assert region(gray, -5, -5, 3, 2).shape == (2, 3)
    assert region(gray, 8, 8, 50, 50).shape == (2, 2)


@pytest.mark.parametrize(
    ("level", "status", "words"),
    [
        (30, Status.FAIL, "too dark"),
        (230, Status.FAIL, "too bright"),
        (140, Status.PASS, "well exposed"),
    ],
)
def test_exposure_verdict_from_face_luma(level, status, words):
    values = np.full(1000, level, np.uint8)
    got, message = exposure_verdict(exposure_measure(values, DEFAULT), DEFAULT)
    assert got is status and words in message


def test_clipped_and_crushed_fractions_use_their_levels():
    values = np.array([140] * 90 + [252] * 5 + [10] * 5, np.uint8)
    m = exposure_measure(values, DEFAULT)
    assert m["clipped"] == pytest.approx(0.05) and m["crushed"] == pytest.approx(0.05)
    assert exposure_verdict(m, DEFAULT)[0] is Status.WARN  # 5 % clipped > 4 %
    lifted = DEFAULT.updated(face_clipped_level=253.0)
    assert exposure_measure(values, lifted)["clipped"] == 0.0


def test_clock_hours():
    assert [clock_hour(0, -1), clock_hour(1, 0), clock_hour(0, 1), clock_hour(-1, 0)] == [12, 3, 6, 9]
    assert clock_hour(-1, -1.7) in (11, 10)


def _functions(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text())
    return [
        (node.name, (node.end_lineno or node.lineno) - node.lineno + 1)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def _raw_indices(path: Path) -> list[int]:
    """Integer literals of 5 or more used as a subscript: mesh or pose indices by number."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Subscript):
            for inner in ast.walk(node.slice):
                if isinstance(inner, ast.Constant) and type(inner.value) is int and inner.value >= 5:
                    found.append(inner.lineno)
    return found


@pytest.mark.parametrize("module", SMALL_CHECK_MODULES)
def test_check_functions_are_short_and_use_landmarks_by_name(module):
    path = CHECKS / f"{module}.py"
    too_long = [(name, n) for name, n in _functions(path) if n > 50]
    assert not too_long, too_long
    assert not _raw_indices(path), f"{path.name}: raw landmark indices on lines {_raw_indices(path)}"


def test_the_shape_rules_can_fail(tmp_path):
    bad = tmp_path / "bad.py"
    body = "\n".join(f"    x{i} = {i}" for i in range(52))
    bad.write_text(f"def long(p):\n{body}\n    return p[133]\n")
    assert _functions(bad) == [("long", 54)]
    assert _raw_indices(bad) == [54]
