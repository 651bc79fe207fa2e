"""Canvas tools as Qt-free state machines fed with pointer events in image coordinates.

The canvas forwards events and draws ``tool.preview``; a finished gesture becomes one
command handed to ``ToolHost.commit`` (one gesture, one undo step).
"""

from models.tools.base import Pointer, Preview, Tool, ToolHost
from models.tools.box import BoxTool
from models.tools.brush import BrushTool, EraserTool
from models.tools.grabcut import GrabCutTool
from models.tools.keypoints import KeypointTool
from models.tools.polygon import PolygonTool
from models.tools.select import SelectTool
from models.tools.wand import WandTool

__all__ = [
    "BoxTool",
    "BrushTool",
    "EraserTool",
    "GrabCutTool",
    "KeypointTool",
    "Pointer",
    "PolygonTool",
    "Preview",
    "SelectTool",
    "Tool",
    "ToolHost",
    "WandTool",
]
