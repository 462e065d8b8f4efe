"""The hostile-input corpus: every case is generated here, at test time, into a folder.

Nothing binary is committed. The seeds are real: live-view JPEGs of the bundled sample
recording (``studio/data/sample.slv``, a camera-like 1024×680 stream) and pictures OpenCV
encodes from them (progressive, grey, PNG of every colour type). Each :class:`Case` says what
studio must do with it: ``ok`` (a correct result) or ``error`` with words the one-line message
must contain.

    python tests/fuzz/make_corpus.py OUT_DIR     # writes the corpus and prints its index
"""

from __future__ import annotations

import json
import math
import os
import random
import socket
import struct
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from drivers.recording import FRAME, MAGIC, RecordingReader, RecordingWriter, pack_record  # noqa: E402

SAMPLE = ROOT / "studio" / "data" / "sample.slv"
SEED = 20261201
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Case:
    name: str
    path: Path
    expect: str  # "ok" or "error"
    words: str = ""  # for "error": the message contains these (case-insensitive)
    extra: dict = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# seeds
# --------------------------------------------------------------------------------------------


def sample_frames(count: int = 12) -> list[bytes]:
    with RecordingReader(SAMPLE) as reader:
        frames = [reader.payload(e) for e in reader.frame_entries[:count]]
    return [f for f in frames if f]


def _sof_offset(data: bytes) -> int:
    for marker in (b"\xff\xc0", b"\xff\xc1", b"\xff\xc2"):
        i = data.find(marker)
        if i > 0:
            return i
    raise ValueError("no SOF")


def with_size(data: bytes, width: int, height: int) -> bytes:
    """A JPEG whose frame header claims ``width``×``height`` (the data stays the same)."""
    i = _sof_offset(data)
    out = bytearray(data)
    out[i + 5:i + 9] = struct.pack(">HH", height, width)
    return bytes(out)


def with_exif(data: bytes, tiff: bytes, declared: int | None = None) -> bytes:
    """``data`` with an APP1 Exif segment holding ``tiff`` (its length field may lie)."""
    body = b"Exif\0\0" + tiff
    length = len(body) + 2 if declared is None else declared
    return data[:2] + b"\xff\xe1" + struct.pack(">H", length & 0xFFFF) + body + data[2:]


def tiff_orientation(value: int, *, ifd_offset: int = 8, count: int = 1) -> bytes:
    entry = struct.pack("<HHIHH", 0x0112, 3, 1, value, 0)
    return b"II*\0" + struct.pack("<I", ifd_offset) + struct.pack("<H", count) + entry + b"\0\0\0\0"


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_raw(width: int, height: int, depth: int, colour: int, rows: bytes,
            palette: bytes | None = None) -> bytes:
    """A PNG made by hand (colour types OpenCV cannot write: palette, grey+alpha)."""
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    chunks = png_chunk(b"IHDR", ihdr)
    if palette is not None:
        chunks += png_chunk(b"PLTE", palette)
    idat = png_chunk(b"IDAT", zlib.compress(rows, 9))
    return b"\x89PNG\r\n\x1a\n" + chunks + idat + png_chunk(b"IEND", b"")


def png_bomb(side: int) -> bytes:
    """A grey PNG of ``side``×``side`` zeros: a few kB that would decode to ``side``² bytes."""
    compressor = zlib.compressobj(9)
    row = b"\0" * (side + 1)
    body = b"".join(compressor.compress(row) for _ in range(min(side, 256))) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)) \
        + png_chunk(b"IDAT", body) + png_chunk(b"IEND", b"")


def png_flat(width: int, height: int, *, depth: int, colour: int) -> bytes:
    """A PNG of zeros (one small, highly compressed IDAT) of any size, depth and colour type."""
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    compressor = zlib.compressobj(9)
    row = b"\0" * (1 + width * channels * depth // 8)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return _PNG_MAGIC + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", body) + png_chunk(b"IEND", b"")


def _ihdr_moved(png: bytes) -> bytes:
    """``png`` with its IHDR chunk moved after the image data (just before IEND)."""
    return png[:8] + png[33:-12] + png[8:33] + png[-12:]


# --------------------------------------------------------------------------------------------
# images (for `studio check`)
# --------------------------------------------------------------------------------------------


def image_cases(out: Path) -> list[Case]:
    out.mkdir(parents=True, exist_ok=True)
    jpeg = sample_frames(1)[0]
    bgr = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    rng = random.Random(SEED)
    cases: list[Case] = []

    def add(name: str, data: bytes, expect: str, words: str = "") -> None:
        (out / name).write_bytes(data)
        cases.append(Case(name, out / name, expect, words))

    progressive = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_PROGRESSIVE, 1])[1].tobytes()
    grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    # valid pictures, some with trailers after their end marker
    add("camera.jpg", jpeg, "ok")
    add("progressive.jpg", progressive, "ok")
    add("grey.jpg", cv2.imencode(".jpg", grey)[1].tobytes(), "ok")
    add("zero-padding.jpg", jpeg + b"\0" * 100_000, "ok")
    add("motion-photo.jpg", jpeg + b"\0\0\0\x18ftypmp42" + rng.randbytes(300_000), "ok")
    add("second-picture.jpg", jpeg + jpeg, "ok")
    add("exif-rotated.jpg", with_exif(jpeg, tiff_orientation(6)), "ok")
    add("exif-bad-offset.jpg", with_exif(jpeg, tiff_orientation(6, ifd_offset=0x7FFFFFFF)), "ok")
    add("exif-huge-count.jpg", with_exif(jpeg, tiff_orientation(3, count=65535)), "ok")
    add("exif-orientation-99.jpg", with_exif(jpeg, tiff_orientation(99)), "ok")
    add("png-named.jpg", cv2.imencode(".png", bgr)[1].tobytes(), "ok")
    add("rgb.png", cv2.imencode(".png", bgr)[1].tobytes(), "ok")
    add("grey16.png", cv2.imencode(".png", grey.astype(np.uint16) * 257)[1].tobytes(), "ok")
    add("rgba.png", cv2.imencode(".png", cv2.cvtColor(bgr, cv2.COLOR_BGR2BGRA))[1].tobytes(), "ok")
    small = cv2.resize(grey, (256, 170))
    add("palette.png", png_raw(256, 170, 8, 3, b"".join(b"\0" + small[r].tobytes() for r in range(170)),
                               palette=bytes(v for i in range(256) for v in (i, i, i))), "ok")
    add("grey-alpha.png", png_raw(256, 170, 8, 4, b"".join(
        b"\0" + np.dstack([small[r], np.full(256, 255, np.uint8)]).tobytes() for r in range(170))), "ok")
    add("png-trailer.png", cv2.imencode(".png", bgr)[1].tobytes() + b"\0" * 10_000, "ok")
    # damaged or cut
    add("cut-50.jpg", jpeg[:len(jpeg) // 2], "error", "truncated")
    add("cut-50-eoi.jpg", jpeg[:len(jpeg) // 2] + b"\xff\xd9", "error", "damaged")
    add("cut-90-eoi.jpg", jpeg[:len(jpeg) * 9 // 10] + b"\xff\xd9", "error", "damaged")
    add("cut-50-eoi-progressive.jpg", progressive[:len(progressive) // 2] + b"\xff\xd9", "error", "damaged")
    add("cut-header.jpg", jpeg[:300], "error", "truncated")
    add("cut.png", cv2.imencode(".png", bgr)[1].tobytes()[:5000], "error", "truncated")
    add("cut-iend.png", cv2.imencode(".png", bgr)[1].tobytes()[:5000] + png_chunk(b"IEND", b""),
        "error", "truncated")
    flipped = bytearray(jpeg)
    for _ in range(40):
        flipped[rng.randrange(600, len(flipped) - 2)] ^= 1 << rng.randrange(8)
    add("bit-flips.jpg", bytes(flipped), "any")  # a result or a one-line error, never a crash
    add("exif-length-past-end.jpg", with_exif(jpeg[:2] + b"\xff\xd9", b"II*\0", declared=60000),
        "error", "truncated")
    # bombs: headers that claim far more pixels than the file holds
    add("bomb-65500.jpg", with_size(jpeg, 65500, 65500), "error", "too large")
    add("bomb-20000.jpg", with_size(jpeg, 20000, 20000), "error", "too large")
    add("bomb.png", png_bomb(65000), "error", "too large")
    add("bomb-16k.png", png_bomb(16000), "error", "too large")
    add("zero-width.jpg", with_size(jpeg, 0, 680), "error", "size")
    # wrong signatures and odd types
    add("empty.jpg", b"", "error", "not a jpeg or png")
    add("text.jpg", b"hello, this is not a photo\n" * 10, "error", "not a jpeg or png")
    add("soi-only.jpg", b"\xff\xd8", "error", "truncated")
    add("soi-garbage.jpg", b"\xff\xd8" + rng.randbytes(5000), "error", "")
    add("png-magic-garbage.png", b"\x89PNG\r\n\x1a\n" + rng.randbytes(5000), "error", "damaged png")
    add("png-bad-colour.png", png_raw(16, 16, 8, 5, b"\0" * 17 * 16), "error", "colour type")
    add("png-bad-depth.png", png_raw(16, 16, 16, 3, b"\0" * 33 * 16), "error", "bit depth")
    add("tiny.jpg", cv2.imencode(".jpg", bgr[:8, :8])[1].tobytes(), "error", "too small")
    add("unknown.gif", b"GIF89a" + b"\0" * 100, "error", "unsupported file type")
    # review13: slivers, 16-bit RGBA decoded whole, fill bytes and empty segments by the million
    add("sliver-16x60000.png", cv2.imencode(".png", np.full((60000, 16, 3), 100, np.uint8))[1].tobytes(),
        "error", "too narrow")
    add("sliver-60000x16.jpg", cv2.imencode(".jpg", np.full((16, 60000, 3), 100, np.uint8))[1].tobytes(),
        "error", "too narrow")
    add("sof-1x65500.jpg", with_size(jpeg, 1, 65500), "error", "too narrow")
    add("sof-0x0.jpg", with_size(jpeg, 0, 0), "error", "size")
    add("rgba16-64mp.png", png_flat(8000, 8000, depth=16, colour=6), "ok")  # 512 MB if decoded unchanged
    add("ff-fill-40mb.jpg", jpeg[:2] + b"\xff" * 40_000_000 + jpeg[2:], "ok")  # 25 s walked byte by byte
    add("empty-segments.jpg", jpeg[:2] + b"\xff\xe5\x00\x02" * 20_000 + jpeg[2:], "error", "segments")
    add("tiff-named.jpg", cv2.imencode(".tiff", bgr)[1].tobytes(), "error", "not a jpeg or png")
    add("heic-named.jpg", b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + rng.randbytes(2000), "error",
        "not a jpeg or png")
    rgb_png = cv2.imencode(".png", bgr)[1].tobytes()
    add("million-chunks.png", rgb_png[:33] + png_chunk(b"tEXt", b"") * 1_000_000 + rgb_png[33:], "error",
        "chunks")  # 12 MB: 1.3 s to walk; the 500 MB a file may have would take ~50 s
    add("ihdr-after-idat.png", _ihdr_moved(cv2.imencode(".png", bgr)[1].tobytes()), "error", "ihdr")
    # special files and limits
    os.mkfifo(out / "fifo.jpg")
    cases.append(Case("fifo.jpg", out / "fifo.jpg", "error", "fifo"))
    (out / "zero.jpg").symlink_to("/dev/zero")
    cases.append(Case("zero.jpg", out / "zero.jpg", "error", "character device"))
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(out / "socket.jpg"))
    sock.close()
    cases.append(Case("socket.jpg", out / "socket.jpg", "error", "socket"))
    with open(out / "sparse-2gb.jpg", "wb") as fh:  # 2 GB that takes no disk space
        fh.write(jpeg[:4])
        fh.truncate(2 * 1024**3)
    cases.append(Case("sparse-2gb.jpg", out / "sparse-2gb.jpg", "error", "too large"))
    return cases


# --------------------------------------------------------------------------------------------
# recordings (for the reader, the replay camera and `studio record`)
# --------------------------------------------------------------------------------------------


def write_recording(path: Path, frames: list[bytes], times: list[float], meta: dict | None = None) -> Path:
    with RecordingWriter(path, meta or {"camera": "fuzz", "fps": 30.0}) as writer:
        for jpeg, t in zip(frames, times, strict=True):
            writer.write_frame(jpeg, t)
    return path


def _nominal(n: int) -> list[float]:
    return [i / 30 for i in range(n)]


TIMESTAMP_CASES: dict[str, Callable[[int], list[float]]] = {
    "jump-1e9": lambda n: [t + (1e9 if i >= n // 2 else 0) for i, t in enumerate(_nominal(n))],
    "nan": lambda n: [math.nan if i % 3 == 1 else t for i, t in enumerate(_nominal(n))],
    "inf": lambda n: [math.inf if i == n // 2 else t for i, t in enumerate(_nominal(n))],
    "minus-inf": lambda n: [-math.inf if i == 2 else t for i, t in enumerate(_nominal(n))],
    "1e300": lambda n: [1e300 + t for t in _nominal(n)],
    "one-at-minus-20": lambda n: [-20.0 if i == n // 2 else t for i, t in enumerate(_nominal(n))],
    "backwards": lambda n: [-t for t in _nominal(n)],
    "all-zero": lambda n: [0.0] * n,
    "huge-steps": lambda n: [i * 1e6 for i in range(n)],
}


def recording_cases(out: Path, n_frames: int = 12) -> list[Case]:
    out.mkdir(parents=True, exist_ok=True)
    frames = sample_frames(n_frames)
    rng = random.Random(SEED + 1)
    cases: list[Case] = []
    base = write_recording(out / "base.slv", frames, _nominal(len(frames)))
    data = base.read_bytes()
    cases.append(Case("base.slv", base, "ok", extra={"frames": len(frames)}))
    for name, times in TIMESTAMP_CASES.items():
        path = write_recording(out / f"time-{name}.slv", frames, times(len(frames)))
        cases.append(Case(path.name, path, "ok", extra={"frames": len(frames), "timestamps": name}))
    for fps in ("inf", "0", "-1", "1e-300", "1e300", '"fast"', "true", "null"):
        path = write_recording(out / f"meta-fps-{fps.strip(chr(34))}.slv", frames[:4], _nominal(4),
                               json.loads(f'{{"camera": "fuzz", "fps": {fps}}}') if fps != "inf"
                               else {"camera": "fuzz", "fps": math.inf})
        cases.append(Case(path.name, path, "ok", extra={"frames": 4}))
    for i in range(6):  # bit flips anywhere after the magic
        flipped = bytearray(data)
        for _ in range(1 + i * 5):
            flipped[rng.randrange(len(MAGIC), len(flipped))] ^= 1 << rng.randrange(8)
        (out / f"flips-{i}.slv").write_bytes(bytes(flipped))
        cases.append(Case(f"flips-{i}.slv", out / f"flips-{i}.slv", "any"))
    for frac in (0.1, 0.5, 0.97):  # cut at any byte
        (out / f"cut-{frac}.slv").write_bytes(data[:int(len(data) * frac)])
        cases.append(Case(f"cut-{frac}.slv", out / f"cut-{frac}.slv", "any"))
    # a header whose length field claims 4 GB / 200 MB / exactly past the end, CRC made valid
    for name, length in (("len-4g", 0xFFFFFFFF), ("len-200m", 200 * 1024 * 1024), ("len-past-end", 10**6)):
        head = struct.pack("<3scIdI", b"LVR", FRAME, length, 0.5, 0)
        record = head + struct.pack("<I", zlib.crc32(head)) + frames[0][:100]
        (out / f"{name}.slv").write_bytes(data + record)
        cases.append(Case(f"{name}.slv", out / f"{name}.slv", "ok", extra={"frames": len(frames)}))
    (out / "magic-only.slv").write_bytes(MAGIC)
    cases.append(Case("magic-only.slv", out / "magic-only.slv", "error", "no live-view frames"))
    (out / "empty.slv").write_bytes(b"")
    cases.append(Case("empty.slv", out / "empty.slv", "error", "not a studio recording"))
    (out / "garbage-after-magic.slv").write_bytes(MAGIC + rng.randbytes(20_000))
    cases.append(Case("garbage-after-magic.slv", out / "garbage-after-magic.slv", "error",
                      "no live-view frames"))
    bad_meta = MAGIC + pack_record(b"M", 0.0, b"{not json") + b"".join(
        pack_record(FRAME, t, f) for t, f in zip(_nominal(3), frames[:3], strict=True))
    (out / "meta-not-json.slv").write_bytes(bad_meta)
    cases.append(Case("meta-not-json.slv", out / "meta-not-json.slv", "ok", extra={"frames": 3}))
    deep = MAGIC + pack_record(b"M", 0.0, b"[" * 100_000 + b"]" * 100_000) \
        + pack_record(FRAME, 0.0, frames[0])
    (out / "meta-deep.slv").write_bytes(deep)
    cases.append(Case("meta-deep.slv", out / "meta-deep.slv", "ok", extra={"frames": 1}))
    bomb_frames = [with_size(f, 65500, 65500) for f in frames[:3]]
    path = write_recording(out / "frame-bombs.slv", bomb_frames, _nominal(3))
    cases.append(Case(path.name, path, "ok", extra={"frames": 3}))
    # review13: frames claiming slivers (1×65500, 65500×1, 40000×16): MediaPipe's OpenCV
    # aborted the whole process on a side of 32767 or more
    sliver_frames = [with_size(frames[0], w, h) for w, h in ((1, 65500), (65500, 1), (40000, 16))]
    path = write_recording(out / "frame-slivers.slv", sliver_frames, _nominal(3))
    cases.append(Case(path.name, path, "ok", extra={"frames": 3}))
    os.mkfifo(out / "fifo.slv")
    cases.append(Case("fifo.slv", out / "fifo.slv", "error", "fifo"))
    (out / "zero.slv").symlink_to("/dev/zero")
    cases.append(Case("zero.slv", out / "zero.slv", "error", "character device"))
    return cases


# --------------------------------------------------------------------------------------------
# presets, session files, the user config
# --------------------------------------------------------------------------------------------

PRESET_CASES: list[tuple[str, str, str]] = [  # name, TOML, words of the error ("" = valid)
    ("valid", 'base = "portrait"\nallow_groups = true\n[thresholds]\nroll_max = 20\n', ""),
    ("groups-no", 'allow_groups = "no"\n', "allow_groups must be true or false"),
    ("groups-1", "allow_groups = 1\n", "allow_groups must be true or false"),
    ("side-zero", "[thresholds]\nmax_analysis_side = 0\n", "max_analysis_side must be at least 64"),
    ("side-negative", "[thresholds]\nmax_analysis_side = -640\n", "max_analysis_side must be at least 64"),
    ("nan", "[thresholds]\nroll_max = nan\n", "roll_max must be a finite number"),
    ("inf", "[thresholds]\nyaw_max = inf\n", "yaw_max must be a finite number"),
    ("minus-inf", "[thresholds]\nyaw_max = -inf\n", "yaw_max must be a finite number"),
    ("bool-threshold", "[thresholds]\nroll_max = true\n", "roll_max must be a number"),
    ("text-threshold", '[thresholds]\nroll_max = "10"\n', "roll_max must be a number"),
    ("unknown-threshold", "[thresholds]\nno_such = 1\n", "unknown threshold"),
    ("thresholds-not-table", "thresholds = 5\n", "[thresholds] must be a table"),
    ("description-number", "description = 7\n", "description must be text"),
    ("required-text", 'required = "face"\n', "required must be a list of names"),
    ("required-unknown", 'required = ["face", "aura"]\n', "unknown required aura"),
    ("base-number", "base = 3\n", "unknown base preset"),
    ("unknown-key", "colour = 1\n", "unknown key"),
    ("deep-arrays", "x = " + "[" * 3000 + "]" * 3000 + "\n", "nested"),
    ("deep-tables", "x = " + "{a = " * 300 + "1" + "}" * 300 + "\n", "nested"),
    ("not-toml", "[[[", "invalid"),
    # review13: an analysis size of 1e-300 / 1e300, a table given as an array of tables
    ("side-tiny", "[thresholds]\nmax_analysis_side = 1e-300\n", "max_analysis_side must be at least 64"),
    ("side-huge", "[thresholds]\nmax_analysis_side = 1e300\n", "max_analysis_side must be at most 8192"),
    ("thresholds-array-of-tables", "[[thresholds]]\nroll_max = 3\n", "[thresholds] must be a table"),
    ("not-utf8", "description = \"\xff\"\n", ""),  # written as Latin-1 below: bad UTF-8
]

SESSION_CASES: list[tuple[str, object, str]] = [  # name, JSON value, words ("" = valid)
    ("valid", {"name": "A", "slug": "a", "created": "2026-01-01T00:00:00", "counter": 5}, ""),
    ("min-free-lots", {"options": {"min_free_mb": "lots"}}, "options.min_free_mb must be a whole number"),
    ("subject-5", {"subject": 5}, "subject must be text"),
    ("template-7", {"options": {"template": 7}}, "options.template must be text"),
    ("template-empty", {"options": {"template": ""}}, "options.template must not be empty"),
    ("counter-text", {"counter": "3"}, "counter must be a whole number"),
    ("counter-bool", {"counter": True}, "counter must be a whole number"),
    ("counter-1.5", {"counter": 1.5}, "counter must be a whole number"),
    ("bw-yes", {"options": {"black_and_white": "yes"}}, "options.black_and_white must be true or false"),
    ("timeout-zero", {"options": {"hook_timeout_s": 0}}, "options.hook_timeout_s must be positive"),
    ("timeout-huge", {"options": {"hook_timeout_s": 1e18}}, "options.hook_timeout_s must be at most"),
    ("crop-2:3", {"options": {"crop": "2:3"}}, "options.crop must be one of"),
    ("options-list", {"options": [1, 2]}, "options"),
    ("settings-deep", {"settings": {"a": json.loads("[" * 50 + "]" * 50)}}, "nested"),
    ("name-missing", {"name": None}, "name"),
    # review13: a 4000-digit counter (OverflowError in math.isfinite), options that are not objects
    ("counter-4000-digits", {"counter": 10**3999}, "counter is too large"),
    ("options-zero", {"options": 0}, "options"),
    ("options-false", {"options": False}, "options"),
]
SESSION_BASE = {"name": "A", "slug": "a", "created": "2026-01-01T00:00:00"}


def preset_cases(out: Path) -> list[Case]:
    out.mkdir(parents=True, exist_ok=True)
    cases = []
    for name, text, words in PRESET_CASES:
        path = out / f"{name}.toml"
        path.write_bytes(text.encode("latin-1") if name == "not-utf8" else text.encode())
        cases.append(Case(path.name, path, "ok" if not words and name != "not-utf8" else "error",
                          words or ("utf-8" if name == "not-utf8" else "")))
    (out / "bom.toml").write_bytes(b"\xef\xbb\xbf" + PRESET_CASES[0][1].encode())  # Notepad's BOM: valid
    cases.append(Case("bom.toml", out / "bom.toml", "ok"))
    os.mkfifo(out / "fifo.toml")
    cases.append(Case("fifo.toml", out / "fifo.toml", "error", "fifo"))
    return cases


def session_cases(out: Path) -> list[Case]:
    cases = []
    for name, change, words in SESSION_CASES:
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        value = dict(SESSION_BASE)
        for key, item in dict(change).items():  # type: ignore[call-overload]
            if item is None:
                value.pop(key, None)
            else:
                value[key] = item
        (folder / "session.json").write_text(json.dumps(value))
        cases.append(Case(name, folder / "session.json", "error" if words else "ok", words))
    deep = out / "deep-json"
    deep.mkdir(exist_ok=True)
    (deep / "session.json").write_text('{"settings": ' + "[" * 100_000 + "]" * 100_000 + "}")
    cases.append(Case("deep-json", deep / "session.json", "error", "nested"))
    bom = out / "bom"  # saved by an editor that writes a byte-order mark: still valid
    bom.mkdir(exist_ok=True)
    (bom / "session.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(SESSION_BASE).encode())
    cases.append(Case("bom", bom / "session.json", "ok"))
    fifo = out / "fifo"
    fifo.mkdir(exist_ok=True)
    os.mkfifo(fifo / "session.json")
    cases.append(Case("fifo", fifo / "session.json", "error", "fifo"))
    return cases


# --------------------------------------------------------------------------------------------
# command-line numbers and camera file names
# --------------------------------------------------------------------------------------------

CLI_CASES: list[tuple[tuple[str, ...], str]] = [  # argv, words of the one-line error
    (("run", "--countdown", "1000000000"), "--countdown must be 0 or more"),
    (("run", "--countdown", "-1"), "--countdown must be 0 or more"),
    (("run", "--countdown", "2.5"), "--countdown takes a whole number"),
    (("run", "--hook-timeout", "inf"), "--hook-timeout must be positive"),
    (("run", "--hook-timeout", "nan"), "--hook-timeout must be positive"),
    (("run", "--interval", "1", "1e18"), "--interval must be positive"),
    (("run", "--interval", "-1", "3"), "--interval must be positive"),
    (("run", "--interval", "nan", "3"), "--interval must be positive"),
    (("run", "--frames", "0"), "--frames must be positive"),
    (("run", "--frames", "99999999999999999999"), "--frames must be positive"),
    (("run", "--frames", "1" * 5000), "--frames takes a whole number"),
    (("run", "--seconds=-inf"), "--seconds must be positive"),
    (("run", "--seconds", "1e308"), "--seconds must be positive"),
    (("run", "--hold", "1e9"), "--hold must be 0 or more"),
    (("run", "--volume", "2"), "--volume must be 0 or more"),
    (("run", "--sound-threshold", "10"), "--sound-threshold must be from -96"),
    (("run", "--min-free-mb", "1e3"), "--min-free-mb takes a whole number"),
    (("run", "--min-free-mb", "-5"), "--min-free-mb must be 0 or more"),
    (("record", "--source", "x", "--fps", "0", "o.slv"), "--fps must be positive"),
    (("record", "--source", "x", "--fps", "1e9", "o.slv"), "--fps must be positive"),
    (("record", "--source", "x", "--seconds", "nan", "o.slv"), "--seconds must be positive"),
    (("record", "--source", "x", "--frames", "-3", "o.slv"), "--frames must be positive"),
    (("check", "--jobs", "100000", "x.jpg"), "--jobs must be 0 or more"),
    (("check", "--jobs", "-1", "x.jpg"), "--jobs must be 0 or more"),
]

HOSTILE_NAMES = [
    "../../etc/passwd", "/abs/path.JPG", "..", ".", "", ".jpg", "日本語.JPG", "a\0b.jpg", "a\nb.jpg",
    "x" * 1000 + ".JPG", "IMG_0001.JPG" * 50, "con.jpg", "-rf.jpg", "a/../../b.CR2", "\\win\\path.NEF",
    "é" * 300 + ".jpg", "name.", "name.tar.gz.JPG", "%n%f%C.jpg", "\u202egpj.exe", "\ud800.jpg",
]


def write_all(out: Path) -> dict[str, list[Case]]:
    return {"images": image_cases(out / "images"), "recordings": recording_cases(out / "recordings"),
            "presets": preset_cases(out / "presets"), "sessions": session_cases(out / "sessions")}


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "fuzz-corpus")
    for group, items in write_all(target).items():
        for case in items:
            print(f"{group:<10} {case.expect:<5} {case.name:<32} {case.words}")
    print(f"{len(CLI_CASES)} command lines, {len(HOSTILE_NAMES)} camera file names (in the tests)")
