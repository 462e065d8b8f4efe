"""``studio bench``: the realtime performance suite (docs/performance.md).

Every figure is measured in one run on this machine against a baseline measured in the same run
(JPEG decode + bare MediaPipe face mesh), so the ratios hold on any machine.
"""
