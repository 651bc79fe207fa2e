"""The window says why edits are off when its project is read-only, and only then."""

from __future__ import annotations

from limner.models.store.store import ProjectStore, make_engine


def _read_only_store(project: ProjectStore) -> ProjectStore:
    """The same file through a read-only engine, as ``ProjectStore.open`` makes it for a
    folder the user cannot write (which the tests, often run as root, cannot produce)."""
    project.close()
    engine = make_engine(project.db_file, read_only=True)
    reason = f"you cannot write in the folder {project.folder}"
    return ProjectStore(project.db_file, engine, read_only_reason=reason)


def test_banner_names_the_reason(qtbot, project: ProjectStore) -> None:
    from PySide6.QtWidgets import QLabel

    from limner.app.main_window import MainWindow

    store = _read_only_store(project)
    win = MainWindow(store)
    qtbot.addWidget(win)
    banner = win.findChild(QLabel, "readOnlyBanner")
    assert banner is not None
    assert banner.text() == f"Read-only: you cannot write in the folder {project.folder}"
    assert "edits are off" in banner.toolTip()
    win.close()
    store.close()


def test_no_banner_on_a_writable_project(qtbot, project: ProjectStore) -> None:
    from PySide6.QtWidgets import QLabel

    from limner.app.main_window import MainWindow

    win = MainWindow(project)
    qtbot.addWidget(win)
    assert win.findChild(QLabel, "readOnlyBanner") is None
    win.close()
