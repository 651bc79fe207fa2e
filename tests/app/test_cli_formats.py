"""``limner import`` and ``limner export`` as a user runs them, and labels with ``limner new``.

The COCO file is written here from COCO's public description, its mask encoded with
pycocotools, and loaded with pycocotools' own reader before limner reads it, so the test
knows the file is one the reference tool accepts. Exports are loaded the same way.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO

from limner.app.cli import main
from limner.models.store import queries
from limner.models.store.store import ProjectStore
from tests.conftest import write_image
from tests.models.formats.test_labels_found import labelme_sidecar


def coco_dataset(folder: Path, *, orphan: bool = False) -> Path:
    """instances.json over the conftest images img1..img3 (80, 81, 82 x 60)."""
    pixels = np.zeros((60, 82), dtype=np.uint8, order="F")
    pixels[5:25, 10:30] = 1
    rle = mask_utils.encode(pixels)
    rle["counts"] = rle["counts"].decode("ascii")
    images = [
        {"id": i, "file_name": f"img{i}.png", "width": 79 + i, "height": 60} for i in (1, 2, 3)
    ]
    anns: list[dict[str, Any]] = [
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [2, 3, 10, 12], "area": 60,
         "iscrowd": 0, "segmentation": [[2, 3, 12, 3, 12, 15]]},
        {"id": 2, "image_id": 2, "category_id": 2, "bbox": [1, 1, 5, 5], "area": 25,
         "iscrowd": 0, "segmentation": []},
        {"id": 3, "image_id": 3, "category_id": 2, "segmentation": rle, "iscrowd": 1,
         "area": float(pixels.sum()), "bbox": list(mask_utils.toBbox(rle))},
    ]  # fmt: skip
    if orphan:
        anns.append({**anns[1], "id": 4, "image_id": 42})
    data = {"images": images, "annotations": anns,
            "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "truck"}]}  # fmt: skip
    path = folder / "instances.json"
    path.write_text(json.dumps(data))
    assert len(load_coco(path).anns) == len(anns)  # the reference reader takes it
    return path


def load_coco(path: Path) -> COCO:
    """pycocotools' reader, without the progress it prints."""
    with contextlib.redirect_stdout(io.StringIO()):
        return COCO(str(path))


@pytest.fixture
def proj(tmp_path: Path, image_dir: Path, capsys: pytest.CaptureFixture) -> Path:
    path = tmp_path / "p"
    assert main(["new", str(path), "--images", str(image_dir), "--classes", "cat"]) == 0
    capsys.readouterr()
    return path


def run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def counts(path: Path) -> dict[str, int]:
    with ProjectStore.open(path) as store, store.read() as conn:
        return {r.name: r.annotation_count for r in queries.image_page(conn, 0, 100)}


def test_import_recognises_coco_says_why_and_exits_0(
    proj: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    source = coco_dataset(tmp_path)
    code, out, err = run(capsys, "import", str(proj), str(tmp_path))  # the folder holding it
    assert code == 0, err
    [line] = out.splitlines()
    assert line.startswith("imported 3 shapes on 3 images, 1 class created; 0 losses")
    assert f"read {source} as coco (instances.json: instances.json has images" in line
    assert counts(proj) == {f"img{i}.png": int(i <= 3) for i in range(1, 6)}


def test_import_json_names_the_choice_and_what_every_format_said(
    proj: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    coco_dataset(tmp_path)
    code, out, _err = run(capsys, "import", str(proj), str(tmp_path / "instances.json"), "--json")
    data = json.loads(out)
    assert code == 0
    assert data["chosen"]["format"] == "coco" and data["chosen"]["by"] == "detection"
    said = data["chosen"]["considered"]
    assert said["coco"]["confidence"] > said["yolo"]["confidence"]
    assert (data["images"], data["shapes"], data["losses"]) == (3, 3, [])


def test_losses_are_listed_one_per_line_and_exit_3(
    proj: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    coco_dataset(tmp_path, orphan=True)
    code, out, _err = run(capsys, "import", str(proj), str(tmp_path / "instances.json"))
    assert code == 3
    lines = out.splitlines()
    assert "; 1 loss;" in lines[0]
    assert lines[1:] == [
        "  loss: dataset, annotation 4: annotation: its image id 42 is not among the images"
    ]


def test_format_overrides_detection_and_a_wrong_one_fails_with_1(
    proj: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    coco_dataset(tmp_path)
    code, out, err = run(capsys, "import", str(proj), str(tmp_path), "--format", "coco")
    assert code == 0 and "as coco (given with --format)" in out
    source = str(tmp_path / "instances.json")
    code, out, err = run(capsys, "import", str(proj), source, "--format", "cvat")
    assert code == 1 and out == ""
    assert "is not an XML file" in err
    assert err.startswith("limner: ") and err.count("\n") == 1
    code, _out, err = run(capsys, "import", str(proj), str(tmp_path), "--format", "nope")
    assert code == 2 and "unknown format 'nope' (known: coco, yolo" in err


def test_detection_chooses_yolo_for_a_yolo_dataset(
    proj: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root = tmp_path / "yolo"
    write_image(root / "images" / "img1.png", 80, 60, seed=0)  # the same file as the project's
    (root / "labels").mkdir()
    (root / "labels" / "img1.txt").write_text("1 0.5 0.5 0.25 0.5\n")
    (root / "data.yaml").write_text("train: images\nval: images\nnames: [cat, truck]\n")
    code, out, err = run(capsys, "import", str(proj), str(root))
    assert code == 0, err
    assert "as yolo (data.yaml lists class names)" in out
    assert counts(proj)["img1.png"] == 1


def test_export_filters_by_status_queue_and_classes(
    proj: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    coco_dataset(tmp_path)
    assert run(capsys, "import", str(proj), str(tmp_path))[0] == 0
    assert run(capsys, "status", str(proj), "img1.png", "--set", "approved")[0] == 0
    assert run(capsys, "status", str(proj), "img3.png", "--set", "approved")[0] == 0
    assert run(capsys, "queue", str(proj), "add", "q1", "--role", "review")[0] == 0
    assert run(capsys, "queue", str(proj), "assign", "q1", "img2.png", "img3.png")[0] == 0

    def export(*filters: str) -> COCO:
        out = tmp_path / "out.json"
        code, text, err = run(capsys, "export", str(proj), str(out), "--format", "coco", *filters)
        assert code == 0, err
        assert text.startswith("exported ") and text.rstrip().endswith("0 losses as coco")
        return load_coco(out)

    names = lambda api: sorted(i["file_name"] for i in api.imgs.values())  # noqa: E731
    approved = export("--status", "approved")
    assert names(approved) == ["img1.png", "img3.png"] and len(approved.anns) == 2
    queued = export("--queue", "q1")
    assert names(queued) == ["img2.png", "img3.png"]
    trucks = export("--classes", "truck")
    assert len(trucks.imgs) == 5 and [c["name"] for c in trucks.cats.values()] == ["truck"]
    assert sorted(a["image_id"] for a in trucks.anns.values()) == [2, 3]
    both = export("--status", "approved", "--queue", "q1", "--classes", "cat,truck")
    assert names(both) == ["img3.png"] and len(both.anns) == 1


def test_export_errors_and_usage(proj: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = str(tmp_path / "o.json")
    code, _out, err = run(capsys, "export", str(proj), out, "--format", "coco", "--queue", "no")
    assert code == 1 and "no queue named 'no'" in err
    code, _out, err = run(capsys, "export", str(proj), out, "--format", "coco", "--classes", "x")
    assert code == 1 and "no class named 'x'" in err
    with pytest.raises(SystemExit) as stopped:
        main(["export", str(proj), out])  # --format is required
    assert stopped.value.code == 2


def test_export_with_losses_exits_3_in_a_fresh_process(
    proj: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    coco_dataset(tmp_path)
    assert run(capsys, "import", str(proj), str(tmp_path))[0] == 0
    out = tmp_path / "voc"
    done = subprocess.run(
        [sys.executable, "-m", "limner", "export", str(proj), str(out), "--format", "voc"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("exported 5 images, 3 shapes to ")
    assert "; 2 losses as voc" in lines[0]
    assert all(line.startswith("  loss: img") for line in lines[1:]) and len(lines) == 3
    assert (out / "Annotations" / "img1.xml").is_file()


def test_new_imports_the_sidecars_of_its_image_folder_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    folder = tmp_path / "pets"
    for i in range(2):
        labelme_sidecar(write_image(folder / f"p{i}.png", seed=i), "dog")
    code, out, err = run(capsys, "new", str(tmp_path / "a"), "--images", str(folder))
    assert code == 0, err
    assert f"labels: imported 2 shapes on 2 images, 1 class created; 0 losses; read {folder}" in out
    assert "as labelme (" in out
    assert counts(tmp_path / "a") == {"p0.png": 1, "p1.png": 1}
    code, out, err = run(
        capsys, "new", str(tmp_path / "b"), "--images", str(folder), "--no-labels"
    )
    assert code == 0, err
    assert f"labelme annotations in {folder} (" in out and "not imported (--no-labels)" in out
    assert counts(tmp_path / "b") == {"p0.png": 0, "p1.png": 0}


def test_label_studio_json_is_a_format_of_the_command_line(
    proj: Path, tmp_path: Path, image_dir: Path, capsys: pytest.CaptureFixture
) -> None:
    # The format lives beside the sync codec; the command line registers it at start-up.
    assert run(capsys, "import", str(proj), str(coco_dataset(tmp_path)))[0] == 0
    out = tmp_path / "ls" / "tasks.json"
    code, printed, _ = run(capsys, "export", str(proj), str(out), "--format", "labelstudio")
    # truck holds a box and a mask, and Label Studio has no control for COCO's iscrowd.
    assert code == 3 and printed.count("loss:") == 2, printed
    assert out.with_suffix(".xml").is_file()
    again = tmp_path / "again"
    assert main(["new", str(again), "--images", str(image_dir), "--no-labels"]) == 0
    capsys.readouterr()
    code, printed, _ = run(capsys, "import", str(again), str(out), "--json")
    assert code == 0, printed
    data = json.loads(printed)
    assert data["format"] == "labelstudio" and data["shapes"] == 3
