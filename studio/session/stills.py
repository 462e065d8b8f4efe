"""Checking the downloaded still: the same checks as live view, on the real exposure.

Strobes fire only for the still, so glare and catchlights are only certain here. A RAW is
checked through the largest JPEG preview embedded in it (every common RAW format carries one):
no RAW decoder is needed.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from studio.analysis import Analysis
from studio.session.files import JPEG_SUFFIXES, RAW_SUFFIXES

if TYPE_CHECKING:
    from studio.vision.reference import Reference

log = logging.getLogger(__name__)

AnalysePath = Callable[[Path], Analysis]
MIN_PREVIEW_BYTES = 16 * 1024  # thumbnails (160×120) are too small to check anything


def largest_embedded_jpeg(data: bytes) -> bytes | None:
    """The largest complete JPEG (``FFD8FF … FFD9``) inside ``data``, or ``None``.

    Scans every start-of-image marker and its first end-of-image marker that leaves a decodable
    stream; nested thumbnails (a JPEG inside the preview's EXIF) end earlier and lose on size.
    """
    best: tuple[int, int] | None = None
    start = data.find(b"\xff\xd8\xff")
    while start >= 0:
        end = _end_of_jpeg(data, start)
        if end and (best is None or end - start > best[1] - best[0]):
            best = (start, end)
        start = data.find(b"\xff\xd8\xff", start + 3)
    if best is None or best[1] - best[0] < MIN_PREVIEW_BYTES:
        return None
    return data[best[0]:best[1]]


def _end_of_jpeg(data: bytes, start: int) -> int | None:
    """End (exclusive) of the JPEG at ``start``, walking segments up to the scan, then to EOI."""
    i, n = start + 2, len(data)
    while i + 4 <= n:
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        length = int.from_bytes(data[i + 2:i + 4], "big")
        if marker == 0xDA:  # start of scan: entropy-coded data follows up to EOI
            end = data.find(b"\xff\xd9", i + 2 + length)
            return end + 2 if end >= 0 else None
        i += 2 + length
    return None


def image_for_checks(photos: Iterable[Path]) -> tuple[Path, Path | None]:
    """The file to check for one shot: its JPEG, else a RAW's preview (a temporary file).

    Returns ``(path, temporary)``; the caller removes ``temporary`` when done. Raises
    :class:`ValueError` when the shot has nothing checkable.
    """
    photos = list(photos)
    for photo in photos:
        if photo.suffix.lower() in JPEG_SUFFIXES:
            return photo, None
    for photo in photos:
        if photo.suffix.lower() in RAW_SUFFIXES:
            preview = largest_embedded_jpeg(photo.read_bytes())
            if preview is None:
                continue
            with tempfile.NamedTemporaryFile(prefix=".preview-", suffix=".jpg", dir=photo.parent,
                                             delete=False) as fh:
                fh.write(preview)
            return Path(fh.name), Path(fh.name)
    raise ValueError(f"nothing to check in {', '.join(p.name for p in photos)} "
                     "(no JPEG and no RAW preview)")


def default_analyser(preset: str = "",
                     reference: Callable[[], Reference | None] | None = None) -> AnalysePath:
    """The checks package's still analyser (built lazily: MediaPipe graphs are costly).

    ``reference`` gives the run's consistency reference (the team's shot to match), read
    before each still, so a still is compared with the reference of the moment it is checked.
    The analyser is used only from the one worker thread that processes shots.
    """
    from studio.vision import Analyzer  # imported here: the session works without the checks

    analyzer = Analyzer(preset, mode="still") if preset else Analyzer(mode="still")
    if reference is None:
        return analyzer.analyse_path

    def analyse(path: Path) -> Analysis:
        current = reference()
        if current is not analyzer.reference:
            analyzer.set_reference(current)
        return analyzer.analyse_path(path)

    return analyse


def analyse_shot(photos: Iterable[Path], analyse: AnalysePath) -> Analysis:
    """Run ``analyse`` on the shot's checkable image. Errors propagate to the caller."""
    path, temporary = image_for_checks(photos)
    try:
        return analyse(path)
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
