"""One set of assertions, run against every driver of :class:`drivers.base.Camera`.

- replay: live view from a folder of JPEGs (in this process);
- gphoto: libgphoto2's virtual camera (a subprocess: ``VCAMERADIR`` must be set before
  ``gphoto2`` is imported, and a crash in the C library must not take pytest down);
- composite: live view from the replay driver, captures and settings from the virtual camera.

The subprocess runs this very file (``python tests/test_camera_contract.py DRIVER DIR``) so the
assertions are literally the same code.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from drivers.base import (  # noqa: E402
    Camera,
    CameraError,
    CameraState,
    FileAdded,
    NotSupported,
    Setting,
    SettingError,
    SettingKind,
)
from drivers.download import FolderSink  # noqa: E402

HAS_REPLAY = (ROOT / "drivers" / "replay" / "__init__.py").exists()


def make_jpegs(folder: Path, count: int = 12, size: tuple[int, int] = (320, 240)) -> Path:
    """Synthetic live-view frames (cv2-encoded), each visibly different."""
    import cv2
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    w, h = size
    for i in range(count):
        image = np.zeros((h, w, 3), np.uint8)
        image[:, :, 1] = np.linspace(0, 255, w, dtype=np.uint8)[None, :]
        cv2.circle(image, (20 + i * 20, h // 2), 30, (255, 255, 255), -1)
        cv2.imwrite(str(folder / f"frame_{i:03d}.jpg"), image)
    return folder


def check_contract(camera: Camera, *, live_view: bool) -> dict:
    """The assertions every driver must pass. Returns facts for the caller to report."""
    assert isinstance(camera, Camera)
    events: list = []
    got_file = threading.Event()

    def listener(event) -> None:
        events.append(event)
        if isinstance(event, FileAdded):
            got_file.set()

    unsubscribe = camera.add_listener(listener)
    assert callable(unsubscribe)
    camera.open()
    camera.open()  # a second open is harmless
    try:
        assert camera.state is CameraState.CONNECTED
        assert isinstance(camera.model, str) and camera.model

        # Live view: frames with increasing sequence numbers, or a clear NotSupported.
        future = camera.start_live_view()
        if live_view:
            future.result(10)
            first = camera.frames.wait_newer(0, timeout=10)
            assert first is not None, "no live-view frame within 10 s"
            assert first.jpeg[:2] == b"\xff\xd8" and first.size[0] > 0 and first.size[1] > 0
            second = camera.frames.wait_newer(first.seq, timeout=10)
            assert second is not None and second.seq > first.seq
            assert second.timestamp >= first.timestamp
            camera.stop_live_view().result(10)
        else:
            with pytest.raises(NotSupported):
                future.result(10)

        # Settings: typed values; an invalid value is refused with the allowed ones listed.
        settings = camera.settings().result(10)
        assert settings and all(isinstance(s, Setting) and s.name == n for n, s in settings.items())
        choice = next((s for s in settings.values()
                       if s.kind is SettingKind.CHOICE and not s.readonly and len(s.choices) >= 2), None)
        assert choice is not None, "every driver offers at least one choice setting"
        with pytest.raises(SettingError) as refused:
            camera.set_setting(choice.name, "no-such-value-42").result(10)
        assert choice.choices[0] in str(refused.value)
        target = next(c for c in choice.choices if c != choice.value)
        assert camera.set_setting(choice.name, target).result(10).value == target
        assert camera.settings().result(10)[choice.name].value == target

        # Capture: files on disk, announced as FileAdded.
        paths = camera.capture().result(30)
        assert paths and all(p.exists() and p.stat().st_size > 0 for p in paths)
        assert got_file.wait(10)
        added = {e.path for e in events if isinstance(e, FileAdded)}
        assert set(paths) <= added
    finally:
        camera.close()
    camera.close()  # idempotent
    assert camera.state is CameraState.CLOSED
    with pytest.raises(CameraError):
        camera.capture().result(5)
    unsubscribe()
    return {"model": camera.model, "files": [str(p) for p in paths]}


def build(driver: str, workdir: Path) -> tuple[Camera, bool]:
    sink = FolderSink(workdir / "captures")
    if driver == "replay":
        from drivers.replay import open_source

        return open_source(make_jpegs(workdir / "live"), pace="recorded", loop=True, sink=sink), True
    from drivers.gphoto import GphotoCamera, GphotoOptions

    stills = GphotoCamera(sink, GphotoOptions(pair_settle_s=0.0))
    if driver == "gphoto":
        return stills, False
    from drivers.composite import CompositeCamera
    from drivers.replay import open_source

    live = open_source(make_jpegs(workdir / "live"), pace="recorded", loop=True,
                       sink=FolderSink(workdir / "unused"))
    return CompositeCamera(live=live, stills=stills), True


def _virtual_camera_env(tmp_path: Path) -> dict[str, str]:
    import cv2
    from skimage import data

    camera_dir = tmp_path / "vcamera"
    camera_dir.mkdir()
    image = cv2.cvtColor(cv2.resize(data.astronaut(), (256, 256)), cv2.COLOR_RGB2BGR)
    cv2.imwrite(str(camera_dir / "astronaut.jpg"), image)
    (tmp_path / "xdg").mkdir()
    env = dict(os.environ, VCAMERADIR=str(camera_dir), XDG_CONFIG_HOME=str(tmp_path / "xdg"),
               PYTHONPATH=str(ROOT))
    return env


DRIVERS = ["gphoto"] + (["replay", "composite"] if HAS_REPLAY else [])


@pytest.mark.parametrize("driver", DRIVERS)
def test_camera_contract(driver, tmp_path):
    if driver == "replay":
        camera, live_view = build(driver, tmp_path)
        facts = check_contract(camera, live_view=live_view)
        assert Path(facts["files"][0]).parent == tmp_path / "captures"
        return
    proc = subprocess.run([sys.executable, __file__, driver, str(tmp_path)],
                          env=_virtual_camera_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"{driver} contract failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    assert "CONTRACT OK" in proc.stdout
    files = list((tmp_path / "captures").iterdir())
    assert len(files) == 1 and files[0].read_bytes()[:2] == b"\xff\xd8"


if __name__ == "__main__":
    name, work = sys.argv[1], Path(sys.argv[2])
    cam, lv = build(name, work)
    result = check_contract(cam, live_view=lv)
    print("CONTRACT OK", result)
