"""Load preset and state files the way studio does, one JSON line each (run by the schema
fuzz test inside tests/fuzz/measured.py, so each case's time and the process's RSS are known).

    python tests/fuzz/load_all.py preset|session PATH...
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from studio.session.state import load_state_file  # noqa: E402
from studio.vision.presets import PresetError, load_preset  # noqa: E402


def main() -> int:
    kind, paths = sys.argv[1], sys.argv[2:]
    for path in paths:
        try:
            load_preset(path) if kind == "preset" else load_state_file(Path(path))
            error = None
        except (PresetError, ValueError) as exc:  # the one-line refusals; anything else is a bug
            error = str(exc)
        print(json.dumps({"path": path, "error": error}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
