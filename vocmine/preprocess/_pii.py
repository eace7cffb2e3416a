"""Find and mask URLs, e-mail addresses and phone numbers (RU / PL / CN / international)."""

from __future__ import annotations

import bisect
import re

from vocmine.types import Span

__all__ = ["EMAIL_TOKEN", "PHONE_TOKEN", "URL_TOKEN", "find_pii", "mask_pii"]

URL_TOKEN = "<URL>"
EMAIL_TOKEN = "<EMAIL>"
PHONE_TOKEN = "<PHONE>"

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?!\w)")

_TLDS = (
    "com|net|org|info|biz|io|co|me|app|dev|shop|store|online|site|xyz|tv|ly|gl|"
    "ru|su|рф|by|kz|ua|uz|pl|eu|de|uk|cn|hk|tw|jp|kr|us|ca|fr|it|es|nl|cz|sk|lt|lv|ee|edu|gov"
)
_URL = re.compile(
    rf"""(?:
        (?:https?|ftp)://\S+                                  # scheme
      | www\.\S+                                              # www.
      | (?<![\w@.-])(?:[\w-]+\.)+(?:{_TLDS})(?![\w-])(?:/\S*)?  # bare domain with a known TLD
    )""",
    re.VERBOSE | re.IGNORECASE,
)
_TRAIL_CHARS = frozenset(""".,:;!?…)]}>'"»”’。，！？；、）""")
# A bare domain must not swallow Chinese text that follows it without a space.
_URL_BARE_STOP = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")

_SEP = r"[\s.\-]?"
_PHONE = re.compile(
    rf"""(?<![0-9A-Za-z_+])(?:
        \+\d{{1,3}}{_SEP}\(?\d{{1,4}}\)?(?:{_SEP}\d{{2,4}}){{2,4}}     # +7 (916) 123-45-67, +48 501 234 567
      | [78]{_SEP}\(?\d{{3}}\)?{_SEP}\d{{3}}{_SEP}\d{{2}}{_SEP}\d{{2}}  # 8 (916) 123-45-67, 89161234567
      | 1[3-9]\d{_SEP}\d{{4}}{_SEP}\d{{4}}                              # 138 0013 8000 (CN mobile)
      | 0\d{{2,3}}-\d{{7,8}}                                             # 010-12345678 (CN landline)
      | \(\d{{2,4}}\)\s?\d{{2,4}}[\s\-]\d{{2,4}}(?:[\s\-]\d{{2,4}})?    # (22) 123 45 67, (495) 123-45-67
      | \d{{3}}[\s\-]\d{{3}}[\s\-]\d{{3}}                                # 501 234 567, 501-234-567 (PL)
      | \d{{3}}[\s\-]\d{{3}}[\s\-]\d{{2}}[\s\-]\d{{2}}                  # 916 123 45 67
      | \d{{3}}[.\-]\d{{3}}[.\-]\d{{4}}                                  # 555-123-4567
    )(?![0-9A-Za-z_])""",  # Chinese text may touch a number directly
    re.VERBOSE,
)


def _url_spans(text: str) -> list[Span]:
    spans = []
    for m in _URL.finditer(text):
        start, end = m.span()
        stop = _URL_BARE_STOP.search(text, start, end)
        if stop is not None:
            end = stop.start()
        while end > start and text[end - 1] in _TRAIL_CHARS:
            end -= 1
        spans.append(Span(start, end))
    return spans


def find_pii(
    text: str, *, urls: bool = True, emails: bool = True, phones: bool = True
) -> list[tuple[Span, str]]:
    """Locate URLs, e-mail addresses and phone numbers in ``text``.

    E-mail addresses win over URLs and URLs over phone numbers where they overlap.

    Args:
        text: the text to search.
        urls: find URLs (with a scheme, ``www.`` or a bare domain with a common TLD).
        emails: find e-mail addresses.
        phones: find phone numbers (RU, PL, CN and ``+``-prefixed international).

    Returns:
        ``(span, kind)`` pairs in text order, kind one of ``"url"``, ``"email"``,
        ``"phone"``; spans never overlap.

    Examples:
        >>> from vocmine.preprocess import find_pii
        >>> [(s.slice("mail a@b.ru now"), k) for s, k in find_pii("mail a@b.ru now")]
        [('a@b.ru', 'email')]
    """
    found: list[tuple[Span, str]] = []
    if emails:
        found += [(Span(*m.span()), "email") for m in _EMAIL.finditer(text)]
    if urls:
        found += [(s, "url") for s in _url_spans(text)]
    if phones:
        found += [(Span(*m.span()), "phone") for m in _PHONE.finditer(text)]
    # Earlier lists have priority; keep a match only if it overlaps nothing kept.
    starts: list[int] = []
    kept: list[tuple[Span, str]] = []
    for span, kind in found:
        i = bisect.bisect_right(starts, span.start)
        if span.end <= span.start:
            continue
        if i > 0 and kept[i - 1][0].end > span.start:
            continue
        if i < len(kept) and kept[i][0].start < span.end:
            continue
        starts.insert(i, span.start)
        kept.insert(i, (span, kind))
    return kept


def mask_pii(text: str, *, urls: bool = True, emails: bool = True, phones: bool = True) -> str:
    """Replace URLs, e-mail addresses and phone numbers with placeholder tokens.

    Args:
        text: the text to mask.
        urls: replace URLs with ``<URL>``.
        emails: replace e-mail addresses with ``<EMAIL>``.
        phones: replace phone numbers with ``<PHONE>``.

    Returns:
        The text with every match replaced by its token.

    Examples:
        >>> from vocmine.preprocess import mask_pii
        >>> mask_pii("Звоните +7 (916) 123-45-67 или пишите на help@shop.ru")
        'Звоните <PHONE> или пишите на <EMAIL>'
        >>> mask_pii("see https://example.com/a?b=1.")
        'see <URL>.'
    """
    tokens = {"url": URL_TOKEN, "email": EMAIL_TOKEN, "phone": PHONE_TOKEN}
    parts: list[str] = []
    pos = 0
    for span, kind in find_pii(text, urls=urls, emails=emails, phones=phones):
        parts.append(text[pos : span.start])
        parts.append(tokens[kind])
        pos = span.end
    parts.append(text[pos:])
    return "".join(parts)
