"""The catalogues: every marked text is translated into German and Chinese, the compiled
catalogues are those of the committed sources, and the marks are ones lupdate can read.

``make translations`` runs lupdate and lrelease; these tests run the same lupdate line (read
from the Makefile) on copies of the committed ``.ts`` files, so a text added to the code
without a translation, or a catalogue left uncompiled, fails here and not in front of a user.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from limner.app.cli_args import LANGUAGE_CHOICES, THEME_CHOICES
from limner.app.language import CATALOGUES, system_language
from limner.app.preferences import LANGUAGES, THEMES

ROOT = Path(__file__).resolve().parents[2]
I18N = ROOT / "resources" / "i18n"
BIN = Path(sys.executable).parent
PLACEHOLDER = re.compile(r"\{[A-Za-z_0-9]*\}")


def _messages(ts: Path) -> list[tuple[str, str, ET.Element]]:
    """(context, source, translation element) of every message of a catalogue."""
    found = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            found.append((name, message.findtext("source") or "", translation))
    return found


def _lupdate_command(targets: list[Path]) -> list[str]:
    """The Makefile's lupdate line, run from this interpreter's environment."""
    line = next(
        row for row in (ROOT / "Makefile").read_text().splitlines() if row.startswith("LUPDATE :=")
    )
    words = line.removeprefix("LUPDATE :=").split()
    words[0] = str(BIN / Path(words[0]).name)
    return [*words, "-ts", *map(str, targets)]


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The committed catalogues after lupdate read the code again (in a copy)."""
    folder = tmp_path_factory.mktemp("ts")
    copies = {code: folder / f"limner_{code}.ts" for code in CATALOGUES}
    for code, copy in copies.items():
        shutil.copy(I18N / f"limner_{code}.ts", copy)
    subprocess.run(
        _lupdate_command(list(copies.values())),
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return copies


@pytest.mark.parametrize("code", CATALOGUES)
def test_every_text_of_the_code_is_translated(refreshed: dict[str, Path], code: str) -> None:
    messages = _messages(refreshed[code])
    assert len(messages) > 600
    unfinished = [
        (c, s)
        for c, s, t in messages
        if t.get("type") == "unfinished" or not (t.text or "").strip()
    ]
    assert unfinished == []
    gone = [(c, s) for c, s, t in messages if t.get("type") in ("vanished", "obsolete")]
    assert gone == []


@pytest.mark.parametrize("code", CATALOGUES)
def test_the_committed_catalogue_is_what_lupdate_makes(
    refreshed: dict[str, Path], code: str
) -> None:
    """Nothing was added to the code (or taken out of it) since the catalogue was updated."""
    committed = {(c, s) for c, s, _t in _messages(I18N / f"limner_{code}.ts")}
    assert {(c, s) for c, s, _t in _messages(refreshed[code])} == committed


@pytest.mark.parametrize("code", CATALOGUES)
def test_the_compiled_catalogue_matches_its_source(tmp_path: Path, code: str) -> None:
    """The .qm limner loads is lrelease's output for the committed .ts, byte for byte."""
    out = tmp_path / f"limner_{code}.qm"
    subprocess.run(
        [str(BIN / "pyside6-lrelease"), "-silent", str(I18N / f"limner_{code}.ts"), "-qm",
         str(out)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    assert out.read_bytes() == (I18N / f"limner_{code}.qm").read_bytes(), (
        "run `make translations` and commit the .qm"
    )


@pytest.mark.parametrize("code", CATALOGUES)
def test_translations_keep_placeholders_and_menu_keys(code: str) -> None:
    wrong = []
    for context, source, translation in _messages(I18N / f"limner_{code}.ts"):
        text = translation.text or ""
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
            wrong.append((context, source, text))
        if ("&" in source.replace("&&", "")) != ("&" in text.replace("&&", "")):
            wrong.append((context, source, text))  # a menu title lost (or gained) its key
    assert wrong == []


def _marked_calls() -> list[tuple[str, int, ast.Call]]:
    found = []
    for layer in ("app", "widgets", "models", "sync"):
        for path in sorted((ROOT / layer).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = getattr(func, "id", None) or getattr(func, "attr", None)
                if name in ("translate", "QT_TRANSLATE_NOOP", "tr"):
                    found.append((f"{path.relative_to(ROOT)}:{node.lineno}", name, node))
    return found


def test_every_mark_is_one_lupdate_can_read() -> None:
    """lupdate reads a context and a text only where both are written out: a variable
    context, an f-string or a text built by concatenation would be missing from the
    catalogue, and the window would show English. ``translate(C, TABLE[key])`` looks up a
    text marked elsewhere and is fine; ``self.tr`` depends on the runtime class name."""

    def literal(node: ast.expr) -> bool:
        return isinstance(node, ast.Constant) and isinstance(node.value, str)

    wrong = []
    for where, name, call in _marked_calls():
        if name == "tr":
            wrong.append(f"{where}: tr()")
            continue
        if len(call.args) < 2:
            continue
        context, text = call.args[0], call.args[1]
        if isinstance(text, ast.JoinedStr | ast.BinOp) or (
            isinstance(text, ast.Call) and getattr(text.func, "attr", "") == "format"
        ):
            wrong.append(f"{where}: the text is built, not written out")
        elif literal(text) and not literal(context):
            wrong.append(f"{where}: the context is not written out")
        elif name == "QT_TRANSLATE_NOOP" and not (literal(context) and literal(text)):
            wrong.append(f"{where}: QT_TRANSLATE_NOOP of a value")
    assert wrong == []


def test_the_command_line_offers_the_preferences_choices() -> None:
    assert LANGUAGE_CHOICES == LANGUAGES
    assert THEME_CHOICES == THEMES
    assert set(CATALOGUES) == {"de", "zh_CN"}


@pytest.mark.parametrize(
    ("system", "spoken"),
    [
        (["zh-Hans-CN", "zh-CN", "zh"], "zh_CN"),
        (["zh-CN"], "zh_CN"),
        (["de-AT", "de"], "de"),
        (["zh-Hant-TW", "de-DE"], "de"),  # traditional script: the next language the user reads
        (["fr-FR", "de-CH"], "de"),
        (["fr-FR", "es-ES"], "en"),
        (["en-GB", "de-DE"], "en"),
    ],
)
def test_the_system_language_is_the_first_one_limner_speaks(system: list[str], spoken: str):
    assert system_language(system) == spoken
