"""``Latest[T]``: the one "newest value" mailbox every thread hand-off uses.

A writer overwrites; a reader waits for a value newer than the sequence number it last saw. No
reader ever sees a value twice or falls behind: a slow reader skips values. Live-view frames
(:class:`drivers.base.LatestFrameSlot`), the model worker's input, the cue player's next cue and
the window's frame feed all hand values over this way.

It lives in ``drivers/`` because both packages need it and ``drivers`` may not import ``studio``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Latest(Generic[T]):
    """The newest value of ``T`` with its sequence number (1 for the first value, 0 before it)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._value: T | None = None
        self._seq = 0
        self._closed = False

    @property
    def seq(self) -> int:
        """Sequence number of the newest value (0 before the first)."""
        return self._seq

    @property
    def closed(self) -> bool:
        return self._closed

    def put(self, value: T) -> int:
        """Publish ``value``, replacing the one before; returns its sequence number."""
        with self._cond:
            self._seq += 1
            self._value = value
            self._cond.notify_all()
            return self._seq

    def put_made(self, make: Callable[[int], T]) -> T:
        """Publish ``make(seq)``: for values that carry their own sequence number."""
        with self._cond:
            value = make(self._seq + 1)
            self._seq += 1
            self._value = value
            self._cond.notify_all()
            return value

    def put_numbered(self, seq: int, value: T) -> None:
        """Publish ``value`` under ``seq`` (a relay that keeps its source's numbering, so a
        reader's gaps still count the source's dropped values); ``seq`` must grow."""
        with self._cond:
            if seq <= self._seq:
                raise ValueError(f"sequence number {seq} is not after {self._seq}")
            self._seq = seq
            self._value = value
            self._cond.notify_all()

    def latest(self) -> T | None:
        """The newest value, without waiting (``None`` before the first)."""
        return self._value

    def get(self) -> tuple[int, T | None]:
        """The newest value and its sequence number, read together."""
        with self._cond:
            return self._seq, self._value

    def wait(self, after_seq: int, timeout: float | None = None) -> tuple[int, T] | None:
        """Block until a value with ``seq > after_seq`` exists; ``(seq, value)``, or ``None`` on
        timeout or close (a closed mailbox still hands out a newer value it holds)."""
        with self._cond:
            self._cond.wait_for(lambda: self._seq > after_seq or self._closed, timeout)
            if self._seq <= after_seq or self._value is None:
                return None
            return self._seq, self._value

    def wait_newer(self, after_seq: int, timeout: float | None = None) -> T | None:
        """:meth:`wait` without the sequence number."""
        found = self.wait(after_seq, timeout)
        return found[1] if found is not None else None

    def close(self) -> None:
        """Wake every waiter; later waits return at once with what is there."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def reopen(self) -> None:
        with self._cond:
            self._closed = False
