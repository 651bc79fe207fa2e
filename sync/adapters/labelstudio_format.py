"""Label Studio's label config and ``result`` JSON, named from one module.

The conversion lives where its name says: :mod:`~limner.sync.adapters.labelstudio_config`
reads the label config into controls and classes, :mod:`~limner.sync.adapters.labelstudio_write`
turns limner shapes into result items, and :mod:`~limner.sync.adapters.labelstudio_read`
(with :mod:`~limner.sync.adapters.labelstudio_read_shapes`) reads result items back into
regions. This module only re-exports their public names, so that code which treats the
format as one codec can import it from one place; nothing is defined here.
"""

from __future__ import annotations

from limner.sync.adapters.labelstudio_config import (
    LabelStudioFormatError,
    LSClassSpec,
    LSConfig,
    LSControl,
    parse_label_config,
)
from limner.sync.adapters.labelstudio_read import (
    LSRegion,
    ResultGroups,
    group_results,
    results_to_regions,
    unrepresented_results,
)
from limner.sync.adapters.labelstudio_write import KEYPOINT_WIDTH, region_to_results

__all__ = [
    "KEYPOINT_WIDTH",
    "LSClassSpec",
    "LSConfig",
    "LSControl",
    "LSRegion",
    "LabelStudioFormatError",
    "ResultGroups",
    "group_results",
    "parse_label_config",
    "region_to_results",
    "results_to_regions",
    "unrepresented_results",
]
