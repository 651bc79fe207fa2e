"""The formats limner knows, by name, and the choice of one for a path.

Import and export name formats by a short key (``coco``, ``yolo``); this module is the one
place that maps keys to format objects, so the command line, the window's format picker
and the tests all see the same list. Every module of this package that defines a
module-level ``FORMAT`` (or ``FORMATS``, a tuple, for one module with several variants)
is a format: adding one is adding a file, and no list has to be edited by hand. Modules
are found and imported on first use, not when limner starts.

``detect`` asks every format how sure it is that a path holds its files and picks the
most confident one; the answer says which format was chosen and why, and what the others
said, because a user who gets the wrong format needs to see what was looked at.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from pathlib import Path

from limner.models import formats as _package
from limner.models.formats.base import Detection, Format, FormatError

# Modules of the package that hold shared code, not a format.
_NOT_FORMATS = frozenset({"base", "registry"})

# Formats listed first, in this order, when two are equally sure about a path; the rest
# follow by name. A more specific format goes before a more general one.
_PREFERRED = ("coco", "yolo", "voc", "cvat", "labelstudio", "labelme")

_loaded: dict[str, Format] = {}
_discovered = False


def _discover() -> None:
    """Import every format module of the package once and register what it offers."""
    global _discovered
    if _discovered:
        return
    for info in pkgutil.iter_modules(_package.__path__):
        if info.name in _NOT_FORMATS or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{_package.__name__}.{info.name}")
        found = getattr(module, "FORMATS", None)
        if found is None:
            found = (module.FORMAT,) if hasattr(module, "FORMAT") else ()
        for fmt in found:
            if fmt.name not in _loaded:
                register(fmt)
    _discovered = True


def register(fmt: Format) -> None:
    """Add a format (or replace one of the same name), e.g. from a test or a plug-in."""
    if not isinstance(fmt, Format):
        raise TypeError(f"{fmt!r} does not provide name, title, layout, kinds, detect, read, write")
    _loaded[fmt.name] = fmt


def names() -> tuple[str, ...]:
    """Every format name: the preferred ones in their order, then the others by name."""
    _discover()
    first = [name for name in _PREFERRED if name in _loaded]
    rest = sorted(name for name in _loaded if name not in _PREFERRED)
    return (*first, *rest)


def get(name: str) -> Format:
    """The format called ``name``; :class:`FormatError` naming the known ones otherwise."""
    _discover()
    fmt = _loaded.get(name)
    if fmt is None:
        raise FormatError(f"unknown format {name!r} (known: {', '.join(names())})")
    return fmt


def all_formats() -> tuple[Format, ...]:
    return tuple(get(name) for name in names())


@dataclass(frozen=True, slots=True)
class Choice:
    """The format chosen for a path, how sure it was, and what every format said."""

    format: Format
    detection: Detection
    considered: tuple[tuple[str, Detection], ...]

    @property
    def summary(self) -> str:
        """One line for the user: ``"coco (instances.json has images, annotations ...)"``."""
        return f"{self.format.name} ({self.detection.reason})"


def detect(path: Path | str) -> Choice:
    """Choose the format of ``path``, or raise :class:`FormatError` listing every reason."""
    path = Path(path)
    if not path.exists():
        raise FormatError(f"{path} does not exist")
    considered: list[tuple[str, Detection]] = []
    for fmt in all_formats():
        considered.append((fmt.name, fmt.detect(path)))
    best_name, best = max(considered, key=lambda item: item[1].confidence)
    if not best:
        reasons = "; ".join(f"{name}: {detection.reason}" for name, detection in considered)
        raise FormatError(f"no known format recognises {path} ({reasons})")
    return Choice(get(best_name), best, tuple(considered))
