"""``Geometry``: the union of the shapes an annotation can hold.

It has a module of its own because the JSON form and the operations both take any shape,
and neither is where the shapes themselves are defined.
"""

from __future__ import annotations

from typing import TypeAlias

from limner.models.domain.geometry.box import Box
from limner.models.domain.geometry.keypoints import Keypoints
from limner.models.domain.geometry.mask import Mask
from limner.models.domain.geometry.polygon import Polygon

Geometry: TypeAlias = Box | Polygon | Mask | Keypoints
