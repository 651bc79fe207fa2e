"""limner: desktop image labeling, offline first, synced with the servers teams already run.

The code lives in the folders ``app/``, ``widgets/``, ``models/``, ``sync/`` and
``resources/`` of the source tree and installs as ``limner.app``, ``limner.widgets``,
``limner.models``, ``limner.sync`` and ``limner.resources``: one name in site-packages, so
that a user's own ``models`` package can never shadow ours. This module stays tiny, since
``limner --version`` imports it and nothing else should be paid for to print a version.
"""

from __future__ import annotations


def version() -> str:
    """The installed distribution's version (the source tree's when not installed)."""
    from importlib import metadata

    try:
        return metadata.version("limner")
    except metadata.PackageNotFoundError:
        return "0+unknown"
