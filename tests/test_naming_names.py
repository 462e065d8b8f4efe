"""File names from hostile camera names and templates: the extension survives, names stay one
bounded path component, collisions get a bounded numeric suffix, template widths are capped.
Property-based (hypothesis) for the sanitiser."""

from __future__ import annotations

import os
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.download import STEM_BYTES, safe_name
from studio.session import Session, SessionOptions, TemplateError
from studio.session.naming import MAX_WIDTH, NameFields, expand, slug, validate
from studio.session.session import MAX_SUFFIX

DAY = date(2026, 12, 1)
EXT = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1,
              max_size=16)


def test_unicode_camera_names_keep_their_letters_and_extension():
    assert safe_name("日本語.JPG") == "日本語.JPG"
    assert safe_name("Zoë.jpg") == "Zoë.jpg" and safe_name("Zoe\u0308.jpg") == "Zoë.jpg"  # NFC
    assert safe_name(".jpg") == "capture.jpg"  # a name of only an extension keeps it
    assert safe_name("a\u202egpj.exe") == "a_gpj.exe"  # a right-to-left override is not a letter
    assert safe_name("語" * 200 + ".NEF").endswith(".NEF")
    assert len(safe_name("語" * 200 + ".NEF").encode()) <= STEM_BYTES + 4


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=400), EXT)
def test_the_extension_always_survives(stem, ext):
    name = safe_name(f"{stem}.{ext}")
    assert name.endswith(f".{ext}")
    assert name[: -len(ext) - 1]  # and a stem is there


@settings(max_examples=600, deadline=None)
@given(st.text(max_size=600))
def test_any_camera_name_becomes_one_bounded_component(camera_name):
    name = safe_name(camera_name)
    assert name and "/" not in name and "\\" not in name and "\x00" not in name
    assert name not in (".", "..") and not name.startswith(".")
    assert len(name.encode()) <= STEM_BYTES + 17  # fits every file system's 255-byte names
    assert all(c.isalnum() or c in "._-" for c in name)
    assert safe_name(name) == name  # idempotent: a safe name stays itself


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_slugs_are_bounded_and_safe(text):
    s = slug(text)
    assert s and len(s) <= 60 and "/" not in s and not s.startswith("-") and not s.endswith("-")
    assert all(c.isalnum() or c == "-" for c in s) and s == s.lower()


def test_slugs_transliterate_accents_and_keep_other_scripts():
    assert slug("Zoë O'Brien") == "zoe-o-brien" and slug("José Ñúñez") == "jose-nunez"
    assert slug("日本 太郎") == "日本-太郎" and slug("Ирина") == "ирина"


@pytest.mark.parametrize("template, message", [
    ("%999999999n.%C", "counter width '%999999999n' in naming template is over 9 digits"),
    ("%10n.%C", "over 9 digits"),
    ("x" * 300 + "%n.%C", "longer than 200 characters"),
])
def test_template_widths_and_lengths_are_capped(template, message):
    with pytest.raises(TemplateError, match=message):
        validate(template)
    validate(f"%0{MAX_WIDTH}n.%C")


def test_template_widths_are_capped_when_expanding_too():
    fields = NameFields(datetime(2026, 12, 1), 7, "IMG_1.JPG", "s", "p", 1)
    assert expand("%09n.%C", fields) == "000000007.jpg"


def test_a_bad_template_from_the_command_line_is_one_line(tmp_path):
    with pytest.raises(TemplateError) as info:
        Session.open(tmp_path, "x", day=DAY, options=SessionOptions(template="%999999999n.%C"))
    assert "\n" not in str(info.value)
    assert not any(tmp_path.iterdir())  # refused before anything was created


JPEG = b"\xff\xd8\xff\xe0" + bytes(100) + b"\xff\xd9"


def test_collisions_get_a_bounded_numeric_suffix(tmp_path):
    session = Session.open(tmp_path, "x", day=DAY, options=SessionOptions(template="%f.%C"))
    names = [session.store("日本語.JPG", JPEG).name for _ in range(5)]
    assert names == ["日本語.jpg", "日本語-1.jpg", "日本語-2.jpg", "日本語-3.jpg", "日本語-4.jpg"]
    names = [session.store("IMG_0001.JPG", JPEG).name for _ in range(3)]
    assert names == ["IMG_0001.jpg", "IMG_0001-1.jpg", "IMG_0001-2.jpg"]  # no -x-x-x growth


def test_a_name_taken_by_another_process_gets_the_next_number(tmp_path, monkeypatch):
    session = Session.open(tmp_path, "x", day=DAY, options=SessionOptions(template="%f.%C"))
    import studio.session.unique as module

    real = module.write_atomic
    taken = {"IMG_1.jpg"}

    def racing(final, data):  # another writer creates the name between our check and our link
        if final.name in taken:
            taken.discard(final.name)
            (final.parent / final.name).write_bytes(b"other")
            raise FileExistsError(final)
        return real(final, data)

    monkeypatch.setattr(module, "write_atomic", racing)
    path = session.store("IMG_1.JPG", JPEG)
    assert path.name == "IMG_1-1.jpg" and path.read_bytes() == JPEG
    assert (tmp_path / session.folder.name / "IMG_1.jpg").read_bytes() == b"other"  # never overwritten
    assert session.stored[-1].base == "IMG_1-1"


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(min_size=0, max_size=80), min_size=1, max_size=12))
def test_any_camera_names_store_under_unique_names_with_their_extension(tmp_path, names):
    folder_root = tmp_path / f"r{abs(hash(tuple(names)))}"
    session = Session.open(folder_root, "x", day=DAY, options=SessionOptions(template="%f.%C"))
    stored = [session.store(f"{n}.JPG", JPEG) for n in names]
    assert len({p.name for p in stored}) == len(stored)
    assert all(p.suffix == ".jpg" and p.parent == session.folder for p in stored)
    assert all(len(p.name.encode()) < 255 for p in stored)


def test_the_suffix_is_bounded(tmp_path):
    session = Session.open(tmp_path, "x", day=DAY, options=SessionOptions(template="same.%C"))
    for n in range(MAX_SUFFIX + 1):
        (session.folder / (f"same-{n}.jpg" if n else "same.jpg")).write_bytes(b"x")
    with pytest.raises(OSError, match=f"{MAX_SUFFIX} taken"):
        session.store("a.JPG", JPEG)
    assert not [p for p in os.listdir(session.folder) if p.endswith(".part")]
