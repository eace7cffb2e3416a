"""Script statistics and orthographic data used by the language detector.

The Cyrillic alphabets let the detector drop languages whose alphabet cannot
spell a text (``ы`` rules out Ukrainian, Bulgarian, Macedonian and Serbian;
``і`` rules out Russian), and require the letters without which a text is very
unlikely to be Belarusian or Kazakh.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vocmine.lang import ru

__all__ = [
    "CYRILLIC_ALPHABETS",
    "CYRILLIC_REQUIRED",
    "ScriptProfile",
    "profile",
    "fix_homoglyphs",
]

_RU = ru.ALPHABET

#: Lower-case Cyrillic letters of each Cyrillic language the detector knows.
CYRILLIC_ALPHABETS: dict[str, frozenset[str]] = {
    "ru": _RU,
    "uk": (_RU - frozenset("ёъыэ")) | frozenset("ґєії"),
    "be": (_RU - frozenset("ищъ")) | frozenset("іў"),
    "bg": _RU - frozenset("ёыэ"),
    "mk": frozenset("абвгдѓежзѕијклљмнњопрстќуфхцчџш"),
    "sr": frozenset("абвгдђежзијклљмнњопрстћуфхцчџш"),
    "kk": _RU | frozenset("әғқңөұүһі"),
    "mn": _RU | frozenset("өү"),
}

#: A text is taken to be in one of these languages only if it contains at
#: least one of the listed letters (Belarusian writes ``і`` where the others
#: write ``и``; Kazakh prose without its own letters is vanishingly rare).
CYRILLIC_REQUIRED: dict[str, frozenset[str]] = {
    "be": frozenset("іў"),
    "kk": frozenset("әғқңөұүһі"),
}

# Latin letters typed inside Cyrillic words (mostly Ukrainian "i").
_HOMOGLYPHS = str.maketrans(
    {"i": "і", "I": "І", "a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у"}
)
_MIXED_WORD = re.compile(r"\b(?=\w*[\u0400-\u04ff])(?=\w*[A-Za-z])\w+\b")

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_KANA = re.compile(r"[\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9d]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_CYRILLIC = re.compile(r"[\u0400-\u052f]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]")
_LETTER = re.compile(r"[^\W\d_]")
# Runs of two or more letters that are not Han/kana (a "word" for the Han-vs-words
# balance; single letters are model-number debris such as "Z" in "Xperia Z").
_NON_CJK_WORD = re.compile(r"(?:(?![\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])[^\W\d_]){2,}")


@dataclass(frozen=True)
class ScriptProfile:
    """Letter counts of one text by script.

    Attributes:
        letters: all letters.
        han: Han ideographs.
        kana: hiragana and katakana.
        hangul: Hangul syllables and jamo.
        cyrillic: Cyrillic letters.
        latin: Latin letters.
        other: letters of any other script.
        words: runs of two or more letters outside Han and kana (words of spaced
            scripts); counted only when there are Han characters.
    """

    letters: int
    han: int
    kana: int
    hangul: int
    cyrillic: int
    latin: int
    other: int
    words: int


def profile(text: str) -> ScriptProfile:
    """Count the letters of ``text`` by script.

    Examples:
        >>> profile("iPhone 很好").han
        2
    """
    letters = len(_LETTER.findall(text))
    han = len(_HAN.findall(text))
    kana = len(_KANA.findall(text))
    hangul = len(_HANGUL.findall(text))
    cyrillic = len(_CYRILLIC.findall(text))
    latin = len(_LATIN.findall(text))
    other = max(0, letters - han - kana - hangul - cyrillic - latin)
    words = len(_NON_CJK_WORD.findall(text)) if han else 0
    return ScriptProfile(letters, han, kana, hangul, cyrillic, latin, other, words)


def fix_homoglyphs(text: str) -> str:
    """Replace Latin look-alikes inside words that also contain Cyrillic letters.

    Examples:
        >>> fix_homoglyphs("Рiдненькi and pizza")
        'Рідненькі and pizza'
    """
    if not _CYRILLIC.search(text) or not _LATIN.search(text):
        return text
    return _MIXED_WORD.sub(lambda m: m.group(0).translate(_HOMOGLYPHS), text)
