"""Names from servers: no control or bidi characters, trimmed, capped, never empty; safe on disk."""

from __future__ import annotations

import pytest

from limner.sync.names import clean_name, one_line, safe_filename, strip_controls


def test_clean_name_removes_control_and_bidi_characters() -> None:
    assert clean_name("car\x00\x07\x1b[31m\x7f\x9b", "x") == "car[31m"
    assert clean_name("in\u202evoice\u202c.pdf", "x") == "invoice.pdf"
    assert clean_name("\u2066left\u2069\u200e\ufeff", "x") == "left"
    assert clean_name("two\nlines\tand tab", "x") == "two lines and tab"


def test_clean_name_trims_caps_and_falls_back() -> None:
    assert clean_name("  Person  ", "x") == "Person"
    assert clean_name("", "class 3") == "class 3"
    assert clean_name(" \x00\u202e\t ", "class 3") == "class 3"
    assert clean_name(None, "image 12") == "image 12"
    assert clean_name("", "") == "unnamed"
    long = clean_name("é" * 1000, "x")
    assert long == "é" * 255
    assert len(clean_name("a" * 300, "x", limit=10)) == 10
    assert clean_name("Straße 😀", "x") == "Straße 😀"  # ordinary text is left alone


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd", "..", ".", "...", "a/b\\c", "C:\\Windows\\x.png", ".bashrc", "", "\x00",
     "CON", "nul.txt", "a..b.png", "name. ", "\u202egnp.exe", "x" * 1000 + ".png", "ü" * 500],
)  # fmt: skip
def test_safe_filename_is_one_harmless_path_component(name: str) -> None:
    safe = safe_filename(name)
    assert safe
    assert "/" not in safe and "\\" not in safe and ":" not in safe
    assert ".." not in safe
    assert not safe.startswith(".")
    assert not safe.endswith((".", " "))
    assert safe.split(".")[0].upper() not in {"CON", "NUL", "PRN", "AUX"}
    assert len(safe.encode("utf-8")) <= 200
    assert all(ch.isprintable() for ch in safe)
    assert "\u202e" not in safe


def test_safe_filename_keeps_ordinary_names_and_extensions() -> None:
    assert safe_filename("street_0001.jpg") == "street_0001.jpg"
    assert safe_filename("Straße 1.png") == "Straße 1.png"
    assert safe_filename("a..b.png") == "a.b.png"
    assert safe_filename(".hidden.png") == "hidden.png"
    assert safe_filename("x" * 1000 + ".png").endswith(".png")
    assert safe_filename("..", fallback="image-7") == "image-7"
    assert safe_filename("CON.txt") == "_CON.txt"


def test_one_line_and_strip_controls() -> None:
    assert strip_controls("a\x00b\rc") == "ab c"
    assert one_line("a\n\n  b\x00c", limit=100) == "a bc"
    cut = one_line("word " * 100, limit=20)
    assert len(cut) <= 20 and cut.endswith("…")
