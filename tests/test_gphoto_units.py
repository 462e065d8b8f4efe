"""Error mapping, the quirks table, the static udev rules and hotplug bookkeeping (no camera)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.base import (
    CameraBusy,
    CameraClaimed,
    CameraError,
    CameraGone,
    NotSupported,
    PermissionDenied,
    SettingError,
    StorageFull,
)
from drivers.gphoto.errors import Action, action_for, typed_error, usb_holders, usb_node
from drivers.gphoto.quirks import DEFAULT, TABLE, quirks_for
from drivers.hotplug import Change, HotplugMonitor

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("code", "action", "error"), [
    (-1, Action.REPORT, CameraError),
    (-2, Action.REPORT, SettingError),
    (-3, Action.REPORT, StorageFull),
    (-6, Action.DISABLE, NotSupported),
    (-7, Action.RECONNECT, CameraGone),
    (-10, Action.RECONNECT, CameraGone),
    (-52, Action.RECONNECT, CameraGone),
    (-53, Action.FATAL, CameraClaimed),
    (-110, Action.RETRY, CameraBusy),
    (-999, Action.REPORT, CameraError),
])
def test_codes_map_to_typed_errors_with_actions(code, action, error):
    assert action_for(code) is action
    exc = typed_error(code, "capturing")
    assert type(exc) is error
    assert f"[gphoto2 {code}]" in str(exc)


def test_claimed_error_says_how_to_release():
    exc = typed_error(-53, "connecting", "usb:001,005")
    assert "gio mount -s gphoto2" in str(exc) and "gvfs-gphoto2-volume-monitor" in str(exc)


def test_io_error_on_unreadable_node_points_to_udev(tmp_path, monkeypatch):
    # A device node we cannot open: libgphoto2 says -7, the user needs the udev rules. Tests run
    # as root, where every node is accessible, so the access check is the one thing faked here.
    import drivers.gphoto.errors as errors

    node = tmp_path / "005"
    node.write_bytes(b"")
    node.chmod(0)
    monkeypatch.setattr(errors, "usb_node", lambda port: node)
    monkeypatch.setattr(errors.os, "access", lambda path, mode: False)
    exc = typed_error(-7, "connecting", "usb:001,005")
    assert isinstance(exc, PermissionDenied)
    assert "udev" in str(exc) and "udevadm control --reload-rules" in str(exc)


def test_usb_node_parsing():
    assert usb_node("usb:001,005") == Path("/dev/bus/usb/001/005")
    assert usb_node("ptpip:192.168.1.2") is None
    assert usb_node("usb:") is None


def test_usb_holders_runs_without_error():
    assert isinstance(usb_holders("usb:001,001"), list)


@pytest.mark.parametrize(("manufacturer", "model", "brand"), [
    ("Canon Inc.", "Canon EOS 80D", "canon"),
    ("Nikon Corporation", "D750", "nikon"),
    ("GP", "Nikon DSC D750", "nikon"),  # the virtual camera: brand from the model name
    ("Sony Corporation", "ILCE-7M3", "sony"),
    ("FUJIFILM", "X-T3", "fujifilm"),
    ("OM Digital Solutions", "OM-1", "olympus"),
    ("", "Unknown Thing", "generic"),
])
def test_quirks_table_lookup(manufacturer, model, brand):
    assert quirks_for(manufacturer, model).brand == brand


def test_quirks_are_data():
    canon = quirks_for("Canon")
    assert canon.viewfinder_widgets[0] == "viewfinder" and "eosviewfinder" in canon.viewfinder_widgets
    assert canon.leave_live_view_before_capture
    assert quirks_for("Sony").viewfinder_widgets == ()  # no viewfinder widget on Sony
    assert quirks_for("Fujifilm").capture_ends_live_view
    assert quirks_for("Nikon").drop_first_frames == 1
    assert DEFAULT.viewfinder_widgets == ("viewfinder",)
    assert len({key for key, _ in TABLE}) == len(TABLE)


def test_static_udev_rules_file():
    path = ROOT / "udev" / "70-studio-cameras.rules"
    text = path.read_text()
    assert path.name < "73-seat-late.rules"  # logind's uaccess must see the tag
    rules = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    grant = [ln for ln in rules if "060101" in ln and "TAG" in ln]
    assert grant and 'TAG+="uaccess"' in grant[0]
    assert not any("0666" in ln for ln in rules)
    assert rules[-1] == 'LABEL="studio_cameras_end"'


def test_hotplug_diffing_survives_failing_scans_and_listeners():
    # The scan is a plain function here; the real libgphoto2 scan is driven in
    # test_gphoto_driver.py::test_hotplug_polling_sees_the_camera_leave_and_return.
    attached = [("Canon EOS 80D", "usb:001,004")]
    calls = {"n": 0}

    def scan():
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("usb bus busy")
        return list(attached)

    monitor = HotplugMonitor(scan, mode="poll")
    seen = []
    monitor.add_listener(lambda e: seen.append((e.change, e.device)))
    monitor.add_listener(lambda e: 1 / 0)  # a broken listener must not stop the others
    monitor._known = set(scan())
    attached[:] = [("Canon EOS 80D", "usb:001,007")]  # replugged: new device number
    events = monitor.check()
    assert {(e.change, e.device) for e in events} == {
        (Change.REMOVED, ("Canon EOS 80D", "usb:001,004")), (Change.ADDED, ("Canon EOS 80D", "usb:001,007"))}
    assert monitor.check() == []  # the failing scan counts as "unchanged"
    assert len(seen) == 2
    with pytest.raises(ValueError):
        HotplugMonitor(scan, mode="magic")


def test_exposure_widget_names_map_to_one_control_each():
    from drivers.base import ExposureControl
    from drivers.gphoto.settings import control_for

    both = {"aperture", "f-number", "iso"}
    assert control_for("aperture", both) is ExposureControl.APERTURE  # the preferred name wins
    assert control_for("f-number", both) is None  # ... so its alias is not offered twice
    assert control_for("f-number", {"f-number"}) is ExposureControl.APERTURE
    assert control_for("eosshutterspeed", {"eosshutterspeed"}) is ExposureControl.SHUTTER
    assert control_for("isospeed", {"isospeed"}) is ExposureControl.ISO
    assert control_for("capturetarget", both | {"capturetarget"}) is None


def test_hotplug_mode_is_checked_when_the_options_are_made():
    from drivers.gphoto.options import GphotoOptions

    assert GphotoOptions().hotplug == "auto"
    with pytest.raises(ValueError, match="hotplug must be one of auto, udev, poll, off"):
        GphotoOptions(hotplug="sometimes")
