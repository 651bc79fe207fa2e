"""Which window limner shows: the start page when no project is open, else the project.

:class:`ProjectHome` is the application's answer to New, Open, Open Recent, Clone, the demo
and Close project, from the start page and from a project's File menu alike. It opens one
project at a time: opening another closes the current one first, and closing the last
project brings the start page back instead of quitting. A path given on the command line
(or by the desktop entry) goes through :meth:`ProjectHome.open_path`, which opens a project
folder and offers to make a project of a folder of images.

The main window is made by a factory handed in, so this module never imports it; the
window reaches back through the ``home`` target of its action table.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, replace
from importlib import metadata
from pathlib import Path
from typing import Protocol

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMainWindow,
    QMenu,
    QMessageBox,
    QWidget,
)

from limner.app.action_set import ActionSet, build_menus
from limner.app.connect_dialog import ConnectDialog
from limner.app.errors import byte_count, show_error
from limner.app.preferences import Preferences
from limner.app.recent import RecentProjects
from limner.app.settings import app_settings, default_demo_path
from limner.app.sync_ui import link_remote
from limner.app.theme import apply_preferences as apply_app_preferences
from limner.models.errors import LimnerError
from limner.models.imaging.imageio import SUPPORTED_SUFFIXES
from limner.models.imaging.tile_cache import disk_cache_size, tile_cache_dir, trim_disk_cache
from limner.models.store.store import PROJECT_FILE, ProjectStore, resolve_project_file
from limner.models.workflow.project import create_project
from limner.widgets.dialogs.about import AboutDialog
from limner.widgets.dialogs.new_project import PROJECT_SUBFOLDER, NewProjectDialog
from limner.widgets.dialogs.preferences import PreferencesDialog
from limner.widgets.i18n import translate
from limner.widgets.panels.start_page import StartPage
from limner.widgets.plain import ask_plain, menu_text

log = logging.getLogger(__name__)
PALETTE_EVENTS = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)


class ProjectWindow(Protocol):
    """What the home needs of a project's window."""

    store: ProjectStore
    save_layout: bool

    def show(self) -> None: ...
    def raise_(self) -> None: ...
    def activateWindow(self) -> None: ...
    def close(self) -> bool: ...
    def restore_layout(self) -> None: ...
    def apply_preferences(self, prefs: Preferences) -> None: ...
    def open_first_image(self, name: str | None = None) -> None: ...
    def add_images(self, folder: Path) -> None: ...


def app_version() -> str:
    try:
        return metadata.version("limner")
    except metadata.PackageNotFoundError:
        return "0+unknown"


WindowFactory = Callable[[ProjectStore, "ProjectHome"], ProjectWindow]


class ProjectHome(QObject):
    """Owns the start window and the one project window; see the module docstring."""

    projectOpened = Signal(object)
    projectClosed = Signal()

    def __init__(
        self,
        make_window: WindowFactory,
        *,
        recent: RecentProjects | None = None,
        keep_layout: bool = False,
    ) -> None:
        super().__init__()
        self._make_window = make_window
        self.recent = recent or RecentProjects()
        self.keep_layout = keep_layout
        """True for a screenshot: the user's saved layout and recent list stay untouched."""
        self.window: ProjectWindow | None = None
        self._owns_store = False
        self.start: StartWindow | None = None
        self._dialogs: list[QWidget] = []

    # -- windows -----------------------------------------------------------------------
    def current(self) -> QWidget:
        """The window on screen: the project's, or the start page's."""
        if self.window is not None:
            return self.window  # type: ignore[return-value]
        return self.show_start()

    def show_start(self) -> StartWindow:
        if self.start is None:
            self.start = StartWindow(self)
        self.start.refresh()
        self.start.show()
        self.start.raise_()
        self.start.activateWindow()
        return self.start

    def adopt(self, window: ProjectWindow) -> None:
        """A window made elsewhere (a test) becomes the open project; its maker keeps the
        store, so closing the window leaves it open."""
        self.window, self._owns_store = window, False

    def open_project(self, folder: Path, *, image: str | None = None) -> ProjectWindow | None:
        """Open the project in ``folder`` (closing the open one); None if it cannot be."""
        try:
            store = ProjectStore.open(folder)
        except (LimnerError, OSError) as exc:
            show_error(self._parent(), translate("ProjectHome", "Cannot open the project"), exc)
            return None
        if not self.close_project(show_start=False):
            store.close()
            return None
        window = self._make_window(store, self)
        window.save_layout = not self.keep_layout
        if not self.keep_layout:
            window.restore_layout()
        self.window, self._owns_store = window, True
        if not self.keep_layout:
            self.recent.remember(store)
        window.show()
        if self.start is not None:
            self.start.hide()
        # The keyboard goes to the project window at once: the start page that had it is
        # hidden, and without this the first shortcuts go nowhere until the user clicks.
        window.raise_()
        window.activateWindow()
        window.open_first_image(image)
        self.projectOpened.emit(window)
        return window

    def close_project(self, *, show_start: bool = True) -> bool:
        """Close the open project (its window remembers its layout) and show the start page."""
        window = self.window
        if window is None:
            if show_start:
                self.show_start()
            return True
        if show_start:
            self.show_start()  # first, so closing the project does not quit the application
        window.close()
        return self.window is None

    def window_closed(self, window: ProjectWindow) -> None:
        """Called by the project window as it closes: note its counts, close its store."""
        if window is not self.window:
            return
        self.window = None
        if self._owns_store and not self.keep_layout:
            try:
                self.recent.remember(window.store)
            except (LimnerError, OSError) as exc:
                log.info("cannot note %s in the recent list: %s", window.store.folder, exc)
        if self._owns_store:
            window.store.close()
            self._trim_tiles(window.store.folder)
        if self.start is not None and self.start.isVisible():
            self.start.refresh()  # with the counts just noted
        self.projectClosed.emit()

    def _trim_tiles(self, folder: Path) -> None:
        """The project's disk tile cache shrinks to the limit set in Preferences."""
        limit = Preferences.load().tile_cache_bytes
        freed = trim_disk_cache(tile_cache_dir(folder), limit)
        if freed:
            log.info("freed %s of cached tiles in %s", byte_count(freed), folder)

    def _parent(self) -> QWidget | None:
        return self.window or self.start  # type: ignore[return-value]

    # -- opening paths -------------------------------------------------------------------
    def open_path(self, path: Path, *, image: str | None = None) -> bool:
        """A path from the command line or a file manager: a project, an image or a folder.

        A project folder (or its ``project.limner``) opens. A folder of images, or an image
        file, opens the project kept with it if there is one, else the user is asked whether
        to make one. True when a window other than the start page is showing (or asked).
        """
        path = path.expanduser()
        if not path.exists():
            show_error(
                self.show_start(), translate("ProjectHome", "Cannot open"),
                translate("ProjectHome", "{path} does not exist.").format(path=path),
            )  # fmt: skip
            return False
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
            image, path = path.name, path.parent
        if resolve_project_file(path).exists():
            return self.open_project(resolve_project_file(path).parent, image=image) is not None
        kept = path / PROJECT_SUBFOLDER
        if (kept / PROJECT_FILE).exists():
            return self.open_project(kept, image=image) is not None
        if not path.is_dir():
            show_error(
                self.show_start(), translate("ProjectHome", "Cannot open"),
                translate("ProjectHome", "{path} is not a limner project.").format(path=path),
            )  # fmt: skip
            return False
        start = self.show_start()
        if self.keep_layout or ask_plain(
            start,
            translate("ProjectHome", "Make a project?"),
            translate(
                "ProjectHome",
                "{path} is not a limner project yet.\n\nMake a project of the images in it?",
            ).format(path=path),
            name="askMakeProject",
        ):
            self.ask_new(path)
            return True
        return False

    # -- the File menu's commands ---------------------------------------------------------
    def ask_new(self, images: Path | None = None) -> NewProjectDialog:
        dialog = NewProjectDialog(images, self._parent())
        dialog.accepted.connect(lambda: self._create(dialog))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self._dialogs = [dialog]
        return dialog

    def _create(self, dialog: NewProjectDialog) -> None:
        folder, images = dialog.project_folder(), dialog.images_folder()
        if folder is None:
            return
        try:
            store, _report = create_project(folder, classes=dialog.class_names())
            try:
                if images is not None and folder.name == PROJECT_SUBFOLDER:
                    store.set_meta("name", images.name)  # "limner" would name every project
            finally:
                store.close()
        except (LimnerError, OSError) as exc:
            show_error(self._parent(), translate("ProjectHome", "Cannot make the project"), exc)
            return
        window = self.open_project(folder)
        if window is not None and images is not None:
            window.add_images(images)

    def ask_open(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self._parent(), translate("ProjectHome", "Open a project folder"), str(Path.home())
        )
        if folder:
            self.open_path(Path(folder))

    def open_recent(self, path: str) -> None:
        if not (Path(path) / PROJECT_FILE).exists():
            question = translate(
                "ProjectHome", "{path} holds no project any more. Remove it from the recent list?"
            )
            box = QMessageBox.question(
                self._parent(),
                translate("ProjectHome", "Project missing"),
                question.format(path=path),
            )
            if box == QMessageBox.StandardButton.Yes:
                self.recent.forget(path)
                if self.start is not None:
                    self.start.refresh()
            return
        self.open_project(Path(path))

    def forget_recent(self, path: str) -> None:
        self.recent.forget(path)
        if self.start is not None:
            self.start.refresh()

    def open_demo(self) -> None:
        from limner.models.demo import create_demo_project

        path = default_demo_path()
        if not (path / PROJECT_FILE).exists():
            create_demo_project(path).close()
        self.open_project(path)

    def ask_clone(self) -> None:
        """Connect to a server (the dialog of File > Connect), then pick an empty folder."""
        dialog = ConnectDialog(self._parent())
        dialog.accepted.connect(lambda: self._clone(*dialog.values()))
        dialog.open()
        self._dialogs = [dialog]

    def _clone(self, kind: str, url: str, token: str, project: str) -> None:
        folder = QFileDialog.getExistingDirectory(
            self._parent(),
            translate("ProjectHome", "An empty folder for the cloned project"),
            str(Path.home()),
        )
        if folder:
            self.clone_into(Path(folder), kind, url, token, project)

    def clone_into(self, folder: Path, kind: str, url: str, token: str, project: str) -> None:
        """A new project linked to the server; the window's first sync fills it."""
        try:
            store = ProjectStore.create(folder)
            try:
                link_remote(store, kind, url, token, project)
            finally:
                store.close()
        except (LimnerError, OSError) as exc:
            show_error(self._parent(), translate("ProjectHome", "Cannot clone"), exc)
            return
        self.open_project(folder)

    # -- preferences and about ----------------------------------------------------------
    def ask_preferences(self) -> PreferencesDialog:
        prefs = Preferences.load()
        used = ""
        if self.window is not None:
            size = disk_cache_size(tile_cache_dir(self.window.store.folder))
            used = translate("ProjectHome", "This project's tiles take {size} now.").format(
                size=byte_count(size)
            )
        dialog = PreferencesDialog(asdict(prefs), used, self._parent())
        dialog.accepted.connect(lambda: self.apply_preferences(dialog.values()))
        dialog.open()
        self._dialogs = [dialog]
        return dialog

    def apply_preferences(self, values: dict[str, object]) -> None:
        prefs = Preferences.checked(replace(Preferences.load(), **values))  # type: ignore[arg-type]
        prefs.save()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_app_preferences(app, prefs)
        if self.window is not None:
            self.window.apply_preferences(prefs)

    def show_about(self) -> AboutDialog:
        from limner.app.settings import cache_folder, data_folder

        folders = [(translate("ProjectHome", "Settings"), app_settings().fileName()),
                   (translate("ProjectHome", "Data"), str(data_folder())),
                   (translate("ProjectHome", "Cache"), str(cache_folder()))]  # fmt: skip
        if self.window is not None:
            folders.insert(
                0, (translate("ProjectHome", "This project"), str(self.window.store.folder))
            )
        dialog = AboutDialog(app_version(), "Apache License 2.0", folders, self._parent())
        dialog.open()
        self._dialogs = [dialog]
        return dialog

    def quit(self) -> None:
        """Close the project, the start page and any dialog still open (About stays open
        beside the window otherwise, and would outlive it)."""
        if self.close_project(show_start=False) and self.start is not None:
            self.start.close()
        for dialog in self._dialogs:
            if shiboken6.isValid(dialog):  # a dialog that deletes itself on close may be gone
                dialog.close()
        self._dialogs = []

    def fill_recent_menu(self, menu: QMenu) -> None:
        """File > Open Recent, read afresh each time it opens."""
        menu.clear()
        entries = self.recent.entries()
        for entry in entries:
            action = menu.addAction(f"{menu_text(entry.name)}  —  {menu_text(entry.path)}")
            action.triggered.connect(lambda _c=False, p=entry.path: self.open_recent(p))
        if not entries:
            menu.addAction(translate("ProjectHome", "No recent projects")).setEnabled(False)
        else:
            menu.addSeparator()
            menu.addAction(translate("ProjectHome", "Clear the list"), self._clear_recent)

    def _clear_recent(self) -> None:
        self.recent.clear()
        if self.start is not None:
            self.start.refresh()

    def add_recent_menu(self, menus: dict[str, QMenu], before: str, actions: ActionSet) -> QMenu:
        """An Open Recent submenu in the File menu, just after the action ``before``."""
        recent = QMenu(translate("ProjectHome", "Open &Recent"), menus["file"])
        recent.setObjectName("recentMenu")
        recent.aboutToShow.connect(lambda: self.fill_recent_menu(recent))
        file_actions = menus["file"].actions()
        index = file_actions.index(actions[before])
        after = file_actions[index + 1] if index + 1 < len(file_actions) else None
        menus["file"].insertMenu(after, recent)  # type: ignore[arg-type]
        return recent


class StartWindow(QMainWindow):
    """The window of the start page, with the File and Help menus of the home's actions."""

    def __init__(self, home: ProjectHome) -> None:
        super().__init__()
        from limner.app.actions import START_ACTIONS, START_MENUS

        self.home = home
        self.setObjectName("startWindow")
        self.setWindowTitle("limner")
        self.resize(960, 640)
        self.page = StartPage(self)
        self.setCentralWidget(self.page)
        self.page.newRequested.connect(lambda: home.ask_new())
        self.page.openRequested.connect(home.ask_open)
        self.page.cloneRequested.connect(home.ask_clone)
        self.page.demoRequested.connect(home.open_demo)
        self.page.recentActivated.connect(home.open_recent)
        self.page.forgetRequested.connect(home.forget_recent)
        self.action_set = ActionSet(self, START_ACTIONS, {"home": home, "window": self})
        self.menus = build_menus(self, self.action_set, START_MENUS)
        home.add_recent_menu(self.menus, "open_project", self.action_set)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in PALETTE_EVENTS and hasattr(self, "action_set"):
            self.action_set.refresh_icons()
        super().changeEvent(event)

    def refresh(self) -> None:
        self.page.set_recent(self.home.recent.entries())
        if self.page.recent.count():
            self.page.recent.setFocus()
        else:
            self.page.buttons["new"].setFocus()


__all__ = ["ProjectHome", "ProjectWindow", "StartWindow"]
