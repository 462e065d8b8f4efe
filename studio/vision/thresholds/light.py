"""Exposure, background and clothing.

Each value with its reason (see the package docstring).
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.vision.thresholds.spec import threshold as _t


@dataclass(frozen=True)
class LightThresholds:
    # -- exposure ----------------------------------------------------------------------------------
    face_highlights_dark: float = _t(
        120.0,
        "measured: the lit skin (95th percentile of face luma) of every correctly exposed "
        "fixture reaches 115-240 whatever the skin tone; copies 2.5 stops darker 63-109",
    )
    face_dark: float = _t(
        45.0,
        "measured: median face luma; a low-key fixture face sits at 59, 2.5-stop dark "
        "copies of most faces at 38-90 (the highlight rule catches those)",
    )
    face_bright: float = _t(205.0, "measured: median face luma above 205/255 washes skin out")
    face_clipped_fraction: float = _t(
        0.04, "heuristic: over 4 % of the face at ≥ 250 = clipped highlights on skin"
    )
    face_crushed_fraction: float = _t(0.25, "OFIQ-like: over 25 % of the face at ≤ 25 = blocked shadows")
    face_clipped_level: float = _t(
        250.0, "convention: 8-bit luma at or above 250 is clipped (no detail left in the highlight)"
    )
    face_crushed_level: float = _t(
        25.0, "OFIQ-like: 8-bit luma at or below 25 is a blocked shadow (no detail left)"
    )

    # -- light: under-exposure judged against skin-free references ---------------------------------
    exposure_dark_min_probability: float = _t(
        0.0,
        "convention: a preset may ask for more certainty before calling a face too dark (the "
        "under-exposure model's own cut applies when higher); theatrical low-key light: 0.9",
    )

    # -- background and clothing -------------------------------------------------------------------
    background_busy: float = _t(
        10.0,
        "measured on the fixtures (no labels, judged by eye): studio backdrops and plain "
        "walls 0-6, rooms, flags, curtains and foliage 10-27 (mean gradient at IED = 32 px)",
    )
    background_min_pixels: float = _t(0.08, "need ≥ 8 % of the frame as background to judge")
    clothing_busy: float = _t(
        26.0,
        "measured: gradient energy on the torso at IED = 32 px; plain shirts, suits and "
        "knits 3-23, a flowered shirt 48, a costume 31, a chunky knit 29",
    )
    clothing_periodic: float = _t(
        20.0,
        "measured: spectral peak / 99th percentile on the torso: the fixtures' clothes "
        "0-14 (a striped tie 9), regular stripes painted over a torso 63-141",
    )
    clothing_periodic_min_busy: float = _t(
        0.5,
        "heuristic: a regular pattern warns only with at least half the busy energy "
        "(clothing_busy): a faint regular weave does not cause moiré",
    )
    clothing_min_torso: float = _t(
        0.3,
        "heuristic: the person mask covers under 30 % of the torso box below the chin: the "
        "torso is out of the frame or hidden, clothing is not judged",
    )
