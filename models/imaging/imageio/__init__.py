"""Reading image files: cheap probing, full decoding and folder scanning.

Labeling projects routinely hold thousands of images, some of them broken (a download cut
short, a card that failed mid-write, a text file with the wrong suffix). This package is
the one place that turns such files into either usable data or a message a user can act on:

* :func:`probe_image` (``probe``) runs when images are added to a project and never raises;
* :func:`load_rgb` (``decode``) fully decodes an image for the canvas, as the user would see
  it, and raises :class:`~limner.models.errors.ImageReadError` when it cannot;
* :func:`scan_images` (``scan``) expands the folders a user drops onto the window.

Beneath them, ``files`` checks a file before any decoder sees it, ``header`` opens headers
safely, and ``reasons`` words the problems. Sizes are always those of the *oriented* image,
because annotations are drawn on what the user sees, not on the sensor's pixel order. The
names below are the package's public surface.
"""

from __future__ import annotations

from limner.models.imaging.imageio.decode import load_rgb
from limner.models.imaging.imageio.files import SUPPORTED_SUFFIXES
from limner.models.imaging.imageio.probe import ImageProbe, probe_image
from limner.models.imaging.imageio.reasons import TOO_LARGE_MARK, is_too_large
from limner.models.imaging.imageio.scan import natural_key, scan_images

__all__ = [
    "SUPPORTED_SUFFIXES",
    "TOO_LARGE_MARK",
    "ImageProbe",
    "is_too_large",
    "load_rgb",
    "natural_key",
    "probe_image",
    "scan_images",
]
