"""Creating a project is all or nothing: a failure leaves no project behind, nor any part."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest

from limner.models.errors import LimnerError
from limner.models.workflow import project as project_module
from limner.models.workflow.project import create_project
from tests.conftest import write_image


def test_a_class_given_twice_is_refused_before_anything_is_made(tmp_path: Path) -> None:
    target = tmp_path / "X"
    with pytest.raises(LimnerError, match="'car' is given twice"):
        create_project(target, classes=["car", " car"])
    assert not target.exists()
    store, _report = create_project(target, classes=["car", "bus"])
    store.close()
    assert sorted(p.name for p in target.iterdir()) == ["project.limner"]


def test_a_failure_in_an_existing_folder_leaves_only_what_was_there(image_dir: Path) -> None:
    before = sorted(p.name for p in image_dir.iterdir())
    with pytest.raises(LimnerError):
        create_project(image_dir, images=[image_dir], classes=["a", "a"])
    assert sorted(p.name for p in image_dir.iterdir()) == before


@pytest.mark.parametrize(
    "failure", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()]
)
def test_a_failed_import_removes_the_project(
    tmp_path: Path, image_dir: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    def failing_import(*_args: object, **_kwargs: object) -> None:
        raise failure

    monkeypatch.setattr(project_module, "import_images", failing_import)
    target = tmp_path / "new"
    with pytest.raises(type(failure)):
        create_project(target, images=[image_dir], classes=["a"])
    assert not target.exists()


def test_images_inside_the_new_folder_stay_relative(tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    write_image(folder / "one.png", seed=1)
    write_image(folder / "sub" / "two.png", seed=2)
    store, report = create_project(folder, images=[folder], classes=["a"])
    store.close()
    assert report.added == 2
    con = sqlite3.connect(folder / "project.limner")
    try:
        paths = [row[0] for row in con.execute("SELECT path FROM image ORDER BY path")]
        names = [row[0] for row in con.execute("SELECT name FROM label_class")]
    finally:
        con.close()
    assert paths == ["one.png", "sub/two.png"]
    assert names == ["a"]
    assert sorted(p.name for p in folder.iterdir()) == ["one.png", "project.limner", "sub"]


def test_an_existing_project_is_never_replaced(tmp_path: Path) -> None:
    store, _report = create_project(tmp_path / "p", classes=["keep"])
    store.close()
    before = (tmp_path / "p" / "project.limner").read_bytes()
    with pytest.raises(LimnerError, match="already exists"):
        create_project(tmp_path / "p", classes=["other"])
    assert (tmp_path / "p" / "project.limner").read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == ["project.limner"]
