"""Small helpers shared by the embedders (no heavy imports).

Examples:
    >>> import numpy as np
    >>> bool(np.allclose(l2_normalize(np.array([[3.0, 4.0]])), [[0.6, 0.8]]))
    True
    >>> check_texts(("a", "b"))
    ['a', 'b']
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from vocmine.errors import InputRowError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

__all__ = ["TokenVectors", "accepts_keyword", "check_texts", "l2_normalize", "trim_offsets", "stack_or_empty"]


class TokenVectors(NamedTuple):
    """Token-level encoder output for one text.

    Attributes:
        offsets: ``(n, 2)`` int64 ``[start, end)`` character offsets into the
            original text (prefix excluded, surrounding whitespace trimmed).
        vectors: ``(n, dim)`` float32 last-layer hidden states (not normalised).
    """

    offsets: np.ndarray
    vectors: np.ndarray


def check_texts(texts: Any) -> list[str]:
    """Return ``texts`` as a list of str, or raise :class:`InputRowError`."""
    if isinstance(texts, (str, bytes)):
        raise InputRowError(
            "[E003] texts must be a sequence of str, got a single "
            f"{type(texts).__name__}. Fix: wrap it in a list: embed([text])."
        )
    out = list(texts)
    for i, text in enumerate(out):
        if not isinstance(text, str):
            raise InputRowError(
                f"[E003] texts[{i}] must be a str, got {type(text).__name__} ({text!r:.40}). "
                "Fix: convert or drop non-string rows before embedding."
            )
    return out


def l2_normalize(mat: np.ndarray) -> np.ndarray:
    """Row-wise L2 normalisation to float32 (all-zero rows stay zero)."""
    mat = np.asarray(mat, dtype=np.float64)
    norms = np.linalg.norm(mat, axis=1, keepdims=True)
    return (mat / np.maximum(norms, 1e-12)).astype(np.float32)


def trim_offsets(
    text: str, offsets: Sequence[tuple[int, int]], shift: int
) -> tuple[list[int], list[tuple[int, int]]]:
    """Map offsets of ``prefix + text`` back into ``text``.

    Tokens that lie entirely in the prefix (``end <= shift``) or cover only
    whitespace are dropped. Returns the kept token positions and their spans.
    """
    keep: list[int] = []
    spans: list[tuple[int, int]] = []
    for pos, (start, end) in enumerate(offsets):
        if end <= shift:
            continue
        s, e = max(start, shift) - shift, end - shift
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            keep.append(pos)
            spans.append((s, e))
    return keep, spans


def stack_or_empty(rows: Sequence[np.ndarray], dim: int) -> np.ndarray:
    """``np.stack(rows)`` as float32, or an empty ``(0, dim)`` array."""
    if not rows:
        return np.zeros((0, dim), dtype=np.float32)
    return np.stack(rows).astype(np.float32)


def accepts_keyword(func: Any, name: str) -> bool:
    """Whether ``func`` takes the keyword argument ``name`` (or ``**kwargs``).

    Examples:
        >>> accepts_keyword(lambda texts, *, layer=None: texts, "layer")
        True
        >>> accepts_keyword(lambda texts, *, batch_size=32: texts, "layer")
        False
    """
    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):  # builtins without a signature
        return False
    return any(p.name == name or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)
