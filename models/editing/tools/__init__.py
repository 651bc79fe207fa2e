"""Canvas tools as Qt-free state machines fed with pointer events in image coordinates.

The canvas forwards events and draws ``tool.preview``; a finished gesture becomes one
command handed to ``ToolHost.commit`` (one gesture, one undo step). What the user should
have selected afterwards is part of the command (``Command.select_after``), so a tool never
selects after committing.
"""

from limner.models.editing.tools.base import Pointer, Preview, Tool, ToolHost
from limner.models.editing.tools.box import BoxTool
from limner.models.editing.tools.brush import BrushTool, EraserTool
from limner.models.editing.tools.ellipse import EllipseTool
from limner.models.editing.tools.grabcut import GrabCutTool
from limner.models.editing.tools.keypoints import KeypointTool
from limner.models.editing.tools.point import PointTool
from limner.models.editing.tools.polygon import PolygonTool
from limner.models.editing.tools.polyline import PolylineTool
from limner.models.editing.tools.scissors import ScissorsTool
from limner.models.editing.tools.segment import SegmentTool
from limner.models.editing.tools.select import SelectTool
from limner.models.editing.tools.wand import WandTool

__all__ = [
    "BoxTool",
    "BrushTool",
    "EllipseTool",
    "EraserTool",
    "GrabCutTool",
    "KeypointTool",
    "PointTool",
    "Pointer",
    "PolygonTool",
    "PolylineTool",
    "Preview",
    "ScissorsTool",
    "SegmentTool",
    "SelectTool",
    "Tool",
    "ToolHost",
    "WandTool",
]
