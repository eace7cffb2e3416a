"""Language identification and per-language data.

``vocmine.lang.ru``, ``zh``, ``pl`` and ``en`` hold data only (abbreviations,
discourse markers, stop words, negators, intensifiers); components look them
up by code with :func:`get` instead of branching on the language. lingua is
imported only when a detector first runs.

Examples:
    >>> from vocmine.lang import get, SUPPORTED_LANGUAGES
    >>> SUPPORTED_LANGUAGES
    ('ru', 'zh', 'pl', 'en')
    >>> "ale" in get("pl").DISCOURSE_MARKERS
    True
"""

from __future__ import annotations

from vocmine.lang._data import SUPPORTED_LANGUAGES, UNDETERMINED, LanguageData, get, merged
from vocmine.lang._detect import (
    DEFAULT_LANGUAGES,
    DEFAULT_OTHER_LANGUAGES,
    FixedLanguageDetector,
    LinguaDetector,
    detect_language,
)

__all__ = [
    "LinguaDetector",
    "FixedLanguageDetector",
    "detect_language",
    "get",
    "merged",
    "LanguageData",
    "SUPPORTED_LANGUAGES",
    "UNDETERMINED",
    "DEFAULT_LANGUAGES",
    "DEFAULT_OTHER_LANGUAGES",
]
