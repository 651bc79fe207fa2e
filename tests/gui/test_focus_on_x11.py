"""On a bare X server (no window manager), the keyboard follows the window the user sees.

The offscreen platform hands the focus back by itself, so this runs limner for real: an
X server of its own (Xvfb), the xcb platform, and keys typed by xdotool. Opening a project
and closing a dialog must each leave the keyboard with the project window: Ctrl+, opens
Preferences, Escape closes it, and Ctrl+Q then quits. Without that, Ctrl+Q goes nowhere and
limner keeps running.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import write_image

NEEDED = ("Xvfb", "xdotool")
pytestmark = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in NEEDED),
    reason="needs Xvfb and xdotool (Debian packages xvfb and xdotool)",
)
HANG_GUARD_S = 120  # only so that a broken run ends; nothing here is timed


@pytest.fixture
def display() -> Iterator[str]:
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1400x900x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as answer:
        number = answer.readline().strip()
    try:
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(HANG_GUARD_S)


def xdotool(display: str, *args: str, check: bool = True) -> str:
    done = subprocess.run(
        ["xdotool", *args],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_S,
        check=check,
    )
    return done.stdout


def wait_for_focus(display: str, window: str) -> None:
    """Until the X server gives the keyboard to ``window``; the hang guard ends a run that
    never gets there, and the keys sent then show what the user would have met."""
    deadline = time.monotonic() + HANG_GUARD_S / 4
    while time.monotonic() < deadline:
        # (it fails while the keyboard belongs to no window, which is an answer too)
        if xdotool(display, "getwindowfocus", check=False).strip() == window:
            return
        time.sleep(0.05)


def find_window(display: str, child: subprocess.Popen[bytes], name: str) -> str:
    """The id of the shown window called ``name``, asked for until it appears; if limner
    ends before then, what it printed says why (a missing system library of Qt's is the
    machine's gap, named in the skip; anything else is a failure)."""
    deadline = time.monotonic() + HANG_GUARD_S
    while time.monotonic() < deadline:
        if child.poll() is not None:
            output = child.stdout.read().decode(errors="replace") if child.stdout else ""
            if "Qt needs system libraries" in output:
                pytest.skip(f"Qt's xcb platform cannot start here: {output.strip()}")
            pytest.fail(f"limner ended ({child.returncode}) before showing {name!r}:\n{output}")
        found = xdotool(display, "search", "--onlyvisible", "--name", name, check=False)
        if found.split():
            return found.split()[0]
        time.sleep(0.1)
    pytest.fail(f"no window {name!r} was shown")


def test_shortcuts_reach_the_window_after_opening_and_after_a_dialog(
    display: str, tmp_path: Path
) -> None:
    images = tmp_path / "pics"
    for i in range(2):
        write_image(images / f"p{i}.png", 64, 48, seed=i)
    from limner.models.workflow.project import create_project

    store, _report = create_project(tmp_path / "proj", images=[images], classes=["cat"])
    store.close()
    home = tmp_path / "home"
    env = {
        **os.environ,
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "limner", "--language", "en", str(tmp_path / "proj")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        window = find_window(display, child, "proj — limner")
        wait_for_focus(display, window)
        xdotool(display, "key", "ctrl+comma")
        find_window(display, child, "^Preferences$")
        xdotool(display, "key", "Escape")
        wait_for_focus(display, window)
        xdotool(display, "key", "ctrl+q")
        output, _ = child.communicate(timeout=HANG_GUARD_S)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, output.decode(errors="replace")
