"""Per-language word analyzers for topic words: segment, lemmatise, drop stop words.

One analyzer per ISO 639-1 code, built from a data table (:data:`LANGUAGE_TOOLS`),
never from ``if lang == ...`` branches:

* ``zh`` - jieba word segmentation; only multi-character words are kept, so
  Chinese topic words are words, neither single characters nor whole sentences
  (BERTopic's default ``CountVectorizer`` yields sentences, BERTopic #1157, #1821);
* ``ru`` - pymorphy3 lemmas (``доставки``/``доставкой`` -> ``доставка``), with
  function-word parts of speech dropped;
* ``pl``, ``en`` - simplemma lemmas (``dostawy``/``dostawą`` -> ``dostawa``);
* any other code (``"und"`` included) - lower-cased letter runs; runs of Han
  characters go through the Chinese segmenter so they never become one token.

Stop words come from ``vocmine.lang.<code>.STOP_WORDS`` when that data module
exists, else from spaCy's list for the code, else none. They are matched on
the surface form and on the lemma.

Examples:
    >>> from vocmine.topics import language_analyzer
    >>> language_analyzer("pl")("Szybkie dostawy, kurierzy i paczki")
    ['szybki', 'dostawa', 'kurier', 'paczka']
"""

from __future__ import annotations

import functools
import importlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from vocmine.errors import MissingDependencyError

__all__ = ["LANGUAGE_TOOLS", "LanguageTools", "language_analyzer", "stop_words"]

logger = logging.getLogger(__name__)

Analyzer = Callable[[str], list[str]]

_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['\u2019-](?=[^\W\d_]))*", re.UNICODE)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_HAN_OR_WORD = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[^\W\d_]+(?:['\u2019][^\W\d_]+)*", re.UNICODE
)
#: pymorphy3 parts of speech that never make a topic word.
_RU_FUNCTION_POS = frozenset({"PREP", "CONJ", "PRCL", "INTJ", "NPRO", "NUMR", "PRED", "COMP"})


@dataclass(frozen=True)
class LanguageTools:
    """How one language is cut into topic words.

    Attributes:
        segmenter: ``"words"`` (letter runs) or ``"jieba"`` (Chinese segmentation).
        lemmatizer: ``"none"``, ``"simplemma"`` or ``"pymorphy3"``.
        min_chars: shortest kept token, in characters.
    """

    segmenter: str = "words"
    lemmatizer: str = "none"
    min_chars: int = 2


#: The per-language table; codes not listed use ``LanguageTools()``.
LANGUAGE_TOOLS: dict[str, LanguageTools] = {
    "zh": LanguageTools(segmenter="jieba", min_chars=2),
    "ru": LanguageTools(lemmatizer="pymorphy3"),
    "pl": LanguageTools(lemmatizer="simplemma"),
    "en": LanguageTools(lemmatizer="simplemma"),
}


@functools.lru_cache(maxsize=None)
def stop_words(lang: str) -> frozenset[str]:
    """Return the stop words used for topic words in ``lang`` (lower case).

    Args:
        lang: an ISO 639-1 code or ``"und"``.

    Returns:
        ``vocmine.lang.<lang>.STOP_WORDS`` if that module exists, else spaCy's
        list for ``lang``, else an empty set.

    Examples:
        >>> from vocmine.topics import stop_words
        >>> "the" in stop_words("en") and "и" in stop_words("ru")
        True
    """
    for module, attr in ((f"vocmine.lang.{lang}", "STOP_WORDS"), (f"spacy.lang.{lang}.stop_words", "STOP_WORDS")):
        if not lang.isalpha():
            break
        try:
            found = getattr(importlib.import_module(module), attr, None)
        except ImportError:
            continue
        if found:
            return frozenset(w.lower() for w in found)
    return frozenset()


# --- segmenters -----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _jieba() -> object:
    try:
        import jieba
    except ImportError as exc:  # pragma: no cover - jieba is a core dependency
        raise MissingDependencyError(
            "[E007] Chinese topic words need 'jieba', which is not installed. Fix: pip install jieba."
        ) from exc
    tokenizer = jieba.Tokenizer()
    jlog = logging.getLogger("jieba")
    level = jlog.level
    jlog.setLevel(logging.WARNING)  # jieba logs its dictionary loading at DEBUG/INFO
    try:
        tokenizer.initialize()
    finally:
        jlog.setLevel(level)
    return tokenizer


def _segment_words(text: str) -> list[str]:
    out: list[str] = []
    for run in _HAN_OR_WORD.findall(text.lower()):
        if _HAN.fullmatch(run):
            out.extend(_segment_jieba(run))
            continue
        run = run.replace("\u2019", "'")
        if "'" in run:  # possessive -> stem; other contractions are function words (haven't, we'll)
            if not run.endswith("'s"):
                continue
            run = run[:-2]
        out.append(run)
    return out


def _segment_jieba(text: str) -> list[str]:
    tokenizer = _jieba()
    out: list[str] = []
    for tok in tokenizer.lcut(text.lower(), HMM=True):  # type: ignore[attr-defined]
        tok = tok.strip()
        if _HAN.fullmatch(tok) or _WORD.fullmatch(tok):
            out.append(tok)
    return out


_SEGMENTERS: dict[str, Callable[[str], list[str]]] = {"words": _segment_words, "jieba": _segment_jieba}


# --- lemmatizers ----------------------------------------------------------------------------------


def _lemma_none(lang: str) -> Callable[[str], str | None]:
    return lambda tok: tok


def _lemma_simplemma(lang: str) -> Callable[[str], str | None]:
    try:
        import simplemma
    except ImportError as exc:  # pragma: no cover - simplemma is a core dependency
        raise MissingDependencyError(
            f"[E007] {lang!r} topic words need 'simplemma', which is not installed. Fix: pip install simplemma."
        ) from exc

    @functools.lru_cache(maxsize=50_000)
    def lemma(tok: str) -> str | None:
        return str(simplemma.lemmatize(tok, lang=lang)).lower()

    return lemma


def _lemma_pymorphy3(lang: str) -> Callable[[str], str | None]:
    try:
        import pymorphy3
    except ImportError as exc:  # pragma: no cover - pymorphy3 is a core dependency
        raise MissingDependencyError(
            f"[E007] {lang!r} topic words need 'pymorphy3' and 'pymorphy3-dicts-{lang}'. "
            f"Fix: pip install pymorphy3 pymorphy3-dicts-{lang}."
        ) from exc
    morph = pymorphy3.MorphAnalyzer(lang=lang)

    @functools.lru_cache(maxsize=50_000)
    def lemma(tok: str) -> str | None:
        parse = morph.parse(tok)[0]
        if parse.tag.POS in _RU_FUNCTION_POS:
            return None
        return str(parse.normal_form)

    return lemma


_LEMMATIZERS: dict[str, Callable[[str], Callable[[str], str | None]]] = {
    "none": _lemma_none,
    "simplemma": _lemma_simplemma,
    "pymorphy3": _lemma_pymorphy3,
}


@functools.lru_cache(maxsize=None)
def language_analyzer(lang: str) -> Analyzer:
    """Return the topic-word analyzer of ``lang``: ``text -> list of lemmas``.

    Args:
        lang: an ISO 639-1 code; unknown codes (``"und"``) get a generic analyzer.

    Returns:
        A function mapping one text to its content-word lemmas, in text order.

    Examples:
        >>> from vocmine.topics import language_analyzer
        >>> language_analyzer("ru")("Быстрой доставкой доволен, курьер привёз доставку")
        ['быстрый', 'доставка', 'довольный', 'курьер', 'привезти', 'доставка']
        >>> language_analyzer("zh")("物流很快，手机质量不错")
        ['物流', '很快', '手机', '质量', '不错']
    """
    tools = LANGUAGE_TOOLS.get(lang, LanguageTools())
    segment = _SEGMENTERS[tools.segmenter]
    lemma = _LEMMATIZERS[tools.lemmatizer](lang)
    stops = stop_words(lang)
    min_chars = tools.min_chars

    def analyze(text: str) -> list[str]:
        out: list[str] = []
        for tok in segment(text):
            if len(tok) < min_chars or tok in stops:
                continue
            lem = lemma(tok)
            if lem and len(lem) >= min_chars and lem not in stops:
                out.append(lem)
        return out

    return analyze
