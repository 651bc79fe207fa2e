"""The dependency rules of DESIGN section 1, checked on the source tree itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FORBIDDEN: dict[str, tuple[str, ...]] = {
    "models": ("PySide6", "shiboken6", "PyQt5", "PyQt6", "httpx", "sync", "widgets", "app"),
    "sync": ("PySide6", "shiboken6", "PyQt5", "PyQt6", "widgets", "app"),
    "widgets": ("sync", "app"),
}


def imported_modules(source: str) -> list[tuple[int, str]]:
    """Every module an import statement names (top-level package first)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def violations(package: str, banned: tuple[str, ...], root: Path = ROOT) -> list[str]:
    bad: list[str] = []
    for path in sorted((root / package).rglob("*.py")):
        for line, module in imported_modules(path.read_text(encoding="utf-8")):
            top = module.split(".")[0]
            if top in banned:
                bad.append(f"{path.relative_to(root)}:{line} imports {module}")
    return bad


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layer_imports_only_what_it_may(package: str) -> None:
    assert violations(package, FORBIDDEN[package]) == []


def test_checker_catches_a_violation(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "bad.py").write_text(
        "from __future__ import annotations\n"
        "import os\n"
        "def f():\n"
        "    from PySide6.QtCore import QObject\n"
        "    return QObject\n"
    )
    (tmp_path / "widgets").mkdir()
    (tmp_path / "widgets" / "bad.py").write_text("import sync.engine\n")
    assert violations("models", FORBIDDEN["models"], tmp_path) == [
        "models/bad.py:4 imports PySide6.QtCore"
    ]
    assert violations("widgets", FORBIDDEN["widgets"], tmp_path) == [
        "widgets/bad.py:1 imports sync.engine"
    ]
