"""A hands-free roster day, headless: ``studio run --roster FILE --shots-per-person N`` on the
recorded live view moves to the next person by itself after N shots on disk; a restart with
only ``--session`` resumes at the same person with the same rules. Persons are read back with
exiftool from the JPEGs themselves."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow]


def studio(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "studio.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env=dict(os.environ, PYTHONPATH=str(ROOT)))


def persons(folder: Path) -> dict[str, str]:
    jpegs = sorted(str(p) for p in folder.glob("*.jpg"))
    out = subprocess.run(["exiftool", "-j", "-XMP-iptcExt:PersonInImage", *jpegs], capture_output=True,
                         check=True, text=True)
    return {Path(t["SourceFile"]).name: t.get("PersonInImage") for t in json.loads(out.stdout)}


@pytest.mark.skipif(shutil.which("exiftool") is None, reason="exiftool absent")
def test_shots_per_person_moves_through_the_roster_and_resumes(tmp_path):
    roster = tmp_path / "team.csv"
    roster.write_text("name,id\nJane Doe,E1\nBo Li,E2\nZoë Müller,E3\n", encoding="utf-8")
    done = studio("run", "--headless", "--session", "Team", "--session-root", str(tmp_path),
                  "--roster", str(roster), "--shots-per-person", "2", "--interval", "2.5", "5",
                  "--loop", "--seconds", "40")
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert "[person] 1 of 3: Jane Doe (start)" in lines  # said in words, one line each
    assert "[person] 2 of 3: Bo Li (auto)" in lines and "[person] 3 of 3: Zoë Müller (auto)" in lines
    [folder] = [p for p in tmp_path.iterdir() if p.is_dir()]
    names = sorted(p.name for p in folder.glob("*.jpg"))
    assert names == ["bo-li-0003.jpg", "bo-li-0004.jpg", "jane-doe-0001.jpg", "jane-doe-0002.jpg",
                     "zoe-muller-0005.jpg"], done.stdout[-2000:]
    found = persons(folder)
    assert found == {n: ("Jane Doe" if n.startswith("jane") else "Bo Li" if n.startswith("bo")
                         else "Zoë Müller") for n in names}
    state = json.loads((folder / "session.json").read_text())
    assert (state["person_name"], state["person_id"], state["person_shots"]) == ("Zoë Müller", "E3", 1)

    # A restart with only --session: the same roster, rule and person; one more shot for Zoë,
    # then the roster is done and she keeps the rest.
    done = studio("run", "--headless", "--session", "Team", "--session-root", str(tmp_path),
                  "--interval", "2.5", "2", "--loop", "--seconds", "20")
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines()[0] == "[person] 3 of 3: Zoë Müller (start)"  # resumed there
    new = sorted(p.name for p in folder.glob("*.jpg") if p.name not in names)
    assert new == ["zoe-muller-0006.jpg", "zoe-muller-0007.jpg"], done.stdout[-2000:]
