"""Null implementations of every stage, so any stage can be switched off by config.

Each returns one well-formed, empty-ish output per input and never fails.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from vocmine.types import (
    DriverInput,
    DriverRecord,
    LangGuess,
    Mention,
    SentimentOutput,
    TopicOutput,
    TouchpointGuess,
)

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

__all__ = [
    "NullEmbedder",
    "NullLanguageDetector",
    "NullSentiment",
    "NullAspects",
    "NullTopics",
    "NullTouchpoints",
    "NullDrivers",
]


class NullEmbedder:
    """Embeds nothing: zero-width vectors; stages that need embeddings refuse it."""

    name = "null"

    @property
    def dim(self) -> int:
        return 0

    def embed(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        return np.zeros((len(texts), 0), dtype=np.float32)


class NullLanguageDetector:
    """Labels every text ``"und"``."""

    def detect(self, texts: Sequence[str]) -> list[LangGuess]:
        return [LangGuess("und", 0.0) for _ in texts]


class NullSentiment:
    """Labels every text neutral with score 0."""

    def predict(self, texts: Sequence[str], *, langs: Sequence[str]) -> SentimentOutput:
        n = len(texts)
        probs = np.tile(np.array([0.0, 1.0, 0.0]), (n, 1))
        return SentimentOutput(["neutral"] * n, np.zeros(n), probs)


class NullAspects:
    """Finds no mentions."""

    def extract(self, texts: Sequence[str], *, langs: Sequence[str]) -> list[list[Mention]]:
        return [[] for _ in texts]


class NullTopics:
    """Assigns every document to the outlier topic ``-1``."""

    def fit_transform(
        self, texts: Sequence[str], *, langs: Sequence[str], embeddings: np.ndarray | None
    ) -> TopicOutput:
        return TopicOutput(np.full(len(texts), -1, dtype=np.int64), [])

    def transform(
        self, texts: Sequence[str], *, langs: Sequence[str], embeddings: np.ndarray | None
    ) -> TopicOutput:
        return self.fit_transform(texts, langs=langs, embeddings=embeddings)


class NullTouchpoints:
    """Leaves every document ``"unassigned"``."""

    def link(
        self,
        texts: Sequence[str],
        *,
        langs: Sequence[str],
        categories: Sequence[Sequence[str]],
        embeddings: np.ndarray | None,
    ) -> list[TouchpointGuess]:
        return [TouchpointGuess("unassigned", 0.0) for _ in texts]


class NullDrivers:
    """Ranks no drivers."""

    def rank(self, data: DriverInput) -> list[DriverRecord]:
        return []
