"""Each SAM-family export layout, run for real through onnxruntime on tiny test models."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from limner.models.assist.errors import ModelFileError
from limner.models.assist.families import BUILTIN, families, read_families
from limner.models.assist.sam import EmbeddingCache, Prompt, Segmenter, embedding_for
from tests.models.assist.tiny_onnx import build_decoder, build_encoder, expected_disc

pytest.importorskip("onnxruntime", reason="onnxruntime runs the models (limner[assist])")

FAMILIES = families()


def segmenter(name: str, folder: Path) -> Segmenter:
    family = FAMILIES[name]
    encoder = build_encoder(family, folder / f"{name}-encoder.onnx")
    decoder = build_decoder(family, folder / f"{name}-decoder.onnx")
    return Segmenter(f"test-{name}", family, encoder, decoder)


@pytest.mark.parametrize("name", sorted(FAMILIES))
@pytest.mark.parametrize("size", [(200, 150), (150, 200)])
def test_a_click_gives_the_disc_around_it_in_image_pixels(
    name: str, size: tuple[int, int], tmp_path: Path
) -> None:
    model = segmenter(name, tmp_path)
    pixels = np.random.default_rng(1).integers(0, 255, (size[1], size[0], 3), np.uint8)
    embedding = model.encode(pixels)
    assert set(embedding.outputs) == set(FAMILIES[name].encoder.outputs)
    mask = model.decode(embedding, Prompt(points=((100.5, 60.5, True), (20.5, 20.5, False))))
    assert mask.shape == (size[1], size[0])
    assert np.array_equal(mask, expected_disc(size, 100.5, 60.5))


def test_the_four_public_layouts_are_described() -> None:
    assert {"sam", "mobile_sam", "efficient_sam", "sam2"} <= set(FAMILIES)


def test_a_box_prompt_and_an_empty_prompt(tmp_path: Path) -> None:
    model = segmenter("sam", tmp_path)
    pixels = np.zeros((100, 120, 3), np.uint8)
    embedding = model.encode(pixels)
    assert not model.decode(embedding, Prompt()).any()
    # The box's first corner is the first point the decoder sees.
    mask = model.decode(embedding, Prompt(box=(30.5, 40.5, 80.0, 90.0)))
    assert np.array_equal(mask, expected_disc((120, 100), 30.5, 40.5))


def test_embeddings_are_cached_on_disk_per_model_and_image(tmp_path: Path) -> None:
    model = segmenter("sam2", tmp_path)
    cache = EmbeddingCache(tmp_path / "cache")
    pixels = np.full((90, 160, 3), 77, np.uint8)
    first = embedding_for(model, cache, "hash-1", pixels)
    files = list((tmp_path / "cache").rglob("*.npz"))
    assert len(files) == 1 and "test-sam2" in files[0].parts
    again = cache.get("test-sam2", "hash-1")
    assert again is not None and again.image_size == (160, 90)
    assert again.scale == first.scale
    for key, value in first.outputs.items():
        assert np.array_equal(again.outputs[key], value)
    # A damaged cache file is recomputed, not trusted.
    files[0].write_bytes(b"not an npz")
    assert cache.get("test-sam2", "hash-1") is None
    assert embedding_for(model, cache, "hash-1", pixels).image_size == (160, 90)


def test_a_new_family_is_a_data_file(tmp_path: Path) -> None:
    entry = json.loads(BUILTIN.read_text())["sam"]
    entry["encoder"]["input"] = "pixels"
    entry["decoder"]["masks"] = "out_masks"
    (tmp_path / "my-families.json").write_text(json.dumps({"my_sam": entry}))
    found = families(tmp_path)
    assert found["my_sam"].encoder.input == "pixels"
    model = Segmenter(
        "mine",
        found["my_sam"],
        build_encoder(found["my_sam"], tmp_path / "e.onnx"),
        build_decoder(found["my_sam"], tmp_path / "d.onnx"),
    )
    mask = model.decode(
        model.encode(np.zeros((64, 64, 3), np.uint8)), Prompt(((30.5, 30.5, True),))
    )
    assert np.array_equal(mask, expected_disc((64, 64), 30.5, 30.5))


def test_a_broken_descriptor_says_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "bad-families.json").write_text(json.dumps({"bad": {"encoder": {}}}))
    with pytest.raises(ModelFileError, match="bad"):
        read_families(tmp_path / "bad-families.json")
