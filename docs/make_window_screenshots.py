"""Renders the README's pictures of the whole window with ``limner --screenshot``.

Run ``.venv/bin/python docs/make_window_screenshots.py``. Each picture is a fresh ``limner``
process on a user folder of its own (made in a temporary folder, so the demo project, the
recent list and the preferences are a new user's): the start page with three recent
projects, the demo project in the light and the dark theme, and both again in Chinese.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEMO = HERE.parent / "resources" / "demo"
LIMNER = [sys.executable, "-m", "limner"]

REMEMBER = """
import sys
from PySide6.QtWidgets import QApplication
from limner.app.recent import RecentProjects
from limner.models.store.store import ProjectStore
app = QApplication([])
for folder in sys.argv[1:]:
    with ProjectStore.open(folder) as store:
        RecentProjects().remember(store)
"""


def run(env: dict[str, str], *args: str) -> None:
    subprocess.run([*LIMNER, *args], env=env, check=True, timeout=300)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="limner-shots-") as tmp:
        root = Path(tmp)
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LIMNER_USER": "ana"}
        for name in ("config", "data", "cache"):
            env[f"XDG_{name.upper()}_HOME"] = str(root / name)
        for key in ("LANG", "LANGUAGE", "LC_ALL"):
            env.pop(key, None)  # the pictures speak what their options say, not the shell
        run(env, "new", str(root / "cells"), "--images", str(DEMO / "cells_01.jpg"),
            "--images", str(DEMO / "cells_02.jpg"), "--classes", "cell")  # fmt: skip
        run(env, "new", str(root / "streets"), "--images", str(DEMO / "street.jpg"),
            "--images", str(DEMO / "parking_lot.jpg"), "--classes", "car,person")  # fmt: skip
        demo = root / "data" / "limner" / "demo"
        for theme in ("light", "dark"):
            run(env, "--theme", theme, "--screenshot", str(HERE / f"main-window-{theme}.png"),
                "demo")  # fmt: skip
        run(env, "--language", "zh_CN", "--theme", "light", "--screenshot",
            str(HERE / "main-window-zh.png"), "demo")  # fmt: skip
        code = [sys.executable, "-c", REMEMBER, str(root / "streets"), str(root / "cells"),
                str(demo)]  # fmt: skip
        subprocess.run(code, env=env, check=True, timeout=120)
        run(env, "--language", "en", "--theme", "light", "--screenshot",
            str(HERE / "start-page.png"))  # fmt: skip
        run(env, "--language", "zh_CN", "--theme", "dark", "--screenshot",
            str(HERE / "start-page-zh.png"))  # fmt: skip
    for name in ("start-page", "start-page-zh", "main-window-light", "main-window-dark",
                 "main-window-zh"):  # fmt: skip
        print("wrote", HERE / f"{name}.png")


if __name__ == "__main__":
    main()
