"""Print limner's dependencies and test extras without Qt, one per line.

The headless leg of ``make test`` installs these into a virtualenv that has no PySide6 and
runs the models and sync tests there, so a stray Qt import in those layers fails at once.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

QT = ("pyside6", "pytest-qt", "shiboken6")


def requirements(pyproject: Path) -> list[str]:
    project = tomllib.loads(pyproject.read_text())["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    return [r for r in wanted if not r.lower().startswith(QT)]


if __name__ == "__main__":
    print("\n".join(requirements(Path(__file__).resolve().parents[1] / "pyproject.toml")))
