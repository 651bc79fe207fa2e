"""Every action of the main window, as one table: what it is called, its keys, what it does,
when it is enabled, and where it sits in the menus and toolbars.

Reading one row tells the whole story of an action; nothing about actions is decided
elsewhere. Handlers and conditions are names resolved against the window's targets:

- ``window``: the main window (quit, the cheat sheet, keyboard commands that join widgets);
- ``editor``: the editing session of the project (edits, tools, undo history);
- ``canvas`` and ``view``: the image view and its zoom and window/level controller;
- ``importer``, ``labels``, ``sync_ui``, ``review``, ``assist``: the controllers of adding
  images, importing and exporting annotations, sync, review and the model tools.

The F1 cheat sheet lists the window's actions in table order, so the rows follow the menus;
:data:`GESTURES` adds what no action holds (mouse gestures, keys a tool reads itself).
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

from limner.app.action_set import ActionSpec
from limner.models.domain.phrases import QT_TRANSLATE_NOOP

MENUS: tuple[tuple[str, str], ...] = (
    ("file", QT_TRANSLATE_NOOP("Actions", "&File")),
    ("edit", QT_TRANSLATE_NOOP("Actions", "&Edit")),
    ("view", QT_TRANSLATE_NOOP("Actions", "&View")),
    ("tools", QT_TRANSLATE_NOOP("Actions", "&Tools")),
    ("go", QT_TRANSLATE_NOOP("Actions", "&Go")),
    ("help", QT_TRANSLATE_NOOP("Actions", "&Help")),
    ("review", QT_TRANSLATE_NOOP("Actions", "&Review")),
)
TOOLBARS: tuple[tuple[str, str], ...] = (
    ("main", QT_TRANSLATE_NOOP("Actions", "Main")),
    ("mode", QT_TRANSLATE_NOOP("Actions", "Mode")),
)

A = ActionSpec

FILE = (
    A("new_project", QT_TRANSLATE_NOOP("Actions", "New project…"), "home.ask_new", ("Ctrl+N",),
      QT_TRANSLATE_NOOP("Actions", "A project from a folder of images"), menu="file/project@-1"),
    A("open_project", QT_TRANSLATE_NOOP("Actions", "Open project…"), "home.ask_open", ("Ctrl+O",),
      QT_TRANSLATE_NOOP("Actions", "Open a project folder"), menu="file/project@-1"),
    A("clone_project", QT_TRANSLATE_NOOP("Actions", "Clone from server…"), "home.ask_clone", (),
      QT_TRANSLATE_NOOP("Actions", "A new project from a project on a server"),
      menu="file/project@-1"),
    A("close_project", QT_TRANSLATE_NOOP("Actions", "Close project"), "home.close_project",
      ("Ctrl+W",), QT_TRANSLATE_NOOP("Actions", "Close this project and show the start page"),
      menu="file/project@-1"),
    A("add_images", QT_TRANSLATE_NOOP("Actions", "Add images…"), "importer.ask_add_images",
      ("Ctrl+I",), QT_TRANSLATE_NOOP("Actions", "Add image files"), menu="file/add",
      toolbar="main/start"),
    A("add_folder", QT_TRANSLATE_NOOP("Actions", "Add folder…"), "importer.ask_add_folder",
      ("Ctrl+Shift+I",), QT_TRANSLATE_NOOP("Actions", "Add a folder of images"), menu="file/add"),
    A("import_labels", QT_TRANSLATE_NOOP("Actions", "Import annotations…"), "labels.ask_import", (),
      QT_TRANSLATE_NOOP("Actions", "Import COCO, YOLO, Pascal VOC, labelme or CVAT annotations"),
      menu="file/labels"),
    A("export_labels", QT_TRANSLATE_NOOP("Actions", "Export…"), "labels.ask_export", (),
      QT_TRANSLATE_NOOP("Actions", "Export annotations to COCO, YOLO, Pascal VOC, labelme or CVAT"),
      menu="file/labels"),
    A("connect", QT_TRANSLATE_NOOP("Actions", "Connect to server…"), "sync_ui.ask_connect", (),
      QT_TRANSLATE_NOOP("Actions", "Sync with a server"), menu="file/sync"),
    A("sync_now", QT_TRANSLATE_NOOP("Actions", "Sync now"), "sync_ui.sync_now", ("F5",),
      QT_TRANSLATE_NOOP("Actions", "Synchronize with the server"), enabled_when="sync_ui.connected",
      menu="file/sync"),
    A("quit", QT_TRANSLATE_NOOP("Actions", "Quit"), "window.close",
      (QKeySequence.StandardKey.Quit,), menu="file/quit"),
)  # fmt: skip

EDIT = (
    A("undo", QT_TRANSLATE_NOOP("Actions", "Undo"), "editor.undo", ("Ctrl+Z",),
      QT_TRANSLATE_NOOP("Actions", "Undo the last edit"), enabled_when="editor.history.can_undo",
      text_when="editor.history.undo_text", menu="edit/history", toolbar="main/start"),
    A("redo", QT_TRANSLATE_NOOP("Actions", "Redo"), "editor.redo", ("Ctrl+Shift+Z", "Ctrl+Y"),
      QT_TRANSLATE_NOOP("Actions", "Redo"), enabled_when="editor.history.can_redo",
      text_when="editor.history.redo_text", menu="edit/history", toolbar="main/start"),
    A("copy", QT_TRANSLATE_NOOP("Actions", "Copy"), "editor.copy", ("Ctrl+C",),
      QT_TRANSLATE_NOOP("Actions", "Copy the selection"), menu="edit/clipboard"),
    A("paste", QT_TRANSLATE_NOOP("Actions", "Paste"), "editor.paste", ("Ctrl+V",),
      QT_TRANSLATE_NOOP("Actions", "Paste on this image"), menu="edit/clipboard"),
    A("duplicate", QT_TRANSLATE_NOOP("Actions", "Duplicate"), "editor.duplicate", ("Ctrl+D",),
      QT_TRANSLATE_NOOP("Actions", "Duplicate the selection"), menu="edit/clipboard"),
    A("paste_next", QT_TRANSLATE_NOOP("Actions", "Paste into next image"), "editor.paste_into_next",
      ("Ctrl+Shift+V",), QT_TRANSLATE_NOOP("Actions", "Copy the selection onto the next image"),
      menu="edit/clipboard"),
    A("front", QT_TRANSLATE_NOOP("Actions", "Bring to front"), ("editor.change_z", True),
      ("Ctrl+]",), menu="edit/order"),
    A("back", QT_TRANSLATE_NOOP("Actions", "Send to back"), ("editor.change_z", False), ("Ctrl+[",),
      menu="edit/order"),
    A("hide", QT_TRANSLATE_NOOP("Actions", "Hide/show selection"), ("editor.toggle_flag", "hidden"),
      ("H",), menu="edit/order"),
    A("show_all", QT_TRANSLATE_NOOP("Actions", "Show all"), "editor.show_all", ("Shift+H",),
      menu="edit/order"),
    A("lock", QT_TRANSLATE_NOOP("Actions", "Lock/unlock selection"),
      ("editor.toggle_flag", "locked"), ("L",), menu="edit/order"),
    A("group", QT_TRANSLATE_NOOP("Actions", "Group"), "editor.group_selection", ("Ctrl+G",),
      QT_TRANSLATE_NOOP("Actions", "Make the selected shapes one object: "
                        "they move, copy and delete together"),
      menu="edit/group"),
    A("ungroup", QT_TRANSLATE_NOOP("Actions", "Ungroup"), "editor.ungroup_selection",
      ("Ctrl+Shift+G",), QT_TRANSLATE_NOOP("Actions", "Dissolve the groups of the selection"),
      menu="edit/group"),
    A("to_mask", QT_TRANSLATE_NOOP("Actions", "Polygons to mask"), "editor.polygons_to_mask", (),
      QT_TRANSLATE_NOOP("Actions", "Fill the selected polygons into masks"), menu="edit/convert"),
    A("to_polygons", QT_TRANSLATE_NOOP("Actions", "Masks to polygons"),
      ("editor.masks_to_polygons", 0.0), (),
      QT_TRANSLATE_NOOP("Actions", "Trace the selected masks (holes and parts kept)"),
      menu="edit/convert"),
    A("box_to_polygon", QT_TRANSLATE_NOOP("Actions", "Boxes to polygons"),
      ("editor.convert_selection", "boxes_to_polygons"), (),
      QT_TRANSLATE_NOOP("Actions", "Each selected box (rotated or not) becomes its four corners"),
      menu="edit/convert"),
    A("polygon_to_box", QT_TRANSLATE_NOOP("Actions", "Polygons to rotated boxes"),
      ("editor.convert_selection", "polygons_to_boxes"), (),
      QT_TRANSLATE_NOOP("Actions", "Each selected polygon becomes "
                        "the smallest rotated box around it"),
      menu="edit/convert"),
    A("ellipse_to_polygon", QT_TRANSLATE_NOOP("Actions", "Ellipses to polygons…"),
      "window.ask_ellipse_vertices", (),
      QT_TRANSLATE_NOOP("Actions", "Each selected ellipse becomes a polygon "
                        "with a chosen vertex count"),
      menu="edit/convert"),
    A("polyline_to_polygon", QT_TRANSLATE_NOOP("Actions", "Close polylines into polygons"),
      ("editor.convert_selection", "polylines_to_polygons"), (),
      QT_TRANSLATE_NOOP("Actions", "Each selected polyline is closed into a polygon"),
      menu="edit/convert"),
    A("simplify", QT_TRANSLATE_NOOP("Actions", "Simplify polygons…"), "window.ask_simplify", (),
      QT_TRANSLATE_NOOP("Actions", "Douglas–Peucker with a tolerance"), menu="edit/convert"),
    A("delete", QT_TRANSLATE_NOOP("Actions", "Delete"), "editor.delete_selection",
      ("Delete", "Backspace"), QT_TRANSLATE_NOOP("Actions", "Delete the selection"),
      menu="edit/delete"),
    A("escape", QT_TRANSLATE_NOOP("Actions", "Cancel"), "window.escape", ("Esc",),
      QT_TRANSLATE_NOOP("Actions", "Cancel the gesture or selection")),
    A("preferences", QT_TRANSLATE_NOOP("Actions", "Preferences…"), "home.ask_preferences",
      ("Ctrl+,",), QT_TRANSLATE_NOOP("Actions", "Theme, mouse wheel, sync, caches, your name"),
      menu="edit/prefs"),
)  # fmt: skip

VIEW = (
    # Zoom keys as in labelme: Ctrl++ / Ctrl+= in, Ctrl+- out, Ctrl+0 original size,
    # Ctrl+F fit window (F and Ctrl+1 are limner's own and stay).
    A("zoom_in", QT_TRANSLATE_NOOP("Actions", "Zoom in"), "view.zoom_in", ("Ctrl++", "Ctrl+="),
      QT_TRANSLATE_NOOP("Actions", "Zoom in"), menu="view/zoom"),
    A("zoom_out", QT_TRANSLATE_NOOP("Actions", "Zoom out"), "view.zoom_out", ("Ctrl+-",),
      QT_TRANSLATE_NOOP("Actions", "Zoom out"), menu="view/zoom"),
    A("fit", QT_TRANSLATE_NOOP("Actions", "Fit"), "canvas.fit", ("F", "Ctrl+F"),
      QT_TRANSLATE_NOOP("Actions", "Fit the image in the window"), menu="view/zoom",
      toolbar="main/nav@3"),
    A("actual", QT_TRANSLATE_NOOP("Actions", "100%"), "canvas.actual_size", ("Ctrl+0", "Ctrl+1"),
      QT_TRANSLATE_NOOP("Actions", "Show at 100%"), menu="view/zoom"),
    A("window_level", QT_TRANSLATE_NOOP("Actions", "Window/level…"), "view.ask_window_level",
      ("Ctrl+Shift+W",),
      QT_TRANSLATE_NOOP("Actions", "Black and white points of 16-bit and float images"),
      menu="view/zoom"),
    A("full_screen", QT_TRANSLATE_NOOP("Actions", "Full screen"), "layout.toggle_full_screen",
      ("F11",), QT_TRANSLATE_NOOP("Actions", "Fill the screen with the window"),
      checked_when="layout.is_full_screen", menu="view/window"),
    A("reset_layout", QT_TRANSLATE_NOOP("Actions", "Reset layout"), "layout.reset", (),
      QT_TRANSLATE_NOOP("Actions", "Put every panel back where it started"), menu="view/window"),
)  # fmt: skip

TOOL_ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("select", QT_TRANSLATE_NOOP("Actions", "Select"), "V",
      QT_TRANSLATE_NOOP("Actions", "Select and edit")),
    ("box", QT_TRANSLATE_NOOP("Actions", "Box"), "B", QT_TRANSLATE_NOOP("Actions", "Draw boxes")),
    ("polygon", QT_TRANSLATE_NOOP("Actions", "Polygon"), "P",
      QT_TRANSLATE_NOOP("Actions", "Draw polygons")),
    ("brush", QT_TRANSLATE_NOOP("Actions", "Brush"), "M",
      QT_TRANSLATE_NOOP("Actions", "Paint a mask ([ and ] change the size)")),
    ("eraser", QT_TRANSLATE_NOOP("Actions", "Eraser"), "E",
      QT_TRANSLATE_NOOP("Actions", "Erase from the selected mask")),
    ("wand", QT_TRANSLATE_NOOP("Actions", "Magic wand"), "W",
      QT_TRANSLATE_NOOP("Actions", "Select a region of similar color")),
    ("grabcut", QT_TRANSLATE_NOOP("Actions", "GrabCut"), "G",
      QT_TRANSLATE_NOOP("Actions", "Drag a box around an object to cut it out")),
    ("scissors", QT_TRANSLATE_NOOP("Actions", "Intelligent scissors"), "S",
      QT_TRANSLATE_NOOP("Actions", "Click along an outline; it follows edges")),
    ("segment", QT_TRANSLATE_NOOP("Actions", "Click to segment"), "C",
      QT_TRANSLATE_NOOP("Actions", "Click an object, a model outlines it")),
    ("keypoints", QT_TRANSLATE_NOOP("Actions", "Keypoints"), "K",
      QT_TRANSLATE_NOOP("Actions", "Place skeleton keypoints")),
    ("polyline", QT_TRANSLATE_NOOP("Actions", "Polyline"), "I",
      QT_TRANSLATE_NOOP("Actions", "Draw open lines (Enter or double-click finishes)")),
    ("point", QT_TRANSLATE_NOOP("Actions", "Point"), "T",
      QT_TRANSLATE_NOOP("Actions", "Place points, one per click")),
    ("ellipse", QT_TRANSLATE_NOOP("Actions", "Ellipse"), "O",
      QT_TRANSLATE_NOOP("Actions", "Drag an ellipse (Shift: circle)")),
)
"""(tool name, text, key, tip); the row's name is the tool's name."""

PRELABELS = (
    A("models", QT_TRANSLATE_NOOP("Actions", "Models…"), "assist.ask_models", (),
      QT_TRANSLATE_NOOP("Actions", "The installed models: add one from files or a URL, remove one"),
      menu="tools/models"),
    A("prelabel_image", QT_TRANSLATE_NOOP("Actions", "Pre-label this image"),
      "suggest.prelabel_image", (),
      QT_TRANSLATE_NOOP("Actions", "Run the installed detector; its results arrive as suggestions"),
      enabled_when="suggest.detector_ready", menu="tools/models"),
    A("prelabel_all", QT_TRANSLATE_NOOP("Actions", "Pre-label all listed images"),
      "suggest.prelabel_all", (),
      QT_TRANSLATE_NOOP("Actions", "Run the installed detector over every image "
                        "the list shows, in the background"),
      enabled_when="suggest.detector_ready", menu="tools/models"),
    A("ml_backend", QT_TRANSLATE_NOOP("Actions", "ML backend…"), "suggest.ask_backend", (),
      QT_TRANSLATE_NOOP("Actions", "The Label Studio ML backend this project asks for suggestions"),
      menu="tools/models"),
    A("suggest", QT_TRANSLATE_NOOP("Actions", "Suggest"), "suggest.suggest", ("Ctrl+Shift+S",),
      QT_TRANSLATE_NOOP("Actions", "Ask the project's ML backend about this image"),
      enabled_when="suggest.backend_ready", menu="tools/models"),
)  # fmt: skip

TOOLS = tuple(
    A(name, text, ("editor.set_tool", name), (key,), tip, group="tool",
      checked_when=("window.tool_is", name), enabled_when=("assist.tool_allowed", name),
      menu="tools/tools", toolbar="main/tools")
    for name, text, key, tip in TOOL_ROWS
)  # fmt: skip

GO = (
    A("next", QT_TRANSLATE_NOOP("Actions", "Next image"), ("window.step", 1), ("D",),
      QT_TRANSLATE_NOOP("Actions", "Next image"), menu="go/images", toolbar="main/nav@2"),
    # A is "previous image" while annotating and "approve" while reviewing.
    A("prev", QT_TRANSLATE_NOOP("Actions", "Previous image"), ("window.step", -1), ("A",),
      QT_TRANSLATE_NOOP("Actions", "Previous image"), keys_when=("review.reviewing", ("Left",)),
      menu="go/images", toolbar="main/nav@1"),
)  # fmt: skip

HELP = (
    A("shortcuts", QT_TRANSLATE_NOOP("Actions", "Keyboard shortcuts"), "window.show_shortcuts",
      ("F1",), menu="help/help"),
    A("about", QT_TRANSLATE_NOOP("Actions", "About limner"), "home.show_about", (),
      QT_TRANSLATE_NOOP("Actions", "Version, licence and folders"), menu="help/about"),
)  # fmt: skip

CLASS_KEYS = tuple(
    A(f"class_{n}", QT_TRANSLATE_NOOP("Actions", "Class {n}").format(n=n),
      ("window.pick_class_key", str(n)), (str(n),))
    for n in range(1, 10)
)  # fmt: skip

REVIEW = (
    A("annotate", QT_TRANSLATE_NOOP("Actions", "Annotate"), ("review.set_mode", "annotate"),
      ("F6",), QT_TRANSLATE_NOOP("Actions", "Annotate mode"), group="mode",
      checked_when=("review.mode_is", "annotate"), menu="review/mode", toolbar="mode/mode"),
    A("review", QT_TRANSLATE_NOOP("Actions", "Review"), ("review.set_mode", "review"), ("F7",),
      QT_TRANSLATE_NOOP("Actions", "Review mode"), group="mode",
      checked_when=("review.mode_is", "review"), menu="review/mode", toolbar="mode/mode"),
    A("submit", QT_TRANSLATE_NOOP("Actions", "Submit"), "review.submit",
      ("Ctrl+Return", "Ctrl+Enter"), QT_TRANSLATE_NOOP("Actions", "Submit and open the next image"),
      enabled_when="review.annotating", menu="review/annotate", toolbar="mode/verdict"),
    A("skip", QT_TRANSLATE_NOOP("Actions", "Skip…"), "review.ask_skip", ("Ctrl+Shift+K",),
      QT_TRANSLATE_NOOP("Actions", "Skip this image, with a reason"),
      enabled_when="review.annotating", menu="review/annotate"),
    A("next_unlabeled", QT_TRANSLATE_NOOP("Actions", "Next unlabeled"),
      ("review.jump", "unlabeled"), ("N",),
      QT_TRANSLATE_NOOP("Actions", "Next image that needs labels"),
      enabled_when="review.annotating", menu="review/annotate"),
    A("next_rejected", QT_TRANSLATE_NOOP("Actions", "Next rejected"), ("review.jump", "rejected"),
      ("Shift+N",), QT_TRANSLATE_NOOP("Actions", "Next rejected image"),
      enabled_when="review.annotating", menu="review/annotate"),
    A("approve", QT_TRANSLATE_NOOP("Actions", "Approve"), "review.approve", ("A",),
      QT_TRANSLATE_NOOP("Actions", "Approve and open the next image"),
      enabled_when="review.reviewing", menu="review/review", toolbar="mode/verdict"),
    A("reject", QT_TRANSLATE_NOOP("Actions", "Reject…"), "review.ask_reject", ("R",),
      QT_TRANSLATE_NOOP("Actions", "Reject with a comment"), enabled_when="review.reviewing",
      menu="review/review", toolbar="mode/verdict"),
    A("remark", QT_TRANSLATE_NOOP("Actions", "Add remark…"), "review.ask_remark", ("Ctrl+M",),
      QT_TRANSLATE_NOOP("Actions", "Pin a remark to the selection or the cursor"),
      menu="review/review"),
    A("changes", QT_TRANSLATE_NOOP("Actions", "Changes since last review"), "review.toggle_changes",
      ("Ctrl+Shift+R",), QT_TRANSLATE_NOOP("Actions", "Show added, changed and removed shapes"),
      enabled_when="review.reviewing", checked_when="review.showing_changes", menu="review/review"),
    A("progress", QT_TRANSLATE_NOOP("Actions", "Progress…"), "review.show_progress", ("Ctrl+P",),
      QT_TRANSLATE_NOOP("Actions", "Counts and charts"), menu="review/progress"),
)  # fmt: skip

START_MENUS: tuple[tuple[str, str], ...] = (
    ("file", QT_TRANSLATE_NOOP("Actions", "&File")),
    ("edit", QT_TRANSLATE_NOOP("Actions", "&Edit")),
    ("help", QT_TRANSLATE_NOOP("Actions", "&Help")),
)
START_ACTIONS: tuple[ActionSpec, ...] = (
    *(a for a in FILE if a.name in ("new_project", "open_project", "clone_project")),
    A("demo", QT_TRANSLATE_NOOP("Actions", "Open the demo"), "home.open_demo", (),
      QT_TRANSLATE_NOOP("Actions", "The demo project"), menu="file/project"),
    A("quit", QT_TRANSLATE_NOOP("Actions", "Quit"), "home.quit", (QKeySequence.StandardKey.Quit,),
      menu="file/quit"),
    *(a for a in (*EDIT, *HELP) if a.name in ("preferences", "about")),
)
"""The start page's window: the project rows of the File menu, the demo and Quit."""

ACTIONS: tuple[ActionSpec, ...] = (
    *FILE, *EDIT, *VIEW, *TOOLS, *PRELABELS, *GO, *HELP, *CLASS_KEYS, *REVIEW
)  # fmt: skip

GESTURES: tuple[tuple[str, str], ...] = (
    (QT_TRANSLATE_NOOP("Actions", "Pan"), QT_TRANSLATE_NOOP("Actions", "Middle-drag, Space+drag")),
    (QT_TRANSLATE_NOOP("Actions", "Scroll (Shift: sideways); trackpads scroll too"),
      QT_TRANSLATE_NOOP("Actions", "Wheel")),
    (QT_TRANSLATE_NOOP("Actions", "Zoom at the cursor"),
      QT_TRANSLATE_NOOP("Actions", "Ctrl+Wheel")),
    (QT_TRANSLATE_NOOP("Actions", "Brush size / wand tolerance"),
      QT_TRANSLATE_NOOP("Actions", "[ and ]")),
    (QT_TRANSLATE_NOOP("Actions", "Polygon: close / remove last vertex"), "Enter / Backspace"),
    (QT_TRANSLATE_NOOP("Actions", "Polygon: draw a hole / add a part"),
      QT_TRANSLATE_NOOP("Actions", "Ctrl / Shift at the first click")),
    (QT_TRANSLATE_NOOP("Actions", "Scissors: close / take back the last stretch"),
      "Enter / Backspace"),
    (QT_TRANSLATE_NOOP("Actions", "Segment: not this / keep / mask or polygon"),
      QT_TRANSLATE_NOOP("Actions", "Alt+click / Enter / Tab")),
    (QT_TRANSLATE_NOOP("Actions", "Keypoints: occluded / skip"),
      QT_TRANSLATE_NOOP("Actions", "Shift+click / X")),
    (QT_TRANSLATE_NOOP("Actions", "Image tags: toggle an option (shown on its button)"),
      "Alt+1 … Alt+9, Alt+0"),
    (QT_TRANSLATE_NOOP("Actions", "Polyline: finish / remove last vertex"),
      QT_TRANSLATE_NOOP("Actions", "Enter or double-click / Backspace")),
    (QT_TRANSLATE_NOOP("Actions", "Ellipse: draw a circle"),
      QT_TRANSLATE_NOOP("Actions", "Shift while dragging")),
    (QT_TRANSLATE_NOOP("Actions", "Box or ellipse: rotate (Shift snaps to 15°)"),
      QT_TRANSLATE_NOOP("Actions", "Drag the round handle above it")),
    (QT_TRANSLATE_NOOP("Actions", "Polyline vertex: move / delete / insert"),
      QT_TRANSLATE_NOOP("Actions", "Drag / Alt+click / double-click an edge")),
)
"""Cheat-sheet rows for what no action holds: mouse gestures and keys a tool reads itself."""

__all__ = ["ACTIONS", "GESTURES", "MENUS", "START_ACTIONS", "START_MENUS", "TOOLBARS", "TOOL_ROWS"]
