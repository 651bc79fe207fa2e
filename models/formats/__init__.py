"""Interchange formats: readers and writers between annotation files and limner's shapes.

Each format has a module of its own (``coco``, ``yolo``, ...) built on the shared records
and protocol in ``base``; ``registry`` names them and detects which one a path holds. The
package is Qt-free and offline, and knows nothing about projects: importing into and
exporting from a project is done on top of it.
"""

from __future__ import annotations
