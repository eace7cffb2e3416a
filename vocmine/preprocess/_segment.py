"""Rule-based sentence segmentation with offsets into the original text.

Per-language knowledge (abbreviations, discourse markers, whether words are
separated by spaces) comes from the ``vocmine.lang.<code>`` data modules.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from vocmine.errors import ConfigError
from vocmine.lang._data import SUPPORTED_LANGUAGES, get, merged
from vocmine.types import Span

__all__ = ["split_sentences"]

_EMOJI = (
    "\u2190-\u21ff\u2300-\u23ff\u2460-\u24ff\u25a0-\u27bf\u2900-\u297f\u2b00-\u2bff"
    "\u3030\u303d\u3297\u3299\ufe0f\u200d\U0001f000-\U0001faff\U000e0020-\U000e007f"
)
_CLOSERS = "\"'»”’)\\]}」』】〕〉》）›"
_OPENERS = "\"'«“‘(\\[{「『【〔〈《（‹¿¡-–—"
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60"
# Each alternative consumes one unambiguous unit, so runs never backtrack badly.
# A "(" that opens a word ("! (see below)") is not a frowning smiley.
_EMO_UNIT = rf"(?:[{_EMOJI}]|[:;=][\-^']?[)(\]\[DPpОоЗз3*]|[xXхХ]D|\)|\((?![^\W_]))"

_MASTER = re.compile(
    rf"""
      (?P<nl>\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029])
    | (?P<term>[.!?…。！？；｡‼⁇⁈⁉︒﹒﹖﹗]+)
      (?P<close>[{_CLOSERS}]*)
      (?P<emo>(?:[ \t]*{_EMO_UNIT})*)
    | (?<![{_EMOJI}():;=])(?P<soft>{_EMO_UNIT}+)(?=[ \t]+\S)  # only from the start of a run
    """,
    re.VERBOSE,
)
_ALWAYS = frozenset("!?。！？；｡‼⁇⁈⁉︒﹖﹗")
_TOKEN_BEFORE = re.compile(r"(\S{0,40})$")
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)*$")
_DOTTED = re.compile(r"^(?:[^\W\d_]\.)+[^\W\d_]$")
_LIST_MARKER = re.compile(r"^\d{1,2}[.)]$")
_LIST_ITEM_START = re.compile(r"\s*\d{1,2}[.)]\s")
_HAS_WORD = re.compile(r"[^\W_]")
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_BREAK_AFTER = re.compile(r"[,，、;；:：]+\s*")
_SPACE = re.compile(r"\s+")
_MARKER_SLACK = 24  # a marker may start at the cut limit and run past it


@dataclass(frozen=True)
class _Rules:
    final: frozenset[str]
    nonfinal: frozenset[str]
    markers: re.Pattern[str] | None


@functools.lru_cache(maxsize=16)
def _rules(lang: str | None) -> _Rules:
    langs = [lang] if lang in SUPPORTED_LANGUAGES else list(SUPPORTED_LANGUAGES)
    spaced: set[str] = set()
    unspaced: set[str] = set()
    for code in langs:
        data = get(code)
        (spaced if data.WORD_SEPARATED else unspaced).update(data.DISCOURSE_MARKERS)
    alts = []
    if spaced:
        words = "|".join(re.escape(m) for m in sorted(spaced, key=len, reverse=True))
        alts.append(rf"(?<![^\W_])(?:{words})(?![^\W_])")
    if unspaced:
        alts.append("|".join(re.escape(m) for m in sorted(unspaced, key=len, reverse=True)))
    markers = re.compile("|".join(alts), re.IGNORECASE) if alts else None
    return _Rules(
        final=merged("ABBREVIATIONS", langs),
        nonfinal=merged("NONFINAL_ABBREVIATIONS", langs),
        markers=markers,
    )


def _starts_sentence(ch: str) -> bool:
    """Whether a next word starting with ``ch`` looks like a new sentence."""
    return not ch or ch.isupper() or bool(_CJK_CHAR.match(ch))


def _next_char(text: str, pos: int) -> str:
    """The first character after ``pos`` that is not whitespace or an opener."""
    n = len(text)
    while pos < n and (text[pos].isspace() or text[pos] in _OPENERS):
        pos += 1
    return text[pos] if pos < n else ""


def _period_ends(text: str, m: re.Match[str], start: int, rules: _Rules) -> bool:
    """Decide whether a single period (with its closers) ends a sentence."""
    end = m.end()
    after = text[end] if end < len(text) else ""
    if after and not after.isspace():
        if _CJK_CHAR.match(after):
            return True
        # "пришёл.Всё" (a missing space), but not "3.5", "т.е.", "site.ru".
        p = m.start()
        return (
            p >= 2
            and text[p - 1].isalpha()
            and text[p - 2].isalpha()
            and after.isupper()
            and end + 1 < len(text)
            and text[end + 1].islower()
        )
    if not after:
        return True
    head = text[max(start, m.start() - 60) : m.start()]
    token = _TOKEN_BEFORE.search(head)
    word = token.group(1).lstrip(_OPENERS) if token else ""
    if not word:
        return True
    if _NUMBER.match(word):  # "1. Item" at the start of a sentence is a list marker
        return bool(head[: len(head) - len(word)].strip()) or start < m.start() - len(head)
    if len(word) == 1 and word.isupper():
        return False  # an initial: "A. S. Pushkin"
    low = word.lower()
    if low in rules.nonfinal:
        before = head[: len(head) - len(token.group(1) if token else "")].split()
        if not (before and _NUMBER.match(before[-1])):
            return False
        return _starts_sentence(_next_char(text, end))
    if low in rules.final or _DOTTED.match(low):
        return _starts_sentence(_next_char(text, end))
    return True


def _next_list_item(text: str, m: re.Match[str], start: int) -> int:
    """Where "2." starts when a sentence that began with "1." reaches "2." (else -1)."""
    if m.group("term") != "." or not _LIST_ITEM_START.match(text, start):
        return -1
    token = _TOKEN_BEFORE.search(text, start, m.start())
    if token is None or not token.group(1).isdigit() or len(token.group(1)) > 2:
        return -1
    after = text[m.end() : m.end() + 1]
    if after and not after.isspace():
        return -1
    return token.start(1)


def _boundary(text: str, m: re.Match[str], start: int, rules: _Rules) -> bool:
    if m.group("nl"):
        return True
    if m.group("soft") is not None:
        soft = m.group("soft")
        if soft == "(" or (soft == ")" and "(" in text[start : m.start()]):
            return False
        return _starts_sentence(_next_char(text, m.end()))
    run = m.group("term")
    if not _ALWAYS.isdisjoint(run):
        return True
    if run == ".":
        return _period_ends(text, m, start, rules)
    # An ellipsis ("...", "…", "..") ends a sentence unless the text goes on
    # in lower case or with a digit.
    nxt = _next_char(text, m.end())
    return _starts_sentence(nxt) or not nxt.isalnum()


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _split_long(text: str, a: int, b: int, max_len: int, rules: _Rules) -> list[tuple[int, int]]:
    """Cut ``text[a:b]`` into pieces of at most ``max_len`` characters."""
    pieces = []
    min_piece = max(1, max_len // 3)
    while b - a > max_len:
        lo, hi = a + min_piece, a + max_len
        cut = -1
        if rules.markers is not None:
            for mk in rules.markers.finditer(text, lo, min(b, hi + _MARKER_SLACK)):
                at = mk.start()
                if at > hi:
                    break
                if at > lo and (not text[at - 1].isalnum() or _CJK_CHAR.match(text, at)):
                    cut = at
        if cut < 0:
            for mc in _BREAK_AFTER.finditer(text, lo, hi):
                cut = mc.end()
        if cut < 0:
            for ms in _SPACE.finditer(text, lo, hi):
                cut = ms.start()
        if cut <= a:
            cut = hi
        s, e = _strip(text, a, cut)
        if e > s:
            pieces.append((s, e))
        a, _ = _strip(text, cut, b)
    if b > a:
        pieces.append((a, b))
    return pieces


def split_sentences(text: str, *, lang: str | None = None, max_len: int = 300) -> list[Span]:
    """Split ``text`` into sentences, as spans into the original string.

    Boundaries are line breaks; ``.``, ``!``, ``?``, ``…`` and the CJK
    terminators ``。！？；`` (with any closing quotes, brackets, ``)))`` and
    emoji that follow); and emoji or emoticons followed by a capitalised word.
    A period does not end a sentence inside numbers (``3.5``), domains, dotted
    abbreviations (``т.е.``, ``e.g.``), after an initial or after a known
    abbreviation (see ``vocmine.lang.<code>.ABBREVIATIONS``), and an ellipsis
    does not end one when the text goes on in lower case. Runs longer than
    ``max_len`` characters are cut before a discourse marker (``но``, ``ale``,
    ``but``, ``但是`` ...), else after a comma, else at a space, else hard.

    Args:
        text: the original text.
        lang: an ISO 639-1 code whose rules to use; ``None`` or an unsupported
            code (``"und"``) uses the rules of all supported languages.
        max_len: the longest sentence, in characters, before it is cut.

    Returns:
        Spans in order, non-overlapping, with no leading or trailing whitespace
        and never empty; ``[]`` for a blank text.

    Raises:
        ConfigError: if ``max_len`` is smaller than 1.

    Examples:
        >>> from vocmine.preprocess import split_sentences
        >>> t = "Доставка опоздала на 2 ч. т.е. на полдня! Курьер грубил..."
        >>> [s.slice(t) for s in split_sentences(t, lang="ru")]
        ['Доставка опоздала на 2 ч. т.е. на полдня!', 'Курьер грубил...']
        >>> [s.slice("质量很好。但是物流太慢了！") for s in split_sentences("质量很好。但是物流太慢了！")]
        ['质量很好。', '但是物流太慢了！']
    """
    if not isinstance(max_len, int) or max_len < 1:
        raise ConfigError(
            f"[E004] split_sentences max_len must be a positive integer, got {max_len!r}. "
            "Pass e.g. max_len=300."
        )
    rules = _rules(lang if lang in SUPPORTED_LANGUAGES else None)
    raw: list[tuple[int, int]] = []
    start = 0
    for m in _MASTER.finditer(text):
        item = _next_list_item(text, m, start)
        if item > start:
            raw.append(_strip(text, start, item))
            start = item
        elif _boundary(text, m, start, rules):
            raw.append(_strip(text, start, m.end()))
            start = m.end()
    raw.append(_strip(text, start, len(text)))
    spans = [(a, b) for a, b in raw if b > a]
    spans = _merge_fragments(text, spans)
    out: list[Span] = []
    for a, b in spans:
        if b - a > max_len:
            out.extend(Span(s, e) for s, e in _split_long(text, a, b, max_len, rules))
        else:
            out.append(Span(a, b))
    return out


def _merge_fragments(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Attach list markers ("1.") to the next span and word-less spans to the previous."""
    merged_spans: list[tuple[int, int]] = []
    carry = -1
    for a, b in spans:
        piece = text[a:b]
        if carry >= 0:
            a, carry = carry, -1
        if _LIST_MARKER.match(piece):
            carry = a
            continue
        if not _HAS_WORD.search(piece) and merged_spans:
            merged_spans[-1] = (merged_spans[-1][0], b)
            continue
        if merged_spans and not _HAS_WORD.search(text[merged_spans[-1][0] : merged_spans[-1][1]]):
            a = merged_spans.pop()[0]
        merged_spans.append((a, b))
    if carry >= 0:
        if merged_spans:
            merged_spans[-1] = (merged_spans[-1][0], spans[-1][1])
        else:
            merged_spans.append((carry, spans[-1][1]))
    return merged_spans
