"""A file whose name is not valid UTF-8 is skipped with its reason; the rest imports."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from limner.models.store import queries
from limner.models.store.store import ProjectStore
from limner.models.workflow.project import create_project, import_images
from tests.conftest import write_image


def _bytes_name(folder: Path, raw: bytes) -> Path:
    """A path whose last part is the raw bytes ``raw`` (as a file system may hold)."""
    path = Path(os.fsdecode(os.path.join(os.fsencode(folder), raw)))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_image(path, seed=len(raw))
    except (OSError, UnicodeError) as exc:
        pytest.skip(f"this file system refuses names that are not UTF-8 ({exc})")
    return path


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "mixed"
    write_image(folder / "a.png", seed=1)
    _bytes_name(folder, b"caf\xe9.png")
    write_image(folder / "b.png", seed=2)
    return folder


def test_the_bad_name_is_skipped_and_the_others_import(
    project: ProjectStore, mixed_folder: Path
) -> None:
    report = import_images(project, [mixed_folder])
    assert report.added == 2
    assert [name for name, _ in report.skipped] == ["caf\\xe9.png"]
    assert "not valid UTF-8" in report.skipped[0][1]
    assert "1 skipped" in report.summary()
    with project.read() as conn:
        names = {r.name for r in queries.image_page(conn, 0, 100)}
    assert {"a.png", "b.png"} <= names


def test_a_folder_with_a_bad_name_is_reported_by_its_path(
    project: ProjectStore, tmp_path: Path
) -> None:
    inner = _bytes_name(tmp_path / "outer", b"d\xf6ner/x.png")
    write_image(tmp_path / "outer" / "ok.png", seed=9)
    report = import_images(project, [tmp_path / "outer"])
    assert report.added == 1
    assert report.skipped and report.skipped[0][0] == "x.png"
    assert "d\\xf6ner" in report.skipped[0][1]
    assert inner.exists()


def test_new_project_from_such_a_folder_is_made(tmp_path: Path, mixed_folder: Path) -> None:
    store, report = create_project(tmp_path / "p", images=[mixed_folder])
    store.close()
    assert report.added == 2 and len(report.skipped) == 1
