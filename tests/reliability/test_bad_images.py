"""Bad image files given to ``limner new X --images ...``: each gets a clear message.

A file limner cannot use is still listed in the project with its reason (so the user
sees it in the image list), and the command says which file and why; a file it can use,
however unusual (16-bit, CMYK, rotated by EXIF), is simply added. One bad file never
stops the others of a folder. The message a user should see is written beside each case.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from limner.models.domain.entities import ImageRecord
from limner.models.imaging.imageio import load_rgb
from limner.models.store import queries
from limner.models.store.store import ProjectStore
from limner.models.workflow.project import resolve_image_path
from tests.reliability import corpus
from tests.reliability.runcli import Ran, expect, limner, one_line_error

Maker = Callable[[Path], Path]
ADDED = r"\b1 image added"
LOOP = r"(?i:link loop|symbolic link|symlink|links? to itself|too many levels of symbolic)"


def _new(tmp_path: Path, *images: Path | bytes) -> Ran:
    args: list[str | Path | bytes] = ["new", tmp_path / "proj"]
    for image in images:
        args += ["--images", image]
    return limner(*args)


def _only_image(tmp_path: Path) -> tuple[ImageRecord, Path]:
    with ProjectStore.open(tmp_path / "proj") as store, store.read() as conn:
        (record,) = queries.image_page(conn, 0, 10)
        return record, resolve_image_path(store, record.path)


@pytest.mark.parametrize(
    ("make", "words"),
    [
        # "unreadable: empty.png: empty file (0 bytes)"
        (lambda d: corpus.zero_bytes(d / "empty.png"), r"empty\.png: empty file \(0 bytes\)"),
        # "unreadable: cut.png: corrupt or truncated PNG data (...)"
        (lambda d: corpus.truncated(d / "cut.png", "PNG"), r"cut\.png: corrupt or truncated PNG"),
        # "unreadable: cut.jpg: corrupt or truncated JPEG data (...)"
        (lambda d: corpus.truncated(d / "cut.jpg", "JPEG"), r"cut\.jpg: corrupt or truncated JPEG"),
        # "unreadable: notes.jpg: not an image file: the content is not JPEG, PNG, ... data"
        (lambda d: corpus.text_as_jpeg(d / "notes.jpg"), r"notes\.jpg: not an image file"),
        # "unreadable: bomb.png: image is 100000 × 100000 = 10000.0 megapixels, above the
        #  safety limit of 89.5 megapixels"
        (lambda d: corpus.bomb_png(d / "bomb.png"), r"bomb\.png: image is 100000 .* safety limit"),
        # "unreadable: anim.gif: unsupported file type (suffix '.gif'; supported: ...)"
        (lambda d: corpus.animated_gif(d / "anim.gif"), r"anim\.gif: unsupported file type"),
    ],
    ids=["zero-byte", "truncated-png", "truncated-jpeg", "text-as-jpg", "bomb-header", "gif"],
)
def test_unusable_image_is_listed_with_its_reason(tmp_path: Path, make: Maker, words: str) -> None:
    ran = _new(tmp_path, make(tmp_path))
    expect(ran, 0, r"\b0 images added", r"1 unreadable", words)  # kept, listed, not added
    record, _ = _only_image(tmp_path)
    assert record.error, "the unusable file must be kept with its reason"


@pytest.mark.parametrize(
    ("make", "size"),
    [
        (lambda d: corpus.deep_png(d / "deep.png"), (60, 40)),
        (lambda d: corpus.cmyk_jpeg(d / "cmyk.jpg"), (60, 40)),
        (lambda d: corpus.rotated_jpeg(d / "rotated.jpg"), (40, 60)),  # as a viewer shows it
    ],
    ids=["16-bit-png", "cmyk-jpeg", "exif-rotated-jpeg"],
)
def test_unusual_but_valid_image_is_added(
    tmp_path: Path, make: Maker, size: tuple[int, int]
) -> None:
    """Expected: "created ...: 1 image added"; sized as shown, decodable to 8-bit RGB."""
    ran = _new(tmp_path, make(tmp_path))
    expect(ran, 0, ADDED)
    assert "unreadable" not in ran.output, ran
    record, path = _only_image(tmp_path)
    assert (record.width, record.height, record.error) == (*size, None)
    rgb = load_rgb(path)
    assert rgb.shape == (size[1], size[0], 3) and rgb.dtype == np.uint8


def test_unreadable_file_is_listed_with_its_reason(tmp_path: Path) -> None:
    """Expected: "unreadable: locked.png: permission denied ..." (as root, where chmod does
    not stop reading, a FIFO stands in: "unreadable: pipe.png: not a regular file")."""
    path, words = corpus.unreadable(tmp_path)
    expect(_new(tmp_path, path), 0, r"\b0 images added", rf"{path.name}: {words}")


def test_symlink_loop_given_as_a_file_is_named_as_a_loop(tmp_path: Path) -> None:
    """Expected: "limner: .../loop_a.png: the link leads to itself (a symbolic link loop)"."""
    loop, _ = corpus.symlink_loop(tmp_path)
    ran = _new(tmp_path, loop)
    expect(ran, (0, 2), r"loop_a\.png", LOOP)
    assert "no such file" not in ran.output, ran


def test_symlink_loop_in_a_folder_is_listed_with_its_reason(tmp_path: Path) -> None:
    """Expected: good.png added, and each link of the loop listed with its reason
    ("unreadable: loop_a.png: ... Too many levels of symbolic links", the same for _b)."""
    folder = tmp_path / "photos"
    folder.mkdir()
    corpus.good_png(folder / "good.png")
    corpus.symlink_loop(folder)
    ran = _new(tmp_path, folder)
    expect(ran, 0, r"created", rf"loop_a\.png: .*{LOOP}", rf"loop_b\.png: .*{LOOP}")
    with ProjectStore.open(tmp_path / "proj") as store, store.read() as conn:
        good = queries.image_by_name(conn, "good.png")
    assert good is not None and good.error is None, ran


def test_non_utf8_name_does_not_stop_the_folder(tmp_path: Path) -> None:
    """Expected: the other images are added, and the odd name is either added (shown with
    a replacement character) or listed with its reason; never a traceback, and the
    project is usable afterwards."""
    folder = tmp_path / "photos"
    folder.mkdir()
    corpus.good_png(folder / "good.png")
    corpus.non_utf8_name(folder)
    ran = _new(tmp_path, folder)
    expect(ran, 0, r"created")
    with ProjectStore.open(tmp_path / "proj") as store, store.read() as conn:
        names = [r.name for r in queries.image_page(conn, 0, 10)]
    assert "good.png" in names, ran
    assert len(names) == 2 or "caf" in ran.stdout, f"the odd file vanished silently:\n{ran}"


def test_missing_image_path_is_refused_before_anything_is_made(tmp_path: Path) -> None:
    """Expected: "limner: no such file or folder: .../nothing.png", exit 2, no project."""
    ran = _new(tmp_path, tmp_path / "nothing.png")
    expect(ran, 2, r"no such file or folder: .*nothing\.png")
    one_line_error(ran)
    assert not os.path.exists(tmp_path / "proj"), "a project was made for a failed command"
