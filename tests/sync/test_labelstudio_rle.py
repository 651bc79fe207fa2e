"""Tests of sync.adapters.labelstudio_rle, Label Studio's brush RLE.

Streams are checked three ways: round trips of many masks, hand-built streams written
by an independent (slow, obvious) bit writer below covering every chunk kind and size,
and label-studio-sdk's own encoder and decoder, the reference Label Studio itself uses.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from limner.sync.adapters import labelstudio_rle as rle_module
from limner.sync.adapters.labelstudio_rle import (
    LabelStudioFormatError,
    decode_mask,
    decode_values,
    encode_mask,
)

REPO_ROOT = Path(__file__).resolve().parents[2]

# The bytes label-studio-sdk's mask2rle gives for [[0, 0, 255, 255], [0, 0, 255, 255]].
DIGEST_EXAMPLE = [0, 0, 0, 32, 57, 27, 252, 224, 19, 255, 206, 1, 63, 248]
# The SDK's own unit test of encode_rle: single values become one-word literal chunks.
SDK_VALUES = [1, 1, 1, 1, 2, 3, 5, 6, 7, 8, 4, 4, 4, 4, 4, 4, 4, 4]
SDK_VALUES_RLE = [0, 0, 0, 18, 57, 27, 252, 96, 32, 1, 0, 6, 0, 40, 0, 192, 3, 128, 17, 56, 32]


# ---------------------------------------------------------------------------------------
# An independent writer: a string of '0'/'1', one field at a time
# ---------------------------------------------------------------------------------------


def write_stream(
    chunks: Sequence[tuple[str, int, Sequence[int]]],
    count: int,
    word_bits: int = 8,
    sizes: Sequence[int] = (3, 4, 8, 16),
    pad: bool = True,
) -> list[int]:
    """Bytes of an rle-pack stream; each chunk is (``"run"``/``"lit"``, size index, words).

    A run chunk repeats ``words[0]`` ``len(words)`` times; a literal lists the words.
    """

    def bits(value: int, width: int) -> str:
        assert 0 <= value < (1 << width), (value, width)
        return format(value, f"0{width}b")

    out = bits(count, 32) + bits(word_bits - 1, 5) + "".join(bits(s - 1, 4) for s in sizes)
    for kind, index, words in chunks:
        out += ("1" if kind == "run" else "0") + bits(index, 2) + bits(len(words) - 1, sizes[index])
        if kind == "run":
            assert len(set(words)) == 1
            out += bits(words[0], word_bits)
        else:
            out += "".join(bits(w, word_bits) for w in words)
    if pad:
        out += "0" * (-len(out) % 8)
    else:
        assert len(out) % 8 == 0, "unpadded streams must end on a byte boundary"
    return [int(out[i : i + 8], 2) for i in range(0, len(out), 8)]


def expand(chunks: Sequence[tuple[str, int, Sequence[int]]]) -> list[int]:
    return [w for _, _, words in chunks for w in words]


# ---------------------------------------------------------------------------------------
# Masks used by several tests
# ---------------------------------------------------------------------------------------


def _masks() -> list[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(7)
    out: list[tuple[str, np.ndarray]] = [
        ("1x1 set", np.ones((1, 1), bool)),
        ("1x1 clear", np.zeros((1, 1), bool)),
        ("row", rng.random((1, 57)) < 0.5),
        ("column", rng.random((61, 1)) < 0.5),
        ("empty", np.zeros((33, 47), bool)),
        ("full", np.ones((33, 47), bool)),
    ]
    for density in (0.05, 0.5, 0.95):
        out.append((f"noise {density}", rng.random((23, 31)) < density))
    yy, xx = np.mgrid[:120, :160]
    out.append(("disc", (xx - 70) ** 2 + (yy - 50) ** 2 < 40**2))
    out.append(("checker", ((xx // 3 + yy // 5) % 2).astype(bool)))
    # Pixel runs of 1, 2, 4, 64, 65 give value runs of 4, 8, 16, 256 and 260, the
    # edges between the SDK's 3-, 4-, 8- and 16-bit run fields.
    row = np.concatenate(
        [np.full(n, i % 2 == 1) for i, n in enumerate([1, 2, 3, 4, 5, 64, 65, 66])]
    )
    out.append(("field edges", row[None, :]))
    # 16384 pixels are exactly one 65536-value chunk; one more needs a second chunk.
    for n in (16383, 16384, 16385, 16384 * 3 + 1):
        long = np.zeros((2, n), bool)
        long[1] = True
        out.append((f"long runs {n}", long))
    return out


MASKS = _masks()


# ---------------------------------------------------------------------------------------
# Known bytes
# ---------------------------------------------------------------------------------------


def test_encode_matches_the_documented_example() -> None:
    mask = np.array([[0, 0, 255, 255], [0, 0, 255, 255]], dtype=np.uint8)
    assert encode_mask(mask) == DIGEST_EXAMPLE
    assert encode_mask(mask.astype(bool)) == DIGEST_EXAMPLE


def _field_edges_row() -> np.ndarray:
    lengths = [1, 2, 3, 4, 5, 64, 65, 66]
    return np.concatenate([np.full(n, i % 2 == 1) for i, n in enumerate(lengths)])[None, :]


def _long_runs() -> np.ndarray:
    mask = np.zeros((2, 16385), bool)
    mask[1] = True
    return mask


# Bytes of label-studio-sdk 2.1.2's mask2rle, kept here so that byte equality is checked
# even where the SDK is not installed: runs at the edges of the 3-, 4-, 8- and 16-bit
# fields, and runs longer than one 65536-value chunk.
SDK_BYTES = [
    (
        _field_edges_row,
        "00 00 03 48 39 1b fc 60 13 ff db 00 bf ff 84 c0 37 ff ff 01 03 00 e0 20 ff e0",
    ),
    (_long_runs, "00 02 00 08 39 1b ff ff ff 00 e0 00 60 1f ff ff ff 80 01 ff 80"),
]


@pytest.mark.parametrize(("make", "expected_hex"), SDK_BYTES, ids=["field edges", "long runs"])
def test_encode_matches_recorded_sdk_bytes(make: Any, expected_hex: str) -> None:
    expected = list(bytes.fromhex(expected_hex))
    mask = make()
    assert encode_mask(mask) == expected
    assert np.array_equal(decode_mask(expected, mask.shape[1], mask.shape[0]), mask)


def test_decode_of_the_documented_example() -> None:
    assert decode_mask(DIGEST_EXAMPLE, 4, 2).tolist() == [[False, False, True, True]] * 2
    assert decode_values(DIGEST_EXAMPLE).tolist() == [0] * 8 + [255] * 8 + [0] * 8 + [255] * 8


def test_decode_of_the_sdk_literal_example() -> None:
    values = decode_values(SDK_VALUES_RLE)
    assert values.dtype == np.uint8
    assert values.tolist() == SDK_VALUES


# ---------------------------------------------------------------------------------------
# Round trips
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "mask"), MASKS, ids=[name for name, _ in MASKS])
def test_round_trip(name: str, mask: np.ndarray) -> None:
    rle = encode_mask(mask)
    assert all(isinstance(b, int) and 0 <= b <= 255 for b in rle)
    height, width = mask.shape
    back = decode_mask(rle, width, height)
    assert back.dtype == np.bool_
    assert back.shape == mask.shape
    assert np.array_equal(back, mask)
    values = decode_values(rle).reshape(height, width, 4)
    expected = np.where(mask, 255, 0)
    for channel in range(4):  # every channel repeats the mask, as mask2rle writes
        assert np.array_equal(values[:, :, channel], expected)


def test_round_trip_many_random_shapes() -> None:
    rng = np.random.default_rng(11)
    for _ in range(200):
        height, width = (int(v) for v in rng.integers(1, 50, 2))
        mask = rng.random((height, width)) < rng.random()
        assert np.array_equal(decode_mask(encode_mask(mask), width, height), mask)


def test_integer_masks_count_non_zero_as_set() -> None:
    mask = np.array([[0, 3], [-1, 0]], dtype=np.int16)
    assert decode_mask(encode_mask(mask), 2, 2).tolist() == [[False, True], [True, False]]


def test_padding_is_one_to_eight_bits_like_the_sdk() -> None:
    # 400 values make one run chunk with the 16-bit field: 53 + 27 = 80 bits, already
    # aligned, and the SDK still appends a zero byte.
    mask = np.ones((1, 100), bool)
    rle = encode_mask(mask)
    assert len(rle) == 80 // 8 + 1
    assert rle[-1] == 0


# ---------------------------------------------------------------------------------------
# Streams from other encoders: literals and runs at every size, other word sizes
# ---------------------------------------------------------------------------------------


def _streams() -> list[tuple[str, list[tuple[str, int, list[int]]], int]]:
    rng = np.random.default_rng(3)

    def lit(n: int, bits: int = 8) -> list[int]:
        return [int(v) for v in rng.integers(0, 1 << bits, n)]

    cases: list[tuple[str, list[tuple[str, int, list[int]]], int]] = []
    for index, longest in enumerate((8, 16, 256, 65536)):
        cases.append((f"literal max size {index}", [("lit", index, lit(longest))], 8))
        cases.append((f"run max size {index}", [("run", index, [200] * longest)], 8))
        cases.append((f"literal of one, size {index}", [("lit", index, lit(1))], 8))
    mixed = [
        ("run", 0, [7] * 3),
        ("lit", 1, lit(11)),
        ("run", 3, [255] * 65536),
        ("lit", 0, lit(2)),
        ("run", 2, [0] * 200),
        ("lit", 3, lit(300)),
        ("run", 1, [9]),
    ]
    cases.append(("mixed", mixed, 8))
    for word_bits in (1, 5, 12, 32):
        chunks = [
            ("lit", 2, lit(37, word_bits)),
            ("run", 0, [(1 << word_bits) - 1] * 6),
            ("lit", 0, lit(5, word_bits)),
            ("run", 3, [0] * 1000),
        ]
        cases.append((f"word size {word_bits}", chunks, word_bits))
    return cases


STREAMS = _streams()


@pytest.mark.parametrize(("name", "chunks", "word_bits"), STREAMS, ids=[c[0] for c in STREAMS])
def test_decode_any_valid_stream(name: str, chunks: list, word_bits: int) -> None:
    values = expand(chunks)
    rle = write_stream(chunks, len(values), word_bits)
    decoded = decode_values(rle)
    assert decoded.tolist() == values
    expected_dtype = np.uint8 if word_bits <= 8 else np.uint16 if word_bits <= 16 else np.uint32
    assert decoded.dtype == expected_dtype


def test_decode_other_field_sizes() -> None:
    chunks = [
        ("lit", 0, [1, 2]),
        ("run", 1, [3] * 5),
        ("lit", 2, list(range(30))),
        ("run", 3, [4] * 9),
    ]
    values = expand(chunks)
    rle = write_stream(chunks, len(values), sizes=(1, 3, 5, 4))
    assert decode_values(rle).tolist() == values


def test_decode_without_padding() -> None:
    # Run chunks take 14, 27, 15 and 19 bits with fields 3, 16, 4 and 8: after the 53-bit
    # header that is 128 bits, a whole number of bytes, so no padding is needed.
    chunks = [("run", 0, [1] * 2), ("run", 3, [2] * 3), ("run", 1, [3] * 4), ("run", 2, [4] * 5)]
    values = expand(chunks)
    rle = write_stream(chunks, len(values), pad=False)
    assert decode_values(rle).tolist() == values


def test_decode_cuts_an_overshooting_last_chunk() -> None:
    chunks = [("run", 0, [5] * 4), ("run", 1, [6] * 10)]
    rle = write_stream(chunks, 9)  # the header asks for 9 values; the chunks hold 14
    assert decode_values(rle).tolist() == [5] * 4 + [6] * 5


def test_decode_ignores_trailing_bytes() -> None:
    assert (
        decode_mask([*DIGEST_EXAMPLE, 0, 0, 17], 4, 2).tolist() == [[False, False, True, True]] * 2
    )


def test_any_non_zero_alpha_is_set() -> None:
    alpha = [0, 1, 128, 255]
    values = [v for a in alpha for v in (9, 9, 9, a)]
    rle = write_stream([("lit", 2, values)], len(values))
    assert decode_mask(rle, 4, 1).tolist() == [[False, True, True, True]]


def test_accepts_bytes_and_numpy_input() -> None:
    expected = [[False, False, True, True]] * 2
    assert decode_mask(bytes(DIGEST_EXAMPLE), 4, 2).tolist() == expected
    assert decode_mask(np.array(DIGEST_EXAMPLE, dtype=np.int64), 4, 2).tolist() == expected


# ---------------------------------------------------------------------------------------
# The block-parallel walk of long streams
# ---------------------------------------------------------------------------------------


def _walk_cases() -> list[tuple[str, list[int]]]:
    rng = np.random.default_rng(21)
    cases = [(name, encode_mask(mask)) for name, mask in MASKS if mask.size > 100]
    yy, xx = np.mgrid[:40, :64]
    cases.append(("periodic", encode_mask(((xx // 8 + yy // 8) % 2).astype(bool))))
    cases.append(("noise", encode_mask(rng.random((50, 70)) < 0.5)))
    for name, chunks, word_bits in STREAMS:
        cases.append((name, write_stream(chunks, len(expand(chunks)), word_bits)))
    literals = [("lit", 2, [int(v) for v in rng.integers(0, 256, 200)]) for _ in range(30)]
    literals += [("run", 0, [1] * 5), ("lit", 0, [3])] * 40
    cases.append(("literal heavy", write_stream(literals, len(expand(literals)))))
    return cases


WALK_CASES = _walk_cases()


@pytest.mark.parametrize(("name", "rle"), WALK_CASES, ids=[c[0] for c in WALK_CASES])
@pytest.mark.parametrize("block", [5, 16, 61, 256, 4096])
def test_parallel_walk_finds_the_same_chunks(name: str, rle: list[int], block: int) -> None:
    stream = rle_module._stream(rle_module._rle_bytes(rle))
    expected = rle_module._walk(stream)
    found = rle_module._walk_in_parallel(stream, block)
    # It may read on past the last chunk into the padding; the decoder cuts those.
    assert found[: expected.size].tolist() == expected.tolist()
    assert np.all(np.diff(found) > 0)


@pytest.mark.parametrize("block", [7, 64, 1024])
def test_parallel_walk_detects_truncation(block: int) -> None:
    rng = np.random.default_rng(4)
    rle = encode_mask(rng.random((30, 30)) < 0.5)
    stream = rle_module._stream(rle_module._rle_bytes(rle[: len(rle) // 2]))
    with pytest.raises(LabelStudioFormatError, match="truncated"):
        rle_module._walk_in_parallel(stream, block)


def test_long_streams_decode_through_the_parallel_walk() -> None:
    rng = np.random.default_rng(9)
    mask = rng.random((600, 600)) < 0.5
    rle = encode_mask(mask)
    assert len(rle) * 8 > rle_module._PARALLEL_MIN_BITS  # the parallel walk is used
    assert np.array_equal(decode_mask(rle, 600, 600), mask)
    with pytest.raises(LabelStudioFormatError, match="truncated"):
        decode_mask(rle[:-1000], 600, 600)


# ---------------------------------------------------------------------------------------
# Refusals
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rle", "message"),
    [
        ([], "empty"),
        ([0, 0, 0, 32, 57, 27], "header"),
        (DIGEST_EXAMPLE[:9], "truncated"),
        ([0, 0, 0, 32, 57, 27, 252, 0], "truncated"),  # the first word is cut off
        ([*DIGEST_EXAMPLE[:-1], 256], "not a byte"),
        ([-1, *DIGEST_EXAMPLE[1:]], "not a byte"),
        ([float(b) for b in DIGEST_EXAMPLE], "whole numbers"),
        ("0,0,0,32", "list of bytes"),
        ({"rle": DIGEST_EXAMPLE}, "list of bytes"),
        ([[0, 0], [0, 32]], "flat"),
    ],
)
def test_invalid_streams_are_refused(rle: object, message: str) -> None:
    with pytest.raises(LabelStudioFormatError, match=message):
        decode_mask(rle, 4, 2)  # type: ignore[arg-type]


def test_wrong_image_size_is_refused() -> None:
    with pytest.raises(LabelStudioFormatError, match="32 values, but a 5x2 image needs 40"):
        decode_mask(DIGEST_EXAMPLE, 5, 2)


@pytest.mark.parametrize(("width", "height"), [(0, 2), (4, -1), (4.0, 2), (True, 2)])
def test_bad_sizes_are_refused(width: object, height: object) -> None:
    with pytest.raises(LabelStudioFormatError, match="positive integer"):
        decode_mask(DIGEST_EXAMPLE, width, height)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("mask", "message"),
    [
        (np.zeros((0, 4), bool), "no pixels"),
        (np.zeros(4, bool), "2-D"),
        (np.zeros((2, 2), float), "boolean or integer"),
        ([[0, 1]], "numpy array"),
    ],
)
def test_invalid_masks_are_refused(mask: object, message: str) -> None:
    with pytest.raises(LabelStudioFormatError, match=message):
        encode_mask(mask)  # type: ignore[arg-type]


def test_error_is_a_value_error() -> None:
    assert issubclass(LabelStudioFormatError, ValueError)


# ---------------------------------------------------------------------------------------
# Speed: a 12-megapixel image
# ---------------------------------------------------------------------------------------


def test_large_mask_round_trips() -> None:
    height, width = 3000, 4000
    yy, xx = np.mgrid[:height, :width]
    mask = np.zeros((height, width), bool)
    for cx, cy, r in [(1000, 800, 500), (2500, 1500, 900), (3500, 2600, 300)]:
        mask |= (xx - cx) ** 2 + (yy - cy) ** 2 < r * r
    mask[2000:2900:3, 100:1500] = True  # many short runs as well
    back = decode_mask(encode_mask(mask), width, height)
    assert np.array_equal(back, mask)


# ---------------------------------------------------------------------------------------
# label-studio-sdk, the reference implementation
# ---------------------------------------------------------------------------------------


def _sdk_answer(brush: Any, request: dict[str, Any]) -> Any:
    """One call of label-studio-sdk's brush module, with JSON in and out."""
    import numpy

    op = request["op"]
    if op == "mask2rle":
        return brush.mask2rle(numpy.asarray(request["mask"], dtype=numpy.uint8) * 255)
    if op == "encode_rle":
        return [int(b) for b in brush.encode_rle(numpy.asarray(request["values"]))]
    if op == "decode_rle":
        return brush.decode_rle(request["rle"]).tolist()
    if op == "decode_from_annotation":
        layers = brush.decode_from_annotation(request["from_name"], request["results"])
        return {name: layer.tolist() for name, layer in layers.items()}
    raise ValueError(f"unknown request {op!r}")


_SDK_SERVER = """
import json, sys
from label_studio_sdk.converter import brush
print("READY", flush=True)
for line in sys.stdin:
    print(json.dumps(_sdk_answer(brush, json.loads(line))), flush=True)
"""


class SdkReference:
    """label-studio-sdk's brush functions, the reference Label Studio itself uses.

    The SDK pins numpy and OpenCV versions of its own, so it is often not installed next
    to limner. Then it is run in the Label Studio server's environment (``.venv-ls`` at
    the repository root, or ``LABEL_STUDIO_VENV``), which ships it, as a small process
    that answers one JSON request per line. Without either, the tests using it skip.
    """

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None
        try:
            from label_studio_sdk.converter import brush
        except ImportError:
            venv = Path(os.environ.get("LABEL_STUDIO_VENV") or REPO_ROOT / ".venv-ls")
            python = venv / "bin" / "python"
            if not python.exists():
                pytest.skip("label-studio-sdk is neither installed nor in a Label Studio venv")
            source = "from __future__ import annotations\n"
            source += inspect.getsource(_sdk_answer) + _SDK_SERVER
            self._process = subprocess.Popen(
                [str(python), "-c", source],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            assert self._process.stdout is not None
            for line in self._process.stdout:
                if line.strip() == "READY":
                    break
            else:
                pytest.fail(f"the SDK in {venv} did not start")
            self._brush = None
        else:
            self._brush = brush

    def _ask(self, **request: Any) -> Any:
        if self._brush is not None:
            return _sdk_answer(self._brush, json.loads(json.dumps(request)))
        assert self._process is not None and self._process.stdin and self._process.stdout
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        return json.loads(self._process.stdout.readline())

    def mask2rle(self, mask: np.ndarray) -> list[int]:
        return self._ask(op="mask2rle", mask=mask.astype(int).tolist())

    def encode_rle(self, values: Sequence[int]) -> list[int]:
        return self._ask(op="encode_rle", values=[int(v) for v in values])

    def decode_rle(self, rle: Sequence[int]) -> list[int]:
        return self._ask(op="decode_rle", rle=list(rle))

    def decode_from_annotation(
        self, from_name: str, results: list[dict[str, Any]]
    ) -> dict[str, np.ndarray]:
        layers = self._ask(op="decode_from_annotation", from_name=from_name, results=results)
        return {name: np.asarray(layer) for name, layer in layers.items()}

    def close(self) -> None:
        if self._process is not None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            self._process.wait(timeout=30)


@pytest.fixture(scope="module")
def sdk() -> Iterator[SdkReference]:
    reference = SdkReference()
    yield reference
    reference.close()


SDK_MASKS = [(n, m) for n, m in MASKS if m.size <= 40_000]


@pytest.mark.parametrize(("name", "mask"), SDK_MASKS, ids=[n for n, _ in SDK_MASKS])
def test_bytes_equal_sdk_mask2rle(sdk: SdkReference, name: str, mask: np.ndarray) -> None:
    assert encode_mask(mask) == sdk.mask2rle(mask)


@pytest.mark.parametrize(("name", "mask"), SDK_MASKS, ids=[n for n, _ in SDK_MASKS])
def test_sdk_decodes_our_bytes(sdk: SdkReference, name: str, mask: np.ndarray) -> None:
    height, width = mask.shape
    result = {
        "type": "brushlabels",
        "rle": encode_mask(mask),
        "original_width": width,
        "original_height": height,
        "brushlabels": ["Sky"],
    }
    layers = sdk.decode_from_annotation("tag", [result])
    assert list(layers) == ["tag-Sky-0"]
    assert np.array_equal(layers["tag-Sky-0"] > 0, mask)
    values = np.asarray(sdk.decode_rle(encode_mask(mask)))
    assert np.array_equal(values, np.repeat(np.where(mask.ravel(), 255, 0), 4))


def test_we_decode_sdk_bytes_of_random_masks(sdk: SdkReference) -> None:
    rng = np.random.default_rng(5)
    for _ in range(100):
        height, width = (int(v) for v in rng.integers(1, 40, 2))
        mask = rng.random((height, width)) < rng.random()
        reference = sdk.mask2rle(mask)
        assert encode_mask(mask) == reference
        assert np.array_equal(decode_mask(reference, width, height), mask)


def test_we_decode_sdk_encode_rle_of_any_values(sdk: SdkReference) -> None:
    rng = np.random.default_rng(8)
    for _ in range(30):
        values = np.repeat(rng.integers(0, 256, 40), rng.integers(1, 20, 40)).astype(np.uint8)
        assert decode_values(sdk.encode_rle(values)).tolist() == values.tolist()
    assert sdk.encode_rle(SDK_VALUES) == SDK_VALUES_RLE


STREAMS_8 = [c for c in STREAMS if c[2] == 8]


@pytest.mark.parametrize(("name", "chunks", "word_bits"), STREAMS_8, ids=[c[0] for c in STREAMS_8])
def test_sdk_agrees_on_hand_built_streams(
    sdk: SdkReference, name: str, chunks: list, word_bits: int
) -> None:
    values = expand(chunks)
    rle = write_stream(chunks, len(values), word_bits)
    assert sdk.decode_rle(rle) == decode_values(rle).tolist() == values
