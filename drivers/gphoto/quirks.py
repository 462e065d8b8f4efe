"""Per-brand live-view and capture differences, as data.

The owner thread asks :func:`quirks_for` once per connection and then only reads fields; there
is no brand ``if`` anywhere else in the driver. Add a body or a brand by adding a row.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Quirks:
    brand: str
    # Config widgets that switch live view off (first one the body has wins); empty: none.
    viewfinder_widgets: tuple[str, ...] = ()
    # Value to write to the viewfinder widget to leave live view.
    viewfinder_off: str | int = 0
    # Live view must be left before a capture (AF does not run otherwise).
    leave_live_view_before_capture: bool = False
    # The camera ends live view by itself on capture; resume it afterwards.
    capture_ends_live_view: bool = False
    # Frames to throw away after live view starts (first Nikon frame is stale).
    drop_first_frames: int = 0
    # Capture-target widget and the words that identify "card" and "RAM" in its choices.
    capturetarget_widget: str = "capturetarget"
    card_words: tuple[str, ...] = ("card",)
    ram_words: tuple[str, ...] = ("ram", "sdram")
    # Default live-view frame-rate cap; the user's setting overrides it.
    max_fps: float = 30.0


DEFAULT = Quirks(brand="generic", viewfinder_widgets=("viewfinder",))

# Matched against the manufacturer (or the model when the manufacturer is unknown), lower case.
TABLE: tuple[tuple[str, Quirks], ...] = (
    ("canon", Quirks(brand="canon", viewfinder_widgets=("viewfinder", "eosviewfinder"),
                     leave_live_view_before_capture=True, max_fps=30.0)),
    ("nikon", Quirks(brand="nikon", viewfinder_widgets=("viewfinder",), drop_first_frames=1,
                     max_fps=30.0)),
    ("sony", Quirks(brand="sony", viewfinder_widgets=(), max_fps=25.0)),
    ("fuji", Quirks(brand="fujifilm", viewfinder_widgets=("viewfinder",),
                    capture_ends_live_view=True, max_fps=20.0)),
    ("panasonic", Quirks(brand="panasonic", viewfinder_widgets=("viewfinder",), max_fps=20.0)),
    ("olympus", Quirks(brand="olympus", viewfinder_widgets=("viewfinder",), max_fps=20.0)),
    ("om digital", Quirks(brand="olympus", viewfinder_widgets=("viewfinder",), max_fps=20.0)),
    ("pentax", Quirks(brand="pentax", viewfinder_widgets=("viewfinder",), max_fps=15.0)),
)


def quirks_for(manufacturer: str, model: str = "") -> Quirks:
    """The row for this camera; :data:`DEFAULT` when no brand matches."""
    for text in (manufacturer.lower(), model.lower()):
        for key, quirks in TABLE:
            if key in text:
                return quirks
    return DEFAULT
