from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.fakes import FakeEmbedder, FakeSentiment
from vocmine.aspects import SentenceCategoryAspects
from vocmine.errors import ConfigError, SchemaError
from vocmine.resources import load_taxonomy
from vocmine.types import AspectExtractor, SentimentOutput

TINY = """\
kind: categories
items:
  - id: PARCEL
    names: {en: parcel, ru: посылка}
    examples: {en: [the parcel parcel], ru: [посылка посылка]}
  - id: MONEY
    names: {en: money, ru: деньги}
    examples: {en: [the money money], ru: [деньги деньги]}
"""

TEXTS = ["The parcel was late, great money back ", "посылка пришла", "   ", "zzz", "配送太慢了"]
LANGS = ["en", "ru", "en", "und", "zh"]


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    return path


def test_satisfies_the_protocol() -> None:
    assert isinstance(SentenceCategoryAspects(embedder=FakeEmbedder()), AspectExtractor)


def test_mentions_span_the_whole_text_and_are_ranked(tiny: Path) -> None:
    model = SentenceCategoryAspects(embedder=FakeEmbedder(), taxonomy=tiny, threshold=0.0, top_k=2)
    out = model.extract(TEXTS, langs=LANGS)
    assert len(out) == len(TEXTS) and out[2] == []
    for text, mentions in zip(TEXTS, out):
        if not text.strip():
            continue
        assert 1 <= len(mentions) <= 2
        end = len(text.rstrip())
        for m in mentions:
            assert (m.start, m.end, m.aspect, m.lemma) == (0, end, text[:end], "")
            assert m.category in {"PARCEL", "MONEY"} and 0.0 <= m.category_score <= 1.0
            assert (m.polarity, m.score) == ("neutral", 0.0)
        scores = [m.category_score for m in mentions]
        assert scores == sorted(scores, reverse=True)
    assert out[1][0].category == "PARCEL"


def test_threshold_and_top_k(tiny: Path) -> None:
    emb = FakeEmbedder()
    one = SentenceCategoryAspects(embedder=emb, taxonomy=tiny, threshold=0.0, top_k=1).extract(TEXTS, langs=LANGS)
    assert all(len(m) <= 1 for m in one)
    none = SentenceCategoryAspects(embedder=emb, taxonomy=tiny, threshold=1.0).extract(TEXTS, langs=LANGS)
    assert none == [[] for _ in TEXTS]
    with pytest.raises(ConfigError, match="top_k"):
        SentenceCategoryAspects(embedder=emb, taxonomy=tiny, top_k=0).extract(["x"], langs=["en"])


def test_polarity_comes_from_the_injected_sentiment_model(tiny: Path) -> None:
    sentiment = FakeSentiment()
    model = SentenceCategoryAspects(embedder=FakeEmbedder(), sentiment=sentiment, taxonomy=tiny, threshold=0.0)
    texts = ["the parcel was late and bad", "great money, good"]
    expected = sentiment.predict(texts, langs=["en", "en"])
    out = model.extract(texts, langs=["en", "en"])
    for i, mentions in enumerate(out):
        assert mentions and all(m.polarity == expected.labels[i] for m in mentions)
        assert all(m.score == pytest.approx(float(expected.scores[i])) for m in mentions)
    assert {out[0][0].polarity, out[1][0].polarity} == {"negative", "positive"}


def test_malformed_sentiment_output_is_reported(tiny: Path) -> None:
    class Broken:
        def predict(self, texts, *, langs):  # type: ignore[no-untyped-def]
            return SentimentOutput(["angry"] * len(texts), np.zeros(len(texts)), np.zeros((len(texts), 3)))

    model = SentenceCategoryAspects(embedder=FakeEmbedder(), sentiment=Broken(), taxonomy=tiny, threshold=0.0)
    with pytest.raises(SchemaError, match=r"\[E013\].*'angry'"):
        model.extract(["parcel"], langs=["en"])


def test_builtin_taxonomy_and_determinism() -> None:
    ids = set(load_taxonomy("default", kind="categories").ids)
    a = SentenceCategoryAspects(embedder=FakeEmbedder(), threshold=0.0).extract(TEXTS, langs=LANGS)
    b = SentenceCategoryAspects(embedder=FakeEmbedder(), threshold=0.0).extract(TEXTS, langs=LANGS)
    assert a == b
    assert all(m.category in ids for ms in a for m in ms)
    assert SentenceCategoryAspects(embedder=FakeEmbedder()).extract([], langs=[]) == []
    with pytest.raises(ConfigError, match="langs must have one entry per text"):
        SentenceCategoryAspects(embedder=FakeEmbedder()).extract(["a"], langs=[])
