"""Label Studio's brush RLE: the bit-packed run-length stream of a mask's RGBA raster.

Label Studio stores a brush region as ``value.rle``, a list of bytes that decodes to the
flattened ``height x width x 4`` RGBA raster of the whole image; the mask is the alpha
channel. The stream is thi.ng ``rle-pack``: read MSB first, with no byte alignment,

* a 53-bit header: the value count (32 bits), word size - 1 (5 bits) and four run-length
  field sizes - 1 (4 bits each; Label Studio writes sizes 3, 4, 8 and 16);
* chunks until the count is reached: a flag (1 = one word repeated, 0 = literal words),
  a 2-bit index into the four sizes, ``length - 1`` in that many bits, then one word (a
  run) or ``length`` words (a literal);
* zero padding to a whole byte.

The reference implementation in label-studio-sdk builds the stream as a string of "0"
and "1" characters and walks it in Python, which grows slow with the number of runs.
Here the work is done on numpy arrays: encoding emits all chunks at once; decoding reads
every header and every word with array operations, and only the chain of chunk starts
(each start depends on the chunk before) is followed in Python, for long streams with
most of that search done on all blocks of the stream at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from limner.models.errors import LimnerError

__all__ = [
    "LabelStudioFormatError",
    "decode_mask",
    "decode_values",
    "encode_mask",
]

_HEADER_BITS = 53
# The field sizes Label Studio's encoders write; the decoder reads them from the header.
_LS_RUN_SIZES = (3, 4, 8, 16)
# Longest run one chunk can hold with the 16-bit size, i.e. 2**16 values.
_MAX_CHUNK = 1 << 16
# The value count is a 32-bit field; four values per pixel bound the image size.
_MAX_VALUES = (1 << 32) - 1
# Streams longer than this many bits (after the header) are walked block by block in
# parallel; shorter ones, a few thousand chunks at most, are faster to walk directly.
_PARALLEL_MIN_BITS = 1 << 18
_WALK_BLOCK_BITS = 1 << 15
# Longest chunk a guessed chain jumps over in the parallel walk (see there); the chunks
# of masks encoded like the SDK's are at most 27 bits.
_LONG_CHUNK_BITS = 64
# Average chunk size, in bits, that guessed chains are given steps for (SDK-encoded masks
# have chunks of 14 to 27 bits).
_MIN_GUESSED_CHUNK_BITS = 8


class LabelStudioFormatError(LimnerError, ValueError):
    """Label Studio data (label config, result JSON or brush RLE) limner cannot use.

    The message says what is wrong in terms a user can act on; it is a ``ValueError``
    because the input, not limner, is at fault.
    """


# ---------------------------------------------------------------------------------------
# Encoding
# ---------------------------------------------------------------------------------------


def _mask_2d(mask: object) -> np.ndarray:
    """``mask`` as a 2-D boolean array; non-zero integers count as set."""
    if not isinstance(mask, np.ndarray):
        raise LabelStudioFormatError(f"mask must be a numpy array, got {type(mask).__name__}")
    if mask.ndim != 2:
        raise LabelStudioFormatError(f"mask must be 2-D, got shape {mask.shape}")
    if mask.dtype == np.bool_:
        return mask
    if mask.dtype.kind not in "iu":
        raise LabelStudioFormatError(f"mask must be boolean or integer, got dtype {mask.dtype}")
    return mask != 0


def encode_mask(mask: np.ndarray) -> list[int]:
    """Label Studio RLE bytes of a ``(height, width)`` mask, as the SDK's ``mask2rle`` makes.

    The raster is the one Label Studio expects: every pixel repeated over the four RGBA
    channels, 255 where the mask is set and 0 elsewhere. Chunk choices and padding follow
    label-studio-sdk's ``encode_rle`` exactly, so the output is byte-for-byte what the SDK
    produces for ``mask.astype(np.uint8) * 255``: runs of n values use the smallest field
    that holds n - 1 (3, 4 or 8 bits), longer runs are cut into chunks of 65536 values with
    the 16-bit field, and the stream is padded with 1 to 8 zero bits (a full zero byte when
    it is already byte-aligned, as the SDK does).
    """
    m = _mask_2d(mask)
    height, width = m.shape
    pixels = height * width
    if pixels == 0:
        raise LabelStudioFormatError(f"mask has no pixels (shape {m.shape})")
    if 4 * pixels > _MAX_VALUES:
        raise LabelStudioFormatError(
            f"a {width}x{height} mask is too large for Label Studio RLE "
            f"(at most {_MAX_VALUES // 4} pixels)"
        )
    flat = m.ravel()
    starts = np.concatenate(([0], np.flatnonzero(flat[1:] != flat[:-1]) + 1))
    lengths = 4 * np.diff(np.append(starts, pixels))  # each pixel is four equal RGBA values
    words = np.where(flat[starts], 255, 0)

    # Runs longer than 256 values always end with a 16-bit chunk, preceded by as many
    # full 65536-value chunks as needed to leave 1..65536 values for it.
    split = np.maximum(lengths - 1, 0) // _MAX_CHUNK
    size_index = (lengths > 8).astype(np.int64) + (lengths > 16) + (lengths > 256)
    if split.any():
        last = np.cumsum(split + 1) - 1  # the chunk that ends each run
        words = np.repeat(words, split + 1)
        full_index = np.full(words.size, 3, dtype=np.int64)
        full_index[last] = size_index
        size_index = full_index
        chunk_lengths = np.full(words.size, _MAX_CHUNK, dtype=np.int64)
        chunk_lengths[last] = lengths - split * _MAX_CHUNK
        lengths = chunk_lengths
    field_bits = np.asarray(_LS_RUN_SIZES, dtype=np.int64)[size_index]

    # One run chunk: flag 1, the 2-bit size index, length - 1, then the 8-bit word.
    codes = (
        (np.int64(1) << (field_bits + 10))
        | (size_index << (field_bits + 8))
        | ((lengths - 1) << 8)
        | words
    )
    code_bits = field_bits + 11
    header = 4 * pixels
    header = (header << 5) | 7  # 8-bit words
    for size in _LS_RUN_SIZES:
        header = (header << 4) | (size - 1)
    return _pack(header, codes, code_bits).tolist()


def _pack(header: int, codes: np.ndarray, code_bits: np.ndarray) -> np.ndarray:
    """The 53-bit header then the codes (14 to 27 bits each), MSB first, zero padded.

    Every output byte is computed independently: the code holding the byte's first bit
    ("owner") and the code after it together cover all eight bits, because no code is
    shorter than 8 bits. A zero code after the last one supplies the padding. Padding is
    1 to 8 bits, as in the SDK (whose byte-aligned streams end with an extra zero byte).
    """
    offsets = _HEADER_BITS + np.cumsum(code_bits) - code_bits
    ends = offsets + code_bits
    total_bits = int(ends[-1])
    out = np.zeros(total_bits // 8 + 1, dtype=np.uint8)
    # Bytes 0..6 hold the header's 53 bits and the first 3 bits of the first code.
    first_code_top = int(codes[0]) >> (int(code_bits[0]) - 3)
    out[:7] = np.frombuffer(((header << 3) | first_code_top).to_bytes(7, "big"), np.uint8)

    first_byte = -(-offsets // 8)  # bytes whose first bit lies inside each code
    owned = -(-ends // 8) - first_byte
    owner = np.repeat(np.arange(codes.size), owned)
    next_code = np.append(codes[1:], 0)
    next_bits = np.append(code_bits[1:], 8)
    pair = (codes[owner] << next_bits[owner]) | next_code[owner]
    pair_bits = code_bits[owner] + next_bits[owner]
    byte_index = np.arange(7, 7 + owner.size, dtype=np.int64)
    inside = 8 * byte_index - offsets[owner]  # where the byte starts within the pair
    out[7 : 7 + owner.size] = (pair >> (pair_bits - inside - 8)) & 0xFF
    return out


# ---------------------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------------------


def _rle_bytes(rle: object) -> np.ndarray:
    """The stream as a uint8 array, refusing anything that is not a list of bytes."""
    if isinstance(rle, bytes | bytearray):
        return np.frombuffer(bytes(rle), dtype=np.uint8)
    if isinstance(rle, str | Mapping):
        raise LabelStudioFormatError(f"brush RLE must be a list of bytes, got {type(rle).__name__}")
    try:
        raw = np.asarray(rle)
    except (TypeError, ValueError):
        raise LabelStudioFormatError("brush RLE must be a list of bytes (0..255)") from None
    if raw.ndim != 1:
        raise LabelStudioFormatError("brush RLE must be a flat list of bytes (0..255)")
    if raw.size == 0:
        raise LabelStudioFormatError("brush RLE is empty")
    if raw.dtype.kind not in "iu":
        raise LabelStudioFormatError(
            f"brush RLE must hold whole numbers 0..255, got values of type {raw.dtype}"
        )
    if int(raw.min()) < 0 or int(raw.max()) > 255:
        bad = int(raw.min()) if int(raw.min()) < 0 else int(raw.max())
        raise LabelStudioFormatError(f"brush RLE holds {bad}, which is not a byte (0..255)")
    return raw.astype(np.uint8)


def _read(padded: np.ndarray, positions: np.ndarray, widths: np.ndarray | int) -> np.ndarray:
    """Unsigned big-endian fields of ``widths`` (<= 32) bits at bit ``positions``.

    A field of w bits at bit offset o within its first byte spans ``ceil((o + w) / 8)``
    bytes; the window gathers that many bytes (at most five) from the field's first byte.
    ``padded`` carries 5 zero bytes past the end of the stream.
    """
    longest = int(np.max(widths))
    n_bytes = (longest + 7 + 7) // 8
    first = positions >> 3
    window = padded[first]
    for i in range(1, n_bytes):
        window = (window << np.uint64(8)) | padded[first + i]
    shift = (8 * n_bytes - (positions & 7) - widths).astype(np.uint64)
    mask = (np.uint64(1) << np.asarray(widths, dtype=np.uint64)) - np.uint64(1)
    return ((window >> shift) & mask).astype(np.int64)


@dataclass(frozen=True)
class _Stream:
    """A stream's bytes in the forms the decoder reads, and its header fields."""

    n_bits: int
    padded: np.ndarray  # uint64 per byte, 5 zero bytes appended, for vectorized reads
    buffer: bytes  # the bytes, 4 zero bytes appended, for the Python walk
    count: int
    word_bits: int
    sizes: np.ndarray  # the four run-length field sizes
    size_list: tuple[int, ...]  # the same, for the Python walk

    def chunks(self, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(is_run, field_bits, length)`` of chunks starting at ``starts``."""
        header = _read(self.padded, starts, 19)  # flag, index, and up to 16 length bits
        field = self.sizes[(header >> 16) & 3]
        length = ((header >> (16 - field)) & ((1 << field) - 1)) + 1
        return (header >> 18) == 1, field, length

    def chunk_bits(self, starts: np.ndarray) -> np.ndarray:
        is_run, field, length = self.chunks(starts)
        return 3 + field + self.word_bits * np.where(is_run, 1, length)

    def next_chunk(self, position: int) -> tuple[int, int]:
        """Start of the chunk after the one at ``position``, and that chunk's length."""
        byte = position >> 3
        header = int.from_bytes(self.buffer[byte : byte + 4], "big") >> (13 - (position & 7))
        index = (header >> 16) & 3
        field = self.size_list[index]
        length = ((header >> (16 - field)) & ((1 << field) - 1)) + 1
        words = 1 if header & (1 << 18) else length
        return position + 3 + field + self.word_bits * words, length

    def truncated(self, produced: int) -> LabelStudioFormatError:
        return LabelStudioFormatError(
            f"brush RLE is truncated: it ends after {produced} of {self.count} values"
        )


def _stream(data: np.ndarray) -> _Stream:
    n_bits = data.size * 8
    if n_bits < _HEADER_BITS:
        raise LabelStudioFormatError(
            f"brush RLE is truncated: {data.size} bytes cannot hold its 53-bit header"
        )
    padded = np.concatenate((data, np.zeros(5, dtype=np.uint8))).astype(np.uint64)
    head = _read(padded, np.array([0, 32, 37, 41, 45, 49]), np.array([32, 5, 4, 4, 4, 4]))
    return _Stream(
        n_bits=n_bits,
        padded=padded,
        buffer=data.tobytes() + bytes(4),
        count=int(head[0]),
        word_bits=int(head[1]) + 1,
        sizes=head[2:] + 1,
        size_list=tuple(int(size) + 1 for size in head[2:]),
    )


def decode_values(rle: Sequence[int]) -> np.ndarray:
    """Every value the stream encodes (RGBA bytes for a brush), as a 1-D array.

    Accepts any valid ``rle-pack`` stream: any word size up to 32 bits, any run-field
    sizes, run and literal chunks of every size, with or without trailing padding. As in
    the reference decoders, a last chunk that overshoots the value count is cut at it.
    """
    stream = _stream(_rle_bytes(rle))
    word_bits = stream.word_bits
    dtype = np.uint8 if word_bits <= 8 else np.uint16 if word_bits <= 16 else np.uint32
    values, repeats = _segments(stream)
    return np.repeat(values.astype(dtype), repeats)


def _segments(stream: _Stream) -> tuple[np.ndarray, np.ndarray]:
    """The decoded values as ``(value, repeat count)`` pairs, in order, summing to the count.

    A run chunk is one pair; a literal chunk is one pair per word, with count 1.
    """
    if stream.count == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if stream.n_bits - _HEADER_BITS <= _PARALLEL_MIN_BITS:
        starts = _walk(stream)
    else:
        starts = _walk_in_parallel(stream, _WALK_BLOCK_BITS)
    is_run, field, lengths = stream.chunks(starts)
    # Keep the chunks up to the one that reaches the count; a parallel walk may have read
    # a few past it (into the padding).
    n = int(np.searchsorted(np.cumsum(lengths), stream.count)) + 1
    starts, is_run, field, lengths = starts[:n], is_run[:n], field[:n], lengths[:n]
    word_bits = stream.word_bits
    data_start = starts + 3 + field
    words = np.where(is_run, 1, lengths)
    end = int(data_start[-1] + words[-1] * word_bits)
    if end > stream.n_bits:
        raise LabelStudioFormatError(
            f"brush RLE is truncated: its last chunk needs {end} bits but the stream has "
            f"{stream.n_bits}"
        )
    if is_run.all():
        values = _read(stream.padded, data_start, word_bits)
        repeats = lengths
    else:
        chunk_of_word = np.repeat(np.arange(n), words)
        word_rank = np.arange(chunk_of_word.size) - (np.cumsum(words) - words)[chunk_of_word]
        values = _read(stream.padded, data_start[chunk_of_word] + word_rank * word_bits, word_bits)
        repeats = np.where(is_run, lengths, 1)[chunk_of_word]
    repeats[-1] -= int(repeats.sum()) - stream.count  # cut an overshooting last chunk
    return values, repeats


def _walk(stream: _Stream) -> np.ndarray:
    """Chunk starts, found one after the other from the first chunk.

    Where a chunk starts depends on every header before it; this loop only reads each
    chunk's header and jumps over its words, which are read later with array operations.
    Its cost is proportional to the number of chunks, a few thousand for real masks.
    """
    starts: list[int] = []
    append = starts.append
    next_chunk = stream.next_chunk
    count = stream.count
    limit = stream.n_bits - 3
    produced = 0
    position = _HEADER_BITS
    while produced < count:
        if position > limit:
            raise stream.truncated(produced)
        append(position)
        position, length = next_chunk(position)
        produced += length
    return np.asarray(starts, dtype=np.int64)


def _walk_in_parallel(stream: _Stream, block: int) -> np.ndarray:
    """Chunk starts of a long stream, found for all blocks of ``block`` bits at once.

    Each block gets a guessed chain of chunk starts (:func:`_guess_chains`). The guesses
    are never trusted: joining the blocks in order, the real chain enters each block at a
    known start, and a stretch of the guess is taken only where each guessed start is the
    real successor of the one before it (:func:`_follow_block`). Starts the guess misses
    are walked one at a time, so the result is exact for any stream and the Python work is
    small for the streams real masks produce.
    """
    n_bits = stream.n_bits
    origins = np.arange(_HEADER_BITS, n_bits - 2, block, dtype=np.int64)  # starts <= n_bits - 3
    limits = np.minimum(origins + block, n_bits - 2)
    guesses = _guess_chains(stream, block, origins, limits)
    parts: list[np.ndarray] = []
    produced = 0
    current = _HEADER_BITS  # the next real chunk start
    while produced < stream.count:
        if current > n_bits - 3:
            raise stream.truncated(produced)
        j = (current - _HEADER_BITS) // block
        row = guesses[j]
        guess = row[row < block].astype(np.int64) + origins[j]
        part, current = _follow_block(stream, guess, current, int(limits[j]))
        produced += int(stream.chunks(part)[2].sum())
        parts.append(part)
    return np.concatenate(parts)


def _guess_chains(
    stream: _Stream, block: int, origins: np.ndarray, limits: np.ndarray
) -> np.ndarray:
    """Row j: guessed chunk starts of block j (relative to its origin), ``block`` when done.

    All blocks advance together one array step at a time: start at the block's first bit,
    read a header, jump to the end of that chunk. A guess that starts mid-chunk reads
    nonsense headers but usually falls into step with the real chunks after a few of them,
    since variable-length codes resynchronize. To keep a guess from leaping out of its
    block on a nonsense header, or from staying out of step in a periodic stream, a chunk
    longer than ``_LONG_CHUNK_BITS`` is not jumped over: the guess moves on by one bit.
    """
    position = origins.copy()
    columns: list[np.ndarray] = []
    live = np.ones(origins.size, dtype=bool)
    # Guesses stop after a fixed number of steps, so a stream of long literals (where
    # guesses move bit by bit) costs no more than one of short chunks; what a guess does
    # not reach is walked during the joining.
    for _ in range(max(1, block // _MIN_GUESSED_CHUNK_BITS)):
        if not live.any():
            break
        columns.append(np.where(live, position - origins, block).astype(np.int32))
        is_run, field, length = stream.chunks(np.where(live, position, origins))
        bits = 3 + field + stream.word_bits * np.where(is_run, 1, length)
        step = np.where(bits > _LONG_CHUNK_BITS, 1, bits)
        position = np.where(live, position + step, position)
        live = position < limits
    return np.stack(columns, axis=1)


def _follow_block(
    stream: _Stream, guess: np.ndarray, current: int, limit: int
) -> tuple[np.ndarray, int]:
    """The real chunk starts from ``current`` to the end of its block, and the next start.

    ``guess`` holds the block's guessed starts (absolute, ascending). Where the real chain
    meets a guessed start, the guess is taken up to its first break (a start whose
    successor is not the next guessed start), checked for all starts at once; elsewhere the
    chain is walked chunk by chunk until it meets the guess or leaves the block.
    """
    successor = guess + stream.chunk_bits(guess)
    breaks = np.flatnonzero(successor[:-1] != guess[1:])  # where the chain is broken
    found: list[np.ndarray] = []
    members: set[int] | None = None
    while current < limit:
        k = int(np.searchsorted(guess, current))
        if k < guess.size and guess[k] == current:
            b = int(np.searchsorted(breaks, k))
            last = int(breaks[b]) if b < breaks.size else guess.size - 1
            found.append(guess[k : last + 1])
            current = int(successor[last])
            continue
        # Off the guess: walk until a guessed start or the end of the block.
        if members is None:
            members = set(guess.tolist())
        walked: list[int] = []
        while current < limit and current not in members:
            walked.append(current)
            current = stream.next_chunk(current)[0]
        found.append(np.asarray(walked, dtype=np.int64))
    return np.concatenate(found), current


def decode_mask(rle: Sequence[int], width: int, height: int) -> np.ndarray:
    """The ``(height, width)`` boolean mask of a brush RLE: its alpha channel, non-zero = set.

    Any non-zero alpha counts, as in the SDK's brush-to-COCO export (which traces the
    non-zero alpha), so an anti-aliased stroke keeps its soft edge rather than losing it.
    The stream must hold exactly ``width x height x 4`` values: a brush drawn on an image
    of another size cannot be placed on this one.
    """
    for name, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise LabelStudioFormatError(f"image {name} must be a positive integer, got {value!r}")
    stream = _stream(_rle_bytes(rle))
    expected = 4 * int(width) * int(height)
    if stream.count != expected:
        raise LabelStudioFormatError(
            f"brush RLE holds {stream.count} values, but a {width}x{height} image needs "
            f"{expected} (4 per pixel): the mask was drawn on an image of another size"
        )
    values, repeats = _segments(stream)
    # Value i is channel i % 4 of pixel i // 4, so a segment covering values [s, e) holds
    # the alpha (channel 3) of pixels s // 4 to e // 4 - 1: expanding the segments per
    # pixel gives the alpha plane without building the four-channel raster.
    ends = np.cumsum(repeats)
    pixels = ends // 4 - (ends - repeats) // 4
    return np.repeat(values != 0, pixels).reshape(int(height), int(width))
