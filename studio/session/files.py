"""What the files in a session folder are: photos, their sidecars and derived deliverables."""

from __future__ import annotations

from pathlib import Path

RAW_SUFFIXES = frozenset({".nef", ".nrw", ".cr2", ".cr3", ".crw", ".arw", ".srf", ".sr2", ".raf",
                          ".orf", ".rw2", ".pef", ".dng", ".srw", ".3fr", ".iiq", ".x3f", ".erf"})
JPEG_SUFFIXES = frozenset({".jpg", ".jpeg"})
PHOTO_SUFFIXES = RAW_SUFFIXES | JPEG_SUFFIXES | {".tif", ".tiff", ".heic", ".heif", ".png"}

JSON_SIDECAR = ".studio.json"
BW_MARK = ".bw"
CROP_MARK = ".crop-"
RECOVERED_PREFIX = "recovered-"
INCOMPLETE_DIR = "incomplete"


def base_of(path: Path) -> str:
    """``jane-0001.nef`` -> ``jane-0001``: the name a RAW+JPEG pair shares."""
    return path.name[: -len(path.suffix)] if path.suffix else path.name


def is_derived(path: Path) -> bool:
    """A B&W or crop deliverable (``<base>.bw.jpg``, ``<base>.crop-4x5.jpg``), not a shot."""
    stem = base_of(path)
    return stem.endswith(BW_MARK) or CROP_MARK in stem


def is_photo(path: Path) -> bool:
    return (path.suffix.lower() in PHOTO_SUFFIXES and not path.name.startswith(".")
            and not is_derived(path))


def json_sidecar(folder: Path, base: str) -> Path:
    return folder / f"{base}{JSON_SIDECAR}"


def jpeg_looks_complete(data: bytes) -> bool:
    """Starts with SOI and has EOI near the end (some cameras pad a few bytes after it)."""
    return data[:2] == b"\xff\xd8" and b"\xff\xd9" in data[-4096:]
