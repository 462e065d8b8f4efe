"""The shots the window knows: each CaptureDone decoded off the GUI thread, reviewed large for
``review_s`` seconds (0 = until a key), rated / labelled / rejected by the review keys (the
window's ``review_changed`` signal takes them to the session), this person's filmstrip.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PyQt5.QtCore import QObject, QTimer, pyqtSignal

from studio.analysis import Analysis
from studio.ui import style
from studio.ui.review import EYE_CROP, Shot, load_still

if TYPE_CHECKING:
    from studio.ui.window import MainWindow

log = logging.getLogger(__name__)


class ShotDesk(QObject):
    loaded = pyqtSignal(object)  # a Shot, decoded off the GUI thread

    def __init__(self, window: MainWindow, review_s: float) -> None:
        super().__init__(window)
        self.window = window
        self.review_s = review_s
        self.reviewing: Shot | None = None
        self.shots: list[Shot] = []  # this person's shots, oldest first
        self.shot_count = 0
        self.session_name = ""
        self._people: dict[str, str] = {}  # path -> the person it was stored for (capture_person)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.end_review)
        self.loaded.connect(self._show_loaded)

    def note_person(self, path: str, person: str) -> None:
        """The person a shot was stored for (it arrives just before the shot itself)."""
        self._people[str(Path(path))] = person

    def clear(self) -> None:
        """A new person: a fresh filmstrip."""
        self.shots = []
        self.end_review()

    def show_capture(self, path: Path | str | None, verdict: Analysis | None = None,
                     error: str = "") -> None:
        """A downloaded shot: in the filmstrip and under review at once (the review keys rate
        what is on screen), its pictures decoded off the GUI thread and shown when ready."""
        w = self.window
        if path is None:
            w.info.show_message(f"capture failed: {error or 'no file'}")
            return
        path = Path(path)
        shot = next((s for s in self.shots if s.path == path), None)
        if shot is None:
            person = self._people.pop(str(path), "") or w.person_name
            shot = Shot(path, verdict, person=person)
            if person == w.person_name:  # the last shot of the person before: not in this strip
                self.shots.append(shot)
            self.shot_count += 1
        elif verdict is not None:  # the same file again, checked now: what was said of it stays
            shot.analysis = verdict
        self.show_review(shot, hold=not w.live)
        ratio = w.devicePixelRatioF()
        area = (int(w.stack.width() * ratio), int(w.stack.height() * ratio))
        eye = (int(style.px(EYE_CROP[0]) * ratio), int(style.px(EYE_CROP[1]) * ratio))
        pictures = Shot(path, shot.analysis)  # filled on the loader thread, copied on the GUI's

        def load() -> None:
            try:
                self.loaded.emit(load_still(pictures, area, eye))
            except Exception as exc:  # a still we cannot show must not lose the shot's review
                pictures.error = f"cannot show {pictures.name}: {exc}"
                self.loaded.emit(pictures)

        threading.Thread(target=load, name="review-still", daemon=True).start()

    def _show_loaded(self, pictures: Shot) -> None:
        shot = self.reviewing if self.reviewing is not None and self.reviewing.path == pictures.path \
            else next((s for s in self.shots if s.path == pictures.path), None)
        if shot is None:  # the person changed meanwhile: that filmstrip is gone
            return
        shot.still, shot.eyes, shot.thumb = pictures.still, pictures.eyes, pictures.thumb
        shot.error, shot.buffers = pictures.error, pictures.buffers
        if self.reviewing is shot:
            self.window.review.update()
        self.refresh_strip()

    def show_review(self, shot: Shot, hold: bool = False) -> None:
        w = self.window
        self.reviewing = shot
        title = "latest shot (no live view)" if not w.live else ""
        w.review.show_shot(shot, title)
        if shot.analysis is not None:  # the badges say what the banner says: this still's checks
            w.panel.show_analysis(shot.analysis)
        w.stack.setCurrentWidget(w.review)
        self._timer.stop()
        if self.review_s > 0 and not hold:
            self._timer.start(int(self.review_s * 1000))
        self.refresh_strip()

    def end_review(self) -> None:
        """Back to live view (a body without live view keeps showing its latest still)."""
        w = self.window
        self._timer.stop()
        if not w.live and self.shots and w.no_live_view:
            return
        self.reviewing = None
        if w.analysis is not None:  # the live frame's checks again
            w.panel.show_analysis(w.analysis)
        w.stack.setCurrentWidget(w.view)
        self.refresh_strip()

    def review_shot(self, *, rating: int | None = None, label: str | None = None,
                    rejected: bool | None = None) -> None:
        """Rate, label or reject the reviewed shot (or this person's newest): the session writes it."""
        w = self.window
        shot = self.reviewing or (self.shots[-1] if self.shots else None)
        log.debug("review key on %s: rating %s, label %s, rejected %s", shot.name if shot else None,
                  rating, label, rejected)
        if shot is None:
            w.info.show_message("no shot to rate yet")
            return
        if rejected:
            rejected = not shot.rejected  # X again takes the reject back
        if rating is not None:
            shot.rating, rejected = rating, False if shot.rejected else None
        if label is not None:
            shot.label = None if shot.label == label else label
            label = shot.label or ""
        if rejected is not None:
            shot.rejected = rejected
        w.review_changed.emit(str(shot.path), rating, label, rejected)
        if self.reviewing is shot:
            self._timer.stop()  # the photographer is working on it: it stays
            w.review.update()
        self.refresh_strip()

    def on_review_saved(self, path: str, text: str, ok: bool) -> None:
        w = self.window
        if self.reviewing is not None and str(self.reviewing.path) == path:
            w.review.confirm(text if ok else f"not saved: {text}")
        w.info.show_message(text if ok else f"review not saved: {text}")

    def refresh_strip(self) -> None:
        w = self.window
        w.info.filmstrip.set_shots(self.shots, self.reviewing)
        if w.client is not None:  # the client's screen shows the same shots
            w.client.show_shots(self.shots, self.reviewing, w.person_name)
        w.info.show_session(self.session_name, self.shot_count, len(self.shots))
