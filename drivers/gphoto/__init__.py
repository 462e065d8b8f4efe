"""The libgphoto2 driver: the only package that imports ``gphoto2``.

``gphoto2`` is imported lazily (inside functions) because libgphoto2 reads ``VCAMERADIR``,
``IOLIBS`` and ``CAMLIBS`` when it is first imported: the caller must be able to set them first.
"""

from drivers.gphoto.camera import GphotoCamera
from drivers.gphoto.discovery import DetectedCamera, list_cameras
from drivers.gphoto.options import GphotoOptions

__all__ = ["DetectedCamera", "GphotoCamera", "GphotoOptions", "list_cameras"]
