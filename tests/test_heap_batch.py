"""studio.heap.keep_decode_buffers: a process checking one still after another (the `studio
check` workers) reuses a still's large decode buffers instead of faulting fresh pages in for
each. Measured by the kernel's own count of page faults while the real still analyser checks
a 24 MP JPEG (made from the NASA astronaut photo, public domain) again and again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

_PROBE = """
import json, resource, sys
import cv2, numpy as np
from skimage import data
from studio import heap
from studio.vision import Analyzer
applied = heap.keep_decode_buffers()
path = sys.argv[1]
face = cv2.resize(cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR), (4000, 4000))
cv2.imwrite(path, cv2.copyMakeBorder(face, 0, 0, 1000, 1000, cv2.BORDER_REFLECT),
            [cv2.IMWRITE_JPEG_QUALITY, 92])
with Analyzer("commercial-headshot", mode="still") as analyser:
    for _ in range(2):  # models built, first buffers made
        analyser.analyse_path(path)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(4):
        analyser.analyse_path(path)
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 4
print(json.dumps({"applied": applied, "faults": faults}))
"""

glibc_only = pytest.mark.skipif(os.uname().sysname != "Linux", reason="glibc/Linux only")


def _probe(tmp_path: Path, **env: str) -> dict:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("STUDIO_MALLOC", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")}
    out = subprocess.run([sys.executable, "-c", _PROBE, str(tmp_path / "still.jpg")], cwd=ROOT,
                         env={**clean, **env}, capture_output=True, text=True, timeout=300, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@glibc_only
def test_decode_buffers_are_reused_between_stills(tmp_path):
    kept, default = _probe(tmp_path), _probe(tmp_path, STUDIO_MALLOC="default")
    assert kept["applied"] and not default["applied"]
    # measured: ~1,300 page faults a still kept, ~10,200 with glibc's defaults (40 MB of pages)
    assert kept["faults"] < 0.4 * default["faults"], (kept, default)


@glibc_only
def test_the_users_own_malloc_setting_wins():
    code = "from studio import heap; print(heap.keep_decode_buffers())"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "MALLOC_MMAP_THRESHOLD_": "131072"}, timeout=60, check=True)
    assert out.stdout.strip() == "False"
