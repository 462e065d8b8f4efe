"""XMP inside a JPEG: the APP1 segment Lightroom reads, written without touching the image.

A JPEG is ``SOI``, header segments (``APP0`` JFIF, ``APP1`` Exif, ``APP1`` XMP, quantisation and
Huffman tables, the frame header …), then ``SOS`` and the entropy-coded image up to ``EOI``.
:func:`with_xmp` cuts out any earlier XMP segment and puts the new one right after SOI and the
leading JFIF/Exif segments (where the XMP specification wants it); every other byte of the file,
the image data above all, stays exactly as the camera wrote it. :func:`embed_xmp` replaces the
file atomically (temporary file, fsync, rename, fsync of the folder).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from studio.session.state import replace_atomic

XMP_SIGNATURE = b"http://ns.adobe.com/xap/1.0/\x00"
EXIF_SIGNATURE = b"Exif\x00\x00"
MAX_PACKET = 0xFFFF - 2 - len(XMP_SIGNATURE)  # one segment: standard XMP (no extended XMP)
SOS, APP0, APP1 = 0xDA, 0xE0, 0xE1
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # markers without a length


@dataclass(frozen=True, slots=True)
class Segment:
    marker: int
    start: int  # offset of its 0xFF
    end: int  # offset just past it

    def payload(self, data: bytes) -> bytes:
        return data[self.start + 4:self.end]


def header_segments(data: bytes) -> tuple[list[Segment], int]:
    """The segments before the image data, and the offset of SOS. :class:`ValueError` when the
    file is not a JPEG or its header is cut or damaged."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG (no start-of-image marker)")
    segments: list[Segment] = []
    i, n = 2, len(data)
    while i < n:
        if data[i] != 0xFF:
            raise ValueError(f"damaged JPEG header at byte {i}")
        if i + 1 < n and data[i + 1] == 0xFF:  # fill byte
            i += 1
            continue
        if i + 4 > n:
            break
        marker = data[i + 1]
        if marker == SOS:
            return segments, i
        if marker in _STANDALONE:
            i += 2
            continue
        length = int.from_bytes(data[i + 2:i + 4], "big")
        if length < 2 or i + 2 + length > n:
            raise ValueError(f"damaged JPEG header: segment at byte {i} runs past the end")
        segments.append(Segment(marker, i, i + 2 + length))
        i += 2 + length
    raise ValueError("damaged JPEG: no image data (no start-of-scan marker)")


def is_xmp(data: bytes, segment: Segment) -> bool:
    return segment.marker == APP1 and segment.payload(data).startswith(XMP_SIGNATURE)


def read_xmp(data: bytes) -> bytes | None:
    """The embedded XMP packet, or None."""
    segments, _ = header_segments(data)
    for segment in segments:
        if is_xmp(data, segment):
            return segment.payload(data)[len(XMP_SIGNATURE):]
    return None


def with_xmp(data: bytes, packet: bytes) -> bytes:
    """``data`` with ``packet`` as its only XMP segment; all other bytes unchanged, in order."""
    if len(packet) > MAX_PACKET:
        raise ValueError(f"XMP packet of {len(packet)} bytes does not fit one JPEG segment")
    segments, _ = header_segments(data)
    insert_at = 2
    for segment in segments:  # after SOI and the leading JFIF / Exif segments
        if segment.start != insert_at:
            break
        exif = segment.marker == APP1 and segment.payload(data).startswith(EXIF_SIGNATURE)
        if segment.marker == APP0 or exif:
            insert_at = segment.end
        else:
            break
    new = b"\xff\xe1" + (2 + len(XMP_SIGNATURE) + len(packet)).to_bytes(2, "big") + XMP_SIGNATURE + packet
    old = [s for s in segments if is_xmp(data, s)]  # never among the leading JFIF/Exif ones
    out, pos = bytearray(data[:insert_at]) + new, insert_at
    for segment in old:
        out += data[pos:segment.start]
        pos = segment.end
    return bytes(out + data[pos:])


def embed_xmp(path: Path, packet: bytes) -> None:
    """Put ``packet`` inside the JPEG at ``path`` (replacing any XMP it had), atomically."""
    data = path.read_bytes()
    updated = with_xmp(data, packet)
    if updated != data:
        replace_atomic(path, updated)


def without_xmp(data: bytes) -> bytes:
    """``data`` with every XMP segment cut out: what to compare with the camera's bytes (the
    camera's file and the stored one are equal exactly when these are, for cameras that write no
    XMP of their own). Data that is not a parsable JPEG is returned unchanged."""
    try:
        segments, _ = header_segments(data)
    except ValueError:
        return data
    out, pos = bytearray(), 0
    for segment in segments:
        if is_xmp(data, segment):
            out += data[pos:segment.start]
            pos = segment.end
    return bytes(out + data[pos:])
