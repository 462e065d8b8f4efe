"""One story per frame (issue 14 item 4): a check about the subject reads the subject the
frame's face decision chose, never another face. Only the frame checks (the face count and the
framing) read every face; the glare check once judged other faces in a group photo and warned
about a phone case and a profile as the subject's glare (glasses_012, glasses_064)."""

from __future__ import annotations

import ast
from pathlib import Path

from studio.vision.evaluate import FRAME_CHECKS

CHECKS = Path(__file__).resolve().parents[1] / "studio" / "vision" / "checks"
ALL_FACES = ("faces", "detected_only")  # FrameContext fields that hold every face of the frame


def _reads_all_faces(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr in ALL_FACES
            and isinstance(node.value, ast.Name) and node.value.id == "ctx"]


def test_only_frame_checks_read_every_face():
    offenders = {p.name: lines for p in sorted(CHECKS.glob("*.py"))
                 if p.stem not in FRAME_CHECKS and (lines := _reads_all_faces(p))}
    assert offenders == {}, f"checks about the subject reading other faces (file: lines): {offenders}"


def test_the_guard_sees_a_check_that_reads_every_face(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def check(ctx):\n    return [f for f in ctx.faces if f is not ctx.subject]\n")
    assert _reads_all_faces(bad) == [2]
