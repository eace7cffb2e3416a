"""Character spans <-> token BIO tags, and span clean-up on the original text.

Pure functions (numpy only). Token offsets are the ``(n, 2)`` half-open character ranges
an encoder's ``token_embeddings`` returns; tags are ``O = 0``, ``B = 1``, ``I = 2``.

Examples:
    >>> import numpy as np
    >>> offsets = np.array([[0, 3], [4, 9], [10, 13], [14, 19]])
    >>> bio_tags(offsets, [(4, 9)]).tolist()
    [0, 1, 0, 0]
    >>> decode_bio(np.array([0, 1, 2, 0]), offsets)
    [(1, 3)]
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

__all__ = ["O_TAG", "B_TAG", "I_TAG", "ATTENTION_WINDOW", "bio_tags", "decode_bio", "char_span", "token_range",
           "relative_distance", "mention_window"]

O_TAG, B_TAG, I_TAG = 0, 1, 2

#: Tokens on each side of a mention its polarity attention reads (bounds the cost on long texts).
ATTENTION_WINDOW = 48

#: Characters stripped from both ends of a predicted span (quotes, brackets, punctuation).
_EDGE_CATEGORIES = ("P", "Z", "S", "C")


def bio_tags(offsets: np.ndarray, spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """Tag each token B/I/O from character spans (a token belongs to a span it overlaps).

    Examples:
        >>> bio_tags(np.array([[0, 2], [2, 4], [5, 7]]), [(0, 4)]).tolist()
        [1, 2, 0]
    """
    tags = np.zeros(len(offsets), dtype=np.int64)
    for start, end in sorted(spans):
        inside: Any = np.flatnonzero((offsets[:, 0] < end) & (offsets[:, 1] > start)) if len(offsets) else []
        for k, tok in enumerate(inside):
            if tags[tok] == O_TAG:
                tags[tok] = B_TAG if k == 0 else I_TAG
    return tags


def decode_bio(tags: np.ndarray, offsets: np.ndarray) -> list[tuple[int, int]]:
    """Token ranges ``[i, j)`` of the mentions in a tag sequence (an I after O opens a mention).

    Examples:
        >>> decode_bio(np.array([2, 2, 0, 1, 1]), np.zeros((5, 2)))
        [(0, 2), (3, 4), (4, 5)]
    """
    out: list[tuple[int, int]] = []
    start = -1
    for i, tag in enumerate(tags.tolist()):
        if tag == B_TAG or (tag == I_TAG and start < 0):
            if start >= 0:
                out.append((start, i))
            start = i
        elif tag == O_TAG and start >= 0:
            out.append((start, i))
            start = -1
    if start >= 0:
        out.append((start, len(tags)))
    return out


def _is_word_char(ch: str) -> bool:
    """Letters, marks and digits of scripts that separate words by spaces (not CJK ideographs)."""
    cat = unicodedata.category(ch)
    if not (cat[0] in "LMN"):
        return False
    name_start = ord(ch)
    # Han, Hiragana, Katakana, Hangul syllables: each character may be a word on its own.
    return not (0x2E80 <= name_start <= 0x9FFF or 0xAC00 <= name_start <= 0xD7AF or 0xF900 <= name_start <= 0xFAFF
                or 0x20000 <= name_start <= 0x3FFFF)


def char_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Clean a predicted character span: widen it to whole words, strip edge punctuation/space.

    A span cut inside a word (sub-word tokens) grows to the word's boundaries; quotes,
    brackets, punctuation, symbols and white space are stripped from both ends. Returns
    ``None`` when nothing is left.

    Examples:
        >>> char_span("Great deliveryman!", 6, 14)
        (6, 17)
        >>> char_span('the "pizza", yes', 4, 11)
        (5, 10)
    """
    start, end = max(0, start), min(len(text), end)
    while start < end and unicodedata.category(text[start])[0] in _EDGE_CATEGORIES:
        start += 1
    while end > start and unicodedata.category(text[end - 1])[0] in _EDGE_CATEGORIES:
        end -= 1
    if start >= end:
        return None
    while start > 0 and _is_word_char(text[start - 1]) and _is_word_char(text[start]):
        start -= 1
    while end < len(text) and _is_word_char(text[end]) and _is_word_char(text[end - 1]):
        end += 1
    return start, end


def token_range(offsets: np.ndarray, start: int, end: int) -> tuple[int, int] | None:
    """The tokens ``[i, j)`` overlapping the characters ``[start, end)``, or ``None``.

    Examples:
        >>> token_range(np.array([[0, 3], [4, 9], [10, 13]]), 4, 13)
        (1, 3)
    """
    if not len(offsets):
        return None
    inside = np.flatnonzero((offsets[:, 0] < end) & (offsets[:, 1] > start))
    if not len(inside):
        return None
    return int(inside[0]), int(inside[-1]) + 1


def relative_distance(n_tokens: int, i: int, j: int, n_buckets: int) -> np.ndarray:
    """Bucketed token distance of every token to the range ``[i, j)`` (0 inside it).

    Buckets: 0 inside, then 1..4 exact distances, then log2-spaced up to ``n_buckets - 1``.

    Examples:
        >>> relative_distance(8, 2, 4, 8).tolist()
        [2, 1, 0, 0, 1, 2, 3, 4]
    """
    pos = np.arange(n_tokens)
    dist = np.where(pos < i, i - pos, np.where(pos >= j, pos - j + 1, 0))
    far = dist > 4
    bucket = dist.copy()
    bucket[far] = 4 + np.ceil(np.log2(dist[far] / 4.0)).astype(np.int64)
    return np.minimum(bucket, n_buckets - 1).astype(np.int64)


def mention_window(n_tokens: int, i: int, j: int, width: int = ATTENTION_WINDOW) -> tuple[int, int]:
    """The tokens ``[lo, hi)`` the polarity attention of mention ``[i, j)`` reads.

    Examples:
        >>> mention_window(200, 100, 102, 48)
        (52, 150)
        >>> mention_window(10, 2, 4, 48)
        (0, 10)
    """
    return max(0, i - width), min(n_tokens, j + width)
