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

MENUS: tuple[tuple[str, str], ...] = (
    ("file", "&File"),
    ("edit", "&Edit"),
    ("view", "&View"),
    ("tools", "&Tools"),
    ("go", "&Go"),
    ("help", "&Help"),
    ("review", "&Review"),
)
TOOLBARS: tuple[tuple[str, str], ...] = (("main", "Main"), ("mode", "Mode"))

A = ActionSpec

FILE = (
    A("new_project", "New project…", "home.ask_new", ("Ctrl+N",),
      "A project from a folder of images", menu="file/project@-1"),
    A("open_project", "Open project…", "home.ask_open", ("Ctrl+O",), "Open a project folder",
      menu="file/project@-1"),
    A("clone_project", "Clone from server…", "home.ask_clone", (),
      "A new project from a project on a server", menu="file/project@-1"),
    A("close_project", "Close project", "home.close_project", ("Ctrl+W",),
      "Close this project and show the start page", menu="file/project@-1"),
    A("add_images", "Add images…", "importer.ask_add_images", ("Ctrl+I",), "Add image files",
      menu="file/add", toolbar="main/start"),
    A("add_folder", "Add folder…", "importer.ask_add_folder", ("Ctrl+Shift+I",),
      "Add a folder of images", menu="file/add"),
    A("import_labels", "Import annotations…", "labels.ask_import", (),
      "Import COCO, YOLO, Pascal VOC, labelme or CVAT annotations", menu="file/labels"),
    A("export_labels", "Export…", "labels.ask_export", (),
      "Export annotations to COCO, YOLO, Pascal VOC, labelme or CVAT", menu="file/labels"),
    A("connect", "Connect to server…", "sync_ui.ask_connect", (), "Sync with a server",
      menu="file/sync"),
    A("sync_now", "Sync now", "sync_ui.sync_now", ("F5",), "Synchronize with the server",
      enabled_when="sync_ui.connected", menu="file/sync"),
    A("quit", "Quit", "window.close", (QKeySequence.StandardKey.Quit,), menu="file/quit"),
)  # fmt: skip

EDIT = (
    A("undo", "Undo", "editor.undo", ("Ctrl+Z",), "Undo the last edit",
      enabled_when="editor.history.can_undo", text_when="editor.history.undo_text",
      menu="edit/history", toolbar="main/start"),
    A("redo", "Redo", "editor.redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "Redo",
      enabled_when="editor.history.can_redo", text_when="editor.history.redo_text",
      menu="edit/history", toolbar="main/start"),
    A("copy", "Copy", "editor.copy", ("Ctrl+C",), "Copy the selection", menu="edit/clipboard"),
    A("paste", "Paste", "editor.paste", ("Ctrl+V",), "Paste on this image",
      menu="edit/clipboard"),
    A("duplicate", "Duplicate", "editor.duplicate", ("Ctrl+D",), "Duplicate the selection",
      menu="edit/clipboard"),
    A("paste_next", "Paste into next image", "editor.paste_into_next", ("Ctrl+Shift+V",),
      "Copy the selection onto the next image", menu="edit/clipboard"),
    A("front", "Bring to front", ("editor.change_z", True), ("Ctrl+]",), menu="edit/order"),
    A("back", "Send to back", ("editor.change_z", False), ("Ctrl+[",), menu="edit/order"),
    A("hide", "Hide/show selection", ("editor.toggle_flag", "hidden"), ("H",),
      menu="edit/order"),
    A("show_all", "Show all", "editor.show_all", ("Shift+H",), menu="edit/order"),
    A("lock", "Lock/unlock selection", ("editor.toggle_flag", "locked"), ("L",),
      menu="edit/order"),
    A("group", "Group", "editor.group_selection", ("Ctrl+G",),
      "Make the selected shapes one object: they move, copy and delete together",
      menu="edit/group"),
    A("ungroup", "Ungroup", "editor.ungroup_selection", ("Ctrl+Shift+G",),
      "Dissolve the groups of the selection", menu="edit/group"),
    A("to_mask", "Polygons to mask", "editor.polygons_to_mask", (),
      "Fill the selected polygons into masks", menu="edit/convert"),
    A("to_polygons", "Masks to polygons", ("editor.masks_to_polygons", 0.0), (),
      "Trace the selected masks (holes and parts kept)", menu="edit/convert"),
    A("box_to_polygon", "Boxes to polygons", ("editor.convert_selection", "boxes_to_polygons"),
      (), "Each selected box (rotated or not) becomes its four corners", menu="edit/convert"),
    A("polygon_to_box", "Polygons to rotated boxes",
      ("editor.convert_selection", "polygons_to_boxes"), (),
      "Each selected polygon becomes the smallest rotated box around it", menu="edit/convert"),
    A("ellipse_to_polygon", "Ellipses to polygons…", "window.ask_ellipse_vertices", (),
      "Each selected ellipse becomes a polygon with a chosen vertex count",
      menu="edit/convert"),
    A("polyline_to_polygon", "Close polylines into polygons",
      ("editor.convert_selection", "polylines_to_polygons"), (),
      "Each selected polyline is closed into a polygon", menu="edit/convert"),
    A("simplify", "Simplify polygons…", "window.ask_simplify", (),
      "Douglas–Peucker with a tolerance", menu="edit/convert"),
    A("delete", "Delete", "editor.delete_selection", ("Delete", "Backspace"),
      "Delete the selection", menu="edit/delete"),
    A("escape", "Cancel", "window.escape", ("Esc",), "Cancel the gesture or selection"),
    A("preferences", "Preferences…", "home.ask_preferences", ("Ctrl+,",),
      "Theme, mouse wheel, sync, caches, your name", menu="edit/prefs"),
)  # fmt: skip

VIEW = (
    # Zoom keys as in labelme: Ctrl++ / Ctrl+= in, Ctrl+- out, Ctrl+0 original size,
    # Ctrl+F fit window (F and Ctrl+1 are limner's own and stay).
    A("zoom_in", "Zoom in", "view.zoom_in", ("Ctrl++", "Ctrl+="), "Zoom in",
      menu="view/zoom"),
    A("zoom_out", "Zoom out", "view.zoom_out", ("Ctrl+-",), "Zoom out", menu="view/zoom"),
    A("fit", "Fit", "canvas.fit", ("F", "Ctrl+F"), "Fit the image in the window",
      menu="view/zoom", toolbar="main/nav@3"),
    A("actual", "100%", "canvas.actual_size", ("Ctrl+0", "Ctrl+1"), "Show at 100%",
      menu="view/zoom"),
    A("window_level", "Window/level…", "view.ask_window_level", ("Ctrl+Shift+W",),
      "Black and white points of 16-bit and float images", menu="view/zoom"),
    A("full_screen", "Full screen", "layout.toggle_full_screen", ("F11",),
      "Fill the screen with the window", checked_when="layout.is_full_screen",
      menu="view/window"),
    A("reset_layout", "Reset layout", "layout.reset", (),
      "Put every panel back where it started", menu="view/window"),
)  # fmt: skip

TOOL_ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("select", "Select", "V", "Select and edit"),
    ("box", "Box", "B", "Draw boxes"),
    ("polygon", "Polygon", "P", "Draw polygons"),
    ("brush", "Brush", "M", "Paint a mask ([ and ] change the size)"),
    ("eraser", "Eraser", "E", "Erase from the selected mask"),
    ("wand", "Magic wand", "W", "Select a region of similar color"),
    ("grabcut", "GrabCut", "G", "Drag a box around an object to cut it out"),
    ("scissors", "Intelligent scissors", "S", "Click along an outline; it follows edges"),
    ("segment", "Click to segment", "C", "Click an object, a model outlines it"),
    ("keypoints", "Keypoints", "K", "Place skeleton keypoints"),
    ("polyline", "Polyline", "I", "Draw open lines (Enter or double-click finishes)"),
    ("point", "Point", "T", "Place points, one per click"),
    ("ellipse", "Ellipse", "O", "Drag an ellipse (Shift: circle)"),
)
"""(tool name, text, key, tip); the row's name is the tool's name."""

PRELABELS = (
    A("models", "Models…", "assist.ask_models", (),
      "The installed models: add one from files or a URL, remove one", menu="tools/models"),
    A("prelabel_image", "Pre-label this image", "suggest.prelabel_image", (),
      "Run the installed detector; its results arrive as suggestions",
      enabled_when="suggest.detector_ready", menu="tools/models"),
    A("prelabel_all", "Pre-label all listed images", "suggest.prelabel_all", (),
      "Run the installed detector over every image the list shows, in the background",
      enabled_when="suggest.detector_ready", menu="tools/models"),
    A("ml_backend", "ML backend…", "suggest.ask_backend", (),
      "The Label Studio ML backend this project asks for suggestions", menu="tools/models"),
    A("suggest", "Suggest", "suggest.suggest", ("Ctrl+Shift+S",),
      "Ask the project's ML backend about this image", enabled_when="suggest.backend_ready",
      menu="tools/models"),
)  # fmt: skip

TOOLS = tuple(
    A(name, text, ("editor.set_tool", name), (key,), tip, group="tool",
      checked_when=("window.tool_is", name), enabled_when=("assist.tool_allowed", name),
      menu="tools/tools", toolbar="main/tools")
    for name, text, key, tip in TOOL_ROWS
)  # fmt: skip

GO = (
    A("next", "Next image", ("window.step", 1), ("D",), "Next image", menu="go/images",
      toolbar="main/nav@2"),
    # A is "previous image" while annotating and "approve" while reviewing.
    A("prev", "Previous image", ("window.step", -1), ("A",), "Previous image",
      keys_when=("review.reviewing", ("Left",)), menu="go/images", toolbar="main/nav@1"),
)  # fmt: skip

HELP = (
    A("shortcuts", "Keyboard shortcuts", "window.show_shortcuts", ("F1",), menu="help/help"),
    A("about", "About limner", "home.show_about", (), "Version, licence and folders",
      menu="help/about"),
)  # fmt: skip

CLASS_KEYS = tuple(
    A(f"class_{n}", f"Class {n}", ("window.pick_class_key", str(n)), (str(n),))
    for n in range(1, 10)
)

REVIEW = (
    A("annotate", "Annotate", ("review.set_mode", "annotate"), ("F6",), "Annotate mode",
      group="mode", checked_when=("review.mode_is", "annotate"), menu="review/mode",
      toolbar="mode/mode"),
    A("review", "Review", ("review.set_mode", "review"), ("F7",), "Review mode", group="mode",
      checked_when=("review.mode_is", "review"), menu="review/mode", toolbar="mode/mode"),
    A("submit", "Submit", "review.submit", ("Ctrl+Return", "Ctrl+Enter"),
      "Submit and open the next image", enabled_when="review.annotating",
      menu="review/annotate", toolbar="mode/verdict"),
    A("skip", "Skip…", "review.ask_skip", ("Ctrl+Shift+K",), "Skip this image, with a reason",
      enabled_when="review.annotating", menu="review/annotate"),
    A("next_unlabeled", "Next unlabeled", ("review.jump", "unlabeled"), ("N",),
      "Next image that needs labels", enabled_when="review.annotating", menu="review/annotate"),
    A("next_rejected", "Next rejected", ("review.jump", "rejected"), ("Shift+N",),
      "Next rejected image", enabled_when="review.annotating", menu="review/annotate"),
    A("approve", "Approve", "review.approve", ("A",), "Approve and open the next image",
      enabled_when="review.reviewing", menu="review/review", toolbar="mode/verdict"),
    A("reject", "Reject…", "review.ask_reject", ("R",), "Reject with a comment",
      enabled_when="review.reviewing", menu="review/review", toolbar="mode/verdict"),
    A("remark", "Add remark…", "review.ask_remark", ("Ctrl+M",),
      "Pin a remark to the selection or the cursor", menu="review/review"),
    A("changes", "Changes since last review", "review.toggle_changes", ("Ctrl+Shift+R",),
      "Show added, changed and removed shapes", enabled_when="review.reviewing",
      checked_when="review.showing_changes", menu="review/review"),
    A("progress", "Progress…", "review.show_progress", ("Ctrl+P",), "Counts and charts",
      menu="review/progress"),
)  # fmt: skip

START_MENUS: tuple[tuple[str, str], ...] = (
    ("file", "&File"), ("edit", "&Edit"), ("help", "&Help"),
)  # fmt: skip
START_ACTIONS: tuple[ActionSpec, ...] = (
    *(a for a in FILE if a.name in ("new_project", "open_project", "clone_project")),
    A("demo", "Open the demo", "home.open_demo", (), "The demo project", menu="file/project"),
    A("quit", "Quit", "home.quit", (QKeySequence.StandardKey.Quit,), menu="file/quit"),
    *(a for a in (*EDIT, *HELP) if a.name in ("preferences", "about")),
)
"""The start page's window: the project rows of the File menu, the demo and Quit."""

ACTIONS: tuple[ActionSpec, ...] = (
    *FILE, *EDIT, *VIEW, *TOOLS, *PRELABELS, *GO, *HELP, *CLASS_KEYS, *REVIEW
)  # fmt: skip

GESTURES: tuple[tuple[str, str], ...] = (
    ("Pan", "Middle-drag, Space+drag"),
    ("Scroll (Shift: sideways); trackpads scroll too", "Wheel"),
    ("Zoom at the cursor", "Ctrl+Wheel"),
    ("Brush size / wand tolerance", "[ and ]"),
    ("Polygon: close / remove last vertex", "Enter / Backspace"),
    ("Polygon: draw a hole / add a part", "Ctrl / Shift at the first click"),
    ("Scissors: close / take back the last stretch", "Enter / Backspace"),
    ("Segment: not this / keep / mask or polygon", "Alt+click / Enter / Tab"),
    ("Keypoints: occluded / skip", "Shift+click / X"),
    ("Image tags: toggle an option (shown on its button)", "Alt+1 … Alt+9, Alt+0"),
    ("Polyline: finish / remove last vertex", "Enter or double-click / Backspace"),
    ("Ellipse: draw a circle", "Shift while dragging"),
    ("Box or ellipse: rotate (Shift snaps to 15°)", "Drag the round handle above it"),
    ("Polyline vertex: move / delete / insert", "Drag / Alt+click / double-click an edge"),
)
"""Cheat-sheet rows for what no action holds: mouse gestures and keys a tool reads itself."""

__all__ = ["ACTIONS", "GESTURES", "MENUS", "START_ACTIONS", "START_MENUS", "TOOLBARS", "TOOL_ROWS"]
