"""Checks made before Qt starts, so a missing display or library gets a clear message.

Qt aborts with a long plugin error when it cannot open a window; limner says instead what
is missing and how to install it.
"""

from __future__ import annotations

import ctypes
import os
import sys

# Shared libraries Qt's xcb platform plugin loads, with the Debian/Ubuntu package of each.
XCB_LIBRARIES: tuple[tuple[str, str], ...] = (
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-image.so.0", "libxcb-image0"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxcb-randr.so.0", "libxcb-randr0"),
    ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ("libxcb-shape.so.0", "libxcb-shape0"),
    ("libxcb-xinerama.so.0", "libxcb-xinerama0"),
    ("libxcb-xkb.so.1", "libxcb-xkb1"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
    ("libxkbcommon.so.0", "libxkbcommon0"),
    ("libxcb-render.so.0", "libxcb-render0"),
    ("libxcb-shm.so.0", "libxcb-shm0"),
    ("libxcb-sync.so.1", "libxcb-sync1"),
    ("libxcb-util.so.1", "libxcb-util1"),
    ("libxcb-xfixes.so.0", "libxcb-xfixes0"),
    ("libX11-xcb.so.1", "libx11-xcb1"),
    ("libxcb.so.1", "libxcb1"),
    ("libEGL.so.1", "libegl1"),
    ("libGL.so.1", "libgl1"),
    ("libfontconfig.so.1", "libfontconfig1"),
    ("libfreetype.so.6", "libfreetype6"),
    ("libdbus-1.so.3", "libdbus-1-3"),
)


def missing_xcb_packages() -> list[str]:
    """Debian packages whose libraries cannot be loaded (empty when all are there)."""
    missing: list[str] = []
    for soname, package in XCB_LIBRARIES:
        try:
            ctypes.CDLL(soname)
        except OSError:
            missing.append(package)
    return missing


def display_problem(environ: dict[str, str] | None = None) -> str | None:
    """A message telling the user what to do when no window can open, else None."""
    env = dict(os.environ if environ is None else environ)
    if not sys.platform.startswith("linux"):
        return None
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return None  # offscreen, wayland, vnc...: the user chose it
    if not platform and env.get("WAYLAND_DISPLAY"):
        return None
    if not env.get("DISPLAY"):
        return (
            "limner cannot open a window: no display found (DISPLAY is not set).\n"
            "  - On a desktop, run limner from a terminal inside your session.\n"
            "  - On a server, start a virtual screen: xvfb-run -a limner demo\n"
            "  - To render without any screen: QT_QPA_PLATFORM=offscreen limner "
            "--screenshot out.png demo"
        )
    missing = missing_xcb_packages()
    if missing:
        return (
            "limner cannot open a window: Qt needs system libraries that are not installed.\n"
            f"Install them with:\n  sudo apt-get install -y {' '.join(missing)}"
        )
    return None
