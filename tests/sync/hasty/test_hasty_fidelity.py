"""The vendor's own Python client (``hasty`` 0.3.12) against the Hasty fake.

It keeps the fake honest where the client and the API document agree, and shows where the
fake follows the document instead: the client names an edited label ``label_id`` and
sends open polygon rings, which the fake (like the document) does not take.
"""

from __future__ import annotations

import numpy as np
import pytest

from limner.sync.adapters.hasty_format import (
    geometry_from_label,
)
from tests.fakes.hasty_server import png_bytes
from tests.sync.hasty_world import (
    label_offline,
)


# -- the vendor's own client against the fake ---------------------------------------------
def _vendor_client():
    try:
        import hasty
    except ImportError:
        pytest.fail(
            "the official Hasty client is missing: pip install 'hasty==0.3.12' "
            "(it is in the test extra of pyproject.toml)",
            pytrace=False,
        )
    assert hasty.__version__ == "0.3.12", "the fidelity check is written against hasty 0.3.12"
    return hasty


def test_fidelity_the_official_client_runs_against_the_fake(world, tmp_path) -> None:
    hasty = _vendor_client()
    client = hasty.Client(api_key=world.fake.api_key, base_url=world.fake.url)
    assert [w.id for w in client.get_workspaces()] == [world.fake.workspace_id]
    projects = client.get_projects()
    assert len(projects) == 1 and projects[0].id == world.pid
    project = client.get_project(world.pid)
    assert project.name == "limner street scenes"
    assert [d.name for d in project.get_datasets()] == ["train"]
    dataset = project.create_dataset("val", 1)
    assert dataset.name == "val"
    assert {c.name for c in project.get_label_classes()} == {"car", "person", "blob"}
    tree = project.create_label_class("tree", color="#00aa00ff", norder=5)
    assert project.get_label_class(tree.id).name == "tree"
    path = tmp_path / "upload.png"
    path.write_bytes(png_bytes(40, 30, (1, 2, 3)))
    uploaded = project.upload_from_file(dataset, str(path), external_id="ext-1")
    assert (uploaded.width, uploaded.height, uploaded.external_id) == (40, 30, "ext-1")
    image = project.get_image(uploaded.id)
    assert image.name == "upload.png" and image.status == "NEW"
    assert len(project.get_images()) == 4
    assert {i.name for i in project.get_images(image_status=["TO REVIEW", "DONE"])} == {
        "img1.png",
        "img2.png",
    }
    assert len(project.get_images(dataset=[dataset])) == 1

    crop = np.zeros((5, 6), np.uint8)
    crop[1:4, 2:5] = 1
    # the vendor's encoder yields numpy integers, which its own JSON encoding cannot send
    rle = [int(v) for v in hasty.label_utils.rle_encoding(crop)]
    labels = image.create_labels(
        [
            {"class_id": tree.id, "bbox": [1, 2, 11, 12], "external_id": "a"},
            {
                "class_id": tree.id,
                "polygon": [[1, 1], [10, 1], [5, 9], [1, 1]],
                "bbox": [1, 1, 10, 9],
            },
            {"class_id": tree.id, "bbox": [20, 10, 26, 15], "mask": rle, "z_index": 2},
        ]
    )
    assert [label.external_id for label in labels] == ["a", None, None]
    got = list(image.get_labels())
    assert [g.bbox for g in got] == [[1, 2, 11, 12], [1, 1, 10, 9], [20, 10, 26, 15]]
    assert got[2].mask == rle and got[2].z_index == 2
    # limner reads the vendor's mask encoding pixel for pixel
    mask = geometry_from_label({"bbox": got[2].bbox, "mask": got[2].mask}, 40, 30)
    expected = np.zeros((30, 40), bool)
    expected[10:15, 20:26] = crop.astype(bool)
    assert np.array_equal(mask.to_array(), expected)
    # the client names an edited label "label_id"; the API document names it "id", and the
    # fake, which follows the document, refuses the field it does not list
    with pytest.raises(hasty.exception.ValidationException) as renamed:
        got[1].edit(tree, bbox=[2, 2, 8, 8])
    assert "unknown field" in renamed.value.message and "label_id" in renamed.value.message
    with pytest.raises(hasty.exception.ValidationException):
        image.edit_labels([{"label_id": got[0].id, "class_id": tree.id, "bbox": [0, 0, 4, 4]}])
    # an open ring is refused: the document's polygons end with their first point
    with pytest.raises(hasty.exception.ValidationException) as open_ring:
        image.create_labels([{"class_id": tree.id, "polygon": [[1, 1], [10, 1], [5, 9]]}])
    assert "closed ring" in open_ring.value.message
    image.delete_labels([got[0].id])
    assert [g.id for g in image.get_labels()] == [got[1].id, got[2].id]
    image.set_status("TO REVIEW")
    assert project.get_image(image.id).status == "TO REVIEW"
    assert world.fake.images[image.id]["status"] == "TO REVIEW"
    target = tmp_path / "down.png"
    image.download(str(target))
    assert target.read_bytes() == path.read_bytes()
    attribute = next(a for a in project.get_attributes() if a.name == "occluded")
    car_label = next(iter(project.get_image(world.images["img0.png"]).get_labels()))
    car_label.set_attribute(attribute, True)
    assert [(a.id, a.value) for a in car_label.get_attributes()] == [(attribute.id, True)]
    assert {(r["attribute_id"], r["class_id"]) for r in project.get_attribute_classes()} == {
        (a, world.classes["car"]) for a in world.fake.attributes
    }
    with pytest.raises(hasty.exception.ValidationException) as refused:
        image.create_labels([{"class_id": tree.id, "bbox": [1.5, 1, 4, 4]}])
    assert "integers" in refused.value.message  # the fake's 400 body, read by the client
    with pytest.raises(hasty.exception.NotFound):
        client.get_project(world.fake.workspace_id)
    with pytest.raises(hasty.exception.AuthenticationException):
        hasty.Client(api_key="wrong", base_url=world.fake.url).get_projects()


def test_fidelity_the_official_client_reads_what_limner_wrote(world, linked) -> None:
    hasty = _vendor_client()
    linked.engine.run_once()
    items = label_offline(linked, world)
    linked.engine.run_once()
    client = hasty.Client(api_key=world.fake.api_key, base_url=world.fake.url)
    image = client.get_project(world.pid).get_image(world.images["img0.png"])
    assert image.status == "TO REVIEW"
    by_external = {label.external_id: label for label in image.get_labels()}
    mask_label = by_external[f"limner:{items['mask'].uuid}"]
    x0, y0, x1, y1 = mask_label.bbox
    decoded = hasty.label_utils.rle_decode(mask_label.mask, (x1 - x0, y1 - y0))
    full = np.zeros((48, 64), bool)
    full[y0:y1, x0:x1] = decoded.astype(bool)
    assert np.array_equal(full, items["mask"].geometry.to_array())
    assert hasty.label_utils.check_rle_mask(mask_label.bbox, mask_label.mask)
    polygon = by_external[f"limner:{items['polygon'].uuid}"]
    assert polygon.polygon == [[3, 3], [40, 5], [20, 40], [3, 3]]  # closed, as documented
    assert polygon.bbox == hasty.label_utils.polygon2box(polygon.polygon)
