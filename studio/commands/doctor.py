"""``studio doctor``: checks what the app needs, one pass/fail line each with the fix."""

from __future__ import annotations

import argparse
import glob
import importlib.util
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        text = f"[{'pass' if self.ok else 'FAIL'}] {self.name}: {self.detail}"
        return text if self.ok or not self.fix else f"{text}\n       fix: {self.fix}"


# The MediaPipe graph and model files the checks load (all bundled in mediapipe 0.10.21).
MODEL_FILES = {
    "face mesh": ("face_landmark/face_landmark_front_cpu.binarypb",
                  "face_landmark/face_landmark_with_attention.tflite"),
    "iris": ("iris_landmark/iris_landmark.tflite",),
    "face detection (full range)": ("face_detection/face_detection_full_range_cpu.binarypb",
                                    "face_detection/face_detection_full_range_sparse.tflite"),
    "selfie segmentation": ("selfie_segmentation/selfie_segmentation_cpu.binarypb",
                            "selfie_segmentation/selfie_segmentation.tflite"),
    "pose (full)": ("pose_landmark/pose_landmark_cpu.binarypb", "pose_landmark/pose_landmark_full.tflite",
                    "pose_detection/pose_detection.tflite"),
    "hands": ("hand_landmark/hand_landmark_tracking_cpu.binarypb", "hand_landmark/hand_landmark_full.tflite",
              "palm_detection/palm_detection_full.tflite"),
}
UDEV_FIX = ("`sudo studio udev -o /etc/udev/rules.d/70-studio-cameras.rules && "
            "sudo udevadm control --reload-rules && sudo udevadm trigger`, then replug the camera")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("doctor", help="check camera access, libgphoto2, sound, display, models",
                              description="Check what studio needs (camera access, libgphoto2, sound, "
                                          "display, the bundled models): one pass/FAIL line each, "
                                          "with the fix.")
    p.set_defaults(func=cmd_doctor)


def check_libgphoto2() -> Check:
    try:
        from drivers.gphoto.lib import library_version, python_gphoto2_version

        version = library_version()
    except Exception as exc:  # broken install: say so instead of a traceback
        return Check("libgphoto2", False, f"cannot load python-gphoto2 ({exc})",
                     "reinstall: .venv/bin/pip install --force-reinstall gphoto2==2.6.4")
    parts = tuple(int(p) for p in version.split(".")[:3] if p.isdigit())
    ok = parts >= (2, 5, 10)
    return Check("libgphoto2", ok, f"{version} (python-gphoto2 {python_gphoto2_version()})",
                 "" if ok else "install python-gphoto2 2.6.4, which bundles libgphoto2 2.5.34")


def check_cameras() -> tuple[Check, list]:
    try:
        from drivers.gphoto import list_cameras

        cameras = list_cameras()
    except Exception as exc:
        return Check("camera", False, f"autodetect failed ({exc})", "see the libgphoto2 line"), []
    if not cameras:
        return Check("camera", False, "none detected",
                     "connect it with a data cable, switch it on, set USB mode to PTP/PC remote"), []
    names = ", ".join(f"{c.model} on {c.port}" for c in cameras)
    return Check("camera", True, names), cameras


def check_usb_permissions(cameras: list) -> Check:
    from drivers.gphoto.errors import usb_node, usb_node_accessible

    denied = [str(usb_node(c.port)) for c in cameras if not usb_node_accessible(c.port)]
    if denied:
        return Check("USB permissions", False, f"no read/write access to {', '.join(denied)}", UDEV_FIX)
    installed = [p for pattern in ("/etc/udev/rules.d/*studio*", "/lib/udev/rules.d/*libgphoto2*",
                                   "/usr/lib/udev/rules.d/*libgphoto2*", "/etc/udev/rules.d/*gphoto*")
                 for p in glob.glob(pattern)]
    if cameras:
        return Check("USB permissions", True, "camera device nodes are read/writable")
    if os.geteuid() == 0:
        return Check("USB permissions", True, "running as root (rules needed for normal users)")
    if installed:
        return Check("USB permissions", True, f"udev rules installed ({installed[0]})")
    return Check("USB permissions", False, "no camera udev rules installed", UDEV_FIX)


def check_holders(cameras: list) -> Check:
    from drivers.gphoto.errors import CLAIM_HINT, usb_holders

    holders = sorted({h for c in cameras or [None] for h in usb_holders(c.port if c else "")})
    if holders:
        return Check("camera not held by another program", False, f"held by {', '.join(holders)}",
                     CLAIM_HINT)
    return Check("camera not held by another program", True, "no gvfs-gphoto2 or other holder found")


def check_sound() -> Check:
    try:
        import sounddevice
    except (ImportError, OSError) as exc:
        return Check("sound output", False, f"PortAudio not available ({exc})",
                     "install libportaudio2 (Debian/Ubuntu: sudo apt install libportaudio2)")
    try:
        devices = sounddevice.query_devices()
        outputs = [d for d in devices if d.get("max_output_channels", 0) > 0]
    except Exception as exc:
        return Check("sound output", False, f"cannot list devices ({exc})", "check PulseAudio/PipeWire")
    if not outputs:
        return Check("sound output", False, "no output device (cues will be silent)",
                     "start PulseAudio/PipeWire or connect speakers; set PULSE_SERVER if remote")
    return Check("sound output", True, f"{len(outputs)} output device(s), e.g. {outputs[0]['name']}")


def check_display() -> Check:
    display = os.environ.get("WAYLAND_DISPLAY") or os.environ.get("DISPLAY")
    if display:
        return Check("display", True, f"{display}")
    return Check("display", False, "no DISPLAY or WAYLAND_DISPLAY (the overlay window cannot open)",
                 "run inside a desktop session, or use the headless output (`studio run --help`)")


def check_models() -> Check:
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        return Check("models", False, "mediapipe is not installed",
                     "install the pinned version: .venv/bin/pip install mediapipe==0.10.21")
    modules = Path(list(spec.submodule_search_locations)[0]) / "modules"
    missing = [f"{name}: {f}" for name, files in MODEL_FILES.items() for f in files
               if not (modules / f).is_file()]
    if missing:
        return Check("models", False, f"missing {'; '.join(missing)}",
                     "reinstall mediapipe==0.10.21 (the last release that bundles its models)")
    return Check("models", True, f"{', '.join(MODEL_FILES)} present")


def run_checks() -> list[Check]:
    cameras_check, cameras = check_cameras()
    checks: list[Callable[[], Check]] = [
        check_libgphoto2,
        lambda: cameras_check,
        lambda: check_usb_permissions(cameras),
        lambda: check_holders(cameras),
        check_sound,
        check_display,
        check_models,
    ]
    return [c() for c in checks]


def cmd_doctor(args: argparse.Namespace) -> int:
    checks = run_checks()
    for check in checks:
        print(check.line())
    failed = sum(not c.ok for c in checks)
    print(f"{len(checks) - failed} passed, {failed} failed")
    return 0 if failed == 0 else 1
