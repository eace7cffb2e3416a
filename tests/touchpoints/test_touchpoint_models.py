"""Touchpoint linking with the real default encoder (multilingual-e5-small)."""

from __future__ import annotations

import pytest

from vocmine.aspects import SentenceCategoryAspects
from vocmine.touchpoints import EmbeddingTouchpointLinker

pytestmark = pytest.mark.models

LANGS = ["en", "ru", "pl", "zh"]
CASES = {
    "delivery": ["My order still hasn't arrived after two weeks.", "Мой заказ так и не пришёл за две недели.",
                 "Moje zamówienie nie dotarło od dwóch tygodni.", "我的订单两周了还没到。"],
    "returns": ["I returned the shoes but never got a refund.", "Я вернул обувь, но деньги так и не вернули.",
                "Zwróciłem buty, ale nie dostałem zwrotu pieniędzy.", "鞋子退回去了但一直没退款。"],
}


@pytest.fixture(scope="module")
def embedder():  # type: ignore[no-untyped-def]
    from vocmine.embed import CachedEmbedder, load_embedder

    return CachedEmbedder(load_embedder("e5-small"))


@pytest.mark.parametrize("touchpoint", sorted(CASES))
def test_same_stage_in_four_languages(embedder, touchpoint: str) -> None:  # type: ignore[no-untyped-def]
    texts = CASES[touchpoint]
    mentions = SentenceCategoryAspects(embedder=embedder).extract(texts, langs=LANGS)  # as the pipeline does
    categories = [[m.category for m in ms] for ms in mentions]
    out = EmbeddingTouchpointLinker(embedder=embedder).link(texts, langs=LANGS, categories=categories, embeddings=None)
    assert [g.touchpoint for g in out] == [touchpoint] * 4, out
    assert all(g.score >= 0.5 for g in out)


def test_categories_and_presets(embedder) -> None:  # type: ignore[no-untyped-def]
    hotel = EmbeddingTouchpointLinker(embedder=embedder, taxonomy="hospitality")
    out = hotel.link(["The breakfast buffet was cold and bland."], langs=["en"], categories=[["FOOD"]], embeddings=None)
    assert out[0].touchpoint == "dining" and out[0].score >= 0.5
    bank = EmbeddingTouchpointLinker(embedder=embedder, taxonomy="banking_telecom")
    out = bank.link(["Someone used my card for a payment I never made."], langs=["en"],
                    categories=[["ACCOUNT_SECURITY"]], embeddings=None)
    assert out[0].touchpoint == "security_fraud"
