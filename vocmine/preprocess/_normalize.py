"""Unicode normalisation that keeps emoji, with an optional map back to the original."""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["normalize", "normalize_with_offsets"]

# Control characters (other than whitespace), zero-width and bidi formatting
# characters, soft hyphen, BOM and lone surrogates. ZWJ (U+200D) is handled
# separately: it is kept inside emoji sequences.
_DROP = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u00ad\u061c\u180e\u200b\u200c\u200e\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
_ZWJ = "\u200d"
_WS = re.compile(r"\s+")
_NEWLINES = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def _emojiish(c: str) -> bool:
    return (
        unicodedata.category(c) == "So"
        or c == "\ufe0f"
        or "\U0001f3fb" <= c <= "\U0001f3ff"
        or "\U000e0020" <= c <= "\U000e007f"
    )


def _keep_zwj(s: str, i: int) -> bool:
    return 0 < i < len(s) - 1 and _emojiish(s[i - 1]) and _emojiish(s[i + 1])


def _ws_repl(run: str, keep_newlines: bool) -> str:
    return "\n" if keep_newlines and not _NEWLINES.isdisjoint(run) else " "


def normalize(text: str, *, keep_newlines: bool = False) -> str:
    """Normalise Unicode and whitespace, keeping emoji.

    Removes control characters, zero-width and bidi formatting characters (a
    zero-width joiner is kept inside emoji sequences), applies NFKC (full-width
    forms become ASCII, ligatures are split), collapses every whitespace run to
    one space and strips both ends. The result is idempotent:
    ``normalize(normalize(t)) == normalize(t)``.

    Args:
        text: the text to normalise.
        keep_newlines: turn whitespace runs that contain a line break into
            ``"\\n"`` instead of a space.

    Returns:
        The normalised text.

    Examples:
        >>> from vocmine.preprocess import normalize
        >>> normalize("  Ｈｅｌｌｏ\\u200b  world!\\n\\n 👍🏽 ")
        'Hello world! 👍🏽'
        >>> normalize("line one\\n\\n  line two", keep_newlines=True)
        'line one\\nline two'
    """
    s = _DROP.sub("", text)
    if not s.isascii():
        s = unicodedata.normalize("NFKC", s)
        t = _DROP.sub("", s)
        if _ZWJ in t:
            t = "".join(c for i, c in enumerate(t) if c != _ZWJ or _keep_zwj(t, i))
        if t != s:
            s = unicodedata.normalize("NFKC", t)
    return _WS.sub(lambda m: _ws_repl(m.group(0), keep_newlines), s).strip()


@functools.lru_cache(maxsize=4096)
def _attaches(c: str) -> bool:
    """Whether ``c`` may compose with the character before it under NFKC."""
    first = unicodedata.normalize("NFKD", c)[:1] or c
    return (
        unicodedata.combining(first) != 0
        or unicodedata.category(first) in ("Mn", "Mc", "Me")
        or "\u1160" <= first <= "\u11ff"
        or "\ud7b0" <= first <= "\ud7ff"
    )


def _nfkc_mapped(s: str, idx: list[int]) -> tuple[str, list[int]]:
    """NFKC of ``s`` with each output character mapped to an entry of ``idx``."""
    if unicodedata.is_normalized("NFKC", s):
        return s, idx
    # Group characters so that normalising group by group equals normalising
    # the whole string: a character joins the previous group if it can compose
    # with it, or if normalising the two together differs from normalising them
    # apart.
    groups: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(s) + 1):
        if i < len(s) and _attaches(s[i]):
            continue
        if groups and not s[start].isascii():
            g0, _ = groups[-1]
            joined = unicodedata.normalize("NFKC", s[g0:i])
            apart = unicodedata.normalize("NFKC", s[g0:start]) + unicodedata.normalize(
                "NFKC", s[start:i]
            )
            if joined != apart:
                groups[-1] = (g0, i)
                start = i
                continue
        groups.append((start, i))
        start = i
    out: list[str] = []
    out_idx: list[int] = []
    for a, b in groups:
        piece = s[a:b]
        norm = unicodedata.normalize("NFKC", piece)
        out.append(norm)
        if len(norm) == b - a:
            out_idx.extend(idx[a:b])
        else:
            out_idx.extend([idx[a]] * len(norm))
    return "".join(out), out_idx


def normalize_with_offsets(text: str, *, keep_newlines: bool = False) -> tuple[str, list[int]]:
    """Like :func:`normalize`, and map every output character to the original.

    Args:
        text: the text to normalise.
        keep_newlines: as in :func:`normalize`.

    Returns:
        ``(clean, offsets)`` where ``clean == normalize(text)`` and
        ``offsets[i]`` is the index in ``text`` of the character that
        ``clean[i]`` comes from (a space replacing a whitespace run maps to the
        run's first character). ``offsets`` is non-decreasing.

    Examples:
        >>> from vocmine.preprocess import normalize_with_offsets
        >>> clean, offsets = normalize_with_offsets("  Ｏｋ  then")
        >>> clean, offsets
        ('Ok then', [2, 3, 4, 6, 7, 8, 9])
    """
    keep = [i for i, c in enumerate(text) if not _DROP.match(c)]
    s = "".join(text[i] for i in keep)
    if not s.isascii():
        s, keep = _nfkc_mapped(s, keep)
        n = len(s)
        kept = [j for j, c in enumerate(s) if not _DROP.match(c)]
        t = "".join(s[j] for j in kept)
        if _ZWJ in t:
            sel = [j for j, c in enumerate(t) if c != _ZWJ or _keep_zwj(t, j)]
            kept = [kept[j] for j in sel]
            t = "".join(t[j] for j in sel)
        if len(kept) != n:
            s, keep = _nfkc_mapped(t, [keep[j] for j in kept])
    out: list[str] = []
    out_idx: list[int] = []
    pos = 0
    for m in _WS.finditer(s):
        out.append(s[pos : m.start()])
        out_idx.extend(keep[pos : m.start()])
        out.append(_ws_repl(m.group(0), keep_newlines))
        out_idx.append(keep[m.start()])
        pos = m.end()
    out.append(s[pos:])
    out_idx.extend(keep[pos:])
    clean = "".join(out)
    lead = len(clean) - len(clean.lstrip())
    stripped = clean.strip()
    return stripped, out_idx[lead : lead + len(stripped)]
