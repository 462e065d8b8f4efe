"""The MediaPipe graphs, created lazily and owned by one thread (one :class:`Models` per thread).

Only the models bundled in the mediapipe 0.10.21 wheel are used (nothing downloads): face mesh
with iris refinement, the full-range face detector, pose with model_complexity=1 and selfie
segmentation.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import sys
import threading
import types
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

os.environ.setdefault("GLOG_minloglevel", "2")  # MediaPipe's C++ info lines are noise on a CLI


class _Deferred(types.ModuleType):
    """Stands in for a module until one of its attributes is used, then imports the real one."""

    def __getattr__(self, name: str) -> Any:
        # Importing a submodule asks for __path__: that is a real use. Other dunders are probes
        # (warning registries, inspect) that must not pay for the import.
        if name.startswith("__") and name not in ("__path__", "__file__", "__all__", "__version__"):
            raise AttributeError(name)
        for stub in ("matplotlib.pyplot", "matplotlib"):
            if isinstance(sys.modules.get(stub), _Deferred):
                del sys.modules[stub]
        return getattr(importlib.import_module(self.__name__), name)


def _defer_matplotlib() -> None:
    """MediaPipe's drawing helpers import matplotlib.pyplot with ``import mediapipe``: 0.5-0.8 s
    of every process start (more than the rest of MediaPipe), and studio never draws with them.
    Placeholders stand in for matplotlib until something really uses it (then it is imported)."""
    if "matplotlib" in sys.modules or "matplotlib.pyplot" in sys.modules:
        return
    package, pyplot = _Deferred("matplotlib"), _Deferred("matplotlib.pyplot")
    package.pyplot = pyplot  # type: ignore[attr-defined]
    sys.modules["matplotlib"], sys.modules["matplotlib.pyplot"] = package, pyplot


class _LazyTasks(types.ModuleType):
    """``mp.tasks`` until it is used: then the real ``mediapipe.tasks.python``."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        real = importlib.import_module("mediapipe.tasks.python")
        sys.modules["mediapipe"].tasks = real  # type: ignore[attr-defined]  # as ``import mediapipe`` binds it
        return getattr(real, name)


def _defer_tasks() -> str | None:
    """``import mediapipe`` also imports its Tasks API (audio, text, vision; sounddevice, which
    starts PortAudio): ~0.15 s of the ~0.5 s CPU of MediaPipe's import in every process that
    checks a photo (``studio check``'s workers), and studio uses only ``mp.solutions``. The
    (empty) ``mediapipe.tasks`` package is loaded from its file and a placeholder stands in for
    ``mediapipe.tasks.python`` during that import only (:func:`_undefer`): ``mp.tasks`` loads it
    on first use, and ``import mediapipe.tasks.python...`` is then an ordinary import."""
    names = ("mediapipe.tasks", "mediapipe.tasks.python")
    found = importlib.util.find_spec("mediapipe")  # found, not imported
    if "mediapipe" in sys.modules or any(n in sys.modules for n in names) or not (found and found.origin):
        return None
    folder = os.path.join(os.path.dirname(found.origin), "tasks")
    spec = importlib.util.spec_from_file_location(
        names[0], os.path.join(folder, "__init__.py"), submodule_search_locations=[folder])
    if spec is None or spec.loader is None:
        return None
    package = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(package)
    package.python = _LazyTasks(names[1])  # type: ignore[attr-defined]
    sys.modules[names[0]], sys.modules[names[1]] = package, package.python
    return names[1]


def _undefer(placeholder: str | None) -> None:
    if placeholder is not None:
        del sys.modules[placeholder]


_defer_matplotlib()
_placeholders = _defer_tasks()
import mediapipe as mp  # noqa: E402

_undefer(_placeholders)

from studio.vision.landmarks import FaceGeometry  # noqa: E402

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Detection:
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 px
    score: float


def _built(graph: str) -> None:
    # Each graph brings native threads and 15-110 MB: a late one shows as a step in a session's
    # memory (benchmarks/soak.py), and this line says which and on which thread.
    log.debug("building the %s graph on thread %s", graph, threading.current_thread().name)


class Models:
    """Lazily built graphs. ``live`` selects tracking mode for the frame-wide face mesh."""

    def __init__(self, *, live: bool, max_faces: int = 3) -> None:
        self.live = live
        self.max_faces = max_faces
        # MediaPipe's graph objects (untyped), built on first use.
        self._mesh: Any = None
        self._crop_mesh: Any = None
        self._crop_tracker: Any = None
        self._detector: Any = None
        self._pose: Any = None
        self._segmenter: Any = None

    # -- face ------------------------------------------------------------------------------

    def mesh(self, rgb: np.ndarray) -> list[FaceGeometry]:
        """Face mesh on the whole image (tracking in live mode); landmarks in image px."""
        if self._mesh is None:
            _built("frame-wide face mesh")
            self._mesh = mp.solutions.face_mesh.FaceMesh(
                static_image_mode=not self.live,
                max_num_faces=self.max_faces,
                refine_landmarks=True,
                min_detection_confidence=0.5,
                min_tracking_confidence=0.5,
            )
        result = self._mesh.process(rgb)
        h, w = rgb.shape[:2]
        return [FaceGeometry(_landmarks(f, w, h, 0.0, 0.0, 1.0)) for f in result.multi_face_landmarks or ()]

    def mesh_in_crop(
        self,
        rgb: np.ndarray,
        box: tuple[float, float, float, float],
        scale: float = 1.0,
        side: int = 320,
        track: bool = False,
        bgr: bool = False,
    ) -> FaceGeometry | None:
        """Face mesh on a square crop around ``box`` (px of an image ``scale`` × smaller than
        ``rgb``); landmarks returned in the smaller image's px. Finds faces the frame-wide mesh
        is too short-range for. ``track``: live view keeps the crop still between frames, so a
        tracking graph (no detector run on every frame) can work in crop coordinates. ``bgr``:
        the image is BGR; only the crop is converted (not a whole 24 MP still)."""
        graph = self._crop_graph(track)
        cut = _square_crop(rgb, box, scale, side)
        if cut is None:
            return None
        crop, k, (ix0, iy0) = cut
        if bgr:
            crop = cv2.cvtColor(crop, cv2.COLOR_BGR2RGB)
        result = graph.process(np.ascontiguousarray(crop))
        if not result.multi_face_landmarks:
            return None
        ch, cw = crop.shape[:2]
        lm = _landmarks(result.multi_face_landmarks[0], cw, ch, 0.0, 0.0, 1.0)
        lm /= k  # crop px -> full-res px
        lm[:, 0] += ix0
        lm[:, 1] += iy0
        lm /= scale  # -> analysed-image px
        return FaceGeometry(lm)

    def _crop_graph(self, track: bool) -> Any:
        graph = self._crop_tracker if track else self._crop_mesh
        if graph is None:
            _built("crop face mesh (tracking)" if track else "crop face mesh")
            graph = mp.solutions.face_mesh.FaceMesh(
                static_image_mode=not track,
                max_num_faces=1,
                refine_landmarks=True,
                min_detection_confidence=0.5,
                min_tracking_confidence=0.5,
            )
            if track:
                self._crop_tracker = graph
            else:
                self._crop_mesh = graph
        return graph

    def detect(self, rgb: np.ndarray, min_score: float) -> list[Detection]:
        """Full-range face detector (finds small and distant faces)."""
        if self._detector is None:
            _built("face detector")
            self._detector = mp.solutions.face_detection.FaceDetection(
                model_selection=1, min_detection_confidence=min_score
            )
        result = self._detector.process(rgb)
        h, w = rgb.shape[:2]
        found = []
        for det in result.detections or ():
            bb = det.location_data.relative_bounding_box
            box = (bb.xmin * w, bb.ymin * h, (bb.xmin + bb.width) * w, (bb.ymin + bb.height) * h)
            found.append(Detection(box, float(det.score[0])))
        return found

    # -- body ------------------------------------------------------------------------------

    def pose(self, rgb: np.ndarray) -> np.ndarray | None:
        """(33, 4) pose landmarks (x, y px; z; visibility) or None."""
        if self._pose is None:
            _built("pose")
            self._pose = mp.solutions.pose.Pose(
                static_image_mode=not self.live,
                model_complexity=1,
                enable_segmentation=False,
                min_detection_confidence=0.5,
                min_tracking_confidence=0.5,
            )
        result = self._pose.process(rgb)
        if not result.pose_landmarks:
            return None
        h, w = rgb.shape[:2]
        return np.array(
            [(p.x * w, p.y * h, p.z * w, p.visibility) for p in result.pose_landmarks.landmark], np.float32
        )

    def person_mask(self, rgb: np.ndarray) -> np.ndarray:
        """Float mask 0..1 of people, at the size of ``rgb``."""
        if self._segmenter is None:
            _built("person mask")
            self._segmenter = mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=0)
        return self._segmenter.process(rgb).segmentation_mask

    def warm(self) -> None:
        """Build the pose and person-mask graphs now. Pose alone is ~160 MB and two threads, built
        otherwise on the first frame whose framing needs it (minutes into a session, or never):
        built at start, a session's memory is steady from its first minute (the soak and the
        bench measure growth from there) and that frame's framing verdict does not wait for it."""
        blank = np.zeros((64, 64, 3), np.uint8)
        self.pose(blank)
        self.person_mask(blank)

    def warm_live(self, detector_min_score: float) -> None:
        """Build now the graphs live view's vision thread may need later: the face search's
        (the detector and the tracking crop mesh, used when the face is lost: five threads,
        ~46 MB) and its own frame-wide mesh (~31 MB; with live view's first stage it runs
        only when a face followed on a crop is lost on a frame prepared without one). Built
        on first use otherwise, minutes into a session (a step in its memory,
        benchmarks/soak.py), on the frame that most needs to be quick. ``detector_min_score``:
        the one the search will ask for (the detector's graph keeps the score it was built with)."""
        blank = np.zeros((64, 64, 3), np.uint8)
        self.detect(blank, detector_min_score)
        self.mesh_in_crop(blank, (8.0, 8.0, 56.0, 56.0), track=True)
        self.mesh(blank)

    def close(self) -> None:
        graphs = (
            self._mesh,
            self._crop_mesh,
            self._crop_tracker,
            self._detector,
            self._pose,
            self._segmenter,
        )
        for graph in graphs:
            if graph is not None:
                graph.close()
        self._mesh = self._crop_mesh = self._crop_tracker = None
        self._detector = self._pose = self._segmenter = None


# A NormalizedLandmarkList as serialized when only x, y, z are set: per landmark a field tag,
# a length (15) and three tagged little-endian floats. Parsing that with numpy is ~10x faster
# than reading 478 × 3 protobuf attributes from Python (0.03 vs 0.3 ms a face, every frame).
_WIRE = np.dtype(
    [
        ("tag", "u1"),
        ("len", "u1"),
        ("tx", "u1"),
        ("x", "<f4"),
        ("ty", "u1"),
        ("y", "<f4"),
        ("tz", "u1"),
        ("z", "<f4"),
    ]
)
_WIRE_TAGS = {"tag": 0x0A, "len": 15, "tx": 0x0D, "ty": 0x15, "tz": 0x1D}


def _square_crop(
    image: np.ndarray, box: tuple[float, float, float, float], scale: float, side: int
) -> tuple[np.ndarray, float, tuple[int, int]] | None:
    """A square of 2.2 face widths around ``box`` (px of an image ``scale`` × smaller), at most
    ``side`` px: (crop, its px per image px, its origin in image px), or None if too small."""
    x0, y0, x1, y1 = (v * scale for v in box)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half = 1.1 * max(x1 - x0, y1 - y0)
    h, w = image.shape[:2]
    ix0, iy0 = int(max(0, cx - half)), int(max(0, cy - half))
    ix1, iy1 = int(min(w, cx + half)), int(min(h, cy + half))
    if ix1 - ix0 < 16 or iy1 - iy0 < 16:
        return None
    crop = image[iy0:iy1, ix0:ix1]
    k = side / max(crop.shape[:2])
    if k >= 1.0:
        return crop, 1.0, (ix0, iy0)
    size = (max(1, round(crop.shape[1] * k)), max(1, round(crop.shape[0] * k)))
    return cv2.resize(crop, size, interpolation=cv2.INTER_AREA), k, (ix0, iy0)


def _landmarks(face, w: int, h: int, ox: float, oy: float, scale: float) -> np.ndarray:
    data = face.SerializeToString()
    pts = None
    if len(data) % _WIRE.itemsize == 0:
        wire = np.frombuffer(data, _WIRE)
        if all((wire[k] == v).all() for k, v in _WIRE_TAGS.items()):
            pts = np.stack([wire["x"], wire["y"], wire["z"]], axis=1).astype(np.float32)
    if pts is None:  # visibility/presence set, or another layout: read it the slow way
        pts = np.array([(p.x, p.y, p.z) for p in face.landmark], np.float32)
    pts[:, 0] = pts[:, 0] * w + ox
    pts[:, 1] = pts[:, 1] * h + oy
    pts[:, 2] *= w
    return pts * scale
