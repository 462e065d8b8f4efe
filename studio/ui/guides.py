"""What the composition guides show for a preset: thirds, a crop box, eye-line and headroom bands.

Pure data (no Qt): the bands come from the preset's framing thresholds, so the guides drawn
are the ones the framing check measures against.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

log = logging.getLogger(__name__)

CROPS: dict[str, float] = {"4:5": 4 / 5, "2:3": 2 / 3, "1:1": 1.0}  # width / height
CROP_CYCLE = ("4:5", "2:3", "1:1", None)


@dataclass(frozen=True, slots=True)
class Guides:
    thirds: bool = True
    crop: str | None = "4:5"
    eye_band: tuple[float, float] | None = (0.18, 0.52)  # normalised y: top, bottom
    headroom: float | None = 0.22  # normalised y of the headroom limit
    visible: bool = True

    def next_crop(self) -> Guides:
        i = CROP_CYCLE.index(self.crop) if self.crop in CROP_CYCLE else -1
        return replace(self, crop=CROP_CYCLE[(i + 1) % len(CROP_CYCLE)])


def crop_box(crop: str, frame_w: float, frame_h: float) -> tuple[float, float, float, float]:
    """The largest centred box of aspect ``crop`` (portrait orientation) in the frame, normalised."""
    aspect = CROPS[crop]
    if frame_w / frame_h > aspect:  # frame wider than the crop: full height
        w = aspect * frame_h / frame_w
        return ((1 - w) / 2, 0.0, w, 1.0)
    h = frame_w / aspect / frame_h
    return (0.0, (1 - h) / 2, 1.0, h)


# Which guides each preset draws: the preset's choice, not every guide at once. A headshot is
# judged by its crop and eye line; an ID photo by its head position too; a portrait by thirds.
PRESET_GUIDES: dict[str, tuple[str, ...]] = {
    "commercial-headshot": ("crop", "eye_band"),
    "theatrical-headshot": ("crop", "eye_band"),
    "id-photo": ("crop", "eye_band", "headroom"),
    "portrait": ("thirds",),
}
HEADSHOT_GUIDES = ("crop", "eye_band")  # a user preset that wants headshots
OTHER_GUIDES = ("thirds",)


def guides_for_preset(name: str) -> Guides:
    """The guides of a preset (:data:`PRESET_GUIDES`; user presets by the shots they want),
    with the bands at the preset's own framing thresholds."""
    try:
        from studio.vision.presets import load_preset

        preset = load_preset(name)
    except Exception as exc:  # unknown preset, or the vision package is missing
        log.debug("guides for %s: defaults (%s)", name, exc)
        return Guides()
    th = preset.thresholds
    headshot = bool(preset.shots) and "headshot" in preset.shots
    chosen = PRESET_GUIDES.get(name, HEADSHOT_GUIDES if headshot else OTHER_GUIDES)
    return Guides(
        thirds="thirds" in chosen,
        crop="4:5" if "crop" in chosen else None,
        eye_band=(float(th.eye_line_high), float(th.eye_line_low)) if "eye_band" in chosen else None,
        headroom=float(th.headroom_large) if "headroom" in chosen else None,
    )
