"""Reading and writing the XML that Pascal VOC and CVAT keep their labels in.

Three things every XML format here needs, done once:

* **Safe, streaming parsing.** Files come from other people, so a document that declares
  entities (the "billion laughs" expansion, or a reference to a file on this machine) is
  refused outright; neither format ever needs one. :class:`XmlStream` hands out each child
  of the root element as soon as it is complete and forgets it afterwards, so a CVAT file
  of 100k images is read in constant memory.
* **Exact numbers.** Coordinates are written as the shortest decimal that reads back to the
  same float, never with an exponent and never rounded to two places, so a shape survives
  a round trip to the last bit.
* **Typed values in untyped text.** Where a format has no attribute schema (VOC), a value
  is written as text and guessed back: ``true``/``false`` are booleans, decimal literals
  are numbers, a JSON list or object is that list or object, anything else is text.
  :func:`value_text` says when a text would be guessed as something else, so the writer
  can name that loss.
"""

from __future__ import annotations

import io
import json
import math
import re
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO
from xml.parsers import expat

import numpy as np

from limner.models.formats.base import FormatError

_CHUNK = 1 << 16
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_XML_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


class _EntityRefused(Exception):
    """Raised from inside expat when the document declares an entity."""


class XmlStream:
    """The children of an XML document's root element, one complete element at a time.

    ``root_tag`` and ``root_attrib`` are known as soon as the root element has started
    (:meth:`open` reads until then). Iterating yields each child of the root once it has
    ended, detached from the root so that it can be dropped after use. Character data
    directly inside an element becomes its ``text`` (whitespace around it is stripped);
    text between child elements is ignored, as neither format uses mixed content.
    """

    def __init__(self, path: Path, handle: BinaryIO) -> None:
        self.path = path
        self._handle = handle
        self._done: deque[ET.Element] = deque()
        self._stack: list[ET.Element] = []
        self._texts: list[list[str]] = []
        self.root_tag: str | None = None
        self.root_attrib: dict[str, str] = {}
        self._parser = expat.ParserCreate()
        self._parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self._parser.EntityDeclHandler = self._refuse_entity
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        self._parser.CharacterDataHandler = self._characters
        self._parser.buffer_text = True
        self._finished = False

    @classmethod
    def open(cls, path: Path) -> XmlStream:
        """Start reading ``path``; :class:`FormatError` if it is unreadable or not XML."""
        try:
            handle = path.open("rb")
        except OSError as error:
            raise FormatError(f"cannot read {path}: {error.strerror or error}") from None
        return cls.from_handle(path, handle)

    @classmethod
    def from_handle(cls, path: Path, handle: BinaryIO) -> XmlStream:
        """Start reading an open binary file (``path`` names it in messages)."""
        stream = cls(path, handle)
        try:
            while stream.root_tag is None and stream._feed():
                pass
        except BaseException:
            handle.close()
            raise
        if stream.root_tag is None:
            handle.close()
            raise FormatError(f"{path} holds no XML element")
        return stream

    def __iter__(self) -> Iterator[ET.Element]:
        try:
            while True:
                while self._done:
                    yield self._done.popleft()
                if not self._feed():
                    while self._done:
                        yield self._done.popleft()
                    return
        finally:
            self.close()

    def close(self) -> None:
        self._handle.close()

    def _feed(self) -> bool:
        """Parse one more chunk; False once the document has been parsed to its end."""
        if self._finished:
            return False
        try:
            data = self._handle.read(_CHUNK)
        except OSError as error:
            raise FormatError(f"cannot read {self.path}: {error.strerror or error}") from None
        try:
            self._parser.Parse(data, not data)
        except _EntityRefused:
            raise FormatError(
                f"{self.path} declares XML entities, which limner refuses to expand"
            ) from None
        except expat.ExpatError as error:
            message = expat.ErrorString(error.code)
            raise FormatError(
                f"{self.path} is not well-formed XML ({message} at line {error.lineno}, "
                f"column {error.offset})"
            ) from None
        if not data:
            self._finished = True
        return bool(data)

    def _refuse_entity(self, *_args: object) -> None:
        raise _EntityRefused()

    def _start(self, tag: str, attrib: dict[str, str]) -> None:
        if self.root_tag is None:
            self.root_tag = tag
            self.root_attrib = dict(attrib)
        element = ET.Element(tag, attrib)
        if self._stack:
            self._stack[-1].append(element)
        self._stack.append(element)
        self._texts.append([])

    def _end(self, _tag: str) -> None:
        element = self._stack.pop()
        text = "".join(self._texts.pop()).strip()
        element.text = text or None
        if len(self._stack) == 1:
            self._stack[0].remove(element)
            self._done.append(element)

    def _characters(self, data: str) -> None:
        if self._texts:
            self._texts[-1].append(data)


def parse_document(path: Path) -> ET.Element:
    """The whole of a small XML file (one VOC annotation) as its root element."""
    stream = XmlStream.open(path)
    root = ET.Element(stream.root_tag or "", stream.root_attrib)
    for child in stream:
        root.append(child)
    return root


def parse_text(text: str, what: str) -> ET.Element:
    """An XML fragment held in a text (CVAT's skeleton ``<svg>``), wrapped in one root.

    Parsed by the same guarded parser as files, so a fragment cannot declare entities.
    """
    data = f"<fragment>{text}</fragment>".encode()
    stream = XmlStream(Path(what), io.BytesIO(data))
    root = ET.Element("fragment")
    for child in stream:
        root.append(child)
    return root


def sniff_root(path: Path, limit: int = 4096) -> str | None:
    """The root element's tag from the first bytes of ``path``, or None if it is not XML.

    For detection: cheap, never reads a whole file, and never raises.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(limit)
    except OSError:
        return None
    return root_of(head.decode("utf-8", errors="replace"))


def root_of(head: str) -> str | None:
    """The tag of the first element in the start of a document, past its declarations."""
    text = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", head.lstrip("\ufeff"), flags=re.S)
    match = re.match(r"\s*<\s*([A-Za-z_][\w.-]*)", text)
    return match.group(1) if match else None


def number_text(value: float | int) -> str:
    """The shortest decimal that reads back as exactly ``value``, with no exponent."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    number = float(value)
    if number.is_integer() and abs(number) < 1e16:
        return str(int(number))
    return np.format_float_positional(number, trim="-")


def parse_number(text: str | None, what: str) -> float:
    """A finite float from an element's or attribute's text; ValueError naming ``what``."""
    if text is None or not text.strip():
        raise ValueError(f"{what} is missing")
    try:
        number = float(text.strip())
    except ValueError:
        raise ValueError(f"{what} is not a number ({text.strip()!r})") from None
    if not math.isfinite(number):
        raise ValueError(f"{what} is not a finite number ({text.strip()!r})")
    return number


def parse_flag(text: str | None) -> bool:
    """XML's many ways of saying yes: ``1``, ``true``, ``True``, ``yes``."""
    return (text or "").strip().lower() in ("1", "true", "yes")


def guess_value(text: str | None) -> Any:
    """A value from untyped text: bool, int, float, JSON list or object, else the text."""
    if text is None:
        return ""
    stripped = text.strip()
    lowered = stripped.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if _INTEGER.fullmatch(stripped):
        return int(stripped)
    if _NUMBER.fullmatch(stripped):
        return float(stripped)
    if stripped[:1] in "[{" and stripped[-1:] in "]}":
        try:
            return json.loads(stripped)
        except ValueError:
            return text
    return text


def value_text(value: Any) -> tuple[str, bool]:
    """``value`` as text for :func:`guess_value`, and whether it reads back the same.

    Booleans are ``true``/``false``, numbers exact decimals, lists and objects JSON. A
    text that :func:`guess_value` would take for something else (``"3"``, ``"true"``)
    comes back as that, so the second item is False for it.
    """
    if isinstance(value, bool):
        return ("true" if value else "false"), True
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            return str(value), False
        text = number_text(value)
        return text, same_value(guess_value(text), value)
    if isinstance(value, str):
        return value, same_value(guess_value(value), value)
    if value is None:
        return "", False
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value), False
    return text, same_value(guess_value(text), value)


def same_value(a: Any, b: Any) -> bool:
    """Equal, with a boolean equal only to a boolean (in Python ``True == 1``).

    Numbers compare by value (``3 == 3.0``), since a whole float written as ``3`` comes
    back as an int; containers compare item by item.
    """
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def is_xml_name(name: object) -> bool:
    """True when ``name`` can be an element's tag as it is."""
    if not isinstance(name, str):
        return False
    return bool(_XML_NAME.fullmatch(name)) and not name.lower().startswith("xml")


def element_text(element: ET.Element, level: int) -> str:
    """``element`` serialised with two-space indentation, as at depth ``level``."""
    ET.indent(element, space="  ", level=level)
    return ET.tostring(element, encoding="unicode")
