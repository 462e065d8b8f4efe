"""The picture inside a capture card's frame: black side bars (pillarbox) or top and bottom
bars (letterbox) found and cut off.

A camera's HDMI output in stills mode shows its 3:2 picture whole inside 16:9, with black
bars at the sides. Analysed as they come, the frame's edges would be the bars': a head would
read ~16 % smaller than on the camera's own stills, and a subject cut off at the picture's
edge would not touch the frame's. The bars are found on the frames themselves and the frames
are published without them.

A bar is made by the camera, not by the scene, and is told apart from a black backdrop by
what a scene never is:

- *exactly flat*: every pixel of a bar column is within ``FLAT_LEVELS`` grey levels of the
  bar's level (``BAR_MAX_LEVEL`` at the most), where even a crushed black backdrop carries
  noise and a vignette;
- *symmetric*: the picture is centred (bars on both sides, within ``SYMMETRY_PX``);
- *a camera's shape*: what is left is 1:1, 5:4, 4:3, 3:2 or 16:9 (``ASPECTS``);
- *stable*: the same edges on ``AGREE`` checks in a row (one check every ``CHECK_EVERY``
  frames); until then, and whenever they disagree, the whole frame is kept.

A frame whose bars carry the camera's overlay (not "clean HDMI") is not flat: it is kept whole.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)

BAR_MAX_LEVEL = 40  # a bar's grey level at the most (full-range black 0, limited-range 16)
FLAT_LEVELS = 3  # a bar column's pixels all within this of the bar's level (JPEG/MJPEG noise)
MIN_BAR_SHARE = 0.03  # narrower bars are not cut (a few dark columns at an edge)
SYMMETRY_PX = 4  # the two bars' widths may differ by this much (odd sizes, scaler rounding)
CHECK_EVERY = 15  # frames between checks
AGREE = 3  # checks in a row with the same edges before they are cut
SAMPLES = 48  # rows (and columns) looked at, evenly spaced: a bar is flat along all of them
# The picture's shape must be a camera's (within ASPECT_TOLERANCE): 1:1, 5:4, 4:3, 3:2, 16:9.
ASPECTS = (1.0, 5 / 4, 4 / 3, 3 / 2, 16 / 9)
ASPECT_TOLERANCE = 0.015  # MJPEG/JPEG blocks blur a bar's edge by up to ~8 px: 0.7 % at 1080p


@dataclass(frozen=True, slots=True)
class Picture:
    """Where the picture is in the frame: x0, y0, x1, y1 (x1, y1 exclusive)."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def size(self) -> tuple[int, int]:
        return self.x1 - self.x0, self.y1 - self.y0

    def crop(self, image: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(image[self.y0:self.y1, self.x0:self.x1])


def _bar_run(lo: np.ndarray, hi: np.ndarray) -> int:
    """How many lines from the start of ``lo``/``hi`` (each line's darkest and brightest level)
    are flat and dark at one common level."""
    hi, lo = hi.astype(np.int16), lo.astype(np.int16)
    flat = (hi <= BAR_MAX_LEVEL) & (hi - lo <= FLAT_LEVELS) & (np.abs(hi - hi[0]) <= FLAT_LEVELS)
    if not flat[0]:
        return 0
    stop = np.flatnonzero(~flat)
    return int(stop[0]) if stop.size else len(flat)


def _bars(lo: np.ndarray, hi: np.ndarray, length: int) -> tuple[int, int] | None:
    """(start, end) of the picture along one axis, or None when there are no bars to cut."""
    first = _bar_run(lo, hi)
    last = _bar_run(lo[::-1], hi[::-1])
    if first + last >= length:  # a black frame: nothing to find a picture in
        return None
    if min(first, last) < MIN_BAR_SHARE * length or abs(first - last) > SYMMETRY_PX:
        return None
    return first, length - last


def find_picture(image: np.ndarray) -> Picture | None:
    """The picture inside bars in one BGR (or grey) frame, or None (no bars found)."""
    h, w = image.shape[:2]
    rows = _brightest_channel(image[np.linspace(0, h - 1, min(h, SAMPLES)).astype(int)])
    cols = _brightest_channel(image[:, np.linspace(0, w - 1, min(w, SAMPLES)).astype(int)])
    x = _bars(rows.min(axis=0), rows.max(axis=0), w)
    y = _bars(cols.min(axis=1), cols.max(axis=1), h)
    if x is None and y is None:
        return None
    (x0, x1), (y0, y1) = x or (0, w), y or (0, h)
    aspect = (x1 - x0) / (y1 - y0)
    if not any(abs(aspect / a - 1.0) <= ASPECT_TOLERANCE for a in ASPECTS):
        return None  # dark sides of the scene that happen to be flat: not a camera's picture
    return Picture(x0, y0, x1, y1)


def _brightest_channel(lines: np.ndarray) -> np.ndarray:
    """A dark bar is dark in every channel: the brightest of them, per pixel."""
    if lines.ndim == 2:
        return lines
    return np.maximum(np.maximum(lines[..., 0], lines[..., 1]), lines[..., 2])


class BarCutter:
    """Per source: looks for bars every ``CHECK_EVERY`` frames; :meth:`cut` returns the frame
    without them once ``AGREE`` checks in a row found the same picture."""

    def __init__(self) -> None:
        self.picture: Picture | None = None  # what is cut now (None: the whole frame)
        self._candidate: Picture | None = None
        self._agreed = 0
        self._frames = 0

    def reset(self) -> None:
        """A new signal (the source was reopened): look again from scratch."""
        self.picture, self._candidate, self._agreed, self._frames = None, None, 0, 0

    def cut(self, image: np.ndarray) -> np.ndarray:
        # The first AGREE frames are all checked, so a barred signal is cut from its AGREE-th
        # frame on, not after a second of the whole frame.
        if self._frames < AGREE or self._frames % CHECK_EVERY == 0:
            self._check(image)
        self._frames += 1
        return self.picture.crop(image) if self.picture is not None else image

    def _check(self, image: np.ndarray) -> None:
        found = find_picture(image)
        if found != self._candidate:
            self._candidate, self._agreed = found, 0
        self._agreed += 1
        if self._agreed >= AGREE and found != self.picture:
            h, w = image.shape[:2]
            if found is None:
                log.info("video: the bars are gone: the whole %dx%d frame is analysed", w, h)
            else:
                log.info("video: picture %dx%d inside the %dx%d frame: the bars are cut off",
                         *found.size, w, h)
            self.picture = found
