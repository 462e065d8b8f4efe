"""Inputs found by review that used to raise: slivers, a BOM, an interval of almost nothing,
a bad roster that left a session folder behind."""

from __future__ import annotations

import argparse
import subprocess
import sys

import numpy as np
import pytest

from studio.people.qr import CodeReader
from studio.session.credits import load_config_credits
from studio.triggers import setup as trigger_setup


def test_the_code_reader_skips_a_sliver_frame():
    reader = CodeReader()
    assert reader.read(np.zeros((1, 65500, 3), np.uint8)) is None
    assert reader.read(np.zeros((65500, 1, 3), np.uint8)) is None


def test_a_sliver_image_is_analysed_without_a_zero_size_resize():
    from studio.vision import Analyzer

    with Analyzer("commercial-headshot", mode="still") as analyser:
        analysis = analyser.analyse_image(np.full((60000, 16, 3), 128, np.uint8), source="sliver")
    assert analysis.faces == 0 and not analysis.ready


def test_a_config_saved_with_a_bom_gives_its_credits(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes('\ufeff[metadata]\ncreator = "Ana Silva"\n'.encode())
    assert load_config_credits(path).creator == "Ana Silva"


def test_an_interval_of_almost_no_seconds_is_refused():
    parser = argparse.ArgumentParser()
    trigger_setup.add_arguments(parser)
    args = parser.parse_args(["--interval", "1e-320", "3"])
    with pytest.raises(ValueError, match="at least 0.1 seconds"):
        trigger_setup.options_from_args(args)
    args = parser.parse_args(["--interval", "0.5", "3"])
    assert trigger_setup.options_from_args(args).interval_s == 0.5


def test_a_bad_roster_is_refused_before_a_session_folder_exists(tmp_path):
    roster = tmp_path / "empty.csv"
    roster.write_text("# nobody yet\n")
    root = tmp_path / "sessions"
    proc = subprocess.run([sys.executable, "-m", "studio.cli", "run", "--headless", "--session", "x",
                           "--session-root", str(root), "--roster", str(roster), "--frames", "3"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "no people in it" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not root.exists() or not list(root.glob("*/session.json"))
