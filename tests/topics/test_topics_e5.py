"""BertopicTopics on real multilingual-e5-small embeddings (needs the model: `models` marker)."""

from __future__ import annotations

import numpy as np
import pytest

from vocmine.topics import BertopicTopics

DELIVERY = {
    "en": ["The delivery was late again", "My parcel delivery took two weeks", "Courier never delivered the package",
           "Delivery is so slow", "Still waiting for delivery of my order", "The courier lost my delivery"],
    "ru": ["Доставка опять опоздала", "Курьер не привез доставку", "Ждал доставки две недели",
           "Очень медленная доставка", "Доставкой недоволен, заказ не пришел", "Курьер потерял посылку"],
    "pl": ["Dostawa znowu się spóźniła", "Kurier nie przywiózł paczki", "Czekałem na dostawę dwa tygodnie",
           "Bardzo wolna dostawa", "Dostawą jestem rozczarowany", "Kurier zgubił przesyłkę"],
    "zh": ["快递又迟到了", "快递员没有送货", "物流太慢了，等了两个星期", "配送速度很慢", "包裹还没到", "快递丢了我的包裹"],
}
REFUND = {
    "en": ["I want my money back", "The refund has not arrived", "Please refund the double charge",
           "Refund was declined", "How long does a refund take", "Return the money for the cancelled order"],
    "ru": ["Верните деньги за заказ", "Возврат денег до сих пор не пришел", "Прошу вернуть деньги за двойное списание",
           "В возврате средств отказали", "Сколько ждать возврата денег", "Деньги за отмененный заказ не вернули"],
    "pl": ["Chcę zwrotu pieniędzy", "Zwrot pieniędzy nie dotarł", "Proszę o zwrot podwójnej opłaty",
           "Odmówiono zwrotu pieniędzy", "Jak długo trwa zwrot pieniędzy",
           "Nie zwrócono pieniędzy za anulowane zamówienie"],
    "zh": ["我要退款", "退款还没有到账", "请退还重复扣的钱", "退款被拒绝了", "退款要多久", "取消的订单没有退钱"],
}


@pytest.mark.models
@pytest.mark.slow
def test_cross_lingual_topics_on_e5_embeddings() -> None:
    from vocmine.embed import E5Embedder

    texts, langs, theme = [], [], []
    for k, group in enumerate((DELIVERY, REFUND)):
        for lang, docs in group.items():
            texts += docs
            langs += [lang] * len(docs)
            theme += [k] * len(docs)
    emb = E5Embedder(num_threads=2).embed(texts)
    out = BertopicTopics(min_topic_size=5).fit_transform(texts, langs=langs, embeddings=emb)
    ids = out.topic_ids
    assert len(out.topics) >= 2 and np.mean(ids < 0) <= 0.15
    # on this 48-document toy set e5-small groups by language family more than by theme; what must hold:
    # one topic spans several languages, with a cross-lingual label and lemmatised per-language words
    spanning = [t for t in out.topics if len(t.labels) >= 2]
    assert spanning and all(" / " in t.label for t in spanning)
    words = {lang: set(ws) for t in out.topics for lang, ws in t.words.items()}
    assert "доставка" in words.get("ru", set()) and not {"доставки", "доставку", "доставкой"} & words["ru"]
    assert "dostawa" in words.get("pl", set()) or "zwrot" in words.get("pl", set())
    assert all(len(w) >= 2 for w in words.get("zh", set())) and words.get("zh")
    again = BertopicTopics(min_topic_size=5).fit_transform(texts, langs=langs, embeddings=emb)
    assert np.array_equal(ids, again.topic_ids)
