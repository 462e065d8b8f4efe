"""Audio cues: tones synthesised with numpy, played one at a time through sounddevice.

- :func:`studio.audio.cues.synthesize` — a cue as float32 samples;
- :class:`CuePlayer` — non-blocking, one cue at a time, rate-limited, silent without a device;
- :class:`AudioGuide` — listens to READY transitions and analyses and decides what to say.
"""

from studio.audio.cues import CUE_NAMES, synthesize
from studio.audio.guide import AudioGuide
from studio.audio.player import NO_DEVICE_MESSAGE, CuePlayer

__all__ = ["CUE_NAMES", "NO_DEVICE_MESSAGE", "AudioGuide", "CuePlayer", "synthesize"]
