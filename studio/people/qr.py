"""Reading a person's QR code or barcode card off a live-view frame (OpenCV's detectors).

:class:`CodeReader` holds one QR detector and one barcode detector (OpenCV objects are not
shared between threads: make one reader per thread). :class:`Debouncer` turns the reads of
successive frames into "a new card was shown": the same text twice in a row fires once, and
it does not fire again while the card stays in view; taking it away and showing it again does.
"""

from __future__ import annotations

import logging

import cv2
import numpy as np

from studio.people.codes import clean_code

log = logging.getLogger(__name__)

MAX_SIDE = 1280  # larger frames are scaled down first: cards fill a good part of the frame
GONE_AFTER = 2  # reads without the card before it counts as taken away


class CodeReader:
    """QR first (faster to reject), then 1-D barcodes (EAN, UPC, Code 128, …)."""

    def __init__(self) -> None:
        self._qr = cv2.QRCodeDetector()
        barcode = getattr(cv2, "barcode", None)
        self._barcode = barcode.BarcodeDetector() if barcode is not None else None

    def read(self, bgr: np.ndarray) -> str | None:
        """The text of the first code found in ``bgr``, cleaned, or None."""
        if bgr is None or bgr.ndim < 2 or bgr.size == 0:
            return None
        scale = MAX_SIDE / max(bgr.shape[:2])
        try:
            if scale < 1:  # inside the try: a 1x65500 sliver scales to nothing
                bgr = cv2.resize(bgr, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            text, _points, _ = self._qr.detectAndDecode(bgr)
            if text:
                return clean_code(text)
            if self._barcode is not None:
                ok, decoded, _types, _points = self._barcode.detectAndDecodeWithType(bgr)
                for value in (decoded or ()) if ok else ():
                    if value:
                        return clean_code(value)
        except cv2.error as exc:  # a frame OpenCV cannot work on: no code, keep going
            log.debug("code reader: %s", exc)
        return None


_default_reader: CodeReader | None = None


def read_person_code(bgr: np.ndarray) -> str | None:
    """The code on a card in ``bgr`` (a BGR image), or None. One shared reader: one thread only."""
    global _default_reader
    if _default_reader is None:
        _default_reader = CodeReader()
    return _default_reader.read(bgr)


class Debouncer:
    """Fires a code once when it has been read on two reads in a row; not again until it has
    been out of view for ``GONE_AFTER`` reads (or another code has fired)."""

    def __init__(self, gone_after: int = GONE_AFTER) -> None:
        self._gone_after = gone_after
        self._last: str | None = None  # the previous read
        self._shown: str | None = None  # the code that fired and is (still) in view
        self._missing = 0

    def feed(self, code: str | None) -> str | None:
        """The code to act on after this read, or None."""
        previous, self._last = self._last, code
        if code is None:
            self._missing += 1
            if self._missing >= self._gone_after:
                self._shown = None
            return None
        self._missing = 0
        if code == previous and code != self._shown:
            self._shown = code
            return code
        return None
