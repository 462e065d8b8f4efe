"""The whole app, headless, on a composite camera: live view from the bundled recording (replay
driver), captures from libgphoto2's virtual camera. Runs in subprocesses (``VCAMERADIR``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from studio.session.jpeg_xmp import without_xmp

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "studio" / "data" / "sample.slv"
pytestmark = [pytest.mark.camera, pytest.mark.slow]


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    import cv2
    from skimage import data

    if not SAMPLE.exists():
        pytest.fail(f"the bundled sample recording is missing: {SAMPLE}")
    camera_dir = tmp_path / "vcamera"
    camera_dir.mkdir()
    cv2.imwrite(str(camera_dir / "astronaut.jpg"), cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR))
    result = dict(os.environ, VCAMERADIR=str(camera_dir), PYTHONPATH=str(ROOT),
                  XDG_CONFIG_HOME=os.environ["XDG_CONFIG_HOME"], QT_QPA_PLATFORM="offscreen")
    result.pop("DISPLAY", None)
    result.pop("WAYLAND_DISPLAY", None)
    return result


def test_studio_run_headless_on_recording_plus_virtual_camera(env, tmp_path):
    """The whole app: recorded live view analysed, an interval trigger firing the virtual camera,
    each shot stored by the session, checked and labelled."""
    proc = subprocess.run(
        [sys.executable, "-m", "studio.cli", "run", "--source", f"{SAMPLE}+camera", "--headless",
         "--json", "--session", "e2e", "--session-root", str(tmp_path / "sessions"),
         "--interval", "2.5", "2"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    frames = [json.loads(ln) for ln in proc.stdout.splitlines() if ln.startswith("{")]
    assert len(frames) >= 30
    assert [f["frame"] for f in frames] == sorted(f["frame"] for f in frames)
    assert all(f["source"].endswith("+camera") for f in frames)
    assert sum(f["faces"] == 1 for f in frames) >= 0.9 * len(frames)  # real analysis
    (folder,) = (tmp_path / "sessions").iterdir()
    photos = sorted(folder.glob("*.JPG")) + sorted(folder.glob("*.jpg"))
    assert len(photos) == 2, (sorted(p.name for p in folder.iterdir()), proc.stderr[-2000:])
    source = (tmp_path / "vcamera" / "astronaut.jpg").read_bytes()
    for photo in photos:
        # The session embeds its XMP (rating, person) in the JPEG; every other byte is the camera's.
        assert without_xmp(photo.read_bytes()) == without_xmp(source) and photo.read_bytes() != source
        assert photo.with_suffix(".xmp").exists() or Path(str(photo) + ".xmp").exists()
    assert proc.stderr.count("[capture] saved") == 2


def test_app_captures_on_the_virtual_camera_while_analysing_recorded_live_view(env, tmp_path):
    code = textwrap.dedent(f"""
        import json, threading, time
        from pathlib import Path
        from drivers.base import FileAdded
        from drivers.download import FolderSink
        from studio.app import StudioApp, open_camera

        camera = open_camera({str(SAMPLE) + "+camera"!r}, sink=FolderSink(Path({str(tmp_path / "shots")!r})),
                             loop=True)
        added = []
        camera.add_listener(lambda e: added.append(e) if isinstance(e, FileAdded) else None)
        app = StudioApp(camera)
        analyses = []
        app.add_analysis_listener(lambda a: analyses.append(time.monotonic()))
        app.start()
        deadline = time.monotonic() + 60
        while len(analyses) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        before = len(analyses)
        shots = [camera.capture().result(30) for _ in range(5)]
        deadline = time.monotonic() + 30
        while len(analyses) < before + 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        seq = camera.frames.seq
        app.stop()
        print("RESULT " + json.dumps({{"shots": [[str(p) for p in s] for s in shots],
                                       "added": [str(e.path) for e in added],
                                       "analysed_before": before, "analysed_after": len(analyses),
                                       "seq": seq, "model": camera.model}}))
    """)
    proc = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = json.loads(next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))[7:])
    assert res["analysed_before"] >= 3
    assert res["analysed_after"] >= res["analysed_before"] + 3  # analysis kept going around captures
    paths = [Path(s[0]) for s in res["shots"]]
    assert len(set(paths)) == 5 and sorted(map(str, paths)) == sorted(res["added"])
    source = (tmp_path / "vcamera" / "astronaut.jpg").read_bytes()
    assert all(p.read_bytes() == source for p in paths)
    assert "Nikon DSC D750" in res["model"] and "live view" in res["model"]


def test_a_camera_without_live_view_still_captures_through_the_app(env, tmp_path):
    """libgphoto2's virtual camera has no live view (-6): reported, not fatal."""
    proc = subprocess.run(
        [sys.executable, "-m", "studio.cli", "run", "--source", "camera", "--headless",
         "--seconds", "4", "--interval", "2.5", "1", "--session", "nolv",
         "--session-root", str(tmp_path / "sessions")],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "no live view" in proc.stderr and "Traceback" not in proc.stderr
    (folder,) = (tmp_path / "sessions").iterdir()
    assert len(list(folder.glob("*.jpg"))) == 1
