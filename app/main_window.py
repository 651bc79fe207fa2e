"""The main window: builds the widgets and the controllers and wires them together.

The window decides little itself. Its actions are the rows of one table (``actions.py``),
built by ``action_set.py``; images come in through the import controller, the server is
the sync controller's, Annotate/Review belongs to the review controller and zoom and
window/level to the view controller. Each controller is handed what it works on; the window
connects the editing session's changes to the widgets and to the controllers.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QInputDialog,
    QMainWindow,
    QWidget,
)

from limner.app.action_set import ActionSet, build_menus, build_toolbars, shortcut_rows
from limner.app.actions import ACTIONS, GESTURES, MENUS, TOOLBARS
from limner.app.assist_ui import AssistController
from limner.app.editor import open_session
from limner.app.errors import show_failure
from limner.app.focus_return import FocusReturn
from limner.app.home import ProjectHome
from limner.app.huge_images import ask_allow_huge
from limner.app.import_ui import ImportController
from limner.app.keyboard_nav import KeyboardNavigation
from limner.app.labels_ui import LabelsController
from limner.app.preferences import Preferences
from limner.app.status_line import StatusLine
from limner.app.suggest_ui import SuggestionsController
from limner.app.sync_controller import SyncController
from limner.app.sync_ui import SyncUiController
from limner.app.view_controller import ViewController
from limner.app.window_layout import WindowLayout
from limner.app.workflow import ReviewController
from limner.models.domain.attributes import parse_schema
from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.models.editing.class_fit import fitting, is_tag_class
from limner.models.editing.commands import AddClass
from limner.models.editing.events import (
    SHAPE_EVENTS,
    ActiveClassChanged,
    ClassesChanged,
    Failed,
    ImageChanged,
    ImagesChanged,
    SelectionChanged,
    TagsChanged,
    ToolChanged,
)
from limner.models.editing.tools.convert import ELLIPSE_VERTICES
from limner.models.imaging.imageio import is_too_large
from limner.models.store import queries
from limner.models.store.store import ProjectStore
from limner.models.workflow.project import allow_huge_images
from limner.widgets.canvas.group_outline import GroupOutline
from limner.widgets.canvas.suggestion_overlay import SuggestionOverlay
from limner.widgets.canvas.view import CanvasView
from limner.widgets.dialogs.class_dialog import ClassDialog
from limner.widgets.dialogs.shortcuts import ShortcutsDialog
from limner.widgets.i18n import said, translate
from limner.widgets.panels.annotation_list import AnnotationList
from limner.widgets.panels.attribute_editor import AttributeEditor
from limner.widgets.panels.class_panel import ClassPanel
from limner.widgets.panels.image_list import ImageListPanel
from limner.widgets.panels.suggestion_panel import SuggestionPanel
from limner.widgets.panels.sync_widgets import ConflictsPanel
from limner.widgets.panels.tag_panel import TagPanel

APP_TITLE = "limner"
C = "MainWindow"
_LEFT, _RIGHT = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
DOCKS = {
    "imagesDock": (QT_TRANSLATE_NOOP("MainWindow", "Images"), _LEFT),
    "classesDock": (QT_TRANSLATE_NOOP("MainWindow", "Classes"), _RIGHT),
    "annotationsDock": (QT_TRANSLATE_NOOP("MainWindow", "Annotations"), _RIGHT),
    "attrDock": (QT_TRANSLATE_NOOP("MainWindow", "Attributes"), _RIGHT),
    "tagsDock": (QT_TRANSLATE_NOOP("MainWindow", "Tags"), _RIGHT),
    "conflictDock": (QT_TRANSLATE_NOOP("MainWindow", "Conflicts"), _RIGHT),
    "suggestionsDock": (QT_TRANSLATE_NOOP("MainWindow", "Suggestions"), _RIGHT),
    "historyDock": (QT_TRANSLATE_NOOP("MainWindow", "History"), _LEFT),
}
"""Each panel by object name (what the saved layout refers to): its title and its side."""
PALETTE_EVENTS = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)


class MainWindow(QMainWindow):
    def __init__(
        self, store: ProjectStore, parent: QWidget | None = None, *, home: ProjectHome | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.save_layout = True
        """False for a screenshot: closing must not replace the user's saved layout."""
        if home is None:  # a window made on its own (a test): it gets a home of its own
            home = ProjectHome(lambda s, h: MainWindow(s, home=h))
            home.adopt(self)
        self.home = home
        self.editor, self.session_events = open_session(store, self)
        self.setWindowTitle(f"{store.name} — {APP_TITLE}")
        self.setAcceptDrops(True)
        self.resize(1400, 860)
        self.layout_ctl = WindowLayout(self)

        self.canvas = CanvasView(self)
        self.setCentralWidget(self.canvas)
        self._build_panels(store)
        self._build_status_bar()
        self._build_controllers()
        self._dock(self.workflow.history_panel, "historyDock")
        self._build_actions()
        self._wire_controllers()
        self._connect()
        self.sync_ui.start(SyncController.for_project(store, self))
        self._classes_changed()
        self._sync_styles()
        self.canvas.tool = self.editor.tool
        self.canvas.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.canvas.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.conflicts.attentionChanged.connect(self.layout_ctl.follow_attention)
        self.layout_ctl.remember_default()
        self.apply_preferences(Preferences.load())
        self._keyboard_order()
        self.sync_ui.remoteChanged.connect(lambda: self.apply_preferences(self.preferences))

    # -- construction ------------------------------------------------------------------
    def _build_panels(self, store: ProjectStore) -> None:
        """The docked panels, in the order they stack in their columns."""
        self.images = ImageListPanel(store, self)
        self.classes = ClassPanel(self)
        self.annotation_list = AnnotationList(self)
        self.attribute_editor = AttributeEditor(self)
        self._dock(self.images, "imagesDock")
        self._dock(self.classes, "classesDock")
        self._dock(self.annotation_list, "annotationsDock")
        self._dock(self.attribute_editor, "attrDock")
        self.tag_panel = TagPanel(self)
        self._dock(self.tag_panel, "tagsDock")
        self.conflicts = ConflictsPanel(self)
        self._dock(self.conflicts, "conflictDock")

    def _dock(self, widget: QWidget, name: str) -> None:
        """Dock ``widget`` as the panel ``name`` of :data:`DOCKS` (its title and side)."""
        title, area = DOCKS[name]
        dock = QDockWidget(translate(C, title), self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable  # View > Panels brings it back
        )
        self.addDockWidget(area, dock)
        self.layout_ctl.add_dock(dock, on_attention=name == "conflictDock")

    def _build_status_bar(self) -> None:
        line = self.status_line = StatusLine(self.statusBar(), self.store, self)
        self.position_label, self.cursor_label = line.position, line.cursor
        self.zoom_label, self.sync_indicator = line.zoom, line.sync_indicator
        if line.read_only_banner is not None:
            self.read_only_banner = line.read_only_banner

    def _build_controllers(self) -> None:
        bar = self.statusBar()
        ed = self.editor
        self.sync_ui = SyncUiController(
            self.store,
            self.sync_indicator,
            self.conflicts,
            bar,
            self,
            project_is_empty=lambda: self.images.model.rowCount() == 0,
            after_run=lambda: ed.open_first() if ed.image is None else None,
        )
        self.labels = LabelsController(
            self.store, ed.history, self, bar, lambda: ed.open_first() if ed.image is None else None
        )
        self.importer = ImportController(
            self.store,
            self,
            bar,
            lambda: ed.open_first() if ed.image is None else None,
            after_folders=self.labels.offer,
        )
        self.view = ViewController(self.canvas, lambda: ed.source, bar, self)
        self.assist = AssistController(ed, self.store.folder, self.sync_ui.tool_allowed)
        self.suggestion_panel = SuggestionPanel(self)
        self._dock(self.suggestion_panel, "suggestionsDock")
        self.suggestions = SuggestionsController(
            ed, self.store, self.suggestion_panel, SuggestionOverlay(self.canvas.scene()), bar, self
        )
        self.session_events.event.connect(self.suggestions.session_event)
        self.workflow = ReviewController(
            ed, self.canvas, self.images, bar, self, lambda: self.sync is not None
        )

    def _build_actions(self) -> None:
        """The table's actions, menus and toolbars; handlers resolve against these targets."""
        targets = {
            "window": self,
            "editor": self.editor,
            "canvas": self.canvas,
            "view": self.view,
            "importer": self.importer,
            "labels": self.labels,
            "sync_ui": self.sync_ui,
            "review": self.workflow,
            "home": self.home,
            "layout": self.layout_ctl,
            "assist": self.assist,
            "suggest": self.suggestions,
        }
        self.action_set = ActionSet(self, ACTIONS, targets)
        self.assist.parent, self.assist.after_change = self, self.action_set.refresh
        self.assist.preview_changed = lambda: self.canvas.show_preview(self.editor.tool.preview)
        self.suggestions.after_change = self.action_set.refresh
        self.menus = build_menus(self, self.action_set, MENUS)
        self.home.add_recent_menu(self.menus, "open_project", self.action_set)
        self.toolbars = build_toolbars(self, self.action_set, TOOLBARS)
        self.layout_ctl.add_panels_menu(self.menus["view"])
        self.tool_actions = self.action_set.in_group("tool")

    def _wire_controllers(self) -> None:
        """The session's changes reach the review controller; its mode reaches the actions."""
        self.session_events.event.connect(self._review_follows)
        self.workflow.modeChanged.connect(lambda _mode: self.action_set.refresh())
        self.sync_ui.remoteChanged.connect(self.action_set.refresh)

    @property
    def sync(self) -> SyncController | None:
        """The background sync of the project's server (None for a local project)."""
        return self.sync_ui.controller

    def _review_follows(self, event: object) -> None:
        """History, banner and overlays follow the open image and whatever changes on it
        (a change to its shapes, status or remarks always names the image as well)."""
        if isinstance(event, ImageChanged):
            self.workflow.refresh()
        elif isinstance(event, ImagesChanged):
            image, changes = self.editor.image, event.changes
            if image is not None and image.id in changes.images:
                self.workflow.refresh()
            elif image is not None and image.id in changes.annotations:
                # its status history and feedback are image rows: only the overlays that
                # follow its shapes (pins on a shape, changes since the review) move
                self.workflow.refresh_overlays()

    def tool_is(self, name: str) -> bool:
        """The tool of that name is the current one (the checked tool action)."""
        return self.editor.tools.get(name) is self.editor.tool

    def _connect(self) -> None:
        ed = self.editor
        self.canvas.annotation_scene.follow(ed)
        self.annotation_list.follow(ed)
        self.session_events.event.connect(self._session_event)
        ed.history.subscribe(self._update_undo_actions)
        self.images.imageActivated.connect(ed.open_image)
        self.images.model.modelReset.connect(self._show_position)
        self.images.filterChanged.connect(self._list_filter_changed)
        self.classes.activeClassChanged.connect(self._panel_picked_class)
        self.classes.addRequested.connect(lambda name: ed.add_class(name))
        self.classes.renameRequested.connect(lambda cid, name: ed.update_class(cid, name=name))
        self.classes.recolorRequested.connect(lambda cid, col: ed.update_class(cid, color=col))
        self.classes.deleteRequested.connect(ed.delete_class)
        self.classes.editRequested.connect(self.edit_class)
        self.classes.flagRequested.connect(
            lambda cid, flag, value: ed.update_class(cid, **{flag: value})
        )
        self.attribute_editor.attributesEdited.connect(ed.set_attributes)
        self.group_outline = GroupOutline(self.canvas, ed)
        self.tag_panel.toggled.connect(ed.toggle_tag)
        self.tag_panel.answered.connect(ed.set_tag)
        self.tag_panel.editRequested.connect(self.edit_class)
        self.tag_panel.addRequested.connect(self.ask_new_tag_class)
        self.conflicts.showRequested.connect(self._show_conflict)
        self.annotation_list.selectionEdited.connect(ed.set_selection)
        self.canvas.cursorMoved.connect(self._cursor_moved)
        self.canvas.cursorLeft.connect(lambda: self.cursor_label.setText(""))
        self.canvas.zoomChanged.connect(self.status_line.show_zoom)
        self.canvas.hintChanged.connect(self._show_hint)

    # -- editor -> widgets ---------------------------------------------------------------
    def _session_event(self, event: object) -> None:
        """One event of the editing session (in the GUI thread): each view takes its part.

        The canvas's scene owner and the annotation list patch themselves from it; the
        window shows the rest (source, title, attributes, panels, tool, errors).
        """
        if isinstance(event, ImageChanged):
            self._show_source()
        self.canvas.annotation_scene.handle(event)
        self.annotation_list.handle(event)
        self.group_outline.handle(event)
        if isinstance(event, ImageChanged | TagsChanged):
            self._show_tags()
        if isinstance(event, ImageChanged):
            self._image_changed()
            self._show_attributes()
        elif isinstance(event, SelectionChanged):
            self._show_attributes()
        elif isinstance(event, SHAPE_EVENTS):
            if self.editor.selection() & set(event.ids):
                self._show_attributes()
        elif isinstance(event, ClassesChanged):
            self._classes_changed()
        elif isinstance(event, ActiveClassChanged):
            self._active_class_changed(event.class_id)
        elif isinstance(event, ToolChanged):
            self._tool_changed(event.name)
        elif isinstance(event, ImagesChanged):
            self._images_changed(event)
        elif isinstance(event, Failed):
            show_failure(self, said(event.title), said(event.message), event.error)

    def _images_changed(self, event: ImagesChanged) -> None:
        """The image list reads only image rows (and queue memberships), and every write
        to one names its image in ``changes.images``: a change set that names shapes alone
        (a move, a class change) has nothing for the list, whose re-read would cost a page
        query and a repaint of every row after each edit."""
        if event.changes.images or event.changes.images_added:
            self.images.refresh()

    def _show_source(self) -> None:
        self.canvas.set_source(self.editor.source)
        image = self.editor.image
        if image is not None and self.editor.image_error:
            self._cannot_show(image.name, self.editor.image_error)
        if image is not None and is_too_large(self.editor.image_error):
            self._ask_allow_huge(image.name, self.editor.image_error or "")

    def _ask_allow_huge(self, name: str, reason: str) -> None:
        """Very large images open only after the user agrees, once per project."""
        self._huge_box = ask_allow_huge(self, name, reason, self.allow_huge_images)

    def allow_huge_images(self) -> None:
        fixed = allow_huge_images(self.store)
        self.editor.prefetcher.allow_huge = True
        done = translate("MainWindow", "Very large images allowed; {count} can now be opened")
        self.statusBar().showMessage(done.format(count=fixed), 6000)
        if self.editor.image is not None:
            self.editor.open_image(self.editor.image.id)
        if self.editor.image is not None and self.editor.image_error:
            self._cannot_show(self.editor.image.name, self.editor.image_error)

    def _cannot_show(self, name: str, why: str) -> None:
        self.statusBar().showMessage(
            translate("MainWindow", "{name} cannot be shown: {reason}").format(
                name=name, reason=said(why)
            )
        )

    def _image_changed(self) -> None:
        image = self.editor.image
        if image is None:
            self.status_line.show_no_image()
            self.setWindowTitle(f"{self.store.name} — {APP_TITLE}")
            return
        self.images.show_current(image.id)
        self._show_position()
        self.setWindowTitle(f"{image.name} — {self.store.name} — {APP_TITLE}")

    def _show_position(self) -> None:
        """The position ("name  3 / 40") in the status bar, counted in the list as it is
        now (images still arriving from an import, a filter just changed)."""
        image = self.editor.image
        if image is None:
            return
        model = self.images.model
        self.status_line.show_position(image.name, model.row_of(image.id), model.rowCount())

    def _show_attributes(self) -> None:
        chosen = self.editor.selected_annotations()
        if len(chosen) != 1:
            self.attribute_editor.show_message(
                translate("AttributeEditor", "Select one annotation to edit its attributes.")
                if not chosen
                else translate("MainWindow", "{count} annotations selected.").format(
                    count=len(chosen)
                )
            )
            return
        ann = chosen[0]
        cls = self.editor.class_by_id(ann.class_id)
        specs = parse_schema(cls.attribute_schema) if cls else ()
        self.attribute_editor.set_target(specs, ann.attributes)

    def edit_class(self, class_id: int) -> None:
        cls = self.editor.class_by_id(class_id)
        dialog = ClassDialog(cls, self)
        dialog.accepted.connect(lambda: self.editor.update_class(class_id, **dialog.fields()))
        dialog.open()
        self._class_dialog = dialog

    def ask_new_tag_class(self) -> None:
        """The tag panel's "+": the class dialog, set to ask a question of the image."""
        dialog = ClassDialog(None, self, kind="tag")
        dialog.name.setText("")
        dialog.accepted.connect(
            lambda: self.editor.commit(
                AddClass(dialog.fields(), text=QT_TRANSLATE_NOOP("Commands", "Add tag class"))
            )
        )
        dialog.open()
        self._class_dialog = dialog

    def _show_tags(self) -> None:
        self.tag_panel.setEnabled(self.editor.image is not None)
        self.tag_panel.show_tags(self.editor.tags)

    def _classes_changed(self) -> None:
        """Shape classes go to the class panel (digits pick them), tag classes to the tag
        panel, which asks their questions of every image."""
        self.classes.set_classes([c for c in self.editor.classes if not is_tag_class(c)])
        self.tag_panel.set_classes(self.editor.classes)
        self._show_offered_classes()

    def _show_offered_classes(self) -> None:
        """The class panel greys out what the current tool cannot draw."""
        offered = fitting(self.editor.classes, self.editor.tool.name)
        self.classes.set_offered(frozenset(c.id for c in offered))
        self.classes.set_active(self.editor.active_class_id())
        self._show_attributes()  # the selected shape's class may have a new schema

    def _sync_styles(self) -> None:
        """The canvas and the list name and colour shapes after the session's classes."""
        self.canvas.annotation_scene.set_classes(self.editor.classes)
        self.annotation_list.set_classes(self.editor.classes)

    def _active_class_changed(self, class_id: int | None) -> None:
        self.classes.set_active(class_id)
        self.canvas.set_active_class_hint(class_id)
        self.canvas.show_preview(self.editor.tool.preview)

    def _panel_picked_class(self, class_id: int | None) -> None:
        if class_id is not None and class_id != self.editor.active_class_id():
            self.editor.pick_class(class_id)

    def _tool_changed(self, name: str) -> None:
        self.canvas.tool = self.editor.tool
        self._show_offered_classes()
        self.canvas.show_preview(self.editor.tool.preview)
        for tool_name, action in self.tool_actions.items():
            action.setChecked(tool_name == name)
        if not self.editor.tool.preview.hint:
            action = self.tool_actions.get(name)
            shown = action.text() if action is not None else name
            self.statusBar().showMessage(
                translate("MainWindow", "Tool: {name}").format(name=shown), 2000
            )

    def _show_conflict(self, image_id: object, local_key: str) -> None:
        """A conflict picked in the panel: its image, with its shape selected."""
        if isinstance(image_id, int):
            if self.editor.image is None or self.editor.image.id != image_id:
                self.editor.open_image(image_id)
            self.editor.set_selection([local_key])

    def _list_filter_changed(self, flt: object) -> None:
        """Next/previous follow the list the user is looking at."""
        self.editor.image_filter = flt  # type: ignore[assignment]

    def _show_hint(self, hint: str) -> None:
        if hint:
            self.statusBar().showMessage(said(hint))
        else:
            self.statusBar().clearMessage()

    def _update_undo_actions(self) -> None:
        """After an edit, undo or redo: the actions read their conditions again."""
        self.action_set.refresh()

    def _cursor_moved(self, x: float, y: float) -> None:
        mode = self.editor.source.mode if self.editor.source is not None else ""
        self.status_line.show_cursor(x, y, self.editor.pixel_value(x, y), mode)

    # -- commands from the keyboard --------------------------------------------------------
    def pick_class_key(self, key: str) -> None:
        cls = self.classes.class_for_hotkey(key)
        if cls is not None:
            self.editor.pick_class(cls.id)

    def step(self, delta: int) -> None:
        if not self.editor.step(delta):
            end = (
                translate("MainWindow", "Last image")
                if delta > 0
                else translate("MainWindow", "First image")
            )
            self.statusBar().showMessage(end, 1500)

    def escape(self) -> None:
        if not self.canvas.cancel_gesture():
            self.editor.set_selection([])

    def ask_simplify(self) -> None:
        value, ok = QInputDialog.getDouble(
            self, translate("MainWindow", "Simplify polygons"),
            translate("MainWindow", "Tolerance in image pixels:"), 1.0, 0.01, 1000.0, 2,
        )  # fmt: skip
        if ok:
            self.editor.simplify_selection(value)

    def ask_ellipse_vertices(self) -> None:
        count, ok = QInputDialog.getInt(
            self, translate("MainWindow", "Ellipses to polygons"),
            translate("MainWindow", "Vertices per polygon:"), ELLIPSE_VERTICES, 3, 4096,
        )  # fmt: skip
        if ok:
            self.editor.convert_selection("ellipses_to_polygons", count)

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(action, keys) for every action with a shortcut, for the F1 cheat sheet."""
        return shortcut_rows(self.actions(), GESTURES)

    def show_shortcuts(self) -> None:
        box = ShortcutsDialog(self.shortcut_rows(), self)
        box.open()
        self._shortcuts_box = box

    # -- lifecycle -------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        self.sync_ui.shutdown()
        self.editor.prefetcher.shutdown()
        self.assist.shutdown()
        self.canvas.tile_layer.shutdown()
        self.images.model.shutdown()
        self.importer.shutdown()
        self.labels.shutdown()
        if self.save_layout:
            self.layout_ctl.save()
        self.session_events.close()
        self.suggestions.close()
        self.editor.close()
        super().closeEvent(event)
        self.home.window_closed(self)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in PALETTE_EVENTS and hasattr(self, "action_set"):
            self.action_set.refresh_icons()  # light icons on a dark theme and back
        super().changeEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self.importer.drag_enter(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self.importer.drop(event)

    def open_first_image(self, name: str | None = None) -> None:
        """The image called ``name`` if there is one, else the first of the list."""
        target = None
        if name:
            with self.store.read() as conn:
                target = queries.image_by_name(conn, name)
            if target is None:
                self.statusBar().showMessage(
                    translate("MainWindow", "No image named {name} in this project").format(
                        name=name
                    ),
                    6000,
                )
        if target is not None:
            self.editor.open_image(target.id)
        else:
            self.editor.open_first()

    def add_images(self, folder: Path) -> None:
        """Read a folder of images into the project in the background (New project)."""
        self.importer.add_paths([folder])

    def _keyboard_order(self) -> None:
        self.keyboard = KeyboardNavigation.for_window(self)
        self.focus_return = FocusReturn(self, self.canvas)

    def apply_preferences(self, prefs: Preferences) -> None:
        """The preferences that belong to a project's window (the rest are the app's)."""
        self.preferences = prefs
        self.canvas.wheel_zooms = prefs.wheel == "zoom"
        self.editor.prefetcher.ahead = prefs.prefetch
        if self.sync is not None:
            self.sync.set_interval(prefs.sync_interval_s)
        style = (
            Qt.ToolButtonStyle.ToolButtonTextBesideIcon
            if prefs.toolbar_text
            else Qt.ToolButtonStyle.ToolButtonIconOnly
        )
        for bar in self.toolbars.values():
            bar.setToolButtonStyle(style)

    def restore_layout(self) -> None:
        self.layout_ctl.restore()
