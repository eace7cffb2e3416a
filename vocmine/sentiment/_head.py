"""Three-class sentiment from a trained head on top of sentence embeddings.

The default model embeds each text with the shared multilingual encoder
(:class:`vocmine.embed.E5Embedder`, one vector space for all languages) and
applies a small trained feed-forward head (see ``models/sentiment-e5-head/
MODEL_CARD.md`` for its data, licences and scores). ``score = P(positive) -
P(negative)``.

Examples:
    >>> from vocmine.sentiment import HeadSentiment
    >>> model = HeadSentiment()  # doctest: +SKIP
    >>> out = model.predict(["Świetny produkt, polecam!"], langs=["pl"])  # doctest: +SKIP
    >>> out.labels  # doctest: +SKIP
    ['positive']
"""

from __future__ import annotations

import logging
import warnings
from typing import TYPE_CHECKING

import numpy as np

from vocmine.errors import ConfigError, VocmineWarning
from vocmine.sentiment._weights import base_embedder_name, find_head, load_head
from vocmine.types import SENTIMENT_LABELS, SentimentOutput

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence
    from pathlib import Path

    from vocmine.sentiment._weights import SentimentHead
    from vocmine.types import Embedder

__all__ = ["HeadSentiment"]

logger = logging.getLogger(__name__)

#: Name of the default encoder; its head is the one shipped with vocmine.
DEFAULT_EMBEDDER = "multilingual-e5-small"


class HeadSentiment:
    """Sentence sentiment: shared embedder + trained 3-class head.

    Args:
        embedder: any :class:`~vocmine.types.Embedder`; ``None`` loads the default
            :class:`vocmine.embed.E5Embedder` on first use. The pipeline passes its
            shared, cached embedder here.
        model_path: a head ``.npz`` file or a folder holding ``<embedder name>.npz``;
            ``None`` searches ``$VOCMINE_MODEL_DIR/sentiment-e5-head``, the
            repository's ``models/sentiment-e5-head`` and the copy inside the package.
        batch_size: texts per encoder batch.

    Examples:
        >>> import numpy as np
        >>> class Ones:
        ...     name = "ones"
        ...     dim = 2
        ...     def embed(self, texts, *, batch_size=32):
        ...         return np.ones((len(texts), 2), dtype=np.float32)
        >>> from vocmine.sentiment import SentimentHead, save_head
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "ones.npz"
        >>> _ = save_head(SentimentHead([np.array([[1.0, 0.0, -1.0], [1.0, 0.0, -1.0]])], [np.zeros(3)]), path)
        >>> out = HeadSentiment(embedder=Ones(), model_path=path).predict(["bad"], langs=["en"])
        >>> out.labels, out.probs.shape
        (['negative'], (1, 3))
    """

    def __init__(
        self,
        *,
        embedder: Embedder | None = None,
        model_path: str | Path | None = None,
        batch_size: int = 32,
    ) -> None:
        self.embedder = embedder
        self.model_path = model_path
        self.batch_size = batch_size
        self._head: SentimentHead | None = None
        self._embedder: Embedder | None = embedder

    # ------------------------------------------------------------------ loading
    def _get_embedder(self) -> Embedder:
        if self._embedder is None:
            from vocmine.embed import E5Embedder

            self._embedder = E5Embedder()
        return self._embedder

    def _embedder_name(self) -> str:
        if self._embedder is None:
            return DEFAULT_EMBEDDER
        return str(getattr(self._embedder, "name", DEFAULT_EMBEDDER))

    def _get_head(self) -> SentimentHead:
        if self._head is None:
            name = self._embedder_name()
            path = find_head(name, self.model_path)
            self._head = self._checked(load_head(path), path)
        return self._head

    def _checked(self, head: SentimentHead, path: Path | object) -> SentimentHead:
        """``head``, with a warning when it was trained on another embedder than the one in use."""
        name = self._embedder_name()
        trained_for = head.meta.get("embedder")
        if trained_for and base_embedder_name(str(trained_for)) != base_embedder_name(name):
            warnings.warn(
                f"Sentiment head {path} was trained on embedder {trained_for!r} but is used with "
                f"{name!r}; its predictions are unreliable. Pass a matching embedder or head.",
                VocmineWarning,
                stacklevel=4,
            )
        logger.debug("loaded sentiment head %s for embedder %s", path, name)
        return head

    # --------------------------------------------------------------- prediction
    def predict(self, texts: Sequence[str], *, langs: Sequence[str]) -> SentimentOutput:
        """Label each text negative / neutral / positive.

        Args:
            texts: the texts (sentences work best; documents work too).
            langs: one ISO 639-1 code (or ``"und"``) per text; the head is
                language-agnostic, the codes are validated only.

        Returns:
            labels, ``scores = P(pos) - P(neg)`` in [-1, 1] and ``(n, 3)``
            probabilities in ``("negative", "neutral", "positive")`` order.

        Raises:
            ConfigError: ``langs`` does not have one entry per text, or the
                embedder's dimension does not match the head.
        """
        texts = list(texts)
        if len(langs) != len(texts):
            raise ConfigError(
                f"[E004] langs must hold one code per text: expected {len(texts)}, got {len(langs)}. "
                "Fix: pass langs=['und'] * len(texts) when languages are unknown."
            )
        if not texts:
            return SentimentOutput([], np.zeros(0), np.zeros((0, 3)))
        embedder = self._get_embedder()
        head = self._get_head()
        x = np.asarray(embedder.embed(texts, batch_size=self.batch_size), dtype=np.float32)
        if x.ndim != 2 or x.shape[0] != len(texts) or x.shape[1] != head.dim:
            raise ConfigError(
                f"[E004] The sentiment head expects {len(texts)} x {head.dim} embeddings from "
                f"{self._embedder_name()!r}, got shape {x.shape}. Fix: use the embedder the head was "
                f"trained on ({head.meta.get('embedder')!r}) or a head trained for this embedder."
            )
        probs = head.predict_proba(x)
        labels = [SENTIMENT_LABELS[k] for k in probs.argmax(axis=1)]
        scores = np.clip(probs[:, 2] - probs[:, 0], -1.0, 1.0)
        return SentimentOutput(labels, scores, probs)
