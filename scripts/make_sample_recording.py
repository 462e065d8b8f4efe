"""Build the bundled sample live-view recording, ``studio/data/sample.slv``.

The subject is scikit-image's ``astronaut`` (Eileen Collins, NASA portrait, public domain). A
simulated camera looks at it with a 1024×680 live view (a Canon/Sony live-view size) at 30 fps:
a wide half-length view, a push-in to a headshot, a drift that cuts the top of the head for a
moment, a slight roll, then a small pull-back, all with a little hand-held shake. Two full
stills (2048×1360) are recorded as ``S`` records where a photographer would have pressed the
shutter. Everything is deterministic (fixed seed, fixed date): running the script again gives
the same bytes with the same OpenCV build.

    .venv/bin/python scripts/make_sample_recording.py [--out PATH] [--check]

``--check`` runs MediaPipe face mesh on every frame and prints how many show a face.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from drivers.recording import RecordingReader, RecordingWriter, recording_metadata  # noqa: E402
from studio import __version__  # noqa: E402

log = logging.getLogger("make_sample_recording")

FRAME_SIZE = (1024, 680)
STILL_SIZE = (2048, 1360)
FPS = 30.0
DURATION_S = 6.0
FRAME_QUALITY = 58  # ~80 would give ~9 MB at 30 fps; 58 keeps the file under 6 MB (docs/recording.md)
STILL_QUALITY = 85
SEED = 20240611
DATE = "2026-01-01T12:00:00+00:00"  # fixed so the output is reproducible byte for byte
STILL_TIMES = (3.2, 5.3)  # seconds: the headshot and the rolled headshot
# Live view is soft: a touch of blur also keeps the upscaled 512 px source from looking blocky.
SOFTEN_SIGMA = 0.7
BACKGROUND_BLUR = 4.0  # source pixels


@dataclass(frozen=True)
class View:
    """Where the simulated camera looks, in source-image pixels."""

    cx: float
    cy: float
    width: float  # source pixels across the frame's width
    roll: float  # degrees, counter-clockwise


# (time s, view). In the 512 px image her hair starts at y ~ 15, her face (face mesh) spans
# about x 179-271, y 71-177, her chin is at y ~ 180.
KEYFRAMES: tuple[tuple[float, View], ...] = (
    (0.0, View(256, 172, 480, 0.0)),  # wide, half-length
    (1.0, View(250, 168, 460, 0.0)),
    (2.4, View(226, 122, 330, 0.0)),  # pushed in to a headshot
    (3.3, View(226, 120, 325, 0.0)),
    (3.8, View(228, 158, 310, 0.0)),  # drifted down: the top of the head is cut
    (4.3, View(228, 158, 310, 0.0)),
    (4.8, View(224, 124, 330, 4.0)),  # back up, with a slight roll
    (5.4, View(224, 124, 330, 4.0)),
    (6.0, View(232, 140, 380, 1.5)),  # small pull-back
)


def _smoothstep(x: float) -> float:
    return x * x * (3.0 - 2.0 * x)


def view_at(t: float) -> View:
    """The keyframed view at ``t``, eased between keyframes."""
    for (t0, v0), (t1, v1) in zip(KEYFRAMES, KEYFRAMES[1:], strict=False):
        if t0 <= t <= t1:
            a = _smoothstep((t - t0) / (t1 - t0))
            return View(*(p + (q - p) * a for p, q in zip(
                (v0.cx, v0.cy, v0.width, v0.roll), (v1.cx, v1.cy, v1.width, v1.roll), strict=True)))
    return KEYFRAMES[-1][1]


class HandShake:
    """Smooth, small, deterministic camera shake: a few sines with random phases."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._freqs = rng.uniform(0.4, 2.5, size=(3, 4))
        self._phases = rng.uniform(0, 2 * math.pi, size=(3, 4))

    def at(self, t: float) -> tuple[float, float, float]:
        waves = np.sin(2 * math.pi * self._freqs * t + self._phases).sum(axis=1) / 4.0
        return 2.0 * waves[0], 1.5 * waves[1], 0.35 * waves[2]  # dx, dy (src px), droll (deg)


def render(scene: np.ndarray, view: View, size: tuple[int, int]) -> np.ndarray:
    width, height = size
    scale = width / view.width
    matrix = cv2.getRotationMatrix2D((view.cx, view.cy), view.roll, scale)
    matrix[0, 2] += width / 2 - view.cx
    matrix[1, 2] += height / 2 - view.cy
    image = cv2.warpAffine(scene, matrix, size, flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_REFLECT101)
    return cv2.GaussianBlur(image, (0, 0), SOFTEN_SIGMA * width / FRAME_SIZE[0])


def encode(image: np.ndarray, quality: int) -> bytes:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality,
                                            cv2.IMWRITE_JPEG_OPTIMIZE, 1])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return data.tobytes()


def make_scene() -> np.ndarray:
    """The astronaut with a softly blurred background, as a portrait lens would render it.

    The blur also keeps the recording small: the flag and the shuttle are most of the JPEG
    bytes of a wide frame. The person mask comes from MediaPipe selfie segmentation.
    """
    import mediapipe as mp
    from skimage import data as skdata

    rgb = skdata.astronaut()
    with mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=0) as segmenter:
        mask = segmenter.process(rgb).segmentation_mask
    mask = cv2.GaussianBlur(mask, (0, 0), 2.0)[..., None]
    scene = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR).astype(np.float32)
    background = cv2.GaussianBlur(scene, (0, 0), BACKGROUND_BLUR)
    return np.clip(scene * mask + background * (1.0 - mask) + 0.5, 0, 255).astype(np.uint8)


def build(out: Path, quality: int = FRAME_QUALITY) -> None:
    scene = make_scene()
    rng = np.random.default_rng(SEED)
    shake = HandShake(rng)
    meta = recording_metadata(
        camera="Simulated live view (astronaut sample)", frame_size=FRAME_SIZE, fps=FPS,
        source="scikit-image astronaut (NASA portrait of Eileen Collins, public domain); "
               "simulated camera motion by scripts/make_sample_recording.py",
        app_version=__version__, date=DATE, seed=SEED, jpeg_quality=quality)
    part = out.with_name(f".{out.name}.part")
    part.unlink(missing_ok=True)
    stills = list(STILL_TIMES)
    count = round(DURATION_S * FPS)
    with RecordingWriter(part, meta) as writer:
        for i in range(count):
            # A real camera's frames do not arrive on an exact grid: +-3 ms of jitter.
            t = i / FPS + (float(rng.uniform(-0.003, 0.003)) if i else 0.0)
            base = view_at(t)
            dx, dy, droll = shake.at(t)
            view = View(base.cx + dx, base.cy + dy, base.width, base.roll + droll)
            writer.write_frame(encode(render(scene, view, FRAME_SIZE), quality), t)
            if stills and t >= stills[0]:
                stills.pop(0)
                writer.write_still(encode(render(scene, view, STILL_SIZE), STILL_QUALITY), t)
    os.replace(part, out)


def check_faces(path: Path) -> tuple[int, int]:
    """(frames with a face, frames) using MediaPipe face mesh in tracking mode, as the app does."""
    import mediapipe as mp

    found = total = 0
    with RecordingReader(path) as reader, mp.solutions.face_mesh.FaceMesh(
            static_image_mode=False, max_num_faces=1, refine_landmarks=True) as mesh:
        for record in reader.frames():
            image = cv2.imdecode(np.frombuffer(record.payload, np.uint8), cv2.IMREAD_COLOR)
            result = mesh.process(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
            total += 1
            found += bool(result.multi_face_landmarks)
    return found, total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "studio" / "data" / "sample.slv")
    parser.add_argument("--quality", type=int, default=FRAME_QUALITY, help="live-view JPEG quality")
    parser.add_argument("--check", action="store_true", help="count frames where face mesh finds a face")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    build(args.out, args.quality)
    with RecordingReader(args.out) as reader:
        stats = reader.stats
    size = args.out.stat().st_size
    print(f"{args.out}: {stats.frames} frames, {stats.stills} stills, {FPS:g} fps, "
          f"{DURATION_S:g} s, {size / 1e6:.2f} MB")
    if args.check:
        found, total = check_faces(args.out)
        print(f"face mesh found a face in {found} of {total} frames ({100 * found / total:.0f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
