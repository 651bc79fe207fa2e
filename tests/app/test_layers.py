"""The layers, checked by import-linter against the contracts in ``pyproject.toml``.

The source folders install as one ``limner`` package through a ``package-dir`` mapping,
which import-linter cannot follow, so each check first lays the folders out as that package
in a temporary directory (as the wheel does) and runs ``lint-imports`` there. A second test
plants a violation in such a copy and shows that the check fails on it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("app", "widgets", "models", "sync", "resources")


def staged(target: Path) -> Path:
    """The source tree laid out as the installed ``limner`` package, under ``target``."""
    package = target / "limner"
    shutil.copytree(ROOT / "src" / "limner", package)
    for layer in LAYERS:
        shutil.copytree(
            ROOT / layer, package / layer, ignore=shutil.ignore_patterns("__pycache__", "demo")
        )
    return target


def lint_imports(path: Path) -> subprocess.CompletedProcess[str]:
    tool = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(tool), str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=path,
        env={"PYTHONPATH": str(path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_layer_contract_is_kept(tmp_path: Path) -> None:
    result = lint_imports(staged(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_planted_qt_import_in_models_breaks_a_contract(tmp_path: Path) -> None:
    root = staged(tmp_path)
    plant = root / "limner" / "models" / "domain" / "planted.py"
    plant.write_text("from PySide6.QtCore import QObject\n")
    result = lint_imports(root)
    assert result.returncode != 0
    assert "models and sync never import Qt BROKEN" in result.stdout
    assert "limner.models.domain.planted -> PySide6" in result.stdout


def test_a_planted_upward_import_breaks_the_model_layers(tmp_path: Path) -> None:
    root = staged(tmp_path)
    plant = root / "limner" / "models" / "domain" / "planted.py"
    plant.write_text("from limner.models.editing import commands\n")
    result = lint_imports(root)
    assert result.returncode != 0
    assert "models in layers: editing and workflow, store, imaging, domain BROKEN" in result.stdout
