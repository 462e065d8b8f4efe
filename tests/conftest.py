"""Shared test fixtures: where the real media are, and an isolated configuration home."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_FIXTURES = ROOT.parent / "shared" / "fixtures"

# Tests never read the user's configuration (studio presets, libgphoto2's settings file).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def isolated_config(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("xdg-config")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def shared_fixtures() -> Path:
    """The project's real photos and video (../shared/fixtures); skips when absent."""
    if not SHARED_FIXTURES.is_dir():
        pytest.skip(f"real fixtures not found at {SHARED_FIXTURES} (they live beside the project, "
                    "not in it)")
    return SHARED_FIXTURES


@pytest.fixture(scope="session")
def portraits(shared_fixtures) -> Path:
    return shared_fixtures / "portraits"


@pytest.fixture(scope="session")
def liveview_video(shared_fixtures) -> Path:
    return shared_fixtures / "liveview" / "stage_singer_640x360_30fps.mp4"


@pytest.fixture(scope="session")
def sample_recording() -> Path:
    path = ROOT / "studio" / "data" / "sample.slv"
    if not path.exists():
        pytest.fail(f"the bundled sample recording is missing: {path}")
    return path


@pytest.fixture
def mount_tmpfs():
    """``mount(folder, options)``: a real tmpfs (``size=256k``, ``ro``…) on ``folder``, unmounted
    at teardown; skips where mounting is not allowed (it needs root, as CI runs)."""
    mounted: list[Path] = []

    def mount(folder: Path, options: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(folder)
        return folder

    yield mount
    for folder in reversed(mounted):
        subprocess.run(["umount", str(folder)], check=False)


@pytest.fixture
def tiny_disk(tmp_path, mount_tmpfs) -> Path:
    """A real 256 KiB tmpfs: the disk really fills up."""
    return mount_tmpfs(tmp_path / "tiny", "size=256k")


@pytest.fixture(scope="module")
def analyzer():
    """A still analyser with the default preset, shared by a test module (models load once)."""
    from studio.vision import Analyzer

    a = Analyzer("commercial-headshot", mode="still")
    yield a
    a.close()


@pytest.fixture(scope="module")
def img24(analyzer):
    """A sharp headshot with clean glasses and catchlights: (image, landmarks in px, analysis)."""
    import numpy as np

    from studio.vision import load_image

    path = SHARED_FIXTURES / "portraits" / "deepface__img24.jpg"
    if not path.exists():
        pytest.skip(f"real fixtures not found at {SHARED_FIXTURES}")
    image = load_image(path)
    base = analyzer.analyse_image(image, source="img24")
    lm = np.array(base.subject.landmarks, np.float32).copy()
    lm[:, 0] *= image.shape[1]
    lm[:, 1] *= image.shape[0]
    return image, lm, base
