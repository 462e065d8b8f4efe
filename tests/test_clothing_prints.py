"""The print features (studio/vision/checks/prints.py) on drawn garments of known truth: a print's
motifs, colours and logos raise them; a garment's long outline, its shading and the subject's
skin do not."""

from __future__ import annotations

import cv2
import numpy as np

from studio.vision.checks.prints import (
    blob_contrast,
    coherence,
    colour_entropy,
    print_edges,
    relative,
    skin_free,
)

SIZE = (60, 90)  # a torso box at IED = 32 px: 60 rows, 90 columns
OUTLINE = 12


def _plain(level: float = 120.0) -> np.ndarray:
    """A plain garment with soft shading (a fold's gradient) and a lapel: one long straight edge."""
    h, w = SIZE
    gray = np.tile(np.linspace(level - 15, level + 15, w, dtype=np.float32), (h, 1))
    gray[:, w // 2 :] -= 50.0  # the jacket's edge over the shirt: one outline
    return gray


def _dotted() -> np.ndarray:
    gray = _plain()
    for y in range(4, SIZE[0] - 4, 9):
        for x in range(4, SIZE[1] - 4, 9):
            cv2.circle(gray, (x, y), 2, (230.0,), -1)
    return gray


def _everywhere() -> np.ndarray:
    return np.ones(SIZE, bool)


def test_short_edges_are_print_and_an_outline_is_not() -> None:
    plain = print_edges(_plain(), _everywhere(), OUTLINE)
    dotted = print_edges(_dotted(), _everywhere(), OUTLINE)
    assert plain < 0.01, plain
    assert dotted > 0.1, dotted


def test_many_colours_have_more_entropy_than_a_jacket_over_a_shirt() -> None:
    h, w = SIZE
    outfit = np.zeros((h, w, 3), np.uint8)
    outfit[:, : w // 2] = (60, 128, 100)  # OpenCV Lab: a navy jacket
    outfit[:, w // 2 :] = (200, 128, 128)  # a white shirt
    rng = np.random.default_rng(3)
    printed = outfit.copy()
    palette = [(150, 180, 150), (120, 90, 170), (200, 120, 60), (90, 160, 190)]  # a print's four inks
    for i in range(160):
        colour = palette[i % len(palette)]
        cv2.circle(printed, (int(rng.integers(0, w)), int(rng.integers(0, h))), 4, colour, -1)
    two = colour_entropy(outfit.astype(np.float32), _everywhere())
    many = colour_entropy(printed.astype(np.float32), _everywhere())
    assert 0.9 < two < 1.1, two
    assert many > two + 1.5, (two, many)


def test_a_logo_is_a_compact_high_contrast_spot() -> None:
    plain = _plain()
    logo = plain.copy()
    logo[20:32, 30:42] = 250.0
    logo[24:28, 30:42] = 20.0  # a small two-tone badge
    assert blob_contrast(logo, _everywhere()) > 2 * blob_contrast(plain, _everywhere()) + 10


def test_skin_is_left_out_of_the_garment() -> None:
    h, w = SIZE
    lab = np.zeros((h, w, 3), np.float32)
    lab[...] = (90, 128, 110)  # a blue shirt
    lab[:20, 30:60] = (160, 140, 150)  # the neck and a V neckline: skin
    garment = skin_free(lab, _everywhere(), (140.0, 150.0))
    assert not garment[:20, 30:60].any()
    assert garment[40:, :].all()
    assert not garment[:21, 29].any()  # 1 px off the neckline's edge


def test_stripes_are_coherent_and_a_random_print_is_not() -> None:
    """Third round: stripes run one way everywhere; scattered motifs of the same contrast do not."""
    h, w = SIZE
    yy, xx = np.mgrid[0:h, 0:w]
    stripes = np.where(((xx + yy // 2) // 3) % 2 == 0, 60.0, 200.0).astype(np.float32)
    rng = np.random.default_rng(3)
    speckle = cv2.GaussianBlur(rng.choice([60.0, 200.0], size=SIZE).astype(np.float32), (0, 0), 0.8)
    striped, random = coherence(stripes, _everywhere()), coherence(speckle, _everywhere())
    assert striped > 0.9, striped
    assert random < 0.6, random
    assert coherence(stripes, np.zeros(SIZE, bool)) == 0.0  # no garment: nothing measured


def test_texture_is_read_against_the_face() -> None:
    """A region as textured as the face reads 0; twice as busy, more; a softer photo makes both
    smoother and leaves the ratio."""
    assert relative(10.0, 10.0) == 0.0
    assert relative(21.0, 10.0) > 0.6
    assert abs(relative(21.0, 10.0) - relative(43.0, 21.0)) < 0.05
