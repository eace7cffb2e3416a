"""Language identification with lingua, script rules and language priors.

How a text is decided:

1. It is cleaned for detection: NFKC; URLs, e-mail addresses, ``@mentions`` and
   ``#hashtags`` removed; digits, punctuation and emoji dropped; letters
   repeated three or more times squeezed to two; laughter (``ахахах``,
   ``hahaha``) dropped; Latin look-alikes inside Cyrillic words mapped to
   Cyrillic; cut to ``max_chars``.
2. Fewer than ``min_chars`` letters left: ``"und"`` with score 0.
3. Script rules: Japanese kana (two or more, at least a fifth of the CJK
   characters, CJK at least half of the letters) or
   Hangul (at least half of the letters) or another script without a target
   language (half of the letters or more) give ``"und"`` unless that language
   is a target. Han characters with no kana give ``"zh"`` when there are at
   least as many Han characters as words in other scripts (Chinese chat mixed
   with brand names, ``"Sony Xperia Z 安卓论坛"``).
4. Otherwise lingua scores the target languages plus ``others`` (Ukrainian,
   Belarusian, German, Czech, ...). Cyrillic languages whose alphabet cannot
   spell the text's Cyrillic letters are dropped (``ы`` excludes Ukrainian;
   ``і`` excludes Russian), as are Belarusian and Kazakh when the text has none
   of their own letters. Each other language's confidence is multiplied by
   ``other_prior`` (the prior odds of a non-target language), the scores are
   renormalised, and the best language wins; a non-target winner, or a target
   below ``min_confidence``, gives ``"und"``.
"""

from __future__ import annotations

import functools
import logging
import math
from typing import TYPE_CHECKING, Any

from vocmine.errors import ConfigError, MissingDependencyError
from vocmine.lang._data import SUPPORTED_LANGUAGES, UNDETERMINED
from vocmine.lang._prepare import prepare
from vocmine.lang._scripts import CYRILLIC_ALPHABETS, CYRILLIC_REQUIRED, ScriptProfile, profile
from vocmine.types import LangGuess, Span

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

__all__ = [
    "DEFAULT_LANGUAGES",
    "DEFAULT_OTHER_LANGUAGES",
    "FixedLanguageDetector",
    "LinguaDetector",
    "detect_language",
]

logger = logging.getLogger(__name__)

#: The languages vocmine analyses.
DEFAULT_LANGUAGES: tuple[str, ...] = SUPPORTED_LANGUAGES

#: Languages lingua also scores so that their texts come out as ``"und"``
#: instead of being forced into a target language (common in CX data from
#: the RU / PL / CN / EN markets).
DEFAULT_OTHER_LANGUAGES: tuple[str, ...] = (
    "uk", "be", "bg", "mk", "sr", "kk", "mn",
    "de", "cs", "sk", "sl", "hr", "fr", "es", "it", "pt", "nl", "sv", "da", "nb",
    "fi", "et", "lv", "lt", "hu", "ro", "tr", "ca", "id", "vi", "ja", "ko",
)  # fmt: skip

_SCRIPT_LANGS = {"han": "zh", "kana": "ja", "hangul": "ko"}


@functools.lru_cache(maxsize=4)
def _lingua(codes: tuple[str, ...], low_accuracy: bool) -> Any:
    try:
        import lingua
    except ImportError as exc:  # pragma: no cover - lingua is a core dependency
        raise MissingDependencyError(
            "[E007] LinguaDetector needs the package 'lingua-language-detector', which is "
            "not installed. Got ImportError. Run: pip install lingua-language-detector"
        ) from exc
    iso = []
    for code in codes:
        member = getattr(lingua.IsoCode639_1, code.upper(), None)
        if member is None:
            raise ConfigError(
                f"[E004] LinguaDetector language {code!r} is not supported by lingua. "
                f"Expected ISO 639-1 codes lingua knows, got {code!r}. Remove it."
            )
        iso.append(member)
    builder = lingua.LanguageDetectorBuilder.from_iso_codes_639_1(*iso)
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    return builder.build()


class LinguaDetector:
    """Language identification for RU / ZH / PL / EN with ``"und"`` for the rest.

    Implements the ``LanguageDetector`` protocol. lingua's models ship inside
    its wheel, so detection runs offline; lingua is imported on first use.

    Args:
        languages: ISO 639-1 codes that may be returned.
        others: languages scored so that their texts come out ``"und"``.
        min_chars: fewest letters (after cleaning) needed to guess at all.
        min_confidence: lowest renormalised confidence for a target language.
        other_prior: weight of a non-target language's confidence (prior odds).
        max_chars: cleaned characters passed to lingua (``None``: all).
        low_accuracy: use lingua's faster trigram-only mode.

    Raises:
        ConfigError: if an argument is out of range.

    Examples:
        >>> from vocmine.lang import LinguaDetector
        >>> det = LinguaDetector()
        >>> [g.lang for g in det.detect(["Товар пришёл вовремя, спасибо!",
        ...     "物流很快，质量不错", "Paczka dotarła uszkodzona.",
        ...     "Great support team.", "Дякую, все чудово!", "👍👍", ""])]
        ['ru', 'zh', 'pl', 'en', 'und', 'und', 'und']
    """

    def __init__(
        self,
        *,
        languages: Sequence[str] = DEFAULT_LANGUAGES,
        others: Sequence[str] = DEFAULT_OTHER_LANGUAGES,
        min_chars: int = 2,
        min_confidence: float = 0.0,
        other_prior: float = 0.1,
        max_chars: int | None = 400,
        low_accuracy: bool = False,
    ) -> None:
        self.languages = tuple(languages)
        self.others = tuple(c for c in others if c not in self.languages)
        self.min_chars = min_chars
        self.min_confidence = min_confidence
        self.other_prior = other_prior
        self.max_chars = max_chars
        self.low_accuracy = low_accuracy
        self._check()

    def _check(self) -> None:
        problems: list[tuple[str, str, object]] = []
        if not self.languages:
            problems.append(("languages", "at least one code", self.languages))
        for code in self.languages + self.others:
            if not (isinstance(code, str) and len(code) == 2 and code.isalpha() and code.islower()):
                problems.append(("languages/others", "lower-case ISO 639-1 codes", code))
        if not (isinstance(self.min_chars, int) and self.min_chars >= 0):
            problems.append(("min_chars", "an int >= 0", self.min_chars))
        if not 0.0 <= self.min_confidence <= 1.0:
            problems.append(("min_confidence", "a float in [0, 1]", self.min_confidence))
        if not 0.0 < self.other_prior <= 1.0:
            problems.append(("other_prior", "a float in (0, 1]", self.other_prior))
        if self.max_chars is not None and not (isinstance(self.max_chars, int) and self.max_chars >= 1):
            problems.append(("max_chars", "None or an int >= 1", self.max_chars))
        if problems:
            name, expected, got = problems[0]
            raise ConfigError(
                f"[E004] LinguaDetector {name} must be {expected}, got {got!r}. "
                "Fix the argument."
            )

    def __repr__(self) -> str:
        return (
            f"LinguaDetector(languages={self.languages!r}, others=<{len(self.others)} languages>, "
            f"min_chars={self.min_chars}, min_confidence={self.min_confidence}, "
            f"other_prior={self.other_prior}, max_chars={self.max_chars}, low_accuracy={self.low_accuracy})"
        )

    # -- public API -------------------------------------------------------------

    def detect(self, texts: Sequence[str]) -> list[LangGuess]:
        """Return one ``LangGuess`` per text (``"und"`` for anything else).

        Args:
            texts: the texts; non-strings count as empty.

        Returns:
            A list aligned with ``texts``.

        Examples:
            >>> from vocmine.lang import LinguaDetector
            >>> LinguaDetector().detect(["Dziękuję bardzo"])[0].lang
            'pl'
        """
        out: list[LangGuess | None] = [None] * len(texts)
        pending: list[int] = []
        cleaned: list[str] = []
        for i, text in enumerate(texts):
            clean = prepare(text, self.max_chars) if isinstance(text, str) else ""
            guess = self._by_script(clean)
            if guess is None:
                pending.append(i)
                cleaned.append(clean)
            else:
                out[i] = guess
        if pending:
            codes = self.languages + self.others
            model = _lingua(codes, self.low_accuracy)
            results = model.compute_language_confidence_values_in_parallel(cleaned)
            for i, clean, values in zip(pending, cleaned, results):
                # lingua's values wobble in the last bits from run to run (hash
                # order); rounding makes the output reproducible.
                conf = {
                    v.language.iso_code_639_1.name.lower(): round(v.value, 10)
                    for v in values
                    if v.value > 0
                }
                out[i] = self._decide(clean, conf)
        n_und = sum(1 for g in out if g is not None and g.lang == UNDETERMINED)
        if n_und:
            logger.debug("%d of %d texts had no detectable target language", n_und, len(out))
        return [g if g is not None else LangGuess(UNDETERMINED, 0.0) for g in out]

    def detect_sentences(
        self, text: str, *, min_sentence_chars: int = 12
    ) -> list[tuple[Span, LangGuess]]:
        """Detect the language of each sentence of one text (code-switching).

        A sentence with fewer than ``min_sentence_chars`` letters (a Han
        character counts as three) takes the language of the whole text when it
        is written in that language's script (``"Ok."`` inside a Polish review
        stays Polish; ``"Thanks!"`` inside a Russian one stays English).

        Args:
            text: the original text.
            min_sentence_chars: letters below which a sentence is too short to
                judge on its own.

        Returns:
            ``(span, guess)`` per sentence of ``split_sentences(text)``.

        Examples:
            >>> from vocmine.lang import LinguaDetector
            >>> t = "Заказ пришёл вовремя. But the box was damaged."
            >>> [(s.slice(t), g.lang) for s, g in LinguaDetector().detect_sentences(t)]
            [('Заказ пришёл вовремя.', 'ru'), ('But the box was damaged.', 'en')]
        """
        from vocmine.preprocess._segment import split_sentences

        spans = split_sentences(text)
        if not spans:
            return []
        guesses = self.detect([s.slice(text) for s in spans] + [text])
        doc = guesses.pop()
        doc_script = self._script_of(doc.lang)
        out = []
        for span, guess in zip(spans, guesses):
            piece = prepare(span.slice(text), self.max_chars)
            prof = profile(piece)
            short = prof.letters + 2 * prof.han < min_sentence_chars
            if short and doc.lang != UNDETERMINED and self._dominant(prof) == doc_script:
                guess = doc
            out.append((span, guess))
        return out

    # -- decision steps ----------------------------------------------------------

    @staticmethod
    def _script_of(lang: str) -> str:
        if lang in SUPPORTED_LANGUAGES:
            from vocmine.lang._data import get

            return get(lang).SCRIPT
        return ""

    @staticmethod
    def _dominant(prof: ScriptProfile) -> str:
        counts = {
            "Hani": prof.han,
            "Cyrl": prof.cyrillic,
            "Latn": prof.latin,
            "Kana": prof.kana,
            "Hang": prof.hangul,
            "Zyyy": prof.other,
        }
        best = max(counts, key=lambda k: counts[k])
        return best if counts[best] else ""

    def _target_or_und(self, lang: str, score: float) -> LangGuess:
        if lang in self.languages:
            return LangGuess(lang, score)
        return LangGuess(UNDETERMINED, score)

    def _by_script(self, clean: str) -> LangGuess | None:
        prof = profile(clean)
        if not prof.letters or (prof.letters < self.min_chars and not prof.han):
            return LangGuess(UNDETERMINED, 0.0)
        cjk = prof.han + prof.kana
        if prof.kana >= 2 and prof.kana >= 0.2 * cjk and cjk * 2 >= prof.letters:
            return self._target_or_und(_SCRIPT_LANGS["kana"], cjk / max(1, prof.letters))
        if prof.hangul * 2 >= prof.letters:
            return self._target_or_und(_SCRIPT_LANGS["hangul"], prof.hangul / prof.letters)
        if prof.han and prof.han >= prof.words:
            return self._target_or_und(_SCRIPT_LANGS["han"], prof.han / (prof.han + prof.words))
        if prof.other * 2 >= prof.letters:
            return LangGuess(UNDETERMINED, prof.other / prof.letters)
        return None

    def _decide(self, clean: str, conf: dict[str, float]) -> LangGuess:
        if not conf:
            return LangGuess(UNDETERMINED, 0.0)
        conf = self._orthography(clean, conf)
        post = {k: v * (1.0 if k in self.languages else self.other_prior) for k, v in conf.items()}
        total = math.fsum(post.values())
        if total <= 0:
            return LangGuess(UNDETERMINED, 0.0)
        best = max(sorted(post), key=lambda k: post[k])
        score = round(post[best] / total, 6)
        if best in self.languages and score >= self.min_confidence:
            return LangGuess(best, score)
        return LangGuess(UNDETERMINED, score if best not in self.languages else 1.0 - score)

    @staticmethod
    def _orthography(clean: str, conf: dict[str, float]) -> dict[str, float]:
        """Drop Cyrillic languages whose alphabet cannot spell the text."""
        letters = [c for c in clean.lower() if "\u0400" <= c <= "\u052f"]
        if not letters:
            return conf
        present = frozenset(letters)
        kept = dict(conf)
        for lang, alphabet in CYRILLIC_ALPHABETS.items():
            if lang not in kept:
                continue
            foreign = sum(1 for c in letters if c not in alphabet)
            required = CYRILLIC_REQUIRED.get(lang)
            if foreign > 0.03 * len(letters) or (required and present.isdisjoint(required)):
                del kept[lang]
        return kept if kept else conf


class FixedLanguageDetector:
    """The null language detector: every text gets the same code.

    Use it when the language is known (a Russian-only survey) or to switch the
    stage off.

    Args:
        lang: the code to return (``"und"`` by default).
        score: the confidence to return.

    Examples:
        >>> from vocmine.lang import FixedLanguageDetector
        >>> FixedLanguageDetector(lang="ru").detect(["a", "b"])[1].lang
        'ru'
    """

    def __init__(self, *, lang: str = UNDETERMINED, score: float = 1.0) -> None:
        self.lang = lang
        self.score = score

    def detect(self, texts: Sequence[str]) -> list[LangGuess]:
        """Return ``LangGuess(lang, score)`` for every text."""
        return [LangGuess(self.lang, self.score) for _ in texts]


@functools.lru_cache(maxsize=1)
def _default_detector() -> LinguaDetector:
    return LinguaDetector()


def detect_language(text: str) -> LangGuess:
    """Detect the language of one text with the default ``LinguaDetector``.

    For many texts call ``LinguaDetector().detect(texts)``: it batches lingua.

    Args:
        text: the text.

    Returns:
        An ISO 639-1 code from ``DEFAULT_LANGUAGES`` or ``"und"``, and a score.

    Examples:
        >>> from vocmine.lang import detect_language
        >>> detect_language("Obsługa klienta była bardzo pomocna").lang
        'pl'
        >>> detect_language("12345 !!!").lang
        'und'
    """
    return _default_detector().detect([text])[0]
