"""Hands-free triggers. Each one turns something it noticed into a :class:`TriggerEvent` for the
one capture controller; none of them calls the camera, and none imports :mod:`studio.capture`:
they see the controller as a :class:`~studio.events.CaptureRequests` (``studio.app`` wires them).

- :mod:`.auto` — READY held for the hold time, once per READY period;
- :mod:`.gesture` — a raised open palm (MediaPipe hands) held for a moment;
- :mod:`.sound` — a clap or short loud sound on the microphone, ignoring the app's own cues;
- :mod:`.keys` — foot pedals and presenter remotes (Page Down, B, Space…);
- :mod:`.countdown` — the beeps of the controller's countdown;
- :mod:`.interval` — every N seconds, M shots.
"""
