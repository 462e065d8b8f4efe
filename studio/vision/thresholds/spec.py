"""How a threshold is declared: its default value and the reason for it, kept as field metadata."""

from __future__ import annotations

from dataclasses import field
from typing import Any


def threshold(value: float, why: str) -> Any:
    """A threshold field: ``value`` by default, ``why`` read back by :meth:`Thresholds.why`."""
    return field(default=value, metadata={"why": why})
