"""The client's screen: a second top-level window, full screen on a second display, facing the
person being photographed.

It shows one of three views, which the photographer's keys choose (``V`` cycles them):

- ``latest``: the latest keeper large: the shot under review in the photographer's window, or
  else this person's newest shot that is not rejected;
- ``favourites``: this person's favourites one at a time (``[`` / ``]`` step through them). A
  favourite is a shot rated :data:`FAVOURITE_RATING` stars or more and not rejected: the same
  rule as the keepers of the client's page in ``studio report``;
- ``blank``: black.

Live view (plain, no overlay) only when asked: ``--client-live`` or ``Shift+V``, in the
``latest`` view between shots; a shot under review still takes the screen while it is
reviewed. Never badges, verdicts, file names or stars: a black surround, the picture, the
person's name in a quiet line under it.

The shots are the photographer's window's own :class:`~studio.ui.review.Shot` records (the
same ratings and rejects); this window decodes each still itself at its own screen's size, off
the GUI thread, because the review's copies are scaled for the other window.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PyQt5.QtCore import QPoint, QRect, QRectF, Qt, pyqtSignal
from PyQt5.QtGui import QColor, QFont, QKeyEvent, QPainter, QPaintEvent, QResizeEvent
from PyQt5.QtWidgets import QWidget

from studio.report.client import DEFAULT_MIN_RATING
from studio.ui.client_stills import Picture, decode_for, reduction_for  # noqa: F401 (the API)
from studio.ui.feed import FULL, DisplayFrame
from studio.ui.overlay import fit_rect
from studio.ui.review import Shot
from studio.vision.image_format import ImageError

log = logging.getLogger(__name__)

Align = Qt.AlignmentFlag
VIEWS = ("latest", "favourites", "blank")
FAVOURITE_RATING = DEFAULT_MIN_RATING  # 4 or 5 stars: studio report's keepers for the client
SURROUND = QColor(0, 0, 0)
CAPTION = QColor(200, 196, 188)  # warm light grey: none of the badge colours
CAPTION_BAND = 0.08  # of the screen height, under the picture, for the person's name
MARGIN = 0.025  # of the screen height, round the picture
CACHE_SIZE = 24  # decoded stills kept (a person's day rarely has more favourites)


def is_favourite(shot: Shot) -> bool:
    return not shot.rejected and (shot.rating or 0) >= FAVOURITE_RATING


def favourites(shots: list[Shot]) -> list[Shot]:
    """This person's favourites, oldest first."""
    return [s for s in shots if is_favourite(s)]


def latest_keeper(shots: list[Shot], reviewing: Shot | None) -> Shot | None:
    """The shot under review (unless rejected), else the newest shot not rejected. Only this
    person's: a shot under review that is not among ``shots`` (the person before's last shot,
    downloaded after the change) is never the client's."""
    if reviewing is not None and not reviewing.rejected and any(s is reviewing for s in shots):
        return reviewing
    return next((s for s in reversed(shots) if not s.rejected), None)


class ClientScreen(QWidget):
    """The client-facing window (GUI thread). Fed by :meth:`show_shots` and :meth:`show_frame`."""

    loaded = pyqtSignal(object)  # a Picture, decoded off the GUI thread

    def __init__(self, *, live: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlags(Qt.WindowFlags(Qt.WindowType.Window) | Qt.WindowType.FramelessWindowHint
                            | Qt.WindowType.WindowDoesNotAcceptFocus)
        self.setWindowTitle("studio \u2013 client")
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setCursor(Qt.CursorShape.BlankCursor)
        self.view = VIEWS[0]
        self.live = live
        self.person = ""
        self.shots: list[Shot] = []
        self.reviewing: Shot | None = None
        self.favourite_index = -1  # -1: the newest favourite
        self.frame: DisplayFrame | None = None
        self.keys_to: Callable[[QKeyEvent], None] | None = None  # the photographer's window
        self.picture_rect = QRect()  # where the still was painted, device-independent (tests)
        self.painted: Path | None = None  # the still painted last; None: live, blank or nothing
        self._pictures: dict[tuple[Path, tuple[int, int]], Picture] = {}
        self._loading: set[tuple[Path, tuple[int, int]]] = set()
        self.loaded.connect(self._on_loaded)

    # -- inputs ----------------------------------------------------------------------------

    def show_shots(self, shots: list[Shot], reviewing: Shot | None, person: str) -> None:
        """The photographer's window's shots of this person, the one under review, the name."""
        if person != self.person:
            self.favourite_index = -1
        if not any(s is reviewing for s in shots):
            reviewing = None  # another person's shot under review: not this client's (privacy)
        self.shots, self.reviewing, self.person = list(shots), reviewing, person
        self.update()

    def show_frame(self, frame: DisplayFrame | None) -> None:
        """A live frame (only painted while live view is on here)."""
        if frame is None or frame.crop != FULL:  # a zoomed-in crop is the photographer's
            return
        self.frame = frame
        if self.live:
            self.update()

    def cycle_view(self) -> str:
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        self.update()
        return self.view

    def toggle_live(self) -> bool:
        self.live = not self.live
        self.update()
        return self.live

    def step(self, delta: int) -> Shot | None:
        """The previous (-1) or next (+1) favourite; shows the favourites view."""
        favs = favourites(self.shots)
        self.view = "favourites"
        if favs:
            self.favourite_index = min(max(self.place(len(favs)) + delta, 0), len(favs) - 1)
        self.update()
        return favs[self.favourite_index] if favs else None

    def place(self, count: int) -> int:
        """The favourite shown among ``count``: the newest for -1; the last one when the one
        shown went (rejected or rated down: the neighbour, not a jump to the first)."""
        return count - 1 if self.favourite_index < 0 else min(self.favourite_index, count - 1)

    def describe(self) -> str:
        """What the client sees, in words, for the photographer's message line."""
        if self.view == "blank":
            return "client screen: blank"
        if self.view == "favourites":
            favs = favourites(self.shots)
            if not favs:
                return f"client screen: favourites (none yet: rate a shot {FAVOURITE_RATING} or 5)"
            return f"client screen: favourite {self.place(len(favs)) + 1} of {len(favs)}"
        return "client screen: " + ("live view between shots" if self.live else "latest shot")

    # -- what to show ------------------------------------------------------------------------

    def shown_shot(self) -> Shot | None:
        if self.view == "blank":
            return None
        if self.view == "favourites":
            favs = favourites(self.shots)
            return favs[self.place(len(favs))] if favs else None
        return latest_keeper(self.shots, self.reviewing)

    def caption(self) -> str:
        if self.view == "favourites":
            favs = favourites(self.shots)
            if favs:
                place = f"favourite {self.place(len(favs)) + 1} of {len(favs)}"
                return f"{self.person} \u00b7 {place}" if self.person else place
        return self.person

    def picture_area(self) -> QRect:
        h, w = self.height(), self.width()
        m = round(h * MARGIN)
        band = round(h * CAPTION_BAND)
        return QRect(m, m, max(1, w - 2 * m), max(1, h - 2 * m - band))

    def _picture(self, shot: Shot) -> Picture | None:
        ratio = self.devicePixelRatioF()
        area = self.picture_area()
        key = (shot.path, (round(area.width() * ratio), round(area.height() * ratio)))
        picture = self._pictures.get(key)
        if picture is None and key not in self._loading:
            self._loading.add(key)
            threading.Thread(target=self._load, args=key, name="client-still", daemon=True).start()
        return picture

    def _load(self, path: Path, area: tuple[int, int]) -> None:
        try:
            self.loaded.emit(decode_for(path, area))
        except ImageError as exc:  # refused from its header: the screen stays calm
            log.warning("client screen: cannot show %s: %s", path.name, exc)
            self.loaded.emit(Picture(path, area, None, None))
        except Exception as exc:  # a still that cannot be shown leaves the screen calm
            log.warning("client screen: cannot show %s: %s", path.name, exc)
            self.loaded.emit(Picture(path, area, None, None))

    def _on_loaded(self, picture: Picture) -> None:
        key = (picture.path, picture.area)
        self._loading.discard(key)
        self._pictures[key] = picture
        while len(self._pictures) > CACHE_SIZE:
            self._pictures.pop(next(iter(self._pictures)))
        self.update()

    # -- Qt ----------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent | None) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), SURROUND)
        self.painted, self.picture_rect = None, QRect()
        if self.view != "blank":
            if self.view == "latest" and self.live and self.reviewing is None and self.frame is not None:
                self._paint_live(p, self.frame)
            else:
                shot = self.shown_shot()
                if shot is not None:
                    self._paint_still(p, shot)
            self._paint_caption(p)
        p.end()

    def _paint_still(self, p: QPainter, shot: Shot) -> None:
        picture = self._picture(shot)
        if picture is None or picture.image is None:
            return
        ratio = self.devicePixelRatioF()
        area = self.picture_area()
        iw, ih = picture.image.width() / ratio, picture.image.height() / ratio
        x = area.x() + int((area.width() - iw) / 2)
        y = area.y() + int((area.height() - ih) / 2)
        p.drawImage(QPoint(x, y), picture.image)  # one decoded pixel per device pixel
        self.painted, self.picture_rect = shot.path, QRect(x, y, round(iw), round(ih))

    def _paint_live(self, p: QPainter, frame: DisplayFrame) -> None:
        rect = fit_rect(QRectF(self.picture_area()), frame.image.width(), frame.image.height())
        p.setRenderHint(QPainter.SmoothPixmapTransform, True)
        p.drawImage(rect, frame.image)
        self.picture_rect = rect.toAlignedRect()

    def _paint_caption(self, p: QPainter) -> None:
        text = self.caption()
        if not text:
            return
        h = self.height()
        band = QRectF(0, h - h * (CAPTION_BAND + MARGIN / 2), self.width(), h * CAPTION_BAND)
        font = QFont("DejaVu Serif")
        font.setPixelSize(max(12, round(h * CAPTION_BAND * 0.45)))
        p.setFont(font)
        p.setPen(CAPTION)
        p.drawText(band, Align.AlignCenter, text)

    def resizeEvent(self, event: QResizeEvent | None) -> None:  # noqa: N802
        self.update()  # the stills are decoded again for the new size when painted
        super().resizeEvent(event)

    def keyPressEvent(self, event: QKeyEvent | None) -> None:  # noqa: N802
        """A key that reaches this window (clicked by mistake) is the photographer's."""
        if event is not None and self.keys_to is not None:
            self.keys_to(event)
