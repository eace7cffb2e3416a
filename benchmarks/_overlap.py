"""Near-duplicate search between written training text and evaluation text.

Written training rows must not copy an evaluation row, not even nearly: two texts
are near duplicates when the Jaccard similarity of their character 5-gram sets
(after :func:`norm_key`: NFKC, lower case, no whitespace) exceeds 0.5. The check
runs through an inverted index of the reference grams, so a few thousand queries
against ~100,000 evaluation texts take seconds.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np

GRAM = 5
THRESHOLD = 0.5


def norm_key(text: str) -> str:
    """Normalised text used for de-duplication and train/test disjointness."""
    text = unicodedata.normalize("NFKC", text.replace("\ufeff", "")).lower()
    return re.sub(r"\s+", "", text)


def grams(text: str, n: int = GRAM) -> set[str]:
    """Character ``n``-grams of the normalised text (the whole text when shorter)."""
    key = norm_key(text)
    return {key[i : i + n] for i in range(max(1, len(key) - n + 1))}


def near_duplicates(
    texts: Sequence[str], reference: Sequence[str], *, threshold: float = THRESHOLD
) -> list[tuple[int, int, float]]:
    """``(text index, reference index, jaccard)`` for every pair above ``threshold`` (best match per text)."""
    ref_grams = [grams(t) for t in reference]
    sizes = np.array([len(g) for g in ref_grams], dtype=np.int64)
    index: dict[str, list[int]] = {}
    for k, g in enumerate(ref_grams):
        for x in g:
            index.setdefault(x, []).append(k)
    postings = {x: np.asarray(v, dtype=np.int64) for x, v in index.items()}
    out = []
    for i, text in enumerate(texts):
        g = grams(text)
        hits = [postings[x] for x in g if x in postings]
        if not hits:
            continue
        cand, shared = np.unique(np.concatenate(hits), return_counts=True)
        jaccard = shared / (len(g) + sizes[cand] - shared)
        best = int(np.argmax(jaccard))
        if jaccard[best] > threshold:
            out.append((i, int(cand[best]), float(jaccard[best])))
    return out


def new_near_duplicates(texts: Sequence[str], reference: Sequence[str], known: set[str]) -> dict[str, str]:
    """Texts that nearly equal a reference text (-> that text), other than the ``known`` ones."""
    found = {texts[i]: reference[k] for i, k, _ in near_duplicates(texts, reference)}
    return {t: r for t, r in found.items() if t not in known}
