"""Installed models are folders the user owns: install, list, report the broken, remove."""

from __future__ import annotations

from pathlib import Path

import pytest

from limner.models.assist import catalog
from limner.models.assist.errors import ModelFileError


def test_install_lists_and_removes_a_model(tmp_path: Path) -> None:
    source = tmp_path / "downloaded.onnx"
    source.write_bytes(b"onnx bytes")
    root = tmp_path / "models"
    model = catalog.install(
        "detector", "yolo", {"model": source}, name="yolov8n", version="8.1", folder=root,
        labels=("person", "car"),
    )  # fmt: skip
    assert model.file("model").read_bytes() == b"onnx bytes"
    assert model.source == "model:yolov8n@8.1"
    again = catalog.install("detector", "yolo", {"model": source}, name="yolov8n", folder=root)
    assert again.folder != model.folder
    found, problems = catalog.installed(root)
    assert [m.name for m in found] == ["yolov8n", "yolov8n"] and problems == []
    assert found[0].labels == ("person", "car") or found[1].labels == ("person", "car")
    catalog.remove(model)
    assert [m.folder for m in catalog.installed(root)[0]] == [again.folder]


def test_a_broken_manifest_is_reported_and_hides_nothing(tmp_path: Path) -> None:
    root = tmp_path / "models"
    good = tmp_path / "m.onnx"
    good.write_bytes(b"x")
    catalog.install("segmenter", "sam", {"encoder": good, "decoder": good}, name="ok", folder=root)
    (root / "broken").mkdir()
    (root / "broken" / catalog.MANIFEST).write_text("{not json")
    found, problems = catalog.installed(root)
    assert [m.name for m in found] == ["ok"]
    assert len(problems) == 1 and "broken" in problems[0]


def test_installing_a_missing_file_or_unknown_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="does not exist"):
        catalog.install("detector", "yolo", {"model": tmp_path / "nope.onnx"}, name="x",
                        folder=tmp_path)  # fmt: skip
    with pytest.raises(ModelFileError, match="kind"):
        catalog.install("painter", "yolo", {}, name="x", folder=tmp_path)


def test_the_folder_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(catalog.ENV_FOLDER, str(tmp_path))
    assert catalog.models_folder() == tmp_path
    monkeypatch.delenv(catalog.ENV_FOLDER)
    assert catalog.models_folder().name == "models"
