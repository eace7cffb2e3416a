"""Cross-lingual category mapping with the real default encoder (multilingual-e5-small)."""

from __future__ import annotations

import pytest

from vocmine.aspects import CategoryMapper, SentenceCategoryAspects

pytestmark = pytest.mark.models

LANGS = ["en", "ru", "pl", "zh"]
SAME_CONCEPT = {
    "DELIVERY": ["delivery", "доставка", "dostawa", "配送"],
    "PRICE": ["price", "цена", "cena", "价格"],
    "STAFF": ["waiter", "официант", "kelner", "服务员"],
    "BATTERY": ["battery", "аккумулятор", "bateria", "电池"],
    "SCREEN": ["screen", "экран", "ekran", "屏幕"],
    "RETURNS_REFUNDS": ["refund", "возврат денег", "zwrot pieniędzy", "退款"],
    "PAYMENT": ["payment", "оплата", "płatność", "支付"],
}
SENTENCES = {
    "DELIVERY": ["The courier brought my order three days late.", "Курьер привёз заказ на три дня позже.",
                 "Kurier przywiózł zamówienie trzy dni później.", "快递晚了三天才送到。"],
    "STAFF": ["The waitress was very rude to us.", "Официантка была очень груба с нами.",
              "Kelnerka była dla nas bardzo niemiła.", "服务员对我们态度很差。"],
    "RETURNS_REFUNDS": ["I still haven't got my money back for the returned jacket.",
                        "Мне до сих пор не вернули деньги за возвращённую куртку.",
                        "Nadal nie dostałem zwrotu pieniędzy za zwróconą kurtkę.", "退回的夹克到现在还没退款。"],
}


@pytest.fixture(scope="module")
def embedder():  # type: ignore[no-untyped-def]
    from vocmine.embed import CachedEmbedder, load_embedder

    return CachedEmbedder(load_embedder("e5-small"))


@pytest.mark.parametrize("category", sorted(SAME_CONCEPT))
def test_same_concept_in_four_languages_maps_to_one_id(embedder, category: str) -> None:  # type: ignore[no-untyped-def]
    out = CategoryMapper(embedder=embedder).map(SAME_CONCEPT[category], langs=LANGS)
    assert [cat for cat, _ in out] == [category] * 4, out


def test_context_disambiguates_and_unrelated_terms_are_other(embedder) -> None:  # type: ignore[no-untyped-def]
    mapper = CategoryMapper(embedder=embedder)
    assert mapper.map(["life"], langs=["en"])[0][0] == "OTHER"
    (cat, _), = mapper.map(["life"], langs=["en"], contexts=["Battery life is only five hours."])
    assert cat == "BATTERY"
    unrelated = mapper.map(["birthday", "вторник", "przyjaciele", "我老公"], langs=LANGS)
    assert [cat for cat, _ in unrelated] == ["OTHER"] * 4, unrelated


@pytest.mark.parametrize("category", sorted(SENTENCES))
def test_sentence_baseline_in_every_language(embedder, category: str) -> None:  # type: ignore[no-untyped-def]
    out = SentenceCategoryAspects(embedder=embedder).extract(SENTENCES[category], langs=LANGS)
    assert [ms[0].category if ms else None for ms in out] == [category] * 4, out


def test_sentence_without_aspect_gets_no_mention(embedder) -> None:  # type: ignore[no-untyped-def]
    assert SentenceCategoryAspects(embedder=embedder).extract(["My name is Vlada!"], langs=["en"]) == [[]]
