"""Face-mesh landmark indices (478 points, iris refined) and the geometry derived from them.

Sides are the subject's own: the subject's right eye is on the image's left for a face
looking at the camera.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

RIGHT_EYE_CONTOUR = (33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246)
LEFT_EYE_CONTOUR = (263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466)
# Eye aspect ratio points p1..p6 (Soukupová & Čech): corner, upper, upper, corner, lower, lower.
RIGHT_EAR = (33, 160, 158, 133, 153, 144)
LEFT_EAR = (362, 385, 387, 263, 373, 380)
RIGHT_IRIS = (468, 469, 470, 471, 472)  # centre, then the ring
LEFT_IRIS = (473, 474, 475, 476, 477)
# Single eye points (all on the contours above): the corners and the lowest point of the lower lid.
RIGHT_EYE_OUTER, RIGHT_EYE_INNER, RIGHT_LOWER_LID = 33, 133, 145
LEFT_EYE_OUTER, LEFT_EYE_INNER, LEFT_LOWER_LID = 263, 362, 374
# Per side ("right" / "left"), for code that loops over SIDES.
EYE_CONTOURS = {"right": RIGHT_EYE_CONTOUR, "left": LEFT_EYE_CONTOUR}
IRISES = {"right": RIGHT_IRIS, "left": LEFT_IRIS}
EYE_CORNERS = {"right": (RIGHT_EYE_OUTER, RIGHT_EYE_INNER), "left": (LEFT_EYE_OUTER, LEFT_EYE_INNER)}
RIGHT_BROW = (70, 63, 105, 66, 107)
LEFT_BROW = (300, 293, 334, 296, 336)
FACE_OVAL = (
    10,
    338,
    297,
    332,
    284,
    251,
    389,
    356,
    454,
    323,
    361,
    288,
    397,
    365,
    379,
    378,
    400,
    377,
    152,
    148,
    176,
    149,
    150,
    136,
    172,
    58,
    132,
    93,
    234,
    127,
    162,
    21,
    54,
    103,
    67,
    109,
)
CHIN = 152
FOREHEAD = 10
NOSE_TIP = 1
NOSE_BRIDGE = (168, 6, 197, 195)
NOSE_OUTLINE = (48, 64, 98, 97, 2, 326, 327, 294, 278, 4)  # nostrils and tip
RIGHT_CHEEK_EDGE = 234
LEFT_CHEEK_EDGE = 454
RIGHT_CHEEK = (50, 101, 118, 117, 123, 147, 187, 205)  # below the eye, above the mouth corner
LEFT_CHEEK = (280, 330, 347, 346, 352, 376, 411, 425)
MOUTH = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185)

SIDES = ("right", "left")

# MediaPipe pose landmarks (33 points): pairs of (subject's left, subject's right).
POSE_SHOULDERS = (11, 12)
POSE_HIPS = (23, 24)
POSE_JOINTS = {
    "elbows": (13, 14),
    "wrists": (15, 16),
    "knees": (25, 26),
    "ankles": (27, 28),
}


@dataclass(frozen=True)
class EyeGeometry:
    side: str
    contour: np.ndarray  # (16, 2) px
    centre: np.ndarray  # iris centre (2,) px
    iris_radius: float  # px
    ear: float  # eye aspect ratio
    corners: np.ndarray  # (2, 2) outer, inner

    @property
    def width(self) -> float:
        return float(np.linalg.norm(self.corners[0] - self.corners[1]))

    def box(self, pad: float = 0.0) -> tuple[float, float, float, float]:
        """x0, y0, x1, y1 around the eye contour, padded by ``pad`` × eye width."""
        x0, y0 = self.contour.min(axis=0)
        x1, y1 = self.contour.max(axis=0)
        p = pad * self.width
        return (float(x0 - p), float(y0 - p), float(x1 + p), float(y1 + p))


def _ear(points: np.ndarray, idx: tuple[int, ...]) -> float:
    p1, p2, p3, p4, p5, p6 = (points[i] for i in idx)
    width = np.linalg.norm(p1 - p4)
    if width < 1e-6:
        return 0.0
    return float((np.linalg.norm(p2 - p6) + np.linalg.norm(p3 - p5)) / (2.0 * width))


class FaceGeometry:
    """One face: landmarks in analysed-image pixels (x, y, z with z on the x scale)."""

    def __init__(self, landmarks: np.ndarray, score: float = 1.0) -> None:
        self.landmarks = landmarks
        self.score = score

    @cached_property
    def xy(self) -> np.ndarray:
        return self.landmarks[:, :2]

    @cached_property
    def box(self) -> tuple[float, float, float, float]:
        """x0, y0, x1, y1 of the face oval, extended up to the estimated crown."""
        oval = self.xy[list(FACE_OVAL)]
        x0, y0 = oval.min(axis=0)
        x1, y1 = oval.max(axis=0)
        return (float(x0), float(min(y0, self.crown_y)), float(x1), float(y1))

    @cached_property
    def right_eye(self) -> EyeGeometry:
        return self._eye("right", RIGHT_EYE_CONTOUR, RIGHT_IRIS, RIGHT_EAR)

    @cached_property
    def left_eye(self) -> EyeGeometry:
        return self._eye("left", LEFT_EYE_CONTOUR, LEFT_IRIS, LEFT_EAR)

    def eye(self, side: str) -> EyeGeometry:
        return self.right_eye if side == "right" else self.left_eye

    def _eye(
        self, side: str, contour: tuple[int, ...], iris: tuple[int, ...], ear: tuple[int, ...]
    ) -> EyeGeometry:
        xy = self.xy
        centre = xy[iris[0]]
        ring = xy[list(iris[1:])]
        radius = float(np.mean(np.linalg.norm(ring - centre, axis=1)))
        corners = xy[[ear[0], ear[3]]] if side == "right" else xy[[ear[3], ear[0]]]
        return EyeGeometry(side, xy[list(contour)], centre.copy(), radius, _ear(xy, ear), corners)

    @cached_property
    def eye_mid(self) -> np.ndarray:
        return (self.right_eye.centre + self.left_eye.centre) / 2.0

    @cached_property
    def ied(self) -> float:
        """Inter-eye distance (iris centres), px."""
        return float(np.linalg.norm(self.left_eye.centre - self.right_eye.centre))

    @cached_property
    def eye_chin(self) -> float:
        """T: distance from the eye midpoint to the chin, px (about half a head length)."""
        return float(np.linalg.norm(self.xy[CHIN] - self.eye_mid))

    @cached_property
    def head_length(self) -> float:
        """Crown to chin, px. The eye line sits at about mid-head on adults."""
        return 2.0 * self.eye_chin

    @cached_property
    def crown_y(self) -> float:
        # Along the face's own vertical axis (handles roll), one T above the eye line.
        axis = self.xy[CHIN] - self.eye_mid
        return float(self.eye_mid[1] - axis[1])

    @cached_property
    def chin_y(self) -> float:
        return float(self.xy[CHIN][1])

    @cached_property
    def width(self) -> float:
        """Face width (the oval's extent), px."""
        return self.box[2] - self.box[0]

    @cached_property
    def area(self) -> float:
        x0, y0, x1, y1 = self.box
        return max(0.0, x1 - x0) * max(0.0, y1 - y0)

    @cached_property
    def roll(self) -> float:
        """Degrees, positive = head tilted towards the subject's left shoulder... in image terms
        the line from the right eye to the left eye rising to the right."""
        d = self.left_eye.centre - self.right_eye.centre
        return float(math.degrees(math.atan2(-d[1], d[0])))

    @cached_property
    def yaw(self) -> float:
        """Degrees, positive = subject turned to their left (their left cheek moves away)."""
        r, left = self.landmarks[RIGHT_CHEEK_EDGE], self.landmarks[LEFT_CHEEK_EDGE]
        return float(math.degrees(math.atan2(left[2] - r[2], left[0] - r[0])))

    @cached_property
    def pitch(self) -> float:
        """Degrees, positive = chin up (the chin moves away from the camera)."""
        top, chin = self.landmarks[FOREHEAD], self.landmarks[CHIN]
        return float(math.degrees(math.atan2(chin[2] - top[2], chin[1] - top[1])))

    def near_eye(self, yaw_threshold: float) -> str | None:
        """The eye nearer the camera when the head is turned more than ``yaw_threshold``."""
        if abs(self.yaw) < yaw_threshold:
            return None
        # Turned to their left: their right eye is nearer the camera.
        return "right" if self.yaw > 0 else "left"
