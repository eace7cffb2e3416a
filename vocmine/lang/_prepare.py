"""Clean a text for language identification (internal to ``vocmine.lang``)."""

from __future__ import annotations

import re
import unicodedata

from vocmine.lang._scripts import fix_homoglyphs
from vocmine.preprocess._pii import find_pii

__all__ = ["prepare"]

_MENTION = re.compile(r"(?<!\w)[@#][\w.]+|<(?:URL|EMAIL|PHONE)>")
_NON_LETTER = re.compile(r"[\W\d_]+")
_REPEAT = re.compile(r"([^\W\d_])\1{2,}")
# After squeezing repeats, four or more of these letters can only be laughter.
_LAUGH = re.compile(r"(?<!\w)(?:[ахАХ]{4,}|[ahAH]{4,})(?!\w)")


def prepare(text: str, max_chars: int | None = None) -> str:
    """Keep the letters of ``text`` that carry evidence about its language.

    NFKC; URLs, e-mail addresses, ``@mentions``, ``#hashtags`` and PII tokens
    removed; digits, punctuation and emoji dropped; letters repeated three or
    more times squeezed to two; laughter (``ахахах``, ``hahaha``) dropped;
    Latin look-alikes inside Cyrillic words mapped to Cyrillic; cut at a space
    to at most ``max_chars`` characters.

    Examples:
        >>> prepare("@anna Спасибооо!!! 👍 https://t.co/x ахахаха")
        'Спасибоо'
    """
    text = unicodedata.normalize("NFKC", text)
    pii = find_pii(text, phones=False)
    if pii:
        parts, pos = [], 0
        for span, _ in pii:
            parts.append(text[pos : span.start])
            pos = span.end
        parts.append(text[pos:])
        text = " ".join(parts)
    text = _MENTION.sub(" ", text)
    text = _NON_LETTER.sub(" ", text.replace("'", "").replace("’", ""))
    text = _REPEAT.sub(r"\1\1", text)
    text = _LAUGH.sub(" ", text)
    text = fix_homoglyphs(" ".join(text.split()))
    if max_chars is not None and len(text) > max_chars:
        cut = text.rfind(" ", 0, max_chars + 1)
        text = text[: cut if cut > max_chars // 2 else max_chars]
    return text
