"""What reading QR/barcode cards off live view costs: the people desk's code thread.

    .venv/bin/python benchmarks/bench_codes.py [--recording PATH] [--reads N]

Each read is what the thread does per frame: decode the live-view JPEG, look for a QR code,
then for a 1-D barcode (studio.people.watch.decode_frame + qr.CodeReader.read). Frames come from
the bundled recording, without a card and with an OpenCV-encoded QR card pasted in. The
baseline, measured in the same run on the same frames, is the JPEG decode alone: the ratio
says how much the detectors add. The rate and the share of one core are what the desk's code
thread gets: 4 reads a second at most, and never more than MAX_DUTY of a core (it rests three
times as long as a read took).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from drivers.recording import RecordingReader  # noqa: E402
from studio.people.qr import CodeReader  # noqa: E402
from studio.people.watch import MAX_DUTY, decode_frame  # noqa: E402

READS_PER_SECOND = 4  # the desk's default interval_s = 0.25


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def with_card(jpeg: bytes, text: str) -> bytes:
    frame = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    code = cv2.resize(cv2.QRCodeEncoder.create().encode(text), None, fx=5, fy=5,
                      interpolation=cv2.INTER_NEAREST)
    card = cv2.cvtColor(cv2.copyMakeBorder(code, 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=255),
                        cv2.COLOR_GRAY2BGR)
    frame[300:300 + card.shape[0], 700:700 + card.shape[1]] = card
    return cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 80])[1].tobytes()


def timed(frames: list[bytes], reads: int, work) -> tuple[list[float], list[object]]:
    times, results = [], []
    for i in range(reads):
        jpeg = frames[i % len(frames)]
        start = time.perf_counter()
        results.append(work(jpeg))
        times.append((time.perf_counter() - start) * 1000)
    return times, results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--recording", type=Path, default=ROOT / "studio" / "data" / "sample.slv")
    ap.add_argument("--reads", type=int, default=120)
    args = ap.parse_args()
    with RecordingReader(args.recording) as rec:
        plain = [rec.payload(e) for e in rec.frame_entries[:60]]
    carded = [with_card(f, "E1042") for f in plain]
    reader = CodeReader()
    size = decode_frame(plain[0]).shape
    print(f"frames {size[1]}x{size[0]} from {args.recording.name}, {args.reads} reads each")
    base, _ = timed(plain, args.reads, decode_frame)
    rows = [("decode only (baseline)", base, None)]
    for name, frames in (("no card", plain), ("QR card", carded)):
        times, found = timed(frames, args.reads, lambda j: reader.read(decode_frame(j)))
        rows.append((name, times, sum(f == "E1042" for f in found) / len(found)))
    for name, times, hit in rows:
        median, p95 = statistics.median(times), percentile(times, 0.95)
        extra = ""
        if hit is not None:
            rate = min(READS_PER_SECOND, MAX_DUTY * 1000 / median)
            extra = (f"  x{median / statistics.median(base):.1f} baseline  {rate:.1f} reads/s "
                     f"= {median * rate / 10:.0f} % of a core")
        read = f"  read {hit:.0%}" if hit is not None else ""
        print(f"{name:24s} median {median:6.1f} ms  p95 {p95:6.1f} ms{extra}{read}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
