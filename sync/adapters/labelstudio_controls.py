"""The vocabulary of Label Studio label configs that limner syncs: control tags, what
each becomes in limner, and the records the config is read into.

Kept apart from the parser (:mod:`~limner.sync.adapters.labelstudio_config`) and the
class builder (:mod:`~limner.sync.adapters.labelstudio_classes`) because the result codec
reads and writes against the same tables.

- Geometry controls give one class per label: ``RectangleLabels`` boxes (rotated ones
  too), ``PolygonLabels`` polygons, ``BrushLabels`` masks, ``EllipseLabels`` ellipses,
  ``VectorLabels`` polylines. ``KeyPointLabels`` gives a keypoints class (a skeleton of
  its labels; points sharing a ``parentID`` are one instance) and a point class per
  label (a point with no ``parentID`` is a point of its own).
- Whole-image ``Choices``, ``TextArea``, ``Rating`` and ``Number`` give one tag class
  each; the same controls with ``perRegion`` give attributes (``Rating`` aside).
- Relations without labels between regions are groups.
"""

from __future__ import annotations

from dataclasses import dataclass

from limner.sync.adapters.base import ClassSpec
from limner.sync.adapters.labelstudio_rle import LabelStudioFormatError

__all__ = [
    "ATTRIBUTE_CONTROLS",
    "ATTRIBUTE_TYPE_TO_CONTROL",
    "GEOMETRY_CONTROLS",
    "KIND_TO_TYPE",
    "TAG_CONTROLS",
    "LSClassSpec",
    "LSControl",
    "LabelStudioFormatError",
]

# Control tag (lower case) -> limner geometry kind. The result ``type`` is the same word.
GEOMETRY_CONTROLS = {
    "rectanglelabels": "box",
    "polygonlabels": "polygon",
    "brushlabels": "mask",
    "keypointlabels": "keypoints",
    "ellipselabels": "ellipse",
    "vectorlabels": "polyline",
}
KIND_TO_TYPE = {**{kind: tag for tag, kind in GEOMETRY_CONTROLS.items()}, "point": "keypointlabels"}

# Per-region controls limner keeps as attributes, and the limner type of each.
ATTRIBUTE_CONTROLS = ("choices", "textarea", "number")
ATTRIBUTE_TYPE_TO_CONTROL = {
    "choice": "choices",
    "multi": "choices",
    "text": "textarea",
    "number": "number",
}

# Whole-image controls limner keeps as image tags.
TAG_CONTROLS = ("choices", "textarea", "rating", "number")


@dataclass(frozen=True, slots=True)
class LSControl:
    """One control tag of the label config, as much of it as limner uses.

    ``labels`` are the Label values (geometry controls, in skeleton order for keypoints)
    or the Relation values (``relations``); ``label_colors`` runs parallel to ``labels``
    with each label's ``background`` or None. ``options`` and ``choice`` describe Choices;
    ``minimum`` and ``maximum`` bound a Rating (1 to ``maxRating``) or a Number.
    ``when_tag_name`` / ``when_label_value`` are Label Studio's conditions restricting a
    per-region control to some regions.
    """

    name: str
    type: str
    to_name: str
    labels: tuple[str, ...] = ()
    per_region: bool = False
    options: tuple[str, ...] = ()
    choice: str = "single"
    label_colors: tuple[str | None, ...] = ()
    when_tag_name: str | None = None
    when_label_value: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    @property
    def kind(self) -> str | None:
        """The limner geometry kind of a labels control, None for the others."""
        return GEOMETRY_CONTROLS.get(self.type)

    @property
    def tags_image(self) -> bool:
        """True for a whole-image control whose answers are image tags."""
        return not self.per_region and self.type in TAG_CONTROLS


@dataclass(frozen=True, slots=True)
class LSClassSpec(ClassSpec):
    """A limner class and where it lives in the label config.

    ``label`` is the value written in results (None for keypoints, whose labels are the
    point names, and for tags), ``control_name`` the control's ``name`` (a result's
    ``from_name``), ``control_type`` its tag, and ``to_name`` the Image tag's name.
    """

    control_name: str = ""
    label: str | None = None
    to_name: str = ""
    control_type: str = ""
