"""QR codes (made by OpenCV's QRCodeEncoder) and EAN-13 barcodes held up in real photos and in
the recorded live view: read by OpenCV's detectors, debounced, and setting the desk's person."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.base import LatestFrameSlot
from drivers.recording import RecordingReader
from studio.events import PersonChanged
from studio.people import PeopleDesk, Person, Roster, read_person_code
from studio.people.qr import CodeReader, Debouncer, clean_code

SAMPLE = Path(__file__).resolve().parents[1] / "studio" / "data" / "sample.slv"
ROSTER = Roster((Person("Jane Doe", "E1042", "jane@acme.com"), Person("Bo Li", "E2077"),
                 Person("Zoë Müller", "", "zoe@acme.com")))


def qr_card(text: str, module_px: int = 6) -> np.ndarray:
    """A printed card: the QR code with its quiet zone on white (BGR)."""
    code = cv2.QRCodeEncoder.create().encode(text)
    code = cv2.resize(code, None, fx=module_px, fy=module_px, interpolation=cv2.INTER_NEAREST)
    card = cv2.copyMakeBorder(code, 4 * module_px, 4 * module_px, 4 * module_px, 4 * module_px,
                              cv2.BORDER_CONSTANT, value=255)
    return cv2.cvtColor(card, cv2.COLOR_GRAY2BGR)


def ean13_card(first12: str, module_px: int = 3) -> tuple[np.ndarray, str]:
    """An EAN-13 barcode card (the encoding by the standard's tables) and its 13 digits."""
    left = ["0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011",
            "0110111", "0001011"]
    right = ["".join("1" if b == "0" else "0" for b in code) for code in left]
    even = [code[::-1] for code in right]
    parity = ["LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG",
              "LGLGGL", "LGGLGL"]
    digits = [int(c) for c in first12]
    digits.append((10 - sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10) % 10)
    bits = "101" + "".join((left if parity[digits[0]][i] == "L" else even)[d]
                           for i, d in enumerate(digits[1:7]))
    bits += "01010" + "".join(right[d] for d in digits[7:]) + "101"
    bar = np.full((int(len(bits) * module_px * 0.6), (len(bits) + 22) * module_px), 255, np.uint8)
    for i, bit in enumerate(bits):
        if bit == "1":
            bar[:, (i + 11) * module_px:(i + 12) * module_px] = 0
    card = cv2.copyMakeBorder(bar, 20, 20, 0, 0, cv2.BORDER_CONSTANT, value=255)
    return cv2.cvtColor(card, cv2.COLOR_GRAY2BGR), "".join(map(str, digits))


def hold_up(photo: np.ndarray, card: np.ndarray, at: tuple[float, float], tilt_deg: float = 0) -> np.ndarray:
    """``card`` pasted into ``photo`` at a relative position, turned a little, as if held up."""
    out = photo.copy()
    pad = card.shape[0] // 6  # room to turn without cutting the corners off
    card = cv2.copyMakeBorder(card, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    h, w = card.shape[:2]
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), tilt_deg, 1.0)
    card = cv2.warpAffine(card, turn, (w, h), borderValue=(255, 255, 255))
    y, x = int(at[1] * (photo.shape[0] - h)), int(at[0] * (photo.shape[1] - w))
    out[y:y + h, x:x + w] = card
    return out


def jpeg_round_trip(image: np.ndarray, quality: int = 80) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def test_a_qr_card_in_a_real_portrait_is_read(portraits):
    photos = sorted(portraits.glob("*.jpg"))[:6]
    assert photos, f"no portraits in {portraits}"
    for i, path in enumerate(photos):
        photo = cv2.imread(str(path))
        if photo is None or min(photo.shape[:2]) < 300:
            continue
        module = max(3, min(photo.shape[:2]) // 120)
        shown = jpeg_round_trip(hold_up(photo, qr_card("E1042", module), (0.9, 0.85), tilt_deg=8 * (i % 2)))
        assert read_person_code(shown) == "E1042", path.name


def test_no_code_is_read_off_portraits_without_one(portraits):
    reader = CodeReader()
    photos = [p for p in sorted(portraits.glob("*.jpg"))[:40] if cv2.imread(str(p)) is not None]
    assert len(photos) >= 20
    found = {p.name: reader.read(cv2.imread(str(p))) for p in photos}
    assert not any(found.values()), {k: v for k, v in found.items() if v}


def test_an_ean13_barcode_card_is_read(portraits):
    """OpenCV's 1-D detector misses some placements of a perfectly printed card (it reads a
    live stream, so a miss on one frame is read on the next): most placements read, none wrong."""
    reader = CodeReader()
    reads = []
    for path in sorted(portraits.glob("*.jpg"))[:4]:
        photo = cv2.resize(cv2.imread(str(path)), (1024, 680))  # a live-view frame's size
        for module in (2, 3):
            card, digits = ean13_card("400638133393", module)
            for at in ((0.5, 0.5), (0.9, 0.1), (0.3, 0.7), (0.05, 0.9)):
                for tilt in (0, 5):
                    reads.append(reader.read(jpeg_round_trip(hold_up(photo, card, at, tilt))))
    assert set(reads) <= {digits, None}  # never a wrong number
    assert reads.count(digits) / len(reads) >= 0.75, f"{reads.count(digits)} of {len(reads)} read"


def test_code_text_is_cleaned():
    assert clean_code("  mailto:zoe@acme.com\n") == "zoe@acme.com"
    assert clean_code("E1\x00042") == "E1042"
    assert clean_code("x" * 500) is None and clean_code(" \t") is None


def test_the_debouncer_fires_once_per_showing():
    d = Debouncer()
    reads = [None, "A", None, "A", "A", "A", "A", None, "A", "A", None, None, "A", "A", "B", "B", "A"]
    fired = [d.feed(r) for r in reads]
    # once at the second "A" in a row; a single-frame drop-out does not re-fire; gone for two
    # reads and back does; another card fires; a lone read of "A" does not.
    assert [(i, f) for i, f in enumerate(fired) if f] == [(4, "A"), (13, "A"), (15, "B")]


def test_cards_in_the_recorded_live_view_set_the_person_once_each():
    """Bo's badge id, then nobody, then Zoë's email card, each held up until read and a few
    reads longer (no second event while it stays), on the recorded live view at 20 fps."""
    if not SAMPLE.exists():
        pytest.skip(f"sample recording {SAMPLE} absent")
    with RecordingReader(SAMPLE) as reader:
        frames = [cv2.imdecode(np.frombuffer(reader.payload(e), np.uint8), cv2.IMREAD_COLOR)
                  for e in reader.frame_entries[:60]]
    cards = {"E2077": qr_card("E2077", 5), "zoe@acme.com": qr_card("mailto:zoe@acme.com", 5)}
    desk = PeopleDesk(ROSTER)
    desk.next()
    events: list[PersonChanged] = []
    desk.add_listener(events.append)
    slot = LatestFrameSlot()
    desk.watch_codes(slot, interval_s=0.05)
    shown = {"i": 0}

    def show(code: str | None, until) -> None:
        deadline = time.monotonic() + 30  # generous: the thread rests 3x its read time
        while not until() and time.monotonic() < deadline:
            frame = frames[shown["i"] % len(frames)]
            shown["i"] += 1
            if code:
                frame = hold_up(frame, cards[code], (0.85, 0.5), tilt_deg=5)
            ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 75])
            slot.put_jpeg(buf.tobytes())
            time.sleep(1 / 20)

    def reads_from_now(n: int):
        start = desk.code_reads
        return lambda: desk.code_reads >= start + n

    try:
        show(None, reads_from_now(3))
        show("E2077", lambda: len(events) >= 1)
        show("E2077", reads_from_now(4))  # still held up: nothing more
        show(None, reads_from_now(3))
        show("zoe@acme.com", lambda: len(events) >= 2)
        show("zoe@acme.com", reads_from_now(3))
    finally:
        desk.close()
    assert [(e.person_name, e.index, e.source) for e in events] == [("Bo Li", 1, "code"),
                                                                   ("Zoë Müller", 2, "code")]
    assert not any(t.name == "people-codes" for t in threading.enumerate())  # close() stopped it
