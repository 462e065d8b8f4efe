"""``studio check PATH...``: run the portrait checks on stills (JPEG, PNG, folders).

Prints a short verdict per image, or the JSON form (docs/json.md) with ``--json``, one object
per line. Folders are searched recursively for JPEG/PNG files and analysed on all cores, one
Analyzer per worker process, one image at a time (images differ in cost: no fixed chunks), each
worker single-threaded (``--jobs N`` uses N cores; OpenCV's own threads would only contend).
The parent never loads MediaPipe, numpy or OpenCV before its workers start (``studio.vision``
imports lazily; ``studio.cli`` registers only this command), and forks them when that is safe
(studio/commands/check_pool.py), so the workers' start-up overlaps instead of following the
parent's, and ``--jobs 1`` runs in this process (no worker to start). A file
that cannot be read gets a one-line error (a JSON ``{"source": ..., "error": ...}`` object with
``--json``) and the others are still checked.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from studio.argtypes import bounded
from studio.commands.check_pool import analyse, in_order, init_analyzer, largest_first, mark, pooled

__all__ = ["in_order", "largest_first", "register", "run"]  # the pool's helpers, re-exported

EXIT_HELP = "exit status: 0 when every file was analysed, 1 when some could not be, 2 on a usage error"

MAX_JOBS = 256  # more worker processes than any machine has cores is a typo
FILES_PER_WORKER = 6  # below this many files per core, the default --jobs uses fewer workers


def register(subparsers: argparse._SubParsersAction) -> None:
    from studio.vision.presets import PRESETS

    p = subparsers.add_parser(
        "check",
        help="run the portrait checks on photos",
        description="Run the portrait checks (framing, eyes, focus, catchlights, glasses, glare, "
        "exposure, background, clothing) on JPEG/PNG stills and folders of them.",
        epilog=EXIT_HELP,
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="image files or folders (searched recursively)")
    p.add_argument("--json", action="store_true", help="print the JSON form, one object per line")
    p.add_argument(
        "--preset",
        default="commercial-headshot",
        help=f"preset name ({', '.join(PRESETS)}, or a user preset) or a .toml file",
    )
    p.add_argument(
        "--jobs", type=bounded(0, MAX_JOBS, int), default=0, metavar="N",
        help="worker processes (default 0: all cores; fewer for a few files)"
    )
    p.add_argument("--progress", action="store_true", help="show progress on stderr even when not a terminal")
    p.add_argument("--max-megapixels", type=bounded(1, 10_000), metavar="MP",
                   help="refuse images whose header claims more pixels than this, before decoding "
                        "(default 200, or $STUDIO_MAX_MEGAPIXELS)")
    from studio.consistency import add_arguments as add_consistency

    add_consistency(p)
    p.set_defaults(func=run)


def _files(paths: list[str]) -> Iterator[Path]:
    from studio.vision.image_format import IMAGE_SUFFIXES  # not image.py: no OpenCV in the parent

    for text in paths:
        path = Path(text)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            # Every file in a folder is reported: a non-image gets its own error line.
            yield from (p for p in found if p.suffix.lower() in IMAGE_SUFFIXES or not _hidden_sidecar(p))
        else:
            yield path


def _hidden_sidecar(path: Path) -> bool:
    """Files a photographer keeps beside the photos and never means to check (XMP, RAW...)."""
    return path.suffix.lower() in {
        ".xmp",
        ".json",
        ".txt",
        ".cr2",
        ".cr3",
        ".nef",
        ".arw",
        ".dng",
        ".raf",
        ".orf",
        ".rw2",
        ".pp3",
        ".dop",
    }


def _summary(result: dict) -> str:
    checks = result["checks"]
    verdict = "READY" if result["ready"] else "not ready"
    lines = [f"{result['source']}: {verdict} — {result['shot']}, {result['faces']} face(s)"]
    for check_id, check in checks.items():
        if check_id == "consistency" and check.get("reference") is None:
            continue  # no --reference: nothing to say (the JSON form keeps its measures)
        if check["status"] != "pass":
            lines.append(f"  {check['status']:<7} {check_id:<12} {check['message']}")
    if len(lines) == 1:
        lines.append("  all checks pass")
    return "\n".join(lines)


class _Progress:
    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.done, self.enabled = total, 0, enabled and total > 1

    def step(self) -> None:
        self.done += 1
        if self.enabled:
            width = 30
            filled = int(width * self.done / self.total)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    mark("run")
    from studio.cli import UserError
    from studio.vision.image_format import ENV_MAX_MEGAPIXELS
    from studio.vision.presets import PresetError, load_preset

    if args.max_megapixels is not None:  # the environment reaches the worker processes too
        os.environ[ENV_MAX_MEGAPIXELS] = f"{args.max_megapixels:g}"
    try:
        preset = load_preset(args.preset)
    except PresetError as exc:
        raise UserError(str(exc)) from None
    from studio import consistency
    from studio.vision.reference import ReferenceError

    try:
        preset, reference = consistency.from_args(args, preset)
    except ReferenceError as exc:
        raise UserError(str(exc)) from None
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        raise UserError(f"no such file or folder: {missing[0]}")
    files = list(_files(args.paths))
    if not files:
        raise UserError("no JPEG or PNG files found")
    # A worker process costs ~1-2 s to start (Python, MediaPipe, the graphs), as much as ~8
    # stills: by default a handful of files is checked sooner in this process.
    auto = min(os.cpu_count() or 1, len(files) // FILES_PER_WORKER)
    jobs = args.jobs if args.jobs > 0 else auto
    jobs = max(1, min(jobs, len(files)))
    mark("listed", str(len(files)))
    progress = _Progress(len(files), args.progress or sys.stderr.isatty())
    failures = 0

    def report(source: str, result: dict | None, error: str | None) -> None:
        nonlocal failures
        if error is not None:
            failures += 1
            if args.json:
                print(json.dumps({"source": source, "error": error}), flush=True)
            else:
                if progress.enabled:
                    sys.stderr.write("\n")
                print(f"studio: {source}: {error}", file=sys.stderr, flush=True)
            return
        assert result is not None  # no error: a result
        print(json.dumps(result) if args.json else _summary(result), flush=True)

    try:
        if jobs == 1:
            # --jobs N means N cores: an explicit --jobs 1 keeps OpenCV on one thread too (the
            # default for a handful of files lets it use its threads in this process).
            init_analyzer(preset, single_thread=args.jobs == 1, reference=reference)
            for path in files:
                item = analyse(path)
                progress.step()
                report(*item)
        else:
            with contextlib.closing(pooled(files, jobs, preset, reference)) as done:
                for item in in_order(done, progress.step):
                    report(*item)
    finally:
        progress.close()
    mark("end")
    return 1 if failures else 0
