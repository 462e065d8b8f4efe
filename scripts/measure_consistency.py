"""Measure the ``consistency`` check's deltas against known synthetic offsets.

Each one-person photo of ``../shared/fixtures/portraits`` is framed into a 4:5 frame
(800×1000) by a known similarity transform: a *reference* framing (head 40 % of the height,
eyes at 38 % of the height, centred) and test framings scaled, shifted, rotated and
re-exposed by known amounts. The reference framing is analysed by the still analyser and made
the reference; each test framing is analysed with it, and the deltas the check reports are
compared with the deltas the transform implies. Errors are in % of the frame (eye line, head
position), % of the head size, degrees (tilt) and stops (face, background).

Nothing is tuned here: the tolerances are conventions (studio/vision/thresholds/advice.py); both
halves of the fixed split are measured and the held-out half is the figure reported.

    .venv/bin/python scripts/measure_consistency.py            # prints and writes docs/accuracy.md
    .venv/bin/python scripts/measure_consistency.py --no-write
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.devset import FIXTURES, HELD_OUT, TUNE, split_of, write_section  # noqa: E402

OUT_W, OUT_H = 800, 1000
REF_HEAD = 0.40  # head length, of the frame height, in the reference framing
REF_EYE = (0.5, 0.38)  # eye midpoint, of the frame, in the reference framing
PORTRAITS = FIXTURES / "portraits"


@dataclass(frozen=True)
class View:
    """A framing relative to the reference one: head ``scale``, eye point moved by
    (``dx``, ``dy``) of the frame, rotated ``angle``° (counter-clockwise), ``gain`` stops."""

    scale: float = 1.0
    dx: float = 0.0
    dy: float = 0.0
    angle: float = 0.0
    gain: float = 0.0

    @property
    def name(self) -> str:
        return f"s{self.scale:g} dx{self.dx:+g} dy{self.dy:+g} r{self.angle:+g} e{self.gain:+g}"


VIEWS = (
    View(scale=0.88), View(scale=1.12), View(dx=0.05), View(dx=-0.04, dy=0.03),
    View(dy=-0.04, scale=0.94), View(angle=5.0), View(angle=-3.0, dx=0.02),
    View(gain=-0.5), View(gain=0.4, scale=1.06), View(scale=0.92, dx=-0.03, dy=0.02, angle=2.0, gain=-0.3),
)


def one_person_photos() -> list[Path]:
    """The portraits labelled with exactly one face, sorted by name."""
    data = json.loads((PORTRAITS / "labels.json").read_text(encoding="utf-8"))
    return sorted(PORTRAITS / im["file"] for im in data["images"] if im.get("faces") == 1)


def matrix(eye: np.ndarray, head_px: float, view: View) -> np.ndarray:
    """The 2×3 transform from the photo to the frame that puts ``eye`` (the photo's eye
    midpoint, px) at the view's eye point with the head at the view's size."""
    k = REF_HEAD * OUT_H / head_px * view.scale
    m = cv2.getRotationMatrix2D((float(eye[0]), float(eye[1])), view.angle, k)
    target = ((REF_EYE[0] + view.dx) * OUT_W, (REF_EYE[1] + view.dy) * OUT_H)
    m[:, 2] += np.array(target) - np.asarray(eye, float)
    return m


_LINEAR = ((np.arange(256) / 255.0 + 0.055) / 1.055) ** 2.4


def expose(image: np.ndarray, gain: float) -> np.ndarray:
    """``image`` with its linear light scaled by 2**gain (clipped at white)."""
    if gain == 0:
        return image
    lin = np.clip(_LINEAR * 2.0**gain, 0.0, 1.0)
    srgb = np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)
    lut = np.clip(np.round(srgb * 255.0), 0, 255).astype(np.uint8)
    return cv2.LUT(image, lut)


def frame(photo: np.ndarray, m: np.ndarray, gain: float) -> np.ndarray:
    out = cv2.warpAffine(photo, m, (OUT_W, OUT_H), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)
    return expose(out, gain)


def expected(m_ref: np.ndarray, m_view: np.ndarray, eye_ref: tuple[float, float],
             view: View) -> dict[str, float]:
    """The deltas the transforms imply, in the check's units (``deltas`` field)."""
    back = cv2.invertAffineTransform(m_ref)
    eye = back @ np.array([eye_ref[0] * OUT_W, eye_ref[1] * OUT_H, 1.0])
    a = m_ref @ np.append(eye, 1.0)
    b = m_view @ np.append(eye, 1.0)
    return {
        "head_size": 100.0 * (view.scale - 1.0),
        "eye_line": 100.0 * (b[1] - a[1]) / OUT_H,
        "head_x": 100.0 * (b[0] - a[0]) / OUT_W,
        "tilt": view.angle,
        "face": view.gain,
        "background": view.gain,
    }


ERROR_UNITS = {"eye_line": "% of height", "head_x": "% of width", "head_size": "% of head size",
               "tilt": "°", "face": "stop", "background": "stop"}


def measure_photo(analyser, path: Path, views: tuple[View, ...] = VIEWS) -> list[dict[str, float]] | None:
    """Errors (measured − expected delta) per view of one photo; None when the photo gives
    no reference (no face found)."""
    from studio.vision.reference import Reference

    photo = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if photo is None:
        return None
    analyser.set_reference(None)
    first = analyser.analyse_image(photo, source=str(path)).check("consistency")
    original = Reference.from_fields(first.fields) if first is not None else None
    if original is None:
        return None
    h, w = photo.shape[:2]
    eye = np.array([original.head_x * w, original.eye_y * h])
    m_ref = matrix(eye, original.head * h, View())
    ref_frame = frame(photo, m_ref, 0.0)
    got = analyser.analyse_image(ref_frame, source=f"{path.name} reference").check("consistency")
    reference = Reference.from_fields(got.fields, path.name) if got is not None else None
    if reference is None:
        return None
    analyser.set_reference(reference)
    rows = []
    for view in views:
        m_view = matrix(eye, original.head * h, view)
        shown = frame(photo, m_view, view.gain)
        result = analyser.analyse_image(shown, source=view.name).check("consistency")
        deltas = dict(result.fields.get("deltas") or {}) if result is not None else {}
        want = expected(m_ref, m_view, (reference.head_x, reference.eye_y), view)
        row: dict[str, float] = {}
        for key, value in want.items():
            if key in deltas:
                row[key] = float(deltas[key]) - value
        if key_light_clipped(reference):
            row.pop("background", None)
        row["found"] = float(bool(deltas))
        rows.append(row)
    analyser.set_reference(None)
    return rows


def key_light_clipped(reference) -> bool:
    """A white (clipped) or black backdrop cannot show a brightness change: left out."""
    from studio.vision.reference import BLACK_STOPS

    return reference.background is None or not BLACK_STOPS + 1.0 < reference.background < -0.25


def summary(rows: list[dict[str, float]]) -> dict[str, tuple[float, float, int]]:
    """Per measure: (median |error|, worst |error|, count)."""
    out = {}
    for key in ERROR_UNITS:
        errors = [abs(r[key]) for r in rows if key in r]
        if errors:
            out[key] = (statistics.median(errors), max(errors), len(errors))
    return out


def consistency_preset():
    """The headshot preset computing only what the consistency check needs."""
    from dataclasses import replace

    from studio.vision.presets import load_preset

    return replace(load_preset("commercial-headshot"), required=("face",), advisory=("consistency",))


def run(paths: list[Path]) -> dict[str, dict]:
    from studio.vision.analyzer import Analyzer

    by_split: dict[str, list[dict[str, float]]] = {TUNE: [], HELD_OUT: []}
    photos = {TUNE: 0, HELD_OUT: 0}
    missed = {TUNE: 0, HELD_OUT: 0}
    skipped = {TUNE: 0, HELD_OUT: 0}
    with Analyzer(consistency_preset(), mode="still") as analyser:
        for path in paths:
            rows = measure_photo(analyser, path)
            split = split_of(path.name)
            if rows is None:
                skipped[split] += 1
                continue
            photos[split] += 1
            missed[split] += sum(1 for r in rows if not r["found"])
            by_split[split].extend(r for r in rows if r["found"])
    return {s: {"photos": photos[s], "views": len(by_split[s]), "missed": missed[s], "skipped": skipped[s],
                "errors": summary(by_split[s])} for s in by_split}


def markdown(figures: dict[str, dict]) -> str:
    lines = [
        "## Consistency: deltas against known synthetic offsets",
        "",
        "`scripts/measure_consistency.py`: each one-person portrait fixture is framed 4:5 "
        "(800×1000) as a reference (head 40 % of the height) and in "
        f"{len(VIEWS)} known variations (head scaled 0.88-1.12, eyes moved up to 5 % of the "
        "frame, rotated -3° to +5°, exposure -0.5 to +0.4 stop); the `consistency` check's "
        "deltas are compared with the ones the transform implies. |error| = |measured - known|. "
        "Nothing is tuned on these figures (tolerances are conventions); both halves shown, "
        "held-out is the figure.",
        "",
        "| split | photos | views | measure | median \\|error\\| | worst \\|error\\| |",
        "|---|---|---|---|---|---|",
    ]
    for split in (HELD_OUT, TUNE):
        f = figures[split]
        for key, (med, worst, _n) in f["errors"].items():
            unit = ERROR_UNITS[key]
            lines.append(f"| {split} | {f['photos']} | {f['views']} | {key} ({unit}) "
                         f"| {med:.2f} | {worst:.2f} |")
    lines.append("")
    lines.append("Views where the mesh found no face: " + ", ".join(
        f"{s} {figures[s]['missed']}" for s in (HELD_OUT, TUNE)) + "; photos left out because "
        "their face fills the photo (no 4:5 reference framing fits, e.g. a tight face crop): "
        + ", ".join(f"{s} {figures[s]['skipped']}" for s in (HELD_OUT, TUNE)) + ". Background errors "
        "leave out photos whose backdrop is clipped white or black (no change can show).")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/accuracy.md")
    args = parser.parse_args(argv)
    if not PORTRAITS.is_dir():
        print(f"fixtures not found: {PORTRAITS}", file=sys.stderr)
        return 2
    figures = run(one_person_photos())
    text = markdown(figures)
    print(text)
    if not args.no_write:
        write_section("consistency", text)
    return 0 if all(math.isfinite(v[0]) for f in figures.values() for v in f["errors"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
