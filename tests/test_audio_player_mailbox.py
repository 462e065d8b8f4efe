"""The cue player's next-cue mailbox: a cue not yet started is dropped at close, never played.

Run under the rig (``scripts/test-rig.sh``): the player needs a real output device.
"""

from __future__ import annotations

import os
import time

import pytest

from studio.audio import CuePlayer

pytestmark = [
    pytest.mark.audio,
    pytest.mark.skipif(not os.environ.get("STUDIO_TEST_PULSE"),
                       reason="needs the PulseAudio rig: scripts/test-rig.sh .venv/bin/pytest ..."),
]


def wait_playing(player: CuePlayer, timeout: float = 2.0) -> bool:
    deadline = time.monotonic() + timeout
    while not player.is_playing and time.monotonic() < deadline:
        time.sleep(0.002)
    return player.is_playing


def test_close_drops_the_cue_waiting_behind_the_one_that_sounds():
    player = CuePlayer(volume=0.5)
    assert player.wait_ready(10) is True
    assert player.play("eyes")
    assert wait_playing(player)
    assert player.play("framing")  # accepted: it waits for "eyes" to end
    player.close()
    assert not player._thread.is_alive()
    assert [name for name, _ in player.history] == ["eyes"]
    assert player.play("ready") is False  # closed: nothing more is taken


def test_the_worker_takes_each_request_once():
    player = CuePlayer(volume=0.5, min_repeat_s=0.0)
    try:
        assert player.wait_ready(10) is True
        assert player.play("shutter")
        deadline = time.monotonic() + 3
        while len(player.history) < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.5)  # long enough for a second playing, if the request were taken twice
        assert [name for name, _ in player.history] == ["shutter"]
    finally:
        player.close()
