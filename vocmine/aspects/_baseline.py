"""BASELINE aspect extractor: sentence-level category detection by embedding similarity.

This is a stop-gap until the learned aspect-term extractor lands. It finds no aspect
*terms*: each given text (ideally one sentence) is compared with the category prototypes,
and every category whose probability passes ``threshold`` (at most ``top_k``) becomes one
``Mention`` spanning the whole text. Sentence-level micro-F1 on SemEval-2016 test sets
(gold categories mapped to vocmine ids): en restaurants 0.64, ru restaurants 0.58, en
laptops 0.41, zh phones/cameras 0.25; review level on ASAP (zh) 0.68
(``benchmarks/touchpoints.py``).

Examples:
    >>> from vocmine.aspects import SentenceCategoryAspects
    >>> SentenceCategoryAspects(top_k=1).extract(["   "], langs=["en"])  # blank text: no mention
    [[]]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from vocmine.aspects._categories import _check_unit, calibrated_probs
from vocmine.errors import ConfigError, SchemaError
from vocmine.resources import PrototypeIndex, load_taxonomy
from vocmine.types import SENTIMENT_LABELS, Mention

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence
    from pathlib import Path

    from vocmine.resources import Taxonomy
    from vocmine.types import Embedder, SentimentModel

__all__ = ["SentenceCategoryAspects"]

#: Softmax temperature and "none" similarity for whole sentences. Chosen with the default threshold
#: (0.15) to maximise the mean per-dataset micro-F1 on the TRAIN splits of SemEval-2016 restaurants
#: (en, ru), laptops (en) and phones/cameras (zh); test micro-F1 en 0.58, ru 0.58, zh 0.25
#: (benchmarks/touchpoints.py).
SENTENCE_TEMPERATURE = 0.015
SENTENCE_NULL_SIMILARITY = 0.81
#: (temperature, null similarity) per encoder: e5 cosines are compressed (top-1 0.86-0.91), the static
#: embedder's spread (0.2-0.5), so each needs its own; the static pair was selected the same way
#: (threshold 0.15, best mean train micro-F1 0.377) on the same train splits; test micro-F1 en 0.46,
#: ru 0.46, zh 0.18 against e5's 0.58 / 0.58 / 0.25 (``python benchmarks/touchpoints.py --encoder
#: static`` -> touchpoints_static.json). Other encoders use the e5 pair (or pass
#: ``temperature`` / ``null_similarity``).
SENTENCE_CALIBRATION: dict[str, tuple[float, float]] = {
    "multilingual-e5-small": (SENTENCE_TEMPERATURE, SENTENCE_NULL_SIMILARITY),
    "e5-static": (0.06, 0.30),
}


def sentence_calibration(embedder_name: str) -> tuple[float, float]:
    """``(temperature, null_similarity)`` for sentences embedded by ``embedder_name``.

    Examples:
        >>> sentence_calibration("multilingual-e5-small-int8sq"), sentence_calibration("e5-static")[0] > 0.015
        ((0.015, 0.81), True)
    """
    from vocmine._model_files import base_embedder_name

    return SENTENCE_CALIBRATION.get(base_embedder_name(embedder_name), SENTENCE_CALIBRATION["multilingual-e5-small"])


class SentenceCategoryAspects:
    """BASELINE ``AspectExtractor``: detects aspect categories per sentence, not aspect terms.

    For each text it scores every category of the taxonomy (temperature softmax of the
    similarity to the category prototypes plus a "none" class, see
    ``vocmine.aspects.calibrated_probs``; parameters tuned for detection F1) and returns
    one ``Mention`` per category whose probability is at least ``threshold``, best first,
    at most ``top_k`` (multi-label).
    Each mention spans the whole text (``start=0``, ``end=len(text.rstrip())``), with
    ``aspect`` = the text, ``lemma=""``, the category and its probability, and the
    polarity/score of the injected ``SentimentModel`` for that text (``"neutral"``/0.0
    when none is given). Use ``TermAspectExtractor`` when its trained model is available.

    Args:
        embedder: any ``Embedder``; ``None`` loads the default encoder on first use.
        sentiment: a ``SentimentModel`` giving each text's polarity, or ``None``.
        taxonomy: a category preset name, a YAML path or a loaded ``Taxonomy``.
        threshold: minimum calibrated probability for a category to be reported.
        top_k: maximum number of categories per text.
        temperature, null_similarity: the softmax calibration; ``None``: the embedder's
            (``SENTENCE_CALIBRATION``).

    Examples:
        >>> from vocmine.aspects import SentenceCategoryAspects
        >>> SentenceCategoryAspects(threshold=0.3, top_k=2).top_k
        2
    """

    def __init__(
        self,
        *,
        embedder: Embedder | None = None,
        sentiment: SentimentModel | None = None,
        taxonomy: str | Path | Taxonomy = "default",
        threshold: float = 0.15,
        top_k: int = 2,
        temperature: float | None = None,
        null_similarity: float | None = None,
    ) -> None:
        self.embedder = embedder
        self.sentiment = sentiment
        self.taxonomy = taxonomy
        self.threshold = threshold
        self.top_k = top_k
        self.temperature = temperature
        self.null_similarity = null_similarity
        self._index: PrototypeIndex | None = None

    @property
    def index(self) -> PrototypeIndex:
        """The category prototypes (built on first use, then reused)."""
        if self._index is None:
            _check_unit("threshold", self.threshold)
            if not isinstance(self.top_k, int) or self.top_k < 1:
                raise ConfigError(f"[E004] top_k must be a positive int, got {self.top_k!r}. Pass e.g. top_k=2.")
            self._index = PrototypeIndex(
                load_taxonomy(self.taxonomy, kind="categories"), self.embedder, component="SentenceCategoryAspects"
            )
        return self._index

    def probabilities(self, texts: Sequence[str], *, embeddings: np.ndarray | None = None) -> np.ndarray:
        """Calibrated ``(n, K)`` category probabilities per text, in taxonomy order."""
        vectors = self.index.embed(texts) if embeddings is None else embeddings
        sims = self.index.similarities(vectors)
        temperature, null = self.calibration
        return calibrated_probs(sims, temperature=temperature, null_similarity=null)

    @property
    def calibration(self) -> tuple[float, float]:
        """``(temperature, null_similarity)`` in use: the given ones, else the embedder's (``SENTENCE_CALIBRATION``)."""
        default = sentence_calibration(str(getattr(self.index.embedder, "name", "")))
        return (default[0] if self.temperature is None else float(self.temperature),
                default[1] if self.null_similarity is None else float(self.null_similarity))

    def extract(self, texts: Sequence[str], *, langs: Sequence[str]) -> list[list[Mention]]:
        """Return the detected category mentions of each text (an empty list when none).

        Args:
            texts: sentences or short documents.
            langs: ISO 639-1 code per text (passed to the sentiment model).

        Returns:
            One list of ``Mention`` per text, best category first.
        """
        if len(langs) != len(texts):
            raise ConfigError(f"[E004] langs must have one entry per text: got {len(langs)} for {len(texts)} texts.")
        out: list[list[Mention]] = [[] for _ in texts]
        keep = [i for i, t in enumerate(texts) if isinstance(t, str) and t.strip()]
        if not keep:
            return out
        kept = [texts[i] for i in keep]
        probs = self.probabilities(kept)
        labels, scores = self._polarity(kept, [langs[i] for i in keep])
        ids = self.index.taxonomy.ids
        for row, i in enumerate(keep):
            order = np.argsort(-probs[row], kind="stable")[: self.top_k]
            end = len(texts[i].rstrip())
            out[i] = [
                Mention(0, end, texts[i][:end], "", ids[k], float(probs[row, k]), labels[row], scores[row])
                for k in order
                if probs[row, k] >= self.threshold
            ]
        return out

    def _polarity(self, texts: list[str], langs: list[str]) -> tuple[list[str], list[float]]:
        if self.sentiment is None:
            return ["neutral"] * len(texts), [0.0] * len(texts)
        result = self.sentiment.predict(texts, langs=langs)
        if len(result.labels) != len(texts) or len(result.scores) != len(texts):
            raise SchemaError(
                f"[E013] The sentiment model returned {len(result.labels)} labels for {len(texts)} texts; "
                "expected one per text."
            )
        bad = sorted(set(result.labels) - set(SENTIMENT_LABELS))
        if bad:
            raise SchemaError(f"[E013] The sentiment model returned unknown labels {bad}; expected {SENTIMENT_LABELS}.")
        return list(result.labels), [float(s) for s in np.asarray(result.scores, dtype=float)]
