"""The shipped sentiment head on the real default encoder (needs the model weights)."""

from __future__ import annotations

import numpy as np
import pytest

from vocmine.sentiment import HeadSentiment, aggregate_sentences

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def model() -> HeadSentiment:
    return HeadSentiment()


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Доставка опоздала на неделю, ужасно.", "ru", "negative"),
        ("非常好，下次还来！", "zh", "positive"),
        ("Świetny produkt, polecam!", "pl", "positive"),
        ("Terrible support, never again.", "en", "negative"),
        ("Курьер был очень вежлив, всё отлично.", "ru", "positive"),
        ("客服态度太差了，再也不买了。", "zh", "negative"),
        ("Produkt przyszedł zepsuty, a sklep nie odpowiada.", "pl", "negative"),
        ("Great product, fast shipping, thank you!", "en", "positive"),
    ],
)
def test_clear_polarity(model: HeadSentiment, text: str, lang: str, expected: str) -> None:
    out = model.predict([text], langs=[lang])
    assert out.labels == [expected]
    sign = 1 if expected == "positive" else -1
    assert sign * out.scores[0] > 0.3


def test_mixed_review_sentences_disagree(model: HeadSentiment) -> None:
    sentences = ["The food was delicious and the staff were lovely.", "But the delivery was two hours late and cold."]
    out = model.predict(sentences, langs=["en", "en"])
    assert out.labels == ["positive", "negative"]
    _, doc_scores, _, mixed = aggregate_sentences(out.probs, [len(s) for s in sentences], [0, 0], 1)
    assert bool(mixed[0])
    assert abs(float(doc_scores[0])) < max(abs(out.scores).tolist())


def test_mixed_review_in_russian_and_chinese(model: HeadSentiment) -> None:
    sentences = ["Цена отличная, качество хорошее.", "Но доставка ужасная, ждал три недели.", "房间很干净。", "但是服务员态度很差。"]
    out = model.predict(sentences, langs=["ru", "ru", "zh", "zh"])
    assert out.scores[0] > 0 > out.scores[1]
    assert out.scores[2] > 0 > out.scores[3]


def test_batch_equals_single_fp32() -> None:
    from vocmine.embed import E5Embedder

    model = HeadSentiment(embedder=E5Embedder(int8=False))
    texts = ["Świetny produkt, polecam!", "Terrible support, never again.", "订单号是12345。"]
    batch = model.predict(texts, langs=["pl", "en", "zh"]).probs
    single = np.vstack([model.predict([t], langs=["und"]).probs for t in texts])
    np.testing.assert_allclose(batch, single, atol=1e-4)


def test_batch_composition_moves_int8_probabilities_only_slightly(model: HeadSentiment) -> None:
    # Dynamic int8 quantises activations with one scale per forward pass, so a text's vector
    # depends (slightly) on the texts batched with it; labels must not change.
    texts = ["Świetny produkt, polecam!", "Terrible support, never again.", "订单号是12345。"]
    batch = model.predict(texts, langs=["pl", "en", "zh"])
    singles = [model.predict([t], langs=["und"]) for t in texts]
    np.testing.assert_allclose(batch.probs, np.vstack([s.probs for s in singles]), atol=0.03)
    assert batch.labels == [s.labels[0] for s in singles]
