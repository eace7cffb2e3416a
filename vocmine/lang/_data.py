"""Look up per-language data modules (``vocmine.lang.ru`` ...) by ISO 639-1 code."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol, cast

from vocmine.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable

__all__ = ["SUPPORTED_LANGUAGES", "UNDETERMINED", "LanguageData", "get", "merged"]

#: Languages with a data module, in the project's canonical order.
SUPPORTED_LANGUAGES: tuple[str, ...] = ("ru", "zh", "pl", "en")

#: The code for "none of the supported languages" (ISO 639-2 ``und``).
UNDETERMINED = "und"


class LanguageData(Protocol):
    """What every ``vocmine.lang.<code>`` data module provides.

    Attributes:
        CODE: the ISO 639-1 code.
        NAME: the English name.
        SCRIPT: the ISO 15924 script code (``"Cyrl"``, ``"Hani"``, ``"Latn"``).
        WORD_SEPARATED: whether words are separated by spaces.
        ALPHABET: the lower-case letters of the alphabet (empty for Chinese).
        ABBREVIATIONS: lower-case abbreviations without the final period; the
            period ends a sentence only before an upper-case word.
        NONFINAL_ABBREVIATIONS: abbreviations whose period never ends a sentence
            (unless a number precedes them: ``2020 г.``, ``10 cm.``).
        DISCOURSE_MARKERS: words or phrases at which a long unpunctuated run may
            be split, the split going before the marker.
        NEGATORS: negation words.
        INTENSIFIERS: words that strengthen the next word.
        DIMINISHERS: words that weaken the next word.
        STOP_WORDS: a small curated function-word list (negators included).
    """

    CODE: str
    NAME: str
    SCRIPT: str
    WORD_SEPARATED: bool
    ALPHABET: frozenset[str]
    ABBREVIATIONS: frozenset[str]
    NONFINAL_ABBREVIATIONS: frozenset[str]
    DISCOURSE_MARKERS: tuple[str, ...]
    NEGATORS: frozenset[str]
    INTENSIFIERS: frozenset[str]
    DIMINISHERS: frozenset[str]
    STOP_WORDS: frozenset[str]


def get(lang: str) -> LanguageData:
    """Return the data module of one supported language.

    Args:
        lang: an ISO 639-1 code from ``SUPPORTED_LANGUAGES``.

    Returns:
        The module ``vocmine.lang.<lang>`` (it satisfies ``LanguageData``).

    Raises:
        ConfigError: if ``lang`` has no data module.

    Examples:
        >>> from vocmine.lang import get
        >>> get("pl").NAME
        'Polish'
        >>> "не" in get("ru").NEGATORS
        True
    """
    if lang not in SUPPORTED_LANGUAGES:
        raise ConfigError(
            f"[E004] Language {lang!r} has no data module. Expected one of "
            f"{list(SUPPORTED_LANGUAGES)}, got {lang!r}. Pass a supported code, "
            f"or treat the text as {UNDETERMINED!r}."
        )
    return cast("LanguageData", importlib.import_module(f"vocmine.lang.{lang}"))


def merged(attribute: str, langs: Iterable[str] | None = None) -> frozenset[str]:
    """Return the union of one set-valued attribute over several languages.

    Used when the language of a text is unknown (``None`` or ``"und"``).

    Args:
        attribute: a set- or tuple-valued ``LanguageData`` attribute name.
        langs: the languages to merge; all supported ones when ``None``.
            Codes without a data module (``"und"``) are skipped.

    Returns:
        The union of the attribute over those languages.

    Examples:
        >>> from vocmine.lang import merged
        >>> {"mr", "np", "т.е"} <= merged("NONFINAL_ABBREVIATIONS")
        True
    """
    codes = SUPPORTED_LANGUAGES if langs is None else [c for c in langs if c in SUPPORTED_LANGUAGES]
    out: set[str] = set()
    for code in codes:
        out.update(getattr(get(code), attribute))
    return frozenset(out)
