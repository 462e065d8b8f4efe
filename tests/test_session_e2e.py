"""End to end on real parts: replayed live view, libgphoto2's virtual camera for captures,
the real analyzers for live frames and stills, the session on disk, exiftool reading sidecars.

libgphoto2 reads ``VCAMERADIR`` when ``gphoto2`` is first imported and can abort the process,
so every scenario runs in a fresh interpreter. The virtual camera "shoots" a copy of the first
JPEG in its folder: the scenarios put a fixture portrait there (in a temp folder, never in the
repository). It reports its card full after 26 captures per connection, so long runs reconnect
(a new camera object), which is also what the counter has to survive.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import cv2
import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT.parent / "shared" / "fixtures"
READY_PORTRAIT = FIXTURES / "portraits" / "frec__obama.jpg"  # READY under the "portrait" preset
CLOSED_EYES = FIXTURES / "portraits" / "inspireface__reaction_close_eyes.jpeg"
pytestmark = [pytest.mark.camera, pytest.mark.slow]

PRELUDE = """
import json, os, sys, threading, time
from pathlib import Path
sys.path.insert(0, os.environ["STUDIO_ROOT"])
OUT = Path(os.environ["SCENARIO_OUT"])
import logging
logging.basicConfig(level=logging.WARNING)
from drivers.base import *
from drivers.gphoto import GphotoCamera, GphotoOptions
from studio.capture import CaptureController, CaptureRules
from studio.events import *
from studio.session import Session, SessionOptions, ShotProcessor

def result(**values):
    print("RESULT " + json.dumps(values, default=str), flush=True)

class Events:
    def __init__(self):
        self.items, self.cond = [], threading.Condition()
    def __call__(self, event):
        with self.cond:
            self.items.append(event)
            self.cond.notify_all()
    def of(self, kind):
        with self.cond:
            return [e for e in self.items if isinstance(e, kind)]
    def wait(self, kind, count, timeout=60):
        with self.cond:
            return self.cond.wait_for(lambda: len([e for e in self.items if isinstance(e, kind)]) >= count,
                                      timeout)
"""


def fixture(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"fixture {path} absent")
    return path


def run_scenario(tmp_path: Path, code: str, *, camera_photo: Path, timeout: float = 300.0,
                 extra_env: dict[str, str] | None = None) -> dict:
    camera_dir = tmp_path / "vcamera"
    camera_dir.mkdir(exist_ok=True)
    for old in camera_dir.glob("*.jpg"):
        old.unlink()
    shutil.copyfile(camera_photo, camera_dir / "shot.jpg")
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    xdg = tmp_path / "xdg"
    xdg.mkdir(exist_ok=True)
    env = dict(os.environ, VCAMERADIR=str(camera_dir), XDG_CONFIG_HOME=str(xdg), SCENARIO_OUT=str(out),
               STUDIO_ROOT=str(ROOT), PYTHONPATH=str(ROOT), **(extra_env or {}))
    proc = subprocess.run([sys.executable, "-c", PRELUDE + textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=timeout, cwd=tmp_path)
    assert proc.returncode == 0, (f"scenario died with status {proc.returncode}\n"
                                  f"stdout: {proc.stdout[-2000:]}\nstderr: {proc.stderr[-4000:]}")
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    assert lines, f"scenario printed no result\nstderr: {proc.stderr[-4000:]}"
    return json.loads(lines[-1][len("RESULT "):])


def live_folder(folder: Path, parts: list[tuple[Path, int]]) -> Path:
    """A folder of live-view JPEGs (≤ 1024 px) replayed in name order: (photo, frames) runs."""
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    for photo, frames in parts:
        image = cv2.imread(str(photo))
        scale = min(1.0, 1024 / max(image.shape[:2]))
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes()
        for _ in range(frames):
            (folder / f"{n:05d}.jpg").write_bytes(data)
            n += 1
    return folder


def test_auto_trigger_fires_once_per_ready_period_and_the_still_is_checked(tmp_path):
    ready, closed = fixture(READY_PORTRAIT), fixture(CLOSED_EYES)
    # 15 fps: 3 s READY, 1.5 s eyes closed (not ready), 3 s READY again.
    live = live_folder(tmp_path / "live", [(ready, 45), (closed, 22), (ready, 45)])
    res = run_scenario(tmp_path, f"""
        from drivers.composite import CompositeCamera
        from drivers.replay import ReplayCamera
        from studio.loop import VisionLoop
        from studio.ready import ReadyMachine, ReadyState
        from studio.triggers.auto import AutoTrigger
        from studio.vision import Analyzer

        session = Session.open(OUT, "auto test", subject="Barack", preset="portrait",
                               options=SessionOptions(min_free_mb=1, black_and_white=True, crop="4:5"))
        stills = GphotoCamera(session)
        camera = CompositeCamera(ReplayCamera({str(live)!r}, fps=15), stills)
        camera.open()
        events = Events()
        controller = CaptureController(camera, session=session, processor=ShotProcessor(session),
                                       rules=CaptureRules(cooldown_s=0.2, min_interval_s=0.5))
        controller.add_listener(events)
        machine = ReadyMachine(hold_s=0.4)
        transitions = []
        machine.add_listener(transitions.append)
        auto = AutoTrigger(controller)
        machine.add_listener(auto.on_transition)
        analyzer = Analyzer("portrait", mode="live")
        loop = VisionLoop(camera.frames, analyzer.analyse_frame)
        loop.add_listener(machine.update)
        loop.start()
        camera.start_live_view().result(10)
        loop.wait(60)
        controller.wait_idle(60)
        done = events.of(CaptureDone)
        periods = [t.period for t in transitions if t.state is ReadyState.READY]
        ignored = [e.reason for e in events.of(TriggerIgnored)]
        controller.close()
        camera.close()
        result(periods=periods, fired=[e.trigger.period for e in events.of(CaptureStarted)],
               files=[[p.name for p in e.paths] for e in done],
               verdicts=[[r.verdict.status.value for r in e.records] for e in done],
               extras=[[p.name for r in e.records for p in r.extras] for e in done],
               ignored=ignored, analysed=loop.stats.analysed, folder=str(session.folder))
    """, camera_photo=ready)
    # Two READY periods in the replay, and exactly one shot in each, however long READY lasted.
    assert res["periods"] == [1, 2], res
    assert res["fired"] == [1, 2], res
    assert res["files"] == [["barack-0001.jpg"], ["barack-0002.jpg"]]
    folder = Path(res["folder"])
    sidecar = json.loads((folder / "barack-0001.studio.json").read_text())
    assert sidecar["trigger"] == "auto" and sidecar["analysis"]["faces"] == 1
    assert sidecar["preset"] == "portrait"
    assert res["extras"][0] == ["barack-0001.bw.jpg", "barack-0001.crop-4x5.jpg"]
    if shutil.which("exiftool"):
        tags = json.loads(subprocess.run(["exiftool", "-j", str(folder / "barack-0001.jpg.xmp")],
                                         capture_output=True, check=True).stdout)[0]
        assert tags["Rating"] == sidecar["verdict"]["rating"]
        subject = tags["Subject"] if isinstance(tags["Subject"], list) else [tags["Subject"]]
        assert subject == sidecar["verdict"]["keywords"]


def test_a_failing_still_is_labelled_red_and_cued(tmp_path):
    closed = fixture(CLOSED_EYES)
    res = run_scenario(tmp_path, """
        class Cues:
            def __init__(self): self.played = []
            def play(self, name): self.played.append(name); return True
        session = Session.open(OUT, "fail", options=SessionOptions(min_free_mb=1))
        camera = GphotoCamera(session)
        camera.open()
        events, cues = Events(), Cues()
        controller = CaptureController(camera, session=session, processor=ShotProcessor(session), cues=cues)
        controller.add_listener(events)
        controller.submit(TriggerEvent("key", time.monotonic()))
        events.wait(CaptureDone, 1)
        done = events.of(CaptureDone)[0]
        controller.close(); camera.close()
        result(failed=done.still_failed, keywords=list(done.records[0].verdict.keywords),
               label=done.records[0].verdict.label, cues=cues.played)
    """, camera_photo=closed)
    # The cue recorder above stands in for the speaker only; the CuePlayer's own output is
    # tested on the PulseAudio rig (test_triggers_sound / test_triggers_countdown).
    assert res["failed"] is True and res["label"] == "Red"
    assert "studio:eyes-closed" in res["keywords"]
    assert res["cues"] == ["still-failed"]


def test_hundred_shots_hundred_files_unique_names_valid_sidecars_and_counter_after_restart(tmp_path):
    photo = fixture(READY_PORTRAIT)
    code = """
        session = Session.open(OUT, "volume day", subject="staff", preset="portrait",
                               options=SessionOptions(min_free_mb=1, delete_on_camera=True))
        events = Events()
        controller = None
        shots = int(os.environ["SHOTS"])
        reconnects = 0
        started = time.monotonic()
        while len(events.of(CaptureDone)) + len(events.of(CaptureFailed)) < shots:
            # A new connection every 25 shots: the virtual camera's card fills at 26.
            camera = GphotoCamera(session, GphotoOptions(delete_after_download=True))
            camera.open()
            if controller is None:
                controller = CaptureController(camera, session=session, processor=ShotProcessor(session),
                                               rules=CaptureRules(cooldown_s=0, min_interval_s=0))
                controller.add_listener(events)
            controller.camera = camera
            for _ in range(min(25, shots - len(events.of(CaptureDone)))):
                target = len(events.of(CaptureDone)) + 1
                give_up = time.monotonic() + 30  # a refusing controller fails the test, not hangs it
                while not controller.submit(TriggerEvent("key", time.monotonic())).accepted:
                    assert time.monotonic() < give_up, "the controller refused shots for 30 s"
                    time.sleep(0.01)
                events.wait(CaptureDone, target)
            controller.wait_idle(60)
            camera.close()
            reconnects += 1
        elapsed = time.monotonic() - started
        controller.close()
        result(done=len(events.of(CaptureDone)), failed=[e.reason for e in events.of(CaptureFailed)],
               reconnects=reconnects, seconds=elapsed, counter=session.state.counter,
               folder=str(session.folder))
    """
    res = run_scenario(tmp_path, code, camera_photo=photo, extra_env={"SHOTS": "100"}, timeout=600)
    assert res["done"] == 100 and res["failed"] == [] and res["reconnects"] == 4
    folder = Path(res["folder"])
    photos = sorted(folder.glob("staff-*.jpg"))
    assert [p.name for p in photos] == [f"staff-{n:04d}.jpg" for n in range(1, 101)]
    # Every file is the camera's whole photo, byte for byte once its embedded XMP is cut out.
    from studio.session.jpeg_xmp import read_xmp, without_xmp

    camera_bytes = without_xmp((tmp_path / "vcamera" / "shot.jpg").read_bytes())
    assert {without_xmp(p.read_bytes()) for p in photos} == {camera_bytes}
    assert all(b"xmp:Rating=" in (read_xmp(p.read_bytes()) or b"") for p in photos)  # Lightroom's
    for n in range(1, 101):
        data = json.loads((folder / f"staff-{n:04d}.studio.json").read_text())
        assert data["files"] == [f"staff-{n:04d}.jpg"] and data["counter"] == n
        assert data["analysis"] is not None and data["verdict"]["rating"] in (1, 2, 3)
    if shutil.which("exiftool"):
        xmps = sorted(map(str, folder.glob("*.xmp")))
        out = subprocess.run(["exiftool", "-j", "-Rating", "-Subject", *xmps],
                             capture_output=True, check=True)
        tags = json.loads(out.stdout)
        assert len(tags) == 100 and all(t["Rating"] in (1, 2, 3) and t["Subject"] for t in tags)
    print(f"100 shots in {res['seconds']:.1f} s ({res['seconds'] / 100 * 1000:.0f} ms per shot, "
          f"with still check and sidecars), {res['reconnects']} connections")

    # Restart: a new process, a new session object, the counter goes on from 101.
    again = run_scenario(tmp_path, code, camera_photo=photo, extra_env={"SHOTS": "2"})
    assert again["done"] == 2 and again["folder"] == res["folder"]
    assert (folder / "staff-0101.jpg").exists() and (folder / "staff-0102.jpg").exists()
    assert len(list(folder.glob("staff-*.jpg"))) == 102
    assert not list(folder.glob(".*.part"))


@pytest.fixture
def tiny_disk(tmp_path, mount_tmpfs):
    return mount_tmpfs(tmp_path / "tiny", "size=600k")  # a few ~100 kB shots fit, not many


def test_disk_full_stops_capturing_with_a_message_and_keeps_photos_on_the_card(tmp_path, tiny_disk):
    photo = fixture(READY_PORTRAIT)  # ~100 kB: a few fit on the 600 kB disk, not many
    res = run_scenario(tmp_path, f"""
        session = Session.open({str(tiny_disk)!r}, "full", options=SessionOptions(min_free_mb=0,
                               delete_on_camera=True))
        camera = GphotoCamera(session, GphotoOptions(delete_after_download=True))
        camera.open()
        events = Events()
        controller = CaptureController(camera, session=session,
                                       rules=CaptureRules(cooldown_s=0, min_interval_s=0))
        controller.add_listener(events)
        decisions = []
        for _ in range(12):
            decisions.append(controller.submit(TriggerEvent("key", time.monotonic())).reason)
            controller.wait_idle(30)
        stopped = events.of(CaptureFailed)
        deleted = camera.deleted_on_camera
        on_card = camera.list_files().result(10) if hasattr(camera, "list_files") else None
        controller.close(); camera.close()
        result(done=len(events.of(CaptureDone)), stopped=[(e.reason, e.stopped) for e in stopped],
               decisions=decisions, deleted=deleted, fired=controller.shots_fired,
               files=sorted(p.name for p in session.folder.iterdir()), on_card=on_card)
    """, camera_photo=photo)
    size = photo.stat().st_size
    assert res["done"] >= 1
    assert res["stopped"] and res["stopped"][0][1] is True  # stopped, with one clear message
    assert "capturing stopped" in res["stopped"][0][0] or "disk full" in res["stopped"][0][0]
    assert len(res["stopped"]) == 1
    # Refused before the shot, not after: every later trigger was turned down with the reason.
    assert res["fired"] <= res["done"] + 1
    assert all("capturing stopped" in d for d in res["decisions"][res["fired"]:])
    # Only verified local copies were deleted from the card; nothing half-written on disk.
    assert res["deleted"] == res["done"]
    assert not [f for f in res["files"] if f.endswith(".part")]
    photos = [f for f in res["files"] if f.endswith(".jpg")]
    assert len(photos) == res["done"] and all(
        (tiny_disk / f"{__import__('datetime').date.today().isoformat()}_full" / f).stat().st_size == size
        for f in photos)


def test_a_shot_fired_from_the_camera_body_is_stored_checked_and_labelled(tmp_path):
    photo = fixture(READY_PORTRAIT)
    res = run_scenario(tmp_path, """
        session = Session.open(OUT, "body", subject="Ann", options=SessionOptions(min_free_mb=1))
        camera = GphotoCamera(session)
        camera.open()
        events = Events()
        controller = CaptureController(camera, session=session, processor=ShotProcessor(session))
        controller.add_listener(events)
        # The virtual camera's opcode 0x9999 adds a file 300 ms later, like the shutter button.
        camera.set_setting("opcode", "0x9999,0x0,0x12c").result(10)
        events.wait(CaptureDone, 1, timeout=20)
        done = events.of(CaptureDone)
        controller.close(); camera.close()
        result(done=[(e.trigger.source, [p.name for p in e.paths]) for e in done],
               started=len(events.of(CaptureStarted)), folder=str(session.folder))
    """, camera_photo=photo)
    assert res["started"] == 0  # studio did not fire: the photographer did
    assert res["done"] == [["camera", ["ann-0001.jpg"]]]
    sidecar = json.loads((Path(res["folder"]) / "ann-0001.studio.json").read_text())
    assert sidecar["trigger"] == "camera" and sidecar["analysis"]["faces"] == 1
