"""The interchange formats that live outside ``models``, added to the registry at start-up.

The registry finds the formats of ``limner.models.formats`` by itself, but a format built
on the sync codec (Label Studio's JSON export reuses the adapter's reading and writing)
lives in ``sync``, which ``models`` may not import. The application wires the layers, so
it registers those formats here, once, before the command line or the window asks the
registry for the list.
"""

from __future__ import annotations


def register_formats() -> None:
    """Add the sync-based formats to the registry; safe to call more than once."""
    from limner.models.formats import registry
    from limner.sync.adapters.labelstudio_file import FORMAT as LABEL_STUDIO

    registry.register(LABEL_STUDIO)
