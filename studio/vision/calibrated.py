"""Small calibrated classifiers: logistic regression on measured features, weights in a file.

Where a hand-set threshold does not generalise, a check learns one: a tuning script in
``scripts/`` measures named features on the ``tune`` half of the development set, fits a
:class:`Logistic` with :func:`fit_logistic` and saves it to ``studio/data/models/<name>.json``.
The check loads it offline with :func:`load_model`. The file is small, readable JSON: feature
names, their standardisation, weights, bias, and the probability cut the script chose.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

MODEL_DIR = "models"


@dataclass(frozen=True)
class Logistic:
    """P(positive | features) = sigmoid(bias + sum(w_i * (x_i - mean_i) / scale_i))."""

    name: str
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    cut: float = 0.5  # probability at or above which the check calls the case positive
    about: str = ""

    def probability(self, values: Mapping[str, float]) -> float:
        z = self.bias
        for f, m, s, w in zip(self.features, self.mean, self.scale, self.weights, strict=True):
            z += w * (float(values[f]) - m) / s
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def positive(self, values: Mapping[str, float]) -> bool:
        return self.probability(values) >= self.cut

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "about": self.about, "features": list(self.features),
                "mean": list(self.mean), "scale": list(self.scale), "weights": list(self.weights),
                "bias": self.bias, "cut": self.cut}

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")


def fit_logistic(name: str, rows: Sequence[Mapping[str, float]], labels: Sequence[bool],
                 features: Sequence[str], *, l2: float = 1.0, cut: float = 0.5,
                 about: str = "", iterations: int = 500) -> Logistic:
    """Fit by Newton's method with an L2 penalty (deterministic, no dependency beyond numpy)."""
    x = np.array([[float(r[f]) for f in features] for r in rows], dtype=np.float64)
    y = np.array(labels, dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    w = np.zeros(z.shape[1])
    penalty = np.eye(z.shape[1]) * l2
    penalty[0, 0] = 0.0  # the bias is not shrunk
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -60, 60)))
        grad = z.T @ (p - y) + penalty @ w
        hess = (z.T * (p * (1 - p))) @ z + penalty + np.eye(z.shape[1]) * 1e-9
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    return Logistic(name, tuple(features), tuple(float(v) for v in mean),
                    tuple(float(v) for v in scale), tuple(float(v) for v in w[1:]), float(w[0]),
                    cut, about)


@cache
def load_model(name: str) -> Logistic:
    """The packaged model ``studio/data/models/<name>.json`` (read once)."""
    text = (resources.files("studio") / "data" / MODEL_DIR / f"{name}.json").read_text(encoding="utf-8")
    d = json.loads(text)
    return Logistic(d["name"], tuple(d["features"]), tuple(d["mean"]), tuple(d["scale"]),
                    tuple(d["weights"]), float(d["bias"]), float(d.get("cut", 0.5)), d.get("about", ""))


def model_path(name: str) -> Path:
    """Where a tuning script saves a model (inside the source tree)."""
    return Path(__file__).resolve().parents[1] / "data" / MODEL_DIR / f"{name}.json"
