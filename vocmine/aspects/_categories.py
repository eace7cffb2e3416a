"""Map aspect terms to customer-experience categories by embedding similarity.

Scoring (shared with the sentence baseline): cosine similarities ``s_k`` of a text to the
category prototypes (see ``vocmine.resources.PrototypeIndex``) become probabilities with a
temperature-scaled softmax over the ``K`` categories plus one "none of them" class whose
logit is a fixed similarity ``b``::

    p_k = exp(s_k / T) / (exp(b / T) + sum_j exp(s_j / T))

For terms, ``T`` and ``b`` were fitted by maximum likelihood on 1,000 labelled restaurant
aspect terms (SemEval-2016 en/ru, SentiRuEval-2015 ru train splits; ``benchmarks/touchpoints.py``).
A term whose best ``p_k`` is below ``threshold`` maps to ``"OTHER"``. The default 0.1 sends
16 of 20 hand-written non-aspect terms ("birthday", "погода", "星期二", ...) to ``"OTHER"``
while keeping ~81% of labelled aspect terms mapped (91% of those correctly, with context).
The prototypes are language-independent, so the same concept in any language maps to the
same id.

Examples:
    >>> import numpy as np
    >>> from vocmine.aspects import CategoryMapper
    >>> class CharEmbedder:  # any object with name, dim and embed() is an Embedder
    ...     name, dim = "chars", 64
    ...     def embed(self, texts, *, batch_size=32):
    ...         out = np.zeros((len(texts), 64), dtype=np.float32)
    ...         for i, t in enumerate(texts):
    ...             for ch in t.lower():
    ...                 out[i, ord(ch) % 64] += 1
    ...         return out / np.linalg.norm(out, axis=1, keepdims=True)
    >>> mapper = CategoryMapper(embedder=CharEmbedder(), threshold=0.0)
    >>> [cat for cat, _ in mapper.map(["delivery"], langs=["en"])]
    ['DELIVERY']
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np

from vocmine.errors import ConfigError
from vocmine.resources import OTHER, PrototypeIndex, load_taxonomy

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence
    from pathlib import Path

    from vocmine.resources import Taxonomy
    from vocmine.types import Embedder

__all__ = ["CategoryMapper", "calibrated_probs"]


#: Softmax temperature and "none" similarity for single aspect terms (fitted, see module doc).
TERM_TEMPERATURE = 0.015
TERM_NULL_SIMILARITY = 0.90
#: Weight of the sentence embedding when a term comes with its sentence as context.
CONTEXT_WEIGHT = 0.5
#: Most unique terms ``propose_categories`` clusters (agglomerative clustering is quadratic).
MAX_PROPOSAL_TERMS = 4000


def calibrated_probs(sims: np.ndarray, *, temperature: float, null_similarity: float) -> np.ndarray:
    """Softmax over ``K`` similarities plus a "none" class with similarity ``null_similarity``.

    Args:
        sims: ``(n, K)`` cosine similarities.
        temperature: softmax temperature (> 0).
        null_similarity: the similarity the "none" class competes with.

    Returns:
        ``(n, K)`` probabilities of the categories; ``1 - row sum`` is P(none).

    Examples:
        >>> calibrated_probs(np.array([[0.9, 0.8]]), temperature=0.1, null_similarity=0.8).round(3)
        array([[0.576, 0.212]])
    """
    z = np.concatenate([np.full((sims.shape[0], 1), null_similarity), sims], axis=1) / temperature
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return (e / e.sum(axis=1, keepdims=True))[:, 1:]


def _check_unit(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"[E004] {name} must be in [0, 1], got {value!r}. Pass a probability such as 0.5.")


class CategoryMapper:
    """Map aspect terms (optionally with their sentence) to category ids with a confidence.

    Args:
        embedder: any ``Embedder``; ``None`` loads the default encoder on first use.
        taxonomy: a category preset name, a YAML path or a loaded ``Taxonomy``.
        threshold: minimum calibrated confidence to accept a category, else ``"OTHER"``.
        random_state: seed for the subsample ``propose_categories`` takes of very many terms.

    Examples:
        >>> from vocmine.aspects import CategoryMapper
        >>> mapper = CategoryMapper(threshold=0.5)  # stores its arguments; loads nothing yet
        >>> mapper.threshold
        0.5
    """

    def __init__(
        self,
        *,
        embedder: Embedder | None = None,
        taxonomy: str | Path | Taxonomy = "default",
        threshold: float = 0.1,
        random_state: int = 0,
    ) -> None:
        self.embedder = embedder
        self.taxonomy = taxonomy
        self.threshold = threshold
        self.random_state = random_state
        self._index: PrototypeIndex | None = None

    @property
    def index(self) -> PrototypeIndex:
        """The category prototypes (built on first use, then reused)."""
        if self._index is None:
            _check_unit("threshold", self.threshold)
            taxonomy = load_taxonomy(self.taxonomy, kind="categories")
            self._index = PrototypeIndex(taxonomy, self.embedder, component="CategoryMapper")
        return self._index

    def probabilities(self, terms: Sequence[str], *, contexts: Sequence[str] | None = None) -> np.ndarray:
        """Calibrated ``(n, K)`` category probabilities in taxonomy order (rows sum to <= 1)."""
        vectors = self._term_vectors(terms, contexts)
        sims = self.index.similarities(vectors)
        return calibrated_probs(sims, temperature=TERM_TEMPERATURE, null_similarity=TERM_NULL_SIMILARITY)

    def map(
        self, terms: Sequence[str], *, langs: Sequence[str], contexts: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """Map each term to ``(category_id, confidence)``.

        Args:
            terms: aspect terms ("доставка", "battery life").
            langs: ISO 639-1 code per term (the prototypes are language-independent;
                the codes are checked for length only).
            contexts: optional sentence per term; its embedding is mixed into the term's.

        Returns:
            One ``(id, confidence)`` per term. ``confidence`` is the calibrated probability
            of the best category; the id is ``"OTHER"`` exactly when it is below
            ``threshold`` (or the term is blank).

        Examples:
            >>> CategoryMapper().map([" "], langs=["en"])  # blank terms need no model
            [('OTHER', 0.0)]
        """
        _same_length(terms, langs, "langs")
        if contexts is not None:
            _same_length(terms, contexts, "contexts")
        out: list[tuple[str, float]] = [(OTHER, 0.0)] * len(terms)
        keep = [i for i, t in enumerate(terms) if isinstance(t, str) and t.strip()]
        if not keep:
            return out
        kept_contexts = None if contexts is None else [contexts[i] for i in keep]
        probs = self.probabilities([terms[i] for i in keep], contexts=kept_contexts)
        ids = self.index.taxonomy.ids
        best = probs.argmax(axis=1)
        for row, i in enumerate(keep):
            conf = float(probs[row, best[row]])
            out[i] = (ids[best[row]] if conf >= self.threshold else OTHER, conf)
        return out

    def propose_categories(
        self, terms: Sequence[str], langs: Sequence[str], *, min_size: int = 3, distance_threshold: float = 0.12,
        only_unmapped: bool = True,
    ) -> list[dict[str, Any]]:
        """Cluster terms that fit no category into proposed new categories, so nothing is dropped.

        Terms are case-folded and de-duplicated, embedded, and grouped by average-linkage
        agglomerative clustering on cosine distance (deterministic). Groups of at least
        ``min_size`` mentions become proposals; every remaining term is listed in one final
        ``"OTHER"`` group, so each input term appears in exactly one returned ``terms`` list.

        Args:
            terms: aspect terms, one per mention (repeats count towards a group's size).
            langs: ISO 639-1 code per term.
            min_size: minimum number of mentions for a proposal.
            distance_threshold: cosine distance at which clusters stop merging.
            only_unmapped: skip terms that ``map`` already assigns to a category.

        Returns:
            Proposals, largest first: ``{"id": "PROPOSED_1", "label": central term,
            "size": mentions, "terms": distinct terms (most central first),
            "examples": up to 5 terms, "langs": {lang: mentions},
            "nearest_category": id, "nearest_similarity": float}``, then the ``"OTHER"``
            group (if any) with the same keys.

        Examples:
            >>> CategoryMapper().propose_categories([], [])  # see tests/aspects for a real run
            []
        """
        _same_length(terms, langs, "langs")
        if min_size < 1:
            raise ConfigError(f"[E004] min_size must be >= 1, got {min_size!r}.")
        pairs = [(t.strip().casefold(), lang) for t, lang in zip(terms, langs) if isinstance(t, str) and t.strip()]
        if only_unmapped and pairs:
            mapped = self.map([t for t, _ in pairs], langs=[lang for _, lang in pairs])
            pairs = [p for p, (cat, _) in zip(pairs, mapped) if cat == OTHER]
        if not pairs:
            return []
        counts = Counter(t for t, _ in pairs)
        lang_counts: dict[str, Counter[str]] = {}
        for t, lang in pairs:
            lang_counts.setdefault(t, Counter())[lang] += 1
        unique = sorted(counts, key=lambda t: (-counts[t], t))
        if len(unique) > MAX_PROPOSAL_TERMS:  # keep the frequent half, sample the rest
            half = MAX_PROPOSAL_TERMS // 2
            rng = np.random.default_rng(self.random_state)
            picked = np.sort(rng.choice(len(unique) - half, size=MAX_PROPOSAL_TERMS - half, replace=False))
            unique = unique[:half] + [unique[half + k] for k in picked]
        vectors = self.index.embed(unique)
        vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        labels = _cluster(vectors, distance_threshold)
        sims = self.index.similarities(vectors)
        groups: list[dict[str, Any]] = []
        for lab in np.unique(labels):
            members = np.flatnonzero(labels == lab)
            if sum(counts[unique[m]] for m in members) >= min_size:
                centre = vectors[members].mean(axis=0)
                order = members[np.argsort(-(vectors[members] @ centre), kind="stable")]
                nearest = sims[members].mean(axis=0)
                groups.append(_group([unique[m] for m in order], counts, lang_counts,
                                     self.index.taxonomy.ids[int(nearest.argmax())], float(nearest.max())))
        groups.sort(key=lambda g: (-g["size"], g["label"]))
        for k, g in enumerate(groups, 1):
            g["id"] = f"PROPOSED_{k}"
        grouped = {t for g in groups for t in g["terms"]}
        rest = [t for t in sorted(counts, key=lambda t: (-counts[t], t)) if t not in grouped]
        if rest:
            groups.append(_group(rest, counts, lang_counts, OTHER, 0.0) | {"id": OTHER})
        return groups

    def _term_vectors(self, terms: Sequence[str], contexts: Sequence[str] | None) -> np.ndarray:
        vectors = self.index.embed(terms)
        if contexts is not None:
            ctx = self.index.embed([c if isinstance(c, str) and c.strip() else t for c, t in zip(contexts, terms)])
            vectors = vectors + CONTEXT_WEIGHT * ctx
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def _group(names: list[str], counts: Counter[str], lang_counts: dict[str, Counter[str]], nearest: str,
           similarity: float) -> dict[str, Any]:
    langs: Counter[str] = Counter()
    for t in names:
        langs.update(lang_counts[t])
    return {"id": "", "label": names[0], "size": int(sum(counts[t] for t in names)), "terms": names,
            "examples": names[:5], "langs": dict(langs), "nearest_category": nearest, "nearest_similarity": similarity}


def _cluster(vectors: np.ndarray, distance_threshold: float) -> np.ndarray:
    if len(vectors) == 1:
        return np.zeros(1, dtype=int)
    from sklearn.cluster import AgglomerativeClustering

    model = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=distance_threshold
    )
    return model.fit_predict(vectors)


def _same_length(a: Sequence[Any], b: Sequence[Any], name: str) -> None:
    if len(a) != len(b):
        raise ConfigError(f"[E004] {name} must have one entry per term: got {len(b)} for {len(a)} terms.")
