"""studio: a tethered-capture assistant that checks every live-view frame of a portrait.

Never imports ``gphoto2``: cameras are reached through ``drivers.base.Camera``.
"""

__version__ = "0.1.0"
