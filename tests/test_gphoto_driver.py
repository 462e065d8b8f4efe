"""The libgphoto2 driver against libgphoto2's own virtual camera (real ``ptp2`` driver, no mocks).

libgphoto2 reads ``VCAMERADIR`` when ``gphoto2`` is first imported, and some of its failure
modes abort the process, so every scenario runs in a fresh Python subprocess: a crash in the C
library fails one test with its exit status instead of killing the pytest run. The camera
clones the first ``*.jpg`` of its folder; the test makes that JPEG itself (scikit-image's
astronaut, public domain), never copying a fixture into the repository.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.camera

PRELUDE = """
import json, os, shutil, sys, threading, time
from pathlib import Path
sys.path.insert(0, os.environ["STUDIO_ROOT"])
OUT = Path(os.environ["SCENARIO_OUT"])
VC = Path(os.environ["VCAMERADIR"])
from drivers.base import *
from drivers.gphoto import GphotoCamera, GphotoOptions

def result(**values):
    print("RESULT " + json.dumps(values, default=str), flush=True)

class Recorder:
    def __init__(self):
        self.events = []
        self.cond = threading.Condition()
    def __call__(self, event):
        with self.cond:
            self.events.append(event)
            self.cond.notify_all()
    def wait_for(self, predicate, timeout=10.0):
        with self.cond:
            return self.cond.wait_for(lambda: any(predicate(e) for e in self.events), timeout)
    def of(self, kind):
        return [e for e in self.events if isinstance(e, kind)]
    def states(self):
        return [e.state.value for e in self.of(StateChanged)]
"""


def make_camera_jpeg(folder: Path, size: int = 512) -> Path:
    """A real photo for the virtual camera to 'shoot', made here from scikit-image's data."""
    import cv2
    from skimage import data

    folder.mkdir(parents=True, exist_ok=True)
    image = cv2.cvtColor(cv2.resize(data.astronaut(), (size, size)), cv2.COLOR_RGB2BGR)
    path = folder / "astronaut.jpg"
    cv2.imwrite(str(path), image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return path


def scenario_env(tmp_path: Path) -> dict[str, str]:
    camera_dir = tmp_path / "vcamera"
    make_camera_jpeg(camera_dir)
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    xdg = tmp_path / "xdg"
    xdg.mkdir(exist_ok=True)
    env = dict(os.environ)
    env.update(VCAMERADIR=str(camera_dir), XDG_CONFIG_HOME=str(xdg), SCENARIO_OUT=str(out),
               STUDIO_ROOT=str(ROOT), PYTHONPATH=str(ROOT))
    return env


def run_scenario(tmp_path: Path, code: str, timeout: float = 120.0) -> dict:
    """Run ``code`` in a fresh interpreter with a virtual camera; return what it ``result()``-ed."""
    env = scenario_env(tmp_path)
    script = PRELUDE + textwrap.dedent(code)
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=tmp_path)
    assert proc.returncode == 0, (f"scenario died with status {proc.returncode}\n"
                                  f"stdout: {proc.stdout[-2000:]}\nstderr: {proc.stderr[-4000:]}")
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    assert lines, f"scenario printed no result\nstderr: {proc.stderr[-4000:]}"
    return json.loads(lines[-1][len("RESULT "):])


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_connect_summary_and_capture_target(tmp_path):
    res = run_scenario(tmp_path, """
        rec = Recorder()
        cam = GphotoCamera(OUT / "photos", GphotoOptions(capture_target="ram"))
        cam.add_listener(rec)
        cam.open()
        summary = cam.summary().result(10)
        ram = cam.settings().result(10)["capturetarget"].value
        model, port, state = cam.model, cam.port, cam.state.value
        cam.close()
        cam2 = GphotoCamera(OUT / "photos", GphotoOptions(capture_target="card"))
        cam2.open()
        card = cam2.settings().result(10)["capturetarget"].value
        cam2.close()
        cam2.close()  # idempotent
        late = cam2.capture()
        result(model=model, port=port, state=state, summary=summary, ram=ram, card=card,
               states=rec.states(), closed=cam2.state.value, late_error=repr(late.exception(5)),
               isinstance_camera=isinstance(cam, Camera), frames_closed=cam.frames.closed,
               gphoto_settings=(Path(os.environ["XDG_CONFIG_HOME"]) / "gphoto" / "settings").read_text())
    """)
    assert res["model"] == "Nikon DSC D750"
    assert res["port"] == "usb:001,001"
    assert res["state"] == "connected"
    assert "Model:" in res["summary"] and "Manufacturer:" in res["summary"]
    assert res["ram"] == "Internal RAM"
    assert res["card"] == "Memory card"
    assert res["states"] == ["connected", "closed"]
    assert res["closed"] == "closed"
    assert "not open" in res["late_error"]
    assert res["isinstance_camera"] is True
    assert res["frames_closed"] is True
    # libgphoto2 persisted the target in the isolated XDG_CONFIG_HOME, not the user's.
    assert "capturetarget" in res["gphoto_settings"]


def test_settings_read_set_invalid_and_readonly(tmp_path):
    res = run_scenario(tmp_path, """
        cam = GphotoCamera(OUT / "photos")
        cam.open()
        settings = cam.settings().result(10)
        fnum = settings["f-number"]
        kinds = {name: s.kind.value for name, s in settings.items()}
        new = cam.set_setting("f-number", "F/8").result(10)   # case-folded to the camera's spelling
        reread = cam.settings().result(10)["f-number"].value
        errors = {}
        for name, value in [("f-number", "f/1.2"), ("imagesize", "1024x768"), ("fnumber", "f/8"),
                            ("fastfs", "maybe")]:
            try:
                cam.set_setting(name, value).result(10)
                errors[name] = None
            except CameraError as exc:
                errors[name] = [type(exc).__name__, str(exc)]
        still_ok = cam.settings().result(10)["f-number"].value
        cam.close()
        result(choices=list(fnum.choices), value=fnum.value, readonly=settings["imagesize"].readonly,
               kinds=kinds, new=new.value, reread=reread, errors=errors, still_ok=still_ok)
    """)
    assert len(res["choices"]) == 18 and res["choices"][0] == "f/2.8" and res["choices"][-1] == "f/22"
    assert res["kinds"]["f-number"] == "choice"
    assert res["kinds"]["fastfs"] == "toggle"
    assert res["kinds"]["datetime"] == "date"
    assert res["kinds"]["serialnumber"] == "text"
    assert res["readonly"] is True
    assert res["new"] == "f/8" and res["reread"] == "f/8"
    kind, message = res["errors"]["f-number"]
    assert kind == "SettingError"
    assert "f/1.2" in message and "f/2.8" in message and "f/22" in message  # lists allowed values
    kind, message = res["errors"]["imagesize"]
    assert kind == "SettingError" and "read-only" in message
    kind, message = res["errors"]["fnumber"]
    assert kind == "SettingError" and "f-number" in message  # suggests the near name
    kind, message = res["errors"]["fastfs"]
    assert kind == "SettingError" and "on or off" in message
    assert res["still_ok"] == "f/8"  # the rejected value never reached the camera


@pytest.mark.slow
def test_200_captures_downloaded_byte_identical_with_unique_names(tmp_path):
    # The virtual camera's store holds 26 shots per connection, so the 200 shots are fired in
    # batches of 25 with a fresh connection each time; its names restart at GPH_0099 on every
    # connection, which is exactly the collision a session must survive.
    res = run_scenario(tmp_path, """
        folder = OUT / "session"
        sink = None
        from drivers.download import FolderSink
        sink = FolderSink(folder)
        rec = Recorder()
        results = []
        for batch in range(8):
            cam = GphotoCamera(sink, GphotoOptions(pair_settle_s=0.0))
            cam.add_listener(rec)
            cam.open()
            futures = [cam.capture() for _ in range(25)]
            results += [[str(p) for p in f.result(30)] for f in futures]
            cam.close()
        files = sorted(p.name for p in folder.iterdir())
        result(results=results, files=files, added=[str(e.path) for e in rec.of(FileAdded)],
               source=str(next(VC.glob("*.jpg"))))
    """, timeout=300)
    assert len(res["results"]) == 200
    assert all(len(paths) == 1 for paths in res["results"])
    paths = [Path(p[0]) for p in res["results"]]
    assert len(set(paths)) == 200
    assert len(res["files"]) == 200  # nothing else in the folder: no .part leftovers
    assert sorted(map(str, paths)) == sorted(res["added"])
    source = sha256(Path(res["source"]))
    folder = tmp_path / "out" / "session"
    assert all(p.parent == folder for p in paths)
    assert all(sha256(p) == source for p in paths)
    assert "GPH_0099.JPG" in res["files"] and "GPH_0099-7.JPG" in res["files"]


def test_shot_fired_from_the_body_is_downloaded(tmp_path):
    # The virtual camera's PTP opcode 0x9999 injects an ObjectAdded event after 300 ms, like a
    # press of the shutter button on the body: no capture call is made.
    res = run_scenario(tmp_path, """
        rec = Recorder()
        cam = GphotoCamera(OUT / "photos")
        cam.add_listener(rec)
        cam.open()
        cam.set_setting("opcode", "0x9999,0x0,0x12c").result(10)
        got = rec.wait_for(lambda e: isinstance(e, FileAdded), timeout=10)
        cam.close()
        added = rec.of(FileAdded)
        result(got=got, paths=[str(e.path) for e in added], sizes=[e.size for e in added],
               camera_paths=[e.camera_path for e in added], source=str(next(VC.glob("*.jpg"))))
    """)
    assert res["got"] is True
    assert len(res["paths"]) == 1
    path = Path(res["paths"][0])
    assert path.parent == tmp_path / "out" / "photos"
    assert path.read_bytes() == Path(res["source"]).read_bytes()
    assert res["sizes"][0] == path.stat().st_size
    assert res["camera_paths"][0].startswith("/store_")


def test_store_full_is_reported_as_such(tmp_path):
    res = run_scenario(tmp_path, """
        rec = Recorder()
        cam = GphotoCamera(OUT / "photos", GphotoOptions(pair_settle_s=0.0))
        cam.add_listener(rec)
        cam.open()
        outcome = []
        for i in range(28):
            try:
                cam.capture().result(10)
                outcome.append("ok")
            except CameraError as exc:
                outcome.append(type(exc).__name__ + ": " + str(exc))
        state = cam.state.value
        cam.close()
        result(outcome=outcome, warnings=[[w.code, w.message] for w in rec.of(DriverWarning)],
               state=state, saved=len(list((OUT / "photos").iterdir())))
    """)
    outcome = res["outcome"]
    assert outcome[:26] == ["ok"] * 26
    assert outcome[26].startswith("StorageFull") and "full" in outcome[26]
    assert outcome[27].startswith("StorageFull")
    assert ["store-full", "the camera's card is full"] in res["warnings"]
    assert res["state"] == "connected"  # a full card is reported, not treated as a lost camera
    assert res["saved"] == 26


def test_camera_vanishing_while_idle_reconnects(tmp_path):
    # "Unplugging": switch libgphoto2's USB iolib away from the virtual one and delete the
    # camera's folder; the driver's presence poll notices, reconnects when it is back.
    res = run_scenario(tmp_path, """
        rec = Recorder()
        cam = GphotoCamera(OUT / "photos", GphotoOptions(presence_poll_s=0.2, reconnect_timeout_s=1.0,
                                                         pair_settle_s=0.0))
        cam.add_listener(rec)
        cam.open()
        first = cam.capture().result(10)
        vusb = os.environ["IOLIBS"]
        backup = VC.parent / "vc-backup"
        shutil.copytree(VC, backup)
        os.environ["IOLIBS"] = vusb.replace("vusb", "iolibs")
        shutil.rmtree(VC)
        reconnecting = rec.wait_for(lambda e: isinstance(e, StateChanged) and e.state.value == "reconnecting")
        try:
            cam.capture().result(10)
            during = "captured"
        except CameraError as exc:
            during = type(exc).__name__
        gone = rec.wait_for(lambda e: isinstance(e, StateChanged) and e.state.value == "gone", timeout=10)
        shutil.copytree(backup, VC)
        os.environ["IOLIBS"] = vusb
        back = rec.wait_for(lambda e: isinstance(e, StateChanged) and e.state.value == "connected"
                            and e is not rec.events[0], timeout=10)
        after = cam.capture().result(10)
        cam.close()
        result(first=[str(p) for p in first], after=[str(p) for p in after], states=rec.states(),
               reconnecting=reconnecting, gone=gone, back=back, during=during)
    """)
    assert res["reconnecting"] and res["gone"] and res["back"]
    assert res["states"][:4] == ["connected", "reconnecting", "gone", "connected"]
    assert res["during"] == "CameraGone"
    assert Path(res["after"][0]).exists() and res["after"] != res["first"]


def test_camera_vanishing_during_capture_takes_reconnect_path(tmp_path):
    # No presence polling: the failed capture itself must lead to the reconnect path.
    res = run_scenario(tmp_path, """
        rec = Recorder()
        cam = GphotoCamera(OUT / "photos", GphotoOptions(presence_poll_s=0, pair_settle_s=0.0))
        cam.add_listener(rec)
        cam.open()
        cam.capture().result(10)
        vusb = os.environ["IOLIBS"]
        backup = VC.parent / "vc-backup"
        shutil.copytree(VC, backup)
        shutil.rmtree(VC)
        os.environ["IOLIBS"] = vusb.replace("vusb", "iolibs")
        try:
            cam.capture().result(10)
            failed_with = None
        except CameraError as exc:
            failed_with = [type(exc).__name__, str(exc)]
        reconnecting = rec.wait_for(lambda e: isinstance(e, StateChanged) and e.state.value == "reconnecting")
        shutil.copytree(backup, VC)
        os.environ["IOLIBS"] = vusb
        cam.notify_presence_changed()  # what a hotplug listener does
        back = rec.wait_for(lambda e: isinstance(e, StateChanged) and e.state.value == "connected"
                            and e is not rec.events[0], timeout=10)
        after = cam.capture().result(10)
        cam.close()
        result(failed_with=failed_with, reconnecting=reconnecting, back=back, states=rec.states(),
               after=[str(p) for p in after])
    """)
    assert res["failed_with"][0] == "CameraGone"
    assert res["reconnecting"] and res["back"]
    assert res["states"][:3] == ["connected", "reconnecting", "connected"]
    assert Path(res["after"][0]).exists()


def test_no_live_view_on_the_virtual_body_is_reported_not_fatal(tmp_path):
    res = run_scenario(tmp_path, """
        rec = Recorder()
        cam = GphotoCamera(OUT / "photos", GphotoOptions(pair_settle_s=0.0))
        cam.add_listener(rec)
        cam.open()
        try:
            cam.start_live_view().result(10)
            lv = "started"
        except CameraError as exc:
            lv = type(exc).__name__
        shot = cam.capture().result(10)
        stop = cam.stop_live_view().result(10)
        cam.close()
        result(lv=lv, warnings=[w.code for w in rec.of(DriverWarning)], shot=[str(p) for p in shot],
               seq=cam.frames.seq, stop=stop)
    """)
    assert res["lv"] == "NotSupported"
    assert "no-live-view" in res["warnings"]
    assert Path(res["shot"][0]).exists()
    assert res["seq"] == 0


def test_delete_on_camera_only_after_verified_copy(tmp_path):
    res = run_scenario(tmp_path, """
        from drivers.download import FolderSink

        class ShortSink(FolderSink):
            # A broken disk: the file on disk is shorter than what the camera sent.
            def store(self, camera_name, data):
                return super().store(camera_name, bytes(data)[:-100])

        outcome = {}
        for label, sink in (("good", FolderSink(OUT / "good")), ("short", ShortSink(OUT / "short"))):
            rec = Recorder()
            cam = GphotoCamera(sink, GphotoOptions(delete_after_download=True, pair_settle_s=0.0))
            cam.add_listener(rec)
            cam.open()
            cam.capture().result(10)
            outcome[label] = {"deleted": cam.deleted_on_camera,
                              "warnings": [w.code for w in rec.of(DriverWarning)]}
            cam.close()
        result(**outcome)
    """)
    assert res["good"]["deleted"] == 1 and "verify-failed" not in res["good"]["warnings"]
    assert res["short"]["deleted"] == 0 and "verify-failed" in res["short"]["warnings"]


def test_download_failure_keeps_the_file_and_retries(tmp_path):
    res = run_scenario(tmp_path, """
        from drivers.download import FolderSink

        class FlakyDisk(FolderSink):
            failures = 2
            def store(self, camera_name, data):
                if self.failures:
                    self.failures -= 1
                    raise StorageFull("disk full (simulated)")
                return super().store(camera_name, data)

        rec = Recorder()
        sink = FlakyDisk(OUT / "photos")
        cam = GphotoCamera(sink, GphotoOptions(pair_settle_s=0.0, download_retry_s=0.2))
        cam.add_listener(rec)
        cam.open()
        try:
            cam.capture().result(10)
            first = "ok"
        except CameraError as exc:
            first = type(exc).__name__
        got = rec.wait_for(lambda e: isinstance(e, FileAdded), timeout=10)
        cam.close()
        result(first=first, got=got, warnings=[w.code for w in rec.of(DriverWarning)],
               files=[p.name for p in (OUT / "photos").iterdir()])
    """)
    assert res["first"] == "StorageFull"
    assert res["warnings"].count("download-failed") == 2
    assert res["got"] is True
    assert res["files"] == ["GPH_0099.JPG"]


def test_session_folder_vanishing_keeps_the_camera_and_the_photo(tmp_path):
    # The download folder is deleted mid-shoot (a plain OSError, not a CameraError): the camera
    # thread must survive, the capture fail with a one-line reason, and the file arrive once
    # the folder is back.
    res = run_scenario(tmp_path, """
        from drivers.download import FolderSink

        rec = Recorder()
        sink = FolderSink(OUT / "photos")
        (OUT / "photos").rmdir()
        cam = GphotoCamera(sink, GphotoOptions(pair_settle_s=0.0, download_retry_s=0.3))
        cam.add_listener(rec)
        cam.open()
        try:
            cam.capture().result(10)
            first = "ok"
        except CameraError as exc:
            first = str(exc)
        state_after = cam.state.value
        (OUT / "photos").mkdir()
        got = rec.wait_for(lambda e: isinstance(e, FileAdded), timeout=10)
        cam.close()
        result(first=first, state_after=state_after, got=got,
               warnings=[w.code for w in rec.of(DriverWarning)],
               files=[p.name for p in (OUT / "photos").iterdir()])
    """)
    assert res["first"].startswith("cannot save GPH_0099.JPG"), res["first"]
    assert res["state_after"] == "connected"
    assert "download-failed" in res["warnings"]
    assert res["got"] is True
    assert res["files"] == ["GPH_0099.JPG"]


def test_hotplug_polling_sees_the_camera_leave_and_return(tmp_path):
    # No udev events exist in this container, so this drives the polling path for real: the
    # monitor's own thread scans libgphoto2's ports while the virtual USB iolib is switched.
    res = run_scenario(tmp_path, """
        from drivers.gphoto.discovery import PresenceScanner
        from drivers.hotplug import HotplugMonitor
        seen = []
        cond = threading.Condition()
        def on_event(e):
            with cond:
                seen.append([e.change.value, e.device.model, e.device.port]); cond.notify_all()
        monitor = HotplugMonitor(PresenceScanner().scan, interval=0.05, mode="poll")
        monitor.add_listener(on_event)
        monitor.start()
        initial = [[d.model, d.port] for d in monitor.devices]
        vusb = os.environ["IOLIBS"]
        os.environ["IOLIBS"] = vusb.replace("vusb", "iolibs")
        with cond:
            cond.wait_for(lambda: len(seen) >= 1, 5)
        os.environ["IOLIBS"] = vusb
        with cond:
            cond.wait_for(lambda: len(seen) >= 2, 5)
        monitor.stop()
        result(mode=monitor.mode, initial=initial, seen=seen, scans=monitor.scans)
    """)
    assert res["mode"] == "poll"
    assert res["initial"] == [["Nikon DSC D750", "usb:001,001"]]
    assert res["seen"] == [["removed", "Nikon DSC D750", "usb:001,001"],
                           ["added", "Nikon DSC D750", "usb:001,001"]]
    assert res["scans"] >= 3


def test_hotplug_polling_wired_into_reconnect(tmp_path):
    # The driver's own presence poll is off: only its hotplug monitor (polling here, since no
    # udev events exist in a container) can notice the camera leave and return. pyudev cannot
    # see a real replug in this container, so the udev path is left to a real body.
    res = run_scenario(tmp_path, """
        rec = Recorder()
        cam = GphotoCamera(OUT / "photos", GphotoOptions(presence_poll_s=0, hotplug="poll",
                                                         hotplug_poll_s=0.1, pair_settle_s=0.0))
        cam.add_listener(rec)
        cam.open()
        mode = cam.hotplug_mode
        monitors = [t.name for t in threading.enumerate() if t.name == "hotplug"]
        vusb = os.environ["IOLIBS"]
        backup = VC.parent / "vc-backup"
        shutil.copytree(VC, backup)
        os.environ["IOLIBS"] = vusb.replace("vusb", "iolibs")
        shutil.rmtree(VC)
        started = time.monotonic()
        reconnecting = rec.wait_for(lambda e: isinstance(e, StateChanged) and e.state.value == "reconnecting",
                                    timeout=5)
        noticed_s = time.monotonic() - started
        shutil.copytree(backup, VC)
        os.environ["IOLIBS"] = vusb
        back = rec.wait_for(lambda e: isinstance(e, StateChanged) and e.state.value == "connected"
                            and e is not rec.events[0], timeout=10)
        after = cam.capture().result(10)
        cam.close()
        left = [t.name for t in threading.enumerate() if t.name == "hotplug"]
        result(mode=mode, monitors=monitors, reconnecting=reconnecting, noticed_s=noticed_s,
               back=back, states=rec.states(), after=[str(p) for p in after], left=left,
               closed_mode=cam.hotplug_mode)
    """)
    assert res["mode"] == "poll" and res["monitors"] == ["hotplug"]
    assert res["reconnecting"] and res["back"]
    assert res["noticed_s"] < 2.0  # the monitor's 0.1 s scan, not a 2 s presence poll
    assert res["states"][:3] == ["connected", "reconnecting", "connected"]
    assert Path(res["after"][0]).exists()
    assert res["left"] == [] and res["closed_mode"] == "off"  # the monitor stops with the camera


def test_hotplug_uses_udev_where_udev_runs(tmp_path):
    from drivers.hotplug import udev_available

    if not udev_available():
        pytest.skip("no udev daemon here: pyudev cannot see a replug in this container; "
                    "the polling path is tested above, the udev path needs a real replug")
    res = run_scenario(tmp_path, """
        cam = GphotoCamera(OUT / "photos", GphotoOptions(hotplug="auto"))
        cam.open()
        mode = cam.hotplug_mode
        cam.close()
        result(mode=mode)
    """)
    assert res["mode"] == "udev"


def test_exposure_controls_are_offered_by_display_role(tmp_path):
    # The driver, not the UI, knows which libgphoto2 widget serves which control.
    res = run_scenario(tmp_path, """
        cam = GphotoCamera(OUT / "photos", GphotoOptions(hotplug="off"))
        cam.open()
        settings = cam.settings().result(10)
        controls = [[s.name, s.control.title, s.control.unit] for s in exposure_controls(settings)]
        updated = cam.set_setting("f-number", "f/8").result(10)
        untagged = sorted(n for n, s in settings.items() if s.control is None)[:3]
        cam.close()
        result(controls=controls, updated=[updated.value, updated.control.title], untagged=untagged,
               mode=cam.hotplug_mode)
    """)
    assert res["controls"] == [["f-number", "Aperture", "f/"], ["shutterspeed", "Shutter", "s"],
                               ["exposurecompensation", "Exposure comp.", "EV"]]
    assert res["updated"] == ["f/8", "Aperture"]  # a set setting keeps its role
    assert "capturetarget" not in [c[0] for c in res["controls"]] and res["untagged"]
    assert res["mode"] == "off"


def test_null_widget_value_is_read_without_crashing(tmp_path):
    # python-gphoto2 2.6.4's get_value() crashes on a NULL text value; the ctypes guard reads
    # the same C widget and answers None. A fresh C widget has a NULL value.
    res = run_scenario(tmp_path, """
        import ctypes
        from drivers.gphoto.lib import libgphoto2
        from drivers.gphoto.settings import string_value
        lib = libgphoto2()
        lib.gp_widget_new.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p]
        values = {}
        import gphoto2 as gp
        for name, kind in (("text", gp.GP_WIDGET_TEXT), ("radio", gp.GP_WIDGET_RADIO),
                           ("menu", gp.GP_WIDGET_MENU)):
            ptr = ctypes.c_void_p()
            assert lib.gp_widget_new(kind, name.encode(), ctypes.byref(ptr)) == 0
            class Widget:
                this = ptr.value
            values[name] = string_value(Widget)
            lib.gp_widget_set_value.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
            lib.gp_widget_set_value(ptr, b"set")
            values[name + "_after_set"] = string_value(Widget)
        result(**values)
    """)
    assert res["text"] is None and res["radio"] is None and res["menu"] is None
    assert res["text_after_set"] == "set" and res["radio_after_set"] == "set"
