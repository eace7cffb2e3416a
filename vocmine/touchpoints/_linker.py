"""Link documents to customer-journey touchpoints.

Two pieces of evidence are combined into one calibrated confidence per touchpoint ``t``:

1. Text similarity. ``s_t`` is the similarity of the document embedding to touchpoint
   ``t`` (``vocmine.resources.PrototypeIndex``: half cosine to the mean embedding of its
   names, descriptions and seed phrases in all languages, half cosine to its nearest
   seed, so it is language-independent); ``p_emb = softmax(s / temperature)``.
2. Aspect categories. Each of the document's categories votes for the touchpoints that
   list it under ``categories`` in the journey file, or, when none does, for its default
   ``touchpoint`` from ``categories.yaml`` (if that id exists in the journey). A vote for
   several touchpoints is split equally; votes are normalised to a distribution ``c``
   (``"OTHER"`` and unknown ids cast none).

``p = (1 - w) * p_emb + w * c`` when the document has category votes, else ``p = p_emb``
(``w`` = ``category_weight``). The best touchpoint is returned with ``score = p_best``;
when ``p_best < threshold`` the touchpoint is ``"unassigned"`` (still with ``p_best``).
``temperature`` (0.01) and ``w`` (0.4) were fitted by likelihood on 1,500 BANKING77 train
queries mapped to the ``banking_telecom`` stages (the ``default`` journey gives 0.0075 / 0.3,
about as good). The default ``threshold`` is 0.5. Confidences are roughly calibrated
at the top (BANKING77 test: confidence 0.7 -> 74-82% correct, 0.9 -> 90-94%) but not
near the threshold: the 0.4-0.6 band is right only about 52-54% of the time, so raise
the threshold where wrong assignments cost more than unassigned ones. On BANKING77 test queries: accuracy
0.70 (default journey) / 0.66 (banking_telecom), 0.64 / 0.60 without category votes;
at the threshold 67% are assigned, 84% / 78% of them correctly (``benchmarks/touchpoints.py``).

Examples:
    >>> from vocmine.touchpoints import EmbeddingTouchpointLinker
    >>> EmbeddingTouchpointLinker().link([], langs=[], categories=[], embeddings=None)
    []
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from vocmine.errors import ConfigError
from vocmine.resources import OTHER, UNASSIGNED, PrototypeIndex, load_taxonomy
from vocmine.types import TouchpointGuess

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence
    from pathlib import Path

    from vocmine.resources import Taxonomy
    from vocmine.types import Embedder

__all__ = ["EmbeddingTouchpointLinker"]

#: Softmax temperature over touchpoint similarities (fitted, see module doc).
TEMPERATURE = 0.01


class EmbeddingTouchpointLinker:
    """``TouchpointLinker`` from embedding similarity plus the document's aspect categories.

    Args:
        embedder: any ``Embedder``; ``None`` loads the default encoder on first use. Used
            for the prototypes, and for the texts when ``link`` gets no ``embeddings``.
        taxonomy: a touchpoint preset name (``"default"``, ``"ecommerce"``,
            ``"banking_telecom"``, ``"hospitality"``), a YAML path or a loaded ``Taxonomy``.
        categories: the category taxonomy whose default touchpoints give the votes.
        threshold: minimum confidence to assign a touchpoint, else ``"unassigned"``.
        category_weight: weight ``w`` in [0, 1] of the category votes.

    Examples:
        >>> from vocmine.touchpoints import EmbeddingTouchpointLinker
        >>> linker = EmbeddingTouchpointLinker(taxonomy="hospitality")
        >>> linker.category_votes(["FOOD", "OTHER"])
        {'dining': 1.0}
    """

    def __init__(
        self,
        *,
        embedder: Embedder | None = None,
        taxonomy: str | Path | Taxonomy = "default",
        categories: str | Path | Taxonomy = "default",
        threshold: float = 0.5,
        category_weight: float = 0.4,
    ) -> None:
        self.embedder = embedder
        self.taxonomy = taxonomy
        self.categories = categories
        self.threshold = threshold
        self.category_weight = category_weight
        self._index: PrototypeIndex | None = None
        self._votes: dict[str, dict[str, float]] | None = None

    @property
    def index(self) -> PrototypeIndex:
        """The touchpoint prototypes (built on first use, then reused)."""
        if self._index is None:
            for name in ("threshold", "category_weight"):
                value = getattr(self, name)
                if not 0.0 <= value <= 1.0:
                    raise ConfigError(f"[E004] {name} must be in [0, 1], got {value!r}.")
            tps = load_taxonomy(self.taxonomy, kind="touchpoints")
            self._index = PrototypeIndex(tps, self.embedder, component="EmbeddingTouchpointLinker")
        return self._index

    def category_votes(self, categories: Sequence[str]) -> dict[str, float]:
        """Normalised touchpoint votes of one document's categories (empty when none apply).

        Examples:
            >>> EmbeddingTouchpointLinker().category_votes(["DELIVERY", "PRICE", "XYZ"])
            {'delivery': 0.5, 'purchase': 0.5}
        """
        table = self._vote_table()
        votes: dict[str, float] = {}
        for cat in categories:
            targets = table.get(cat, {})
            for tp, share in targets.items():
                votes[tp] = votes.get(tp, 0.0) + share
        total = sum(votes.values())
        return {tp: v / total for tp, v in votes.items()} if total else {}

    def probabilities(
        self, texts: Sequence[str], *, categories: Sequence[Sequence[str]], embeddings: np.ndarray | None = None
    ) -> np.ndarray:
        """Combined ``(n, T)`` touchpoint probabilities in taxonomy order."""
        index = self.index
        vectors = index.embed(texts) if embeddings is None else embeddings
        z = index.similarities(vectors) / TEMPERATURE
        z -= z.max(axis=1, keepdims=True)
        probs = np.exp(z)
        probs /= probs.sum(axis=1, keepdims=True)
        position = {tp: j for j, tp in enumerate(index.taxonomy.ids)}
        w = self.category_weight
        for i, cats in enumerate(categories):
            votes = self.category_votes(cats)
            if votes and w > 0:
                c = np.zeros(len(position))
                for tp, v in votes.items():
                    c[position[tp]] = v
                probs[i] = (1.0 - w) * probs[i] + w * c
        return probs

    def link(
        self,
        texts: Sequence[str],
        *,
        langs: Sequence[str],
        categories: Sequence[Sequence[str]],
        embeddings: np.ndarray | None,
    ) -> list[TouchpointGuess]:
        """Return one ``TouchpointGuess`` per text.

        Args:
            texts: documents.
            langs: ISO 639-1 code per document (the prototypes are language-independent).
            categories: the aspect category ids found in each document (may be empty).
            embeddings: ``(n, dim)`` document embeddings from the same embedder, or
                ``None`` to embed ``texts`` here.

        Returns:
            The best touchpoint and its confidence, or ``"unassigned"`` with the best
            confidence when it is below ``threshold``. Blank texts get ``("unassigned", 0.0)``.
        """
        n = len(texts)
        for name, seq in (("langs", langs), ("categories", categories)):
            if len(seq) != n:
                raise ConfigError(f"[E004] {name} must have one entry per text: got {len(seq)} for {n} texts.")
        if embeddings is not None and len(embeddings) != n:
            raise ConfigError(f"[E004] embeddings must have one row per text: got {len(embeddings)} for {n} texts.")
        out = [TouchpointGuess(UNASSIGNED, 0.0)] * n
        keep = [i for i, t in enumerate(texts) if isinstance(t, str) and t.strip()]
        if not keep:
            return out
        emb = None if embeddings is None else np.asarray(embeddings)[keep]
        probs = self.probabilities(
            [texts[i] for i in keep],
            categories=[categories[i] for i in keep],
            embeddings=emb,
        )
        ids = self.index.taxonomy.ids
        best = probs.argmax(axis=1)
        for row, i in enumerate(keep):
            score = float(probs[row, best[row]])
            out[i] = TouchpointGuess(ids[best[row]] if score >= self.threshold else UNASSIGNED, score)
        return out

    def _vote_table(self) -> dict[str, dict[str, float]]:
        """category id -> {touchpoint id: share}; built once."""
        if self._votes is None:
            tps = self.index.taxonomy
            cats = load_taxonomy(self.categories, kind="categories")
            targets: dict[str, set[str]] = {}
            for tp in tps.items:  # explicit lists in the journey file win ...
                for cat_id in tp.categories:
                    targets.setdefault(cat_id, set()).add(tp.id)
            for cat in cats.items:  # ... over a category's default touchpoint
                if cat.id not in targets and cat.touchpoint in tps.ids:
                    targets[cat.id] = {cat.touchpoint}
            self._votes = {
                c: {tp: 1.0 / len(ts) for tp in sorted(ts)} for c, ts in targets.items() if ts and c != OTHER
            }
        return self._votes
