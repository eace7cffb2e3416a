"""Sentence sentiment from the shared encoder with its top layers fine-tuned for sentiment.

The default sentiment model (``vocmine.sentiment.e5_tuned.v1``). It runs the shared
encoder's lower layers (the same loaded model the other stages use), then its own
fine-tuned copies of the top layers, and the 3-class head trained with them; one
``.npz`` holds both (``<encoder>-sentiment-top4.npz`` in ``models/sentiment-e5-head/``
and inside the package; see its MODEL_CARD.md). ``score = P(positive) - P(negative)``.

Examples:
    >>> from vocmine.sentiment import TunedSentiment
    >>> model = TunedSentiment()  # doctest: +SKIP
    >>> model.predict(["The courier was two hours late"], langs=["en"]).labels  # doctest: +SKIP
    ['negative']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vocmine._model_files import base_embedder_name
from vocmine.sentiment._head import DEFAULT_EMBEDDER, HeadSentiment
from vocmine.sentiment._weights import find_head, head_from_arrays, read_arrays

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    from vocmine.sentiment._weights import SentimentHead

    from vocmine.types import Embedder

__all__ = ["TunedSentiment", "BRANCH_TAG"]

#: Name of the shipped branch: the top 4 layers of the encoder, fine-tuned for sentiment.
BRANCH_TAG = "sentiment-top4"


_FIX = ("reinstall vocmine (the file ships inside the package), pass model_path= to a tuned file, retrain it with "
        "`python benchmarks/train_sentiment.py --tune`, or use vocmine.sentiment.e5_head.v1 (frozen encoder).")


class TunedSentiment(HeadSentiment):
    """Sentence sentiment: shared lower encoder layers + fine-tuned top layers + trained head.

    Given the pipeline's encoder, the model taps it (``add_tap``): when the aspect tagger
    runs its pass over the sentences, the layer-8 states feed the sentiment layers too, so
    ``predict`` on those sentences does not run the lower layers again.

    Args:
        embedder: the shared transformers encoder (the pipeline passes its cached
            :class:`~vocmine.embed.E5Embedder`; the cache is unwrapped, the model is
            shared, not loaded twice); ``None`` loads the default encoder on first use.
        model_path: a tuned ``.npz`` file or a folder holding ``<encoder>-sentiment-top4.npz``;
            ``None`` searches ``$VOCMINE_MODEL_DIR/sentiment-e5-head``, the repository's
            ``models/sentiment-e5-head`` and the copy inside the package.
        batch_size: windows per encoder batch.

    Raises (on first use):
        ModelNotFoundError: no tuned file for this encoder (the message names the fix).
        ConfigError: the embedder is not a transformers encoder (e.g. the static tier:
            use ``vocmine.sentiment.e5_head.v1`` with it).
    """

    def __init__(
        self,
        *,
        embedder: Embedder | None = None,
        model_path: str | Path | None = None,
        batch_size: int = 32,
    ) -> None:
        super().__init__(embedder=embedder, model_path=model_path, batch_size=batch_size)
        self._base: Any = getattr(embedder, "inner", embedder)  # a CachedEmbedder's model, not its cache
        self._embedder = None
        if hasattr(self._base, "add_tap"):  # the pipeline's encoder: tap its passes from now on
            self._get_embedder()

    def _get_head(self) -> SentimentHead:
        self._get_embedder()  # reads the head with the layers
        assert self._head is not None
        return self._head

    def _embedder_name(self) -> str:
        base = DEFAULT_EMBEDDER if self._base is None else str(getattr(self._base, "name", DEFAULT_EMBEDDER))
        return f"{base_embedder_name(base)}-{BRANCH_TAG}"

    def _get_embedder(self) -> Embedder:
        if self._embedder is None:
            from vocmine.embed._branch import BranchEmbedder, require_transformers

            if self._base is None:
                from vocmine.embed import E5Embedder

                self._base = E5Embedder()
            require_transformers(self._base)
            path = find_head(self._embedder_name(), self.model_path, fix=_FIX)
            arrays = read_arrays(path)  # the head and the layers beside it, read once
            self._head = self._checked(head_from_arrays(arrays, path), path)
            branch = self._head.meta.get("branch", {})
            layers = {k: v for k, v in arrays.items() if k.startswith("top.")}
            self._embedder = BranchEmbedder(self._base, layers, start=int(branch.get("start", -1)),
                                            tag=str(branch.get("tag", BRANCH_TAG))).tap()
        return self._embedder
