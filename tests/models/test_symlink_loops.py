"""Symbolic links that loop or point nowhere: listed with their reason, never a crash."""

from __future__ import annotations

import os
from pathlib import Path

from limner.models.imaging.imageio import probe_image, scan_images
from limner.models.workflow.project import create_project
from tests.conftest import write_image


def _loop(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    os.symlink(folder / "b.png", folder / "a.png")
    os.symlink(folder / "a.png", folder / "b.png")
    return folder / "a.png"


def test_a_loop_inside_a_folder_is_listed_and_probing_says_why(tmp_path: Path) -> None:
    loop = _loop(tmp_path / "imgs")
    write_image(tmp_path / "imgs" / "ok.png")
    found = scan_images([tmp_path / "imgs"])
    assert loop in found and tmp_path / "imgs" / "ok.png" in found
    assert "symbolic links" in (probe_image(loop).error or "")


def test_a_loop_given_as_a_file_is_imported_as_unreadable_with_its_reason(
    tmp_path: Path,
) -> None:
    loop = _loop(tmp_path / "imgs")
    store, report = create_project(tmp_path / "proj", images=[loop], classes=["cat"])
    try:
        reasons = " ".join(str(item) for item in report.unreadable)
        assert "symbolic links" in reasons
    finally:
        store.close()
