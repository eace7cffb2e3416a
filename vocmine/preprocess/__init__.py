"""Pure text functions: normalisation, PII masking and sentence segmentation.

Every function takes a string and returns a string or spans into the original
string; none needs a model or reads a DataFrame.

Examples:
    >>> from vocmine.preprocess import mask_pii, normalize, split_sentences
    >>> normalize("Ｇｒｅａｔ   service!! 👍")
    'Great service!! 👍'
    >>> mask_pii("write to anna@example.com")
    'write to <EMAIL>'
    >>> [s.slice("Hi. Bye.") for s in split_sentences("Hi. Bye.")]
    ['Hi.', 'Bye.']
"""

from __future__ import annotations

from vocmine.preprocess._normalize import normalize, normalize_with_offsets
from vocmine.preprocess._pii import EMAIL_TOKEN, PHONE_TOKEN, URL_TOKEN, find_pii, mask_pii
from vocmine.preprocess._segment import split_sentences

__all__ = [
    "normalize",
    "normalize_with_offsets",
    "mask_pii",
    "find_pii",
    "split_sentences",
    "URL_TOKEN",
    "EMAIL_TOKEN",
    "PHONE_TOKEN",
]
