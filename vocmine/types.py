"""Stage Protocols and the frozen records that flow between stages.

Components never see a DataFrame: they take sequences of strings (plus per-row
language codes) and return arrays or records. Only ``vocmine.pipeline`` reads and
writes columns.

Examples:
    >>> from vocmine.types import Span
    >>> Span(0, 5).slice("hello world")
    'hello'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    import numpy as np
    from scipy import sparse

__all__ = [
    "Span",
    "LangGuess",
    "SentimentOutput",
    "Mention",
    "TopicInfo",
    "TopicOutput",
    "TouchpointGuess",
    "DriverInput",
    "DriverRecord",
    "LanguageDetector",
    "Embedder",
    "SentimentModel",
    "AspectExtractor",
    "TopicModel",
    "TouchpointLinker",
    "DriverRanker",
    "Fittable",
    "TopicTransformer",
    "Persistable",
    "SENTIMENT_LABELS",
]

#: Sentiment classes, in the column order of every probability matrix.
SENTIMENT_LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class Span:
    """A half-open character range ``[start, end)`` into an original text."""

    start: int
    end: int

    def slice(self, text: str) -> str:
        """Return the part of ``text`` this span covers."""
        return text[self.start : self.end]


@dataclass(frozen=True)
class LangGuess:
    """An ISO 639-1 code (or ``"und"``) with a confidence in [0, 1]."""

    lang: str
    score: float


@dataclass(frozen=True)
class SentimentOutput:
    """Per-text sentiment.

    Attributes:
        labels: one of ``SENTIMENT_LABELS`` per text.
        scores: continuous polarity in [-1, 1] per text (P(pos) - P(neg)).
        probs: ``(n, 3)`` probabilities in ``SENTIMENT_LABELS`` order.
    """

    labels: list[str]
    scores: np.ndarray
    probs: np.ndarray


@dataclass(frozen=True)
class Mention:
    """One aspect mention inside a text, offsets relative to that text."""

    start: int
    end: int
    aspect: str
    lemma: str
    category: str
    category_score: float
    polarity: str
    score: float
    opinion: str = ""


@dataclass(frozen=True)
class TopicInfo:
    """A topic: stable id, size, per-language labels and top words."""

    topic_id: int
    size: int
    label: str
    labels: Mapping[str, str] = field(default_factory=dict)
    words: Mapping[str, Sequence[str]] = field(default_factory=dict)
    key: str = ""


@dataclass(frozen=True)
class TopicOutput:
    """Topic assignment per document (``-1`` = outlier) and the topic list."""

    topic_ids: np.ndarray
    topics: list[TopicInfo]
    probs: np.ndarray | None = None


@dataclass(frozen=True)
class TouchpointGuess:
    """A journey touchpoint id (or ``"unassigned"``) with a confidence."""

    touchpoint: str
    score: float


@dataclass(frozen=True)
class DriverInput:
    """Everything the driver ranker needs, as plain arrays (no DataFrame).

    Attributes:
        outcome: ``(n,)`` float outcome per document (rating, NPS points, ...).
        indicators: ``(n, k)`` 0/1 matrix, document i mentions driver j.
        names: ``k`` driver ids, aligned with the columns of ``indicators``.
        kinds: ``k`` driver kinds ("category", "topic", "category_touchpoint").
        touchpoints: ``k`` touchpoint ids (``""`` when the driver spans all).
        polarity: ``(n, k)`` mean mention polarity in [-1, 1] (0 where absent), a dense
            array or a ``scipy.sparse`` matrix (non-zero only where a driver is mentioned).
        periods: ``(n,)`` period labels (sortable strings) or ``None``.
        outcome_name: name of the outcome ("rating", "nps", "sentiment", ...).
        audit: ``(n, k)`` true 0/1 values of audited documents (a person read them and
            listed their categories), NaN elsewhere and in columns an audit cannot check
            (topics); ``None``: no audit. With an audit the category model's impacts are
            regression-calibrated for extraction errors (``vocmine.drivers._calibrate``).
        counts: ``(n,)`` positive integer weights, or ``None`` (every row is one document).
            Row i then stands for ``counts[i]`` documents that share its indicators, outcome,
            period and polarity sign (see ``vocmine.drivers.collapse_rows``); every statistic
            equals the one computed on the documents themselves. Not allowed with ``audit``.
    """

    outcome: np.ndarray
    indicators: np.ndarray
    names: Sequence[str]
    kinds: Sequence[str]
    touchpoints: Sequence[str]
    polarity: np.ndarray | sparse.spmatrix | sparse.sparray | None = None
    periods: Sequence[str] | None = None
    outcome_name: str = "rating"
    audit: np.ndarray | None = None
    counts: np.ndarray | None = None


@dataclass(frozen=True)
class DriverRecord:
    """One ranked driver with its statistics."""

    driver: str
    kind: str
    touchpoint: str
    n: int
    share: float
    impact: float
    ci_low: float
    ci_high: float
    p_value: float
    q_value: float
    significant: bool
    opportunity: float
    rank: int
    neg_share: float = 0.0
    pos_share: float = 0.0
    trend: float = 0.0
    trend_p_value: float = 1.0
    emerging: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class LanguageDetector(Protocol):
    """Identifies the language of each text."""

    def detect(self, texts: Sequence[str]) -> list[LangGuess]: ...


@runtime_checkable
class Embedder(Protocol):
    """Maps texts to L2-normalised float32 vectors in one multilingual space."""

    @property
    def name(self) -> str:
        """Name of the vector space (heads trained on it are stored under this name)."""
        ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray: ...


@runtime_checkable
class SentimentModel(Protocol):
    """Three-class sentiment plus a continuous score for each text."""

    def predict(self, texts: Sequence[str], *, langs: Sequence[str]) -> SentimentOutput: ...


@runtime_checkable
class AspectExtractor(Protocol):
    """Finds aspect mentions (offsets relative to each given text)."""

    def extract(self, texts: Sequence[str], *, langs: Sequence[str]) -> list[list[Mention]]: ...


@runtime_checkable
class TopicModel(Protocol):
    """Clusters documents into topics; ``embeddings`` are precomputed and shared."""

    def fit_transform(
        self, texts: Sequence[str], *, langs: Sequence[str], embeddings: np.ndarray | None
    ) -> TopicOutput: ...


@runtime_checkable
class TouchpointLinker(Protocol):
    """Links each document to a journey touchpoint."""

    def link(
        self,
        texts: Sequence[str],
        *,
        langs: Sequence[str],
        categories: Sequence[Sequence[str]],
        embeddings: np.ndarray | None,
    ) -> list[TouchpointGuess]: ...


@runtime_checkable
class DriverRanker(Protocol):
    """Ranks drivers by their adjusted impact on an outcome.

    A ranker that honours ``DriverInput.counts`` sets a class attribute
    ``accepts_counts = True``; batch scoring then hands it each scored part collapsed and
    merged (bounded memory). Any other ranker gets one row per document.
    """

    def rank(self, data: DriverInput) -> list[DriverRecord]: ...


@runtime_checkable
class Fittable(Protocol):
    """A component that learns state from data (e.g. a topic model)."""

    def fit(self, texts: Sequence[str], *, langs: Sequence[str], embeddings: np.ndarray | None = None) -> Any: ...


@runtime_checkable
class TopicTransformer(Protocol):
    """A fitted topic model that assigns new documents without refitting."""

    def transform(
        self, texts: Sequence[str], *, langs: Sequence[str], embeddings: np.ndarray | None
    ) -> TopicOutput: ...


@runtime_checkable
class Persistable(Protocol):
    """A component that can be saved to and loaded from a directory."""

    def save(self, path: str | Path) -> None: ...

    @classmethod
    def load(cls, path: str | Path) -> Persistable: ...
