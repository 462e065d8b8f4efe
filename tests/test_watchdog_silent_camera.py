"""A camera that stops answering is noticed; a missing camera is waited for (issue 13, issue 11).

libgphoto2's virtual camera (real ``ptp2`` stack) wrapped by :mod:`drivers.gphoto.faults`: a
stalled connection accepts the shutter but takes no picture, never sends an event and answers
no request within the USB timeout, as a hung body on a live USB link does. The driver's
watchdog must reconnect within 5 s. Each scenario in its own interpreter (see
tests/test_gphoto_driver.py).
"""

from __future__ import annotations

import textwrap

import pytest

from tests.test_gphoto_driver import run_scenario

pytestmark = pytest.mark.camera

FAULTS = """
from drivers.gphoto.faults import Faults
faults = Faults(hang_s=1.0)
def state_at(rec, value, after=0.0):
    for e in rec.of(StateChanged):
        if e.state.value == value and e.timestamp >= after:
            return e
    return None
"""


def scenario(tmp_path, code: str, timeout: float = 120.0) -> dict:
    return run_scenario(tmp_path, FAULTS + textwrap.dedent(code), timeout=timeout)


def test_camera_silent_during_a_capture_is_reconnected_within_5_s(tmp_path):
    res = scenario(tmp_path, """
        rec = Recorder()
        cam = GphotoCamera(OUT / "photos", GphotoOptions(pair_settle_s=0.0, camera_factory=faults.camera))
        cam.add_listener(rec)
        cam.open()
        first = cam.capture().result(10)
        faults.stall()
        t0 = time.monotonic()
        try:
            cam.capture().result(20)
            during = "captured"
        except CameraError as exc:
            during = [type(exc).__name__, str(exc)]
        failed_after = time.monotonic() - t0
        back = rec.wait_for(lambda e: isinstance(e, StateChanged) and e.state.value == "connected"
                            and e.timestamp > t0, timeout=10)
        lost = state_at(rec, "reconnecting", t0)
        connected = state_at(rec, "connected", t0)
        after = cam.capture().result(10)
        cam.close()
        result(first=[str(p) for p in first], after=[str(p) for p in after], during=during,
               failed_after=failed_after, back=back, reason=lost.reason if lost else None,
               lost_after=lost.timestamp - t0 if lost else None,
               back_after=connected.timestamp - t0 if connected else None,
               taken=faults.taken, cameras=faults.cameras,
               files=sorted(p.name for p in (OUT / "photos").iterdir()))
    """)
    assert res["during"][0] == "CameraGone" and "stopped answering" in res["during"][1], res["during"]
    assert res["back"], "never reconnected"
    assert "stopped answering" in res["reason"]
    assert res["back_after"] <= 5.0, f"reconnected {res['back_after']:.1f} s after the camera went silent"
    assert res["failed_after"] <= 5.0  # not the 30 s capture timeout
    assert res["cameras"] == 2  # exactly one reconnect
    assert res["taken"] == 2 and len(res["files"]) == 2  # every picture taken is on disk


def test_camera_silent_while_idle_is_probed_and_reconnected(tmp_path):
    res = scenario(tmp_path, """
        rec = Recorder()
        cam = GphotoCamera(OUT / "photos", GphotoOptions(pair_settle_s=0.0, camera_factory=faults.camera))
        cam.add_listener(rec)
        cam.open()
        time.sleep(0.5)
        faults.stall()
        t0 = time.monotonic()
        back = rec.wait_for(lambda e: isinstance(e, StateChanged) and e.state.value == "connected"
                            and e.timestamp > t0, timeout=15)
        lost = state_at(rec, "reconnecting", t0)
        connected = state_at(rec, "connected", t0)
        shot = cam.capture().result(10)
        cam.close()
        result(back=back, reason=lost.reason if lost else None,
               back_after=connected.timestamp - t0 if connected else None, shot=[str(p) for p in shot])
    """)
    assert res["back"] and "stopped answering" in res["reason"]
    assert res["back_after"] <= 5.0
    assert len(res["shot"]) == 1


def test_a_camera_that_answers_is_not_reconnected(tmp_path):
    # The watchdog must not take a healthy camera for a silent one: 6 s idle plus captures.
    res = scenario(tmp_path, """
        rec = Recorder()
        cam = GphotoCamera(OUT / "photos", GphotoOptions(pair_settle_s=0.0, camera_factory=faults.camera))
        cam.add_listener(rec)
        cam.open()
        time.sleep(6)
        shots = [cam.capture().result(10) for _ in range(3)]
        cam.close()
        result(states=rec.states(), cameras=faults.cameras, shots=len(shots))
    """)
    assert res["states"] == ["connected", "closed"]
    assert res["cameras"] == 1 and res["shots"] == 3


def test_no_camera_at_start_waits_and_connects_when_it_appears(tmp_path):
    res = scenario(tmp_path, """
        faults.unplug()  # nothing on the bus: the virtual camera appears when replugged
        try:
            GphotoCamera(OUT / "photos", GphotoOptions()).open()
            strict = "opened"
        except CameraError as exc:
            strict = [type(exc).__name__, str(exc)]
        rec = Recorder()
        cam = GphotoCamera(OUT / "photos", GphotoOptions(pair_settle_s=0.0, wait_for_camera=True,
                                                         hotplug="poll", camera_factory=faults.camera))
        cam.add_listener(rec)
        cam.open()  # returns: waiting is not an error
        waiting_state = cam.state.value
        live = cam.start_live_view().result(5)  # resolves at once, resumes on connect
        try:
            cam.capture().result(5)
            early = "captured"
        except CameraError as exc:
            early = [type(exc).__name__, str(exc), exc.hint]
        time.sleep(1.5)
        still = cam.state.value
        faults.replug()
        t0 = time.monotonic()
        back = rec.wait_for(lambda e: isinstance(e, StateChanged) and e.state.value == "connected",
                            timeout=10)
        connected = state_at(rec, "connected")
        shot = cam.capture().result(10)
        cam.close()
        first = rec.of(StateChanged)[0]
        result(strict=strict, waiting_state=waiting_state, first=[first.state.value, first.reason],
               early=early, still=still, back=back, shot=[str(p) for p in shot],
               back_after=connected.timestamp - t0 if connected else None, states=rec.states())
    """)
    assert res["strict"][0] == "CameraGone"  # one-shot commands still fail at once
    assert res["waiting_state"] == "waiting" and res["still"] == "waiting"
    assert res["first"] == ["waiting", "no camera found \u2014 plug one in"]
    assert res["early"][0] == "CameraGone" and "waiting" in res["early"][1]
    assert "plug" in res["early"][2]
    assert res["back"] and res["back_after"] <= 2.0
    assert res["states"][:2] == ["waiting", "connected"]
    assert len(res["shot"]) == 1


def test_studio_run_with_no_camera_waits_instead_of_exiting(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {k: v for k, v in os.environ.items() if k not in ("VCAMERADIR", "DISPLAY", "IOLIBS")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")
    proc = subprocess.run([sys.executable, "-m", "studio.cli", "run", "--headless", "--source", "camera",
                           "--seconds", "4", "--session", "nocam", "--session-root", str(tmp_path)],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "[camera] waiting for a camera: no camera found \u2014 plug one in" in proc.stdout
    assert "Traceback" not in proc.stderr
    assert "summary:" in proc.stderr


def test_triggers_say_why_a_shot_is_skipped_while_the_camera_is_away(tmp_path):
    res = scenario(tmp_path, """
        from studio.capture import CaptureController
        from studio.events import TriggerEvent, TriggerIgnored, CaptureDone
        rec = Recorder()
        cam = GphotoCamera(OUT / "photos", GphotoOptions(pair_settle_s=0.0, camera_factory=faults.camera))
        cam.add_listener(rec)
        cam.open()
        controller = CaptureController(cam)
        events = []
        controller.add_listener(events.append)
        time.sleep(0.3)
        faults.stall()
        t0 = time.monotonic()
        rec.wait_for(lambda e: isinstance(e, StateChanged) and e.state.value == "reconnecting", timeout=10)
        during = controller.submit(TriggerEvent("interval", time.monotonic()))
        rec.wait_for(lambda e: isinstance(e, StateChanged) and e.state.value == "connected"
                     and e.timestamp > t0, timeout=10)
        after = controller.submit(TriggerEvent("interval", time.monotonic()))
        deadline = time.monotonic() + 10
        while not any(isinstance(e, CaptureDone) for e in events) and time.monotonic() < deadline:
            time.sleep(0.05)
        controller.close()
        cam.close()
        ignored = [e.reason for e in events if isinstance(e, TriggerIgnored)]
        result(during=[during.accepted, during.reason], after=after.accepted, ignored=ignored,
               done=sum(isinstance(e, CaptureDone) for e in events))
    """)
    assert res["during"][0] is False
    assert res["during"][1].startswith("camera reconnecting: camera stopped answering"), res["during"]
    assert res["ignored"] == [res["during"][1]]
    assert res["after"] is True and res["done"] == 1
