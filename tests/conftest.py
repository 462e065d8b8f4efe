"""Shared test fixtures: where the real media are, and an isolated configuration home."""

from __future__ import annotations

import os
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
