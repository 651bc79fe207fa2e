"""``limner``, ``limner PATH`` and the desktop entry start the window (offscreen)."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from limner.app.cli import main, with_start_command

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = {"new", "open", "demo", "info", "start"}


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for name in ("CONFIG", "DATA", "CACHE"):
        folder = tmp_path / name.lower()
        folder.mkdir(exist_ok=True)
        env[f"XDG_{name}_HOME"] = str(folder)
    return env


def _limner(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "limner", *args],
        capture_output=True, text=True, timeout=180, env=_env(tmp_path),
    )  # fmt: skip


def _picture(path: Path) -> tuple[int, int]:
    with Image.open(path) as shot:
        return shot.size


def test_the_start_command_is_implied_where_no_command_is_named() -> None:
    assert with_start_command([], COMMANDS) == ["start"]
    assert with_start_command(["/x"], COMMANDS) == ["start", "/x"]
    assert with_start_command(["--screenshot", "s.png", "/x"], COMMANDS) == [
        "--screenshot", "s.png", "start", "/x",
    ]  # fmt: skip
    assert with_start_command(["-v", "info", "/x"], COMMANDS) == ["-v", "info", "/x"]
    assert with_start_command(["--version"], COMMANDS) == ["--version"]
    assert with_start_command(["--language", "de", "--theme", "dark", "/x"], COMMANDS) == [
        "--language", "de", "--theme", "dark", "start", "/x",
    ]  # fmt: skip


def test_language_and_theme_options_are_for_one_run(tmp_path: Path) -> None:
    """``--language`` and ``--theme`` show the window so without touching Preferences."""
    out = tmp_path / "start.png"
    ran = _limner(tmp_path, "--language", "zh_CN", "--theme", "dark", "--screenshot", str(out))
    assert ran.returncode == 0, ran.stderr
    with Image.open(out) as shot:
        corner = shot.convert("RGB").getpixel((shot.width - 5, shot.height - 5))
    assert max(corner) < 90  # the dark theme's window colour
    assert not (tmp_path / "config" / "limner" / "limner.conf").exists()  # nothing saved


def test_bare_limner_shows_the_start_page(tmp_path: Path) -> None:
    out = tmp_path / "start.png"
    ran = _limner(tmp_path, "--screenshot", str(out))
    assert ran.returncode == 0, ran.stderr
    assert _picture(out)[0] >= 600
    assert "propagateSizeHints" not in ran.stderr
    assert not (tmp_path / "data" / "limner" / "demo").exists()  # no demo made unasked


def test_limner_path_opens_the_project_and_keeps_the_saved_layout(
    tmp_path: Path, image_dir: Path
) -> None:
    assert main(["new", str(tmp_path / "p"), "--images", str(image_dir)]) == 0
    conf = tmp_path / "config" / "limner" / "limner.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text("[General]\ngeometry=@ByteArray(mine)\nstate=@ByteArray(mine too)\n")
    before = conf.read_bytes()
    out = tmp_path / "project.png"
    ran = _limner(tmp_path, "--screenshot", str(out), str(tmp_path / "p"))
    assert ran.returncode == 0, ran.stderr
    assert _picture(out)[0] >= 800
    assert conf.read_bytes() == before


def test_limner_path_of_nothing_fails_with_one_line(tmp_path: Path) -> None:
    ran = _limner(tmp_path, "--screenshot", str(tmp_path / "x.png"), str(tmp_path / "nope"))
    assert ran.returncode == 2
    assert "Traceback" not in ran.stderr


def _desktop_exec() -> list[str]:
    for line in (ROOT / "packaging" / "limner.desktop").read_text().splitlines():
        if line.startswith("Exec="):
            return shlex.split(line.removeprefix("Exec="))
    raise AssertionError("the desktop entry has no Exec line")


@pytest.mark.parametrize("with_path", [False, True])
def test_the_desktop_entry_launches_with_and_without_a_path(
    tmp_path: Path, image_dir: Path, with_path: bool
) -> None:
    """``Exec=limner %F``: %F becomes the chosen files, or nothing at all."""
    program, *args = _desktop_exec()
    assert program == "limner" and args == ["%F"]
    if with_path:
        assert main(["new", str(tmp_path / "p"), "--images", str(image_dir)]) == 0
    files = [str(tmp_path / "p")] if with_path else []
    out = tmp_path / "entry.png"
    ran = _limner(tmp_path, "--screenshot", str(out), *files)
    assert ran.returncode == 0, ran.stderr
    assert out.exists()
