"""The command line's words and limits: numbers out of range refused in one line, `--version`,
a description for every subcommand and a help text for every argument, and camera file
names that cannot escape a folder."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fuzz"))
from make_corpus import CLI_CASES, HOSTILE_NAMES  # noqa: E402

from drivers.download import STEM_BYTES, safe_name  # noqa: E402
from studio import __version__, argtypes  # noqa: E402
from studio.cli import build_parser, main  # noqa: E402


@pytest.mark.parametrize("argv, words", CLI_CASES, ids=[" ".join(a)[:60] for a, _ in CLI_CASES])
def test_numbers_out_of_range_are_refused_in_one_line(argv, words, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(list(argv))
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("studio: error: ") and words in err, err
    assert len(err) < 400  # the offending text is shown, not echoed whole when it is huge


def test_the_version_is_printed(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.strip() == f"studio {__version__}"
    done = subprocess.run([sys.executable, "-m", "studio.cli", "--version"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == f"studio {__version__}"


def _subparsers(parser: argparse.ArgumentParser, name: str = "studio"):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for sub_name, sub in action.choices.items():
                yield f"{name} {sub_name}", sub, helps.get(sub_name)
                yield from _subparsers(sub, f"{name} {sub_name}")


def test_every_subcommand_has_a_description_and_every_argument_a_help_text(capsys):
    parser = build_parser()
    missing = []
    for name, sub, one_line in _subparsers(parser):
        if not one_line:
            missing.append(f"{name}: no one-line help in the command list")
        if not sub.description:
            missing.append(f"{name}: no description")
        for action in sub._actions:
            if not isinstance(action, argparse._HelpAction | argparse._SubParsersAction) and not action.help:
                missing.append(f"{name}: {'/'.join(action.option_strings) or action.dest} has no help")
        with pytest.raises(SystemExit):
            sub.parse_args(["--help"])  # renders (a stray % in a help text would raise here)
        text = capsys.readouterr().out
        assert text.startswith("usage: ") and sub.description.split()[0] in text
    assert not missing, "\n".join(missing)
    top = parser.format_help()
    for name, _, _one_line in _subparsers(parser):
        if name.count(" ") == 1:
            assert name.split()[1] in top


def test_argtypes_bounds():
    assert argtypes.bounded(0, 60, int)("60") == 60
    assert argtypes.positive_float("0.5") == 0.5
    for bad in ("nan", "inf", "-inf", "0", "-1", "1e400", "", "x", "1e18"):
        with pytest.raises(argparse.ArgumentTypeError):
            argtypes.positive_float(bad) if bad != "1e18" else argtypes.bounded(0, 1e5)(bad)
    with pytest.raises(argparse.ArgumentTypeError, match="takes a whole number"):
        argtypes.positive_int("3.0")


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_a_hostile_camera_file_name_stays_inside_its_folder(tmp_path, name):
    safe = safe_name(name)
    assert safe and "/" not in safe and "\\" not in safe and "\0" not in safe and "\n" not in safe
    assert safe not in (".", "..") and not safe.startswith(".")
    assert len(safe.encode()) <= STEM_BYTES + 17  # stem + "." + an extension of at most 16
    ext = name.rpartition(".")[2]
    if "." in name and ext.isascii() and ext.isalnum() and len(ext) <= 16:
        assert safe.endswith("." + ext), (name, safe)  # the extension survives
    target = tmp_path / safe
    target.write_bytes(b"x")  # a real file system takes it
    assert target.resolve().parent == tmp_path.resolve()
