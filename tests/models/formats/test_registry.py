"""The format registry: names, lookup, and choosing a format for a path with its reasons."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

from limner.models.domain.geometry import Box
from limner.models.formats import registry
from limner.models.formats.base import (
    ClassSpec,
    Detection,
    Format,
    FormatError,
    ImageLabels,
    Loss,
    Reading,
    Shape,
    shape_loss,
)


class _Suffix:
    """A format that recognises files by their suffix, with a fixed confidence."""

    layout = "file"
    kinds = frozenset({"box"})

    def __init__(self, name: str, suffix: str, confidence: float) -> None:
        self.name = name
        self.title = name.upper()
        self.suffix = suffix
        self.confidence = confidence

    def detect(self, path: Path) -> Detection:
        if path.suffix == self.suffix:
            return Detection(self.confidence, f"the name ends in {self.suffix}")
        return Detection(0.0, f"the name does not end in {self.suffix}")

    def read(self, path: Path) -> Reading:
        return Reading(path, [], iter(()))

    def write(
        self, images: Iterable[ImageLabels], classes: Sequence[ClassSpec], out: Path
    ) -> list[Loss]:
        return []


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    """A registry holding only what the test registers."""
    monkeypatch.setattr(registry, "_loaded", {})
    monkeypatch.setattr(registry, "_discovered", True)


def test_the_most_confident_format_is_chosen_and_says_why(
    isolated: None, tmp_path: Path
) -> None:
    registry.register(_Suffix("weak", ".json", 0.3))
    registry.register(_Suffix("strong", ".json", 0.9))
    registry.register(_Suffix("other", ".txt", 1.0))
    path = tmp_path / "labels.json"
    path.write_text("{}")
    choice = registry.detect(path)
    assert choice.format.name == "strong"
    assert choice.summary == "strong (the name ends in .json)"
    said = dict(choice.considered)
    assert said["weak"].confidence == 0.3
    assert not said["other"]


def test_no_format_recognising_a_path_is_an_error_with_every_reason(
    isolated: None, tmp_path: Path
) -> None:
    registry.register(_Suffix("a", ".json", 1.0))
    registry.register(_Suffix("b", ".txt", 1.0))
    path = tmp_path / "labels.xml"
    path.write_text("<x/>")
    with pytest.raises(FormatError) as caught:
        registry.detect(path)
    message = str(caught.value)
    assert "a: the name does not end in .json" in message
    assert "b: the name does not end in .txt" in message


def test_a_missing_path_and_an_unknown_name_are_errors(isolated: None, tmp_path: Path) -> None:
    registry.register(_Suffix("a", ".json", 1.0))
    with pytest.raises(FormatError, match="does not exist"):
        registry.detect(tmp_path / "nothing")
    with pytest.raises(FormatError, match=r"unknown format 'b' \(known: a\)"):
        registry.get("b")


def test_something_that_is_not_a_format_is_refused(isolated: None) -> None:
    with pytest.raises(TypeError):
        registry.register(object())  # type: ignore[arg-type]


def test_preferred_formats_come_first_then_the_rest_by_name(isolated: None) -> None:
    for name in ("zeta", "yolo", "alpha", "coco"):
        registry.register(_Suffix(name, ".x", 1.0))
    assert registry.names() == ("coco", "yolo", "alpha", "zeta")


def test_every_module_of_the_package_that_defines_a_format_is_registered() -> None:
    import importlib
    import pkgutil

    from limner.models import formats

    for info in pkgutil.iter_modules(formats.__path__):
        if info.name in ("base", "registry"):
            continue
        module = importlib.import_module(f"limner.models.formats.{info.name}")
        offered = getattr(module, "FORMATS", ())
        single = getattr(module, "FORMAT", None)
        for fmt in (*offered, *([single] if single is not None else [])):
            assert registry.get(fmt.name) is fmt
            assert isinstance(fmt, Format)


def test_a_loss_reads_as_one_line_naming_where_it_happened() -> None:
    image = ImageLabels("a/b.jpg", (Shape(Box(0, 0, 1, 1), "cat", id=7),))
    assert str(shape_loss(image, 0, image.shapes[0], "box", "too small")) == (
        "a/b.jpg, annotation 7: box: too small"
    )
    assert str(Loss(None, None, "category", "unused")) == "dataset: category: unused"
    unnamed = Shape(Box(0, 0, 1, 1), None)
    assert shape_loss(image, 3, unnamed, "box", "x").annotation == 3
