"""A 10-person roster day on libgphoto2's virtual camera: 3 shots each, one person set by a QR
card held up in the recorded live view, a previous/next, a rating and a rejection; ends with 30
files named per person, persons and ratings read with exiftool from the JPEGs themselves, and a
report grouped by person. (The window drives the same desk with keys: tests/test_ui_*.)"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_session_e2e import READY_PORTRAIT, fixture, run_scenario

pytestmark = [pytest.mark.camera, pytest.mark.slow]
PEOPLE = ["Ann Berg", "Bo Li", "Cem Kaya", "Dara Ní Bhriain", "Eve Adams", "Femi Ade", "Gus Roy",
          "Hana Sato", "Ivo Petrov", "Jo Lind"]


@pytest.mark.skipif(shutil.which("exiftool") is None, reason="exiftool absent")
def test_ten_people_three_shots_each(tmp_path):
    roster = tmp_path / "team.csv"
    rows = "".join(f"{n},E{i:03d}\n" for i, n in enumerate(PEOPLE))
    roster.write_text("name,id\n" + rows, encoding="utf-8")
    res = run_scenario(tmp_path, f"""
        import cv2, numpy as np
        from drivers.recording import RecordingReader
        from studio.people import PeopleDesk, load_roster
        from studio.session.naming import ROSTER_TEMPLATE
        from studio.report import render_sheet

        session = Session.open(OUT, "team day", preset="portrait",
                               options=SessionOptions(template=ROSTER_TEMPLATE, min_free_mb=1))
        desk = PeopleDesk(load_roster({str(roster)!r}), session)
        changes = []
        desk.add_listener(changes.append)
        events = Events()
        controller = None

        processor = ShotProcessor(session)

        def connect():
            # A new camera object and controller per connection (the virtual card fills at 26);
            # the session, its counter and the desk carry on.
            global controller
            camera = GphotoCamera(session)
            camera.open()
            if controller is not None:
                controller.close()
            controller = CaptureController(camera, session=session, processor=processor,
                                           rules=CaptureRules(cooldown_s=0, min_interval_s=0))
            controller.add_listener(events)
            controller.add_listener(desk.on_capture_event)
            return camera

        def show_card(text, wanted):
            # the recorded live view with a QR card held up (OpenCV's encoder), 20 frames a second
            with RecordingReader(os.path.join(os.environ["STUDIO_ROOT"], "studio/data/sample.slv")) as rec:
                frames = [cv2.imdecode(np.frombuffer(rec.payload(e), np.uint8), 1)
                          for e in rec.frame_entries[:40]]
            code = cv2.resize(cv2.QRCodeEncoder.create().encode(text), None, fx=5, fy=5,
                              interpolation=cv2.INTER_NEAREST)
            card = cv2.cvtColor(cv2.copyMakeBorder(code, 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=255),
                                cv2.COLOR_GRAY2BGR)
            slot = LatestFrameSlot()
            desk.watch_codes(slot, interval_s=0.05)
            end, i = time.monotonic() + 30, 0  # held up until read (the thread rests 3x a read)
            while time.monotonic() < end and (desk.current is None or desk.current.name != wanted):
                frame = frames[i % len(frames)].copy(); i += 1
                frame[300:300 + card.shape[0], 700:700 + card.shape[1]] = card
                slot.put_jpeg(cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 80])[1].tobytes())
                time.sleep(0.05)
            desk.close()

        camera = connect()
        shots_on_this_camera = 0
        for person in range(10):
            if person == 4:
                show_card("E004", "Eve Adams")  # Eve Adams shows her badge
            elif person == 6:
                desk.next(); desk.previous(); desk.next()  # one too far, back, on again
            else:
                desk.next()
            for _ in range(3):
                if shots_on_this_camera == 25:  # the virtual card fills at 26: reconnect
                    controller.wait_idle(60); camera.close(); camera = connect(); shots_on_this_camera = 0
                target = len(events.of(CaptureDone)) + 1
                deadline = time.monotonic() + 60  # every wait bounded: a refusal is reported, not spun on
                while not (decision := controller.submit(TriggerEvent("key", time.monotonic()))).accepted:
                    if time.monotonic() > deadline:
                        result(refused=decision.reason, done=len(events.of(CaptureDone)))
                        os._exit(0)
                    time.sleep(0.05)
                events.wait(CaptureDone, target)
                shots_on_this_camera += 1
        controller.wait_idle(60)
        camera.close()
        controller.close()
        session.review("cem-kaya-0008.jpg", rating=5, label="Green")
        session.review("gus-roy-0019.jpg", rejected=True)
        (session.folder / "report.html").write_text(render_sheet(session.folder, session.state))
        result(folder=str(session.folder), failed=[e.reason for e in events.of(CaptureFailed)],
               changes=[(c.person_name, c.index, c.source) for c in changes])
    """, camera_photo=fixture(READY_PORTRAIT), timeout=600)
    assert "refused" not in res, res
    assert res["failed"] == []
    folder = Path(res["folder"])
    slugs = ["ann-berg", "bo-li", "cem-kaya", "dara-ni-bhriain", "eve-adams", "femi-ade", "gus-roy",
             "hana-sato", "ivo-petrov", "jo-lind"]
    expected = [f"{slugs[(n - 1) // 3]}-{n:04d}.jpg" for n in range(1, 31)]
    assert sorted(p.name for p in folder.glob("*.jpg")) == sorted(expected)
    assert ("Eve Adams", 4, "code") in [tuple(c) for c in res["changes"]]
    assert [tuple(c) for c in res["changes"]][6:9] == [("Gus Roy", 6, "next"), ("Femi Ade", 5, "previous"),
                                                      ("Gus Roy", 6, "next")]
    out = subprocess.run(["exiftool", "-j", "-XMP-iptcExt:PersonInImage", "-XMP-xmp:Rating",
                          *sorted(str(p) for p in folder.glob("*.jpg"))], capture_output=True, check=True)
    tags = {Path(t["SourceFile"]).name: t for t in json.loads(out.stdout)}
    for n, name in enumerate(expected, 1):
        assert tags[name]["PersonInImage"] == PEOPLE[(n - 1) // 3], name
    assert tags["cem-kaya-0008.jpg"]["Rating"] == 5 and tags["gus-roy-0019.jpg"]["Rating"] == -1
    assert all(tags[n]["Rating"] in (1, 2, 3) for n in expected if n not in ("cem-kaya-0008.jpg",
                                                                             "gus-roy-0019.jpg"))
    page = (folder / "report.html").read_text()
    assert re.findall(r'<section data-person="([^"]+)">', page) == PEOPLE
    assert [s.count("<figure") for s in page.split("<section")[1:]] == [3] * 10
