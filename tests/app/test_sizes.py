"""The house stays navigable: files of at most 600 lines, functions of at most 60, and a
``models/`` whose top level is a short list of folders named for what they hold.

A failure lists every offender, so that a split can be planned from the message alone.
Migration scripts are left out: they are history, written once and never edited.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("app", "widgets", "models", "sync")
MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 60
MAX_MODELS_ENTRIES = 10


def sources(root: Path = ROOT) -> list[Path]:
    return [
        p
        for layer in LAYERS
        for p in sorted((root / layer).rglob("*.py"))
        if "migrations" not in p.parts
    ]


def offenders(root: Path = ROOT) -> list[str]:
    found: list[str] = []
    for path in sources(root):
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        where = path.relative_to(root)
        if lines > MAX_FILE_LINES:
            found.append(f"{where}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                if length > MAX_FUNCTION_LINES:
                    found.append(f"{where}:{node.lineno} {node.name}() {length} lines")
    return found


def test_no_file_or_function_is_too_long() -> None:
    assert offenders() == []


def test_models_top_level_is_short() -> None:
    entries = [p.name for p in (ROOT / "models").iterdir() if p.name != "__pycache__"]
    assert len(entries) <= MAX_MODELS_ENTRIES, sorted(entries)


def test_the_check_finds_long_files_and_functions(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    body = "".join(f"    x{i} = {i}\n" for i in range(61))
    (tmp_path / "models" / "long.py").write_text("def f():\n" + body + "\n" * 600)
    assert offenders(tmp_path) == [
        "models/long.py: 662 lines",
        "models/long.py:1 f() 62 lines",
    ]
