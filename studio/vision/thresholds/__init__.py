"""Every threshold the checks use, in one place, each with the reason for its value.

Values marked *measured* were tuned on the labelled fixtures and the synthetic cases of
``scripts/evaluate_checks.py`` (figures in docs/accuracy.md); *convention* values come from
photographic practice or ISO/ICAO rules; *heuristic* ones are reasoned, not tuned. A preset may
override any of them (``Preset.thresholds``), and a user preset file may too.

The fields live by area in this package's modules (faces, eyes, glasses, light, live,
advice); :class:`Thresholds` is all of them in one frozen value.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from studio.vision.thresholds.advice import AdviceThresholds
from studio.vision.thresholds.eyes import EyeThresholds
from studio.vision.thresholds.faces import FaceThresholds
from studio.vision.thresholds.glasses import GlassesThresholds
from studio.vision.thresholds.light import LightThresholds
from studio.vision.thresholds.live import LiveThresholds


@dataclass(frozen=True)
class Thresholds(AdviceThresholds, LiveThresholds, LightThresholds, GlassesThresholds, EyeThresholds,
                 FaceThresholds):  # fields in the reverse order: faces first
    def why(self, name: str) -> str:
        for f in fields(self):
            if f.name == name:
                return str(f.metadata.get("why", ""))
        raise KeyError(name)

    def updated(self, **changes: float) -> Thresholds:
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise KeyError(f"unknown threshold(s): {', '.join(sorted(unknown))}")
        return replace(self, **{k: float(v) for k, v in changes.items()})


DEFAULT = Thresholds()
