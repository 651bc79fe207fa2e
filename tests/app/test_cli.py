"""The headless commands as a user runs them: exit codes, one-line errors, JSON keys."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from limner.app.cli import main
from limner.app.platform_check import display_problem


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "limner", *args], capture_output=True, text=True, timeout=120
    )


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("limner ")


def test_new_then_info_json(tmp_path: Path, image_dir: Path, capsys: pytest.CaptureFixture) -> None:
    assert (
        main(["new", str(tmp_path / "p"), "--images", str(image_dir), "--classes", "a, b,c"]) == 0
    )
    assert "5 images added" in capsys.readouterr().out
    assert main(["info", str(tmp_path / "p"), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["images"] == 5
    assert info["by_status"] == {"new": 5}
    assert info["annotations"] == 0
    assert info["by_kind"] == {}
    assert info["by_class"] == {"a": 0, "b": 0, "c": 0}
    assert main(["info", str(tmp_path / "p")]) == 0
    assert "images         5" in capsys.readouterr().out


def test_errors_are_one_line_and_nonzero(tmp_path: Path) -> None:
    result = run("info", str(tmp_path / "missing"))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "no limner project" in result.stderr
    assert "Traceback" not in result.stderr
    result = run("new", str(tmp_path / "p"), "--images", str(tmp_path / "nope"))
    assert result.returncode == 2 and "no such file or folder" in result.stderr
    (tmp_path / "exists").mkdir()
    assert run("new", str(tmp_path / "exists")).returncode == 0
    again = run("new", str(tmp_path / "exists"))
    assert again.returncode == 2 and "already exists" in again.stderr


def test_no_display_gives_instructions() -> None:
    message = display_problem({})
    if sys.platform.startswith("linux"):
        assert message is not None and "xvfb-run" in message and "offscreen" in message
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}) is None


def test_gui_command_without_display_prints_what_to_do(tmp_path: Path) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("the DISPLAY check applies to Linux/X11 only")
    assert main(["new", str(tmp_path / "p")]) == 0
    env_free = subprocess.run(
        [sys.executable, "-m", "limner", "open", str(tmp_path / "p")],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert env_free.returncode == 3
    assert "no display" in env_free.stderr
    assert "Traceback" not in env_free.stderr


def test_screenshot_of_a_project(tmp_path: Path, image_dir: Path) -> None:
    assert main(["new", str(tmp_path / "p"), "--images", str(image_dir)]) == 0
    out = tmp_path / "shot.png"
    result = run("--screenshot", str(out), "open", str(tmp_path / "p"), "--image", "img3.png")
    assert result.returncode == 0, result.stderr
    from PIL import Image

    with Image.open(out) as shot:
        assert shot.width >= 800 and shot.height >= 500
