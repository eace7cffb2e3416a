"""Normalised aspect terms ("lemmas") per language, from a data table, not branches.

* ``ru`` - pymorphy3 normal form of each word (``официантами`` -> ``официант``);
* ``pl``, ``en`` - simplemma lemma of each word (``pojemności baterii`` -> ``pojemność bateria``);
* anything else (``zh``, ``"und"``) - the term itself, case-folded, white space collapsed.

Words are lemmatised one by one and re-joined with single spaces; the result is
lower-cased, so mentions of one aspect in different inflections group together.

Examples:
    >>> term_lemma("  Battery   LIFE ", "und")
    'battery life'
    >>> term_lemma("屏幕", "zh")
    '屏幕'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from vocmine.errors import MissingDependencyError

__all__ = ["LEMMATIZERS", "term_lemma"]

#: Lemmatiser per ISO 639-1 code; codes not listed keep the (case-folded) term.
LEMMATIZERS: dict[str, str] = {"ru": "pymorphy3", "pl": "simplemma", "en": "simplemma"}

_WORD = re.compile(r"[^\W\d_]+(?:[-'\u2019][^\W\d_]+)*", re.UNICODE)
_SPACE = re.compile(r"\s+")


@functools.lru_cache(maxsize=8)
def _word_lemmatizer(kind: str, lang: str) -> Callable[[str], str]:
    if kind == "pymorphy3":
        try:
            import pymorphy3
        except ImportError as exc:  # pragma: no cover - pymorphy3 is a core dependency
            raise MissingDependencyError(
                f"[E007] {lang!r} aspect lemmas need 'pymorphy3' and 'pymorphy3-dicts-{lang}', which are not "
                f"installed. Fix: pip install pymorphy3 pymorphy3-dicts-{lang}."
            ) from exc
        morph = pymorphy3.MorphAnalyzer(lang=lang)
        return functools.lru_cache(maxsize=50_000)(lambda w: str(morph.parse(w)[0].normal_form))
    try:
        import simplemma
    except ImportError as exc:  # pragma: no cover - simplemma is a core dependency
        raise MissingDependencyError(
            f"[E007] {lang!r} aspect lemmas need 'simplemma', which is not installed. Fix: pip install simplemma."
        ) from exc
    return functools.lru_cache(maxsize=50_000)(lambda w: str(simplemma.lemmatize(w, lang=lang)))


def term_lemma(term: str, lang: str) -> str:
    """Return the normalised form of an aspect ``term`` written in ``lang``.

    Args:
        term: the aspect term as it appears in the text.
        lang: ISO 639-1 code or ``"und"``.

    Returns:
        The lower-cased lemma (word by word for ru/pl/en; the term itself otherwise).

    Examples:
        >>> term_lemma("Delivery", "xx")
        'delivery'
    """
    kind = LEMMATIZERS.get(lang)
    clean = _SPACE.sub(" ", term).strip()
    if kind is None:
        return clean.casefold()
    lemma = _word_lemmatizer(kind, lang)
    return _WORD.sub(lambda m: lemma(m.group(0).lower()), clean).casefold()
