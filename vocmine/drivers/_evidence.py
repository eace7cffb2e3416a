"""Pick the verbatims shown as evidence for a driver.

Maximal marginal relevance (Carbonell & Goldstein, 1998) over the candidate
documents. With ``embeddings`` the relevance of document i is

    rel_i = 0.5 * (1 + cos(e_i, centroid)) / 2 + 0.5 * pref_i

where ``pref_i = (1 + direction * s_i) / 2`` (``s_i`` the sentiment score) puts the
most negative mentions first for a negative driver (``direction=-1``), the most
positive for a positive one (``+1``) and ignores sentiment for ``0``. Each step
picks ``argmax lambda * rel_i - (1 - lambda) * max_{j in S} cos(e_i, e_j)`` so near
duplicates are skipped. Without embeddings only ``pref`` counts. While some language
present among the candidates is not yet represented, the pick is restricted to the
languages not yet shown. Ties are broken by a seeded hash of the document index, so the
result is deterministic for a given ``random_state`` and a document's place in the order
does not depend on which other candidates are present (batch scoring preselects
candidates part by part and still picks what a one-shot run picks).

Examples:
    >>> import numpy as np
    >>> from vocmine.drivers import select_evidence
    >>> select_evidence([0, 1, 2], embeddings=None, scores=np.array([-0.9, 0.2, -0.5]),
    ...                 langs=["en", "en", "en"], k=2)
    [0, 2]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from vocmine.errors import ConfigError, SchemaError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

__all__ = ["select_evidence"]

_MMR_LAMBDA = 0.7


def select_evidence(
    candidates: Sequence[int],
    *,
    embeddings: np.ndarray | None,
    scores: np.ndarray,
    langs: Sequence[str],
    k: int = 5,
    random_state: int = 0,
    direction: int = -1,
) -> list[int]:
    """Choose up to ``k`` representative, diverse verbatims among candidate documents.

    Args:
        candidates: document row indices that mention the driver.
        embeddings: document vectors, or ``None`` to rank on sentiment only.
        scores: sentiment score in [-1, 1] per document (NaN = unknown).
        langs: language code per document.
        k: how many to return.
        random_state: seed of the tie-breaking permutation.
        direction: ``-1`` prefers negative verbatims (negative driver), ``+1``
            positive ones, ``0`` ignores sentiment.

    ``embeddings``, ``scores`` and ``langs`` each hold either one row per candidate
    (aligned with ``candidates``; assumed whenever the length equals
    ``len(candidates)``) or one row per corpus document (indexed by candidate id).
    Repeated candidates count once.

    Returns:
        Selected document indices (a subset of ``candidates``), best first.

    Raises:
        ConfigError: [E004] ``k < 0`` or ``direction`` not in {-1, 0, 1}.
        SchemaError: [E002] an array fits neither the candidates nor the corpus.

    Examples:
        >>> import numpy as np
        >>> from vocmine.drivers import select_evidence
        >>> emb = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]])
        >>> select_evidence([0, 1, 2], embeddings=emb, scores=np.zeros(3),
        ...                 langs=["en", "en", "ru"], k=2, direction=0)
        [1, 2]
    """
    if k < 0 or direction not in (-1, 0, 1):
        raise ConfigError(
            f"[E004] select_evidence needs k >= 0 and direction in (-1, 0, 1). Got k={k}, "
            f"direction={direction}. Pass e.g. k=5, direction=-1 for a negative driver."
        )
    cand = np.asarray(list(dict.fromkeys(int(c) for c in candidates)), dtype=np.int64)
    score_arr = np.asarray(scores, dtype=float)
    lang_arr = np.asarray([str(v) for v in langs], dtype=object)
    emb_all = None if embeddings is None else np.asarray(embeddings, dtype=float)
    n_cand = len(candidates)
    for what, size in (("scores", score_arr.shape[0]), ("langs", lang_arr.size)) + (
        () if emb_all is None else (("embeddings", emb_all.shape[0]),)
    ):
        if size != n_cand and cand.size and (cand.min() < 0 or cand.max() >= size):
            raise SchemaError(
                f"[E002] {what} must have one row per candidate ({n_cand}) or per corpus "
                f"document (> {cand.max()}). Got {size}. Pass arrays aligned with the candidates "
                "or with the corpus."
            )
    if k == 0 or cand.size == 0:
        return []
    first: dict[int, int] = {}
    for pos, c in enumerate(candidates):
        first.setdefault(int(c), pos)
    aligned_at = np.array([first[int(c)] for c in cand])

    def take(arr: np.ndarray) -> np.ndarray:
        return arr[aligned_at] if arr.shape[0] == n_cand else arr[cand]

    jitter = tiebreak(cand, random_state)
    pref = preference(take(score_arr), direction)
    if emb_all is not None:
        emb = take(emb_all)
        emb = emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
        centre = emb.mean(0)
        centre /= max(float(np.linalg.norm(centre)), 1e-12)
        rel = 0.5 * (1.0 + emb @ centre) / 2.0 + 0.5 * pref
    else:
        rel = pref.copy()
    rel = rel + jitter
    cand_langs = take(lang_arr)
    chosen: list[int] = []
    max_sim = np.zeros(cand.size)
    available = np.ones(cand.size, dtype=bool)
    shown: set[str] = set()
    all_langs = set(cand_langs.tolist())
    for _ in range(min(k, cand.size)):
        score = _MMR_LAMBDA * rel - (1.0 - _MMR_LAMBDA) * max_sim if chosen else rel.copy()
        pool = available.copy()
        if shown != all_langs:
            pool &= np.array([lg not in shown for lg in cand_langs])
        best = int(np.flatnonzero(pool)[np.argmax(score[pool])])
        chosen.append(best)
        available[best] = False
        shown.add(cand_langs[best])
        if emb_all is not None:
            max_sim = np.maximum(max_sim, emb @ emb[best])
    return [int(cand[i]) for i in chosen]


def preference(scores: np.ndarray, direction: int) -> np.ndarray:
    """``(1 + direction * s) / 2``: 1 for the strongest wanted polarity (NaN scores count as 0)."""
    s = np.nan_to_num(np.asarray(scores, dtype=float), nan=0.0)
    return (1.0 + direction * np.clip(s, -1.0, 1.0)) / 2.0


def tiebreak(docs: np.ndarray, seed: int) -> np.ndarray:
    """A value in ``[0, 1e-6)`` per document index: a seeded splitmix64 hash, so equally
    relevant verbatims are ordered the same way whatever the other candidates are."""
    mask = (1 << 64) - 1
    z = np.asarray(docs, dtype=np.int64).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    z += np.uint64(((int(seed) + 1) * 0xD1B54A32D192ED03) & mask)
    z ^= z >> np.uint64(30)
    z *= np.uint64(0xBF58476D1CE4E5B9)
    z ^= z >> np.uint64(27)
    z *= np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    return (z >> np.uint64(11)).astype(float) * (2.0**-53) * 1e-6
