"""Argument types for every ``studio`` parser: numbers are range-checked when parsed.

``type=positive_int`` / ``type=positive_float`` / ``type=bounded(lo, hi, kind)`` make argparse
refuse NaN, infinities, ``1e18`` shots or a ten-year countdown before anything starts, with the
option's name and the allowed range in one line. :class:`OneLineParser` is the parser class of
``studio`` (its subparsers inherit it): a usage error is one ``studio CMD: error: ...`` line
and exit status 2, not the whole usage text.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import NoReturn, overload

# The largest count any option takes (frames, shots): a billion is far past any real use and
# keeps every later multiplication well inside a float's exact range.
MAX_COUNT = 1_000_000_000
# The longest duration any option takes: 30 days, in seconds.
MAX_SECONDS = 30 * 24 * 3600.0


def _number(text: str, kind: type[int] | type[float]) -> float:
    try:
        value: float = kind(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"takes {what}, not {_quoted(text)}") from None
    return value


def _quoted(text: str, quotes: bool = True) -> str:
    """The offending argument as typed, cut to 40 characters (it may be 5,000 digits)."""
    shown = text if len(text) <= 40 else text[:37] + "..."
    return repr(shown) if quotes else shown


def _show(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else f"{value:g}"


def _range_words(lo: float, hi: float, lo_open: bool, kind: type[int] | type[float]) -> str:
    if (lo == 0 and lo_open) or (lo == 1 and kind is int and not lo_open):
        return f"must be positive (at most {_show(hi)})"
    if lo == 0 and not lo_open:
        return f"must be 0 or more (at most {_show(hi)})"
    return f"must be more than {_show(lo)} and at most {_show(hi)}" if lo_open else \
        f"must be from {_show(lo)} to {_show(hi)}"


@overload
def bounded(lo: float, hi: float, kind: type[int], *, lo_open: bool = False) -> Callable[[str], int]: ...
@overload
def bounded(lo: float, hi: float, kind: type[float] = ..., *,
            lo_open: bool = False) -> Callable[[str], float]: ...
def bounded(lo: float, hi: float, kind: type[int] | type[float] = float, *,
            lo_open: bool = False) -> Callable[[str], float]:
    """An argparse type accepting ``kind`` values in ``[lo, hi]`` (``(lo, hi]`` with
    ``lo_open``); anything else, NaN and infinities included, is refused in one line."""

    def parse(text: str) -> float:
        value = _number(text, kind)
        low_ok = value > lo if lo_open else value >= lo
        if not (low_ok and value <= hi):  # written so that NaN fails too
            words = _range_words(lo, hi, lo_open, kind)
            raise argparse.ArgumentTypeError(f"{words}, not {_quoted(text, False)}")
        return value

    parse.__name__ = f"{kind.__name__} in range"  # argparse names the type in some messages
    return parse


def positive_int(text: str) -> int:
    """A whole number from 1 to :data:`MAX_COUNT`."""
    return int(bounded(1, MAX_COUNT, int)(text))


def non_negative_int(text: str) -> int:
    """A whole number from 0 to :data:`MAX_COUNT`."""
    return int(bounded(0, MAX_COUNT, int)(text))


def positive_float(text: str) -> float:
    """A finite number above 0 and at most :data:`MAX_SECONDS` (durations, rates)."""
    return bounded(0.0, MAX_SECONDS, float, lo_open=True)(text)


def video_size(text: str) -> tuple[int, int]:
    """``WIDTHxHEIGHT`` (a video-capture mode, e.g. 1920x1080)."""
    from drivers.video.target import parse_size

    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def fourcc(text: str) -> str:
    """A video pixel format's four-character code (``MJPG``, ``YUYV``), upper-cased."""
    code = text.strip().upper()
    if len(code) != 4 or not code.isascii() or not code.isalnum():
        raise argparse.ArgumentTypeError(f"takes a four-character code such as MJPG or YUYV, "
                                         f"not {_quoted(text)}")
    return code


def seconds(hi: float = MAX_SECONDS, *, zero: bool = False) -> Callable[[str], float]:
    """A duration in seconds up to ``hi``; 0 allowed only with ``zero=True``."""
    return bounded(0.0, hi, float, lo_open=not zero)


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose usage errors are one line on stderr (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        # "argument --frames: must be positive ..." reads as "--frames must be positive ..."
        if message.startswith("argument ") and ": " in message:
            name, _, reason = message[len("argument "):].partition(": ")
            message = f"{name.split('/')[-1]} {reason}"
        sys.stderr.write(f"studio: error: {message} (see `{self.prog} --help`)\n")
        sys.exit(2)
