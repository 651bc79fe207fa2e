"""Preferences → Models: add from files, download with a checksum, remove."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from limner.sync.model_download import download
from limner.widgets.dialogs.models_dialog import ModelsWidget
from tests.sync.test_model_download import BODY, DIGEST, server

__all__ = ["server"]  # the fixture, used by name


def test_add_a_detector_from_a_file_and_remove_it(qtbot, tmp_path: Path) -> None:
    page = ModelsWidget(folder=tmp_path / "models")
    qtbot.addWidget(page)
    source = tmp_path / "yolo.onnx"
    source.write_bytes(b"weights")
    page.kind.setCurrentText("detector")
    assert not page.files["encoder"].isEnabled()
    page.files["model"].setText(str(source))
    QTest.keyClicks(page.name, "yolo11n")
    QTest.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert page.table.rowCount() == 1
    assert page.table.item(0, 0).text() == "yolo11n"
    assert page.installed[0].file("model").read_bytes() == b"weights"
    page.table.selectRow(0)
    QTest.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    assert page.table.rowCount() == 0


def test_a_segmenter_needs_both_files(qtbot, tmp_path: Path) -> None:
    page = ModelsWidget(folder=tmp_path / "models")
    qtbot.addWidget(page)
    page.kind.setCurrentText("segmenter")
    assert page.family.findText("sam2") >= 0
    QTest.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert page.table.rowCount() == 0 and "does not exist" in page.message.text()


def test_download_installs_a_checked_file_and_refuses_a_wrong_one(
    qtbot, tmp_path: Path, server
) -> None:
    _, url = server
    page = ModelsWidget(folder=tmp_path / "models", downloader=download)
    qtbot.addWidget(page)
    page.kind.setCurrentText("detector")
    page.url.setText(url)
    page.sha256.setText(hashlib.sha256(b"other").hexdigest())
    QTest.mouseClick(page.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.download_button.isEnabled(), timeout=20_000)
    assert "SHA-256" in page.message.text() and page.table.rowCount() == 0
    page.sha256.setText(DIGEST)
    QTest.keyClicks(page.name, "fetched")
    QTest.mouseClick(page.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=20_000)
    assert page.installed[0].file("model").read_bytes() == BODY
