"""Camera layer: drivers that talk to cameras (or replay recordings) and know nothing of checks or Qt.

Only `drivers.gphoto` imports `gphoto2`. Everything the app needs is in `drivers.base`.
"""
