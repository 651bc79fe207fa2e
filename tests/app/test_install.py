"""Installing limner puts one name, ``limner``, into site-packages, and a user's own
``models`` or ``app`` package in the current folder can no longer shadow ours.

The wheel is built and installed from this checkout into a fresh target folder (standing in
for site-packages; the dependencies come from the test environment).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site-packages")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return target


def test_only_limner_lands_in_site_packages(installed: Path) -> None:
    names = sorted(p.name for p in installed.iterdir() if p.name != "bin")
    assert [n for n in names if not n.endswith(".dist-info")] == ["limner"]
    assert next(n for n in names if n.endswith(".dist-info")).startswith("limner-")
    shipped = {p.relative_to(installed / "limner").as_posix() for p in installed.rglob("*.py")}
    assert "models/store/migrations/versions/0001_baseline.py" in shipped
    catalogues = {p.name for p in (installed / "limner" / "resources" / "i18n").iterdir()}
    assert {"limner_de.qm", "limner_zh_CN.qm"} <= catalogues  # the window speaks them
    assert not any(name.startswith("resources/demo/make_demo") for name in shipped)


def _shadowing_folder(tmp_path: Path) -> Path:
    """A folder like a machine-learning project's, with its own models and app packages."""
    for name in ("models", "app", "sync"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("raise ImportError('the user package')\n")
    return tmp_path


def test_version_from_a_folder_with_its_own_models_package(installed: Path, tmp_path: Path) -> None:
    folder = _shadowing_folder(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(installed)}
    module = subprocess.run(
        [sys.executable, "-m", "limner", "--version"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert module.returncode == 0, module.stderr
    assert module.stdout.startswith("limner ")
    script = installed / "bin" / "limner"
    command = subprocess.run(
        [sys.executable, str(script), "--version"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert command.returncode == 0, command.stderr
    assert command.stdout == module.stdout
