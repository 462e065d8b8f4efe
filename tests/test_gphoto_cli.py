"""``studio cameras``, ``studio camera …``, ``studio udev`` and ``studio doctor`` as a user runs them.

Each command runs in its own process (libgphoto2 reads ``VCAMERADIR`` at import), against the
virtual camera or, for the "no camera" cases, the real USB iolib with nothing attached.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def studio(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "studio.cli", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def camera_env(tmp_path) -> dict[str, str]:
    import cv2
    import numpy as np

    camera_dir = tmp_path / "vcamera"
    camera_dir.mkdir()
    rng = np.random.default_rng(1)
    cv2.imwrite(str(camera_dir / "shot.jpg"), rng.integers(0, 255, (120, 160, 3), dtype=np.uint8))
    return dict(os.environ, VCAMERADIR=str(camera_dir), PYTHONPATH=str(ROOT),
                XDG_CONFIG_HOME=os.environ["XDG_CONFIG_HOME"])


@pytest.fixture
def no_camera_env() -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("VCAMERADIR", None)
    return env


def assert_one_line_error(proc: subprocess.CompletedProcess, *needles: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("studio: error:"), proc.stderr
    for needle in needles:
        assert needle in lines[0]


@pytest.mark.camera
def test_cameras_lists_model_and_port(camera_env, tmp_path):
    proc = studio(["cameras"], camera_env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["Nikon", "DSC", "D750", "usb:001,001"]
    proc = studio(["cameras", "--json"], camera_env, tmp_path)
    assert proc.stdout.strip() == '[{"model": "Nikon DSC D750", "port": "usb:001,001"}]'


def test_cameras_without_a_camera(no_camera_env, tmp_path):
    proc = studio(["cameras"], no_camera_env, tmp_path)
    assert proc.returncode == 1
    assert "no camera detected" in proc.stdout


def test_camera_settings_without_a_camera_is_one_line(no_camera_env, tmp_path):
    proc = studio(["camera", "settings"], no_camera_env, tmp_path)
    assert_one_line_error(proc, "no camera detected", "PTP")


@pytest.mark.camera
def test_camera_settings_set_and_errors(camera_env, tmp_path):
    proc = studio(["camera", "settings"], camera_env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "f-number = f/2.8  (choice)  [f/2.8, f/3.5" in proc.stdout
    assert "imagesize = 640x480  (choice read-only)" in proc.stdout
    assert "capturetarget = Memory card" in proc.stdout  # set explicitly on connect

    proc = studio(["camera", "set", "shutterspeed", "0.0500s"], camera_env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("shutterspeed = 0.0500s")

    assert_one_line_error(studio(["camera", "set", "f-number", "f/1.2"], camera_env, tmp_path),
                          "'f/1.2' is not allowed for f-number", "allowed: f/2.8", "f/22")
    assert_one_line_error(studio(["camera", "set", "imagesize", "1024x768"], camera_env, tmp_path),
                          "read-only")
    assert_one_line_error(studio(["camera", "set", "iso", "100"], camera_env, tmp_path),
                          "no setting 'iso'")
    assert_one_line_error(studio(["camera", "settings", "nonesuch"], camera_env, tmp_path), "nonesuch")
    assert not (tmp_path / "captures").exists()  # nothing fired from the body, nothing created


@pytest.mark.camera
def test_camera_summary(camera_env, tmp_path):
    proc = studio(["camera", "summary"], camera_env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "model: Nikon DSC D750" in proc.stdout and "port: usb:001,001" in proc.stdout
    assert "Manufacturer: GP" in proc.stdout


def test_udev_rules_written_and_bad_group_refused(no_camera_env, tmp_path):
    out = tmp_path / "70-studio-cameras.rules"
    proc = studio(["udev", "--group", "photo", "-o", str(out)], no_camera_env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    ids = [ln for ln in text.splitlines() if ln.startswith("ATTRS{idVendor}")]
    assert len(ids) >= 2400
    assert all('TAG+="uaccess"' in ln and 'GROUP="photo", MODE="0660"' in ln for ln in ids)
    assert 'MODE="0666"' not in text and 'MODE="0660"' in text
    assert f"({len(ids)} USB ids)" in proc.stdout
    assert_one_line_error(studio(["udev", "--group", "bad group;rm"], no_camera_env, tmp_path),
                          "not a valid group name")
    assert_one_line_error(studio(["udev", "-o", str(tmp_path / "missing" / "x.rules")],
                                 no_camera_env, tmp_path), "cannot write")


@pytest.mark.camera
def test_doctor_reports_each_check_with_a_fix(camera_env, tmp_path):
    env = dict(camera_env)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    proc = studio(["doctor"], env, tmp_path)
    lines = proc.stdout.splitlines()
    assert any(ln.startswith("[pass] libgphoto2: 2.5.") for ln in lines)
    assert "[pass] camera: Nikon DSC D750 on usb:001,001" in lines
    assert any(ln.startswith("[pass] USB permissions") for ln in lines)
    assert any(ln.startswith("[pass] camera not held by another program") for ln in lines)
    assert any(ln.startswith("[FAIL] display") for ln in lines)
    display = lines.index(next(ln for ln in lines if ln.startswith("[FAIL] display")))
    assert lines[display + 1].strip().startswith("fix:")
    assert any(ln.startswith("[pass] models: face mesh, iris, face detection (full range)") for ln in lines)
    assert any("sound output" in ln for ln in lines)
    assert proc.returncode == 1  # at least the display check failed
    assert lines[-1].endswith("failed")
