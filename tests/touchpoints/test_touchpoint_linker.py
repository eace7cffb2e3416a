from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.fakes import FakeEmbedder
from vocmine._null import NullEmbedder
from vocmine.errors import ConfigError, SchemaError
from vocmine.resources import load_taxonomy
from vocmine.touchpoints import EmbeddingTouchpointLinker
from vocmine.types import TouchpointGuess, TouchpointLinker

TINY = """\
kind: touchpoints
items:
  - id: delivery
    names: {en: parcel courier}
    examples: {en: [parcel parcel courier], ru: [посылка курьер]}
  - id: payment
    names: {en: money card}
    examples: {en: [money money card], ru: [деньги карта]}
    categories: [PRICE]
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "journey.yaml"
    path.write_text(TINY, encoding="utf-8")
    return path


def test_satisfies_the_protocol() -> None:
    assert isinstance(EmbeddingTouchpointLinker(embedder=FakeEmbedder()), TouchpointLinker)


def test_category_votes_default_journey() -> None:
    linker = EmbeddingTouchpointLinker(embedder=FakeEmbedder())
    assert linker.category_votes(["DELIVERY"]) == {"delivery": 1.0}
    assert linker.category_votes(["PACKAGING", "DELIVERY"]) == {"delivery": 1.0}
    assert linker.category_votes(["DELIVERY", "PRICE"]) == {"delivery": 0.5, "purchase": 0.5}
    assert linker.category_votes(["OTHER", "NOT_A_CATEGORY"]) == {}
    assert linker.category_votes([]) == {}


def test_category_votes_stay_inside_each_preset() -> None:
    cats = load_taxonomy("default", kind="categories").ids
    for preset in ("default", "ecommerce", "banking_telecom", "hospitality"):
        linker = EmbeddingTouchpointLinker(embedder=FakeEmbedder(), taxonomy=preset)
        journey = set(linker.index.taxonomy.ids)
        voting = [cat for cat in cats if linker.category_votes([cat])]
        assert all(set(linker.category_votes([cat])) <= journey for cat in voting)
        # generic journeys cover every category; domain presets at least their domain's
        assert len(voting) == len(cats) if preset in ("default", "ecommerce") else len(voting) >= 15, preset


def test_preset_lists_override_category_defaults() -> None:
    bank = EmbeddingTouchpointLinker(embedder=FakeEmbedder(), taxonomy="banking_telecom")
    assert bank.category_votes(["ACCOUNT_SECURITY"]) == {"security_fraud": 1.0}  # default would be digital_channels
    assert bank.category_votes(["DELIVERY"]) == {"cards": 1.0}
    hotel = EmbeddingTouchpointLinker(embedder=FakeEmbedder(), taxonomy="hospitality")
    assert hotel.category_votes(["FOOD", "DRINKS", "ROOM"]) == {"dining": pytest.approx(2 / 3),
                                                                  "room_stay": pytest.approx(1 / 3)}


def test_links_by_similarity_and_by_categories(tiny: Path) -> None:
    linker = EmbeddingTouchpointLinker(embedder=FakeEmbedder(), taxonomy=tiny, threshold=0.0, category_weight=0.0)
    out = linker.link(["where is my parcel courier", "money money on my card"], langs=["en", "en"],
                      categories=[[], []], embeddings=None)
    assert [g.touchpoint for g in out] == ["delivery", "payment"]
    assert all(isinstance(g, TouchpointGuess) and 0.0 < g.score <= 1.0 for g in out)
    by_cats = EmbeddingTouchpointLinker(embedder=FakeEmbedder(), taxonomy=tiny, threshold=0.0, category_weight=1.0)
    out = by_cats.link(["where is my parcel courier"], langs=["en"], categories=[["PRICE"]], embeddings=None)
    assert out == [TouchpointGuess("payment", 1.0)]


def test_category_weight_moves_the_confidence(tiny: Path) -> None:
    text, cats = ["where is my parcel courier"], [["PRICE"]]
    scores = []
    for w in (0.0, 0.3, 0.6):
        linker = EmbeddingTouchpointLinker(embedder=FakeEmbedder(), taxonomy=tiny, category_weight=w)
        scores.append(linker.probabilities(text, categories=cats)[0, 1])
    assert scores[0] < scores[1] < scores[2]


def test_threshold_gives_unassigned_with_the_best_score(tiny: Path) -> None:
    kwargs = {"langs": ["en"], "categories": [[]], "embeddings": None}
    text = ["parcel money"]
    low = EmbeddingTouchpointLinker(embedder=FakeEmbedder(), taxonomy=tiny, threshold=0.0).link(text, **kwargs)[0]
    assert 0.5 <= low.score < 0.99
    high = EmbeddingTouchpointLinker(embedder=FakeEmbedder(), taxonomy=tiny, threshold=low.score + 1e-6)
    assert high.link(text, **kwargs)[0] == TouchpointGuess("unassigned", pytest.approx(low.score))


def test_given_embeddings_are_used_instead_of_embedding(tiny: Path) -> None:
    emb = FakeEmbedder()
    linker = EmbeddingTouchpointLinker(embedder=emb, taxonomy=tiny, threshold=0.0, category_weight=0.0)
    texts = ["parcel", "money"]
    vectors = FakeEmbedder().embed(texts)
    given = linker.link(texts, langs=["en", "en"], categories=[[], []], embeddings=vectors)
    assert emb.calls == 1  # prototypes only
    assert given == linker.link(texts, langs=["en", "en"], categories=[[], []], embeddings=None)
    assert emb.calls == 2  # prototypes reused, texts embedded once
    # embeddings that say "money" win over a text that says "parcel"
    swapped = linker.link(texts, langs=["en", "en"], categories=[[], []], embeddings=vectors[::-1].copy())
    assert [g.touchpoint for g in swapped] == ["payment", "delivery"]


def test_blank_texts_and_empty_input(tiny: Path) -> None:
    linker = EmbeddingTouchpointLinker(embedder=FakeEmbedder(), taxonomy=tiny, threshold=0.0)
    out = linker.link(["", "parcel"], langs=["en", "en"], categories=[["PRICE"], []], embeddings=None)
    assert out[0] == TouchpointGuess("unassigned", 0.0) and out[1].touchpoint == "delivery"
    assert linker.link([], langs=[], categories=[], embeddings=None) == []


def test_input_checks(tiny: Path) -> None:
    linker = EmbeddingTouchpointLinker(embedder=FakeEmbedder(), taxonomy=tiny)
    with pytest.raises(ConfigError, match="categories must have one entry per text"):
        linker.link(["a"], langs=["en"], categories=[], embeddings=None)
    with pytest.raises(ConfigError, match="embeddings must have one row per text"):
        linker.link(["a"], langs=["en"], categories=[[]], embeddings=np.ones((2, 64)))
    with pytest.raises(SchemaError, match=r"\[E013\].*\(1, 5\)"):
        linker.link(["a"], langs=["en"], categories=[[]], embeddings=np.ones((1, 5)))
    with pytest.raises(ConfigError, match=r"\[E006\]"):
        EmbeddingTouchpointLinker(embedder=NullEmbedder()).link(["a"], langs=["en"], categories=[[]], embeddings=None)
    with pytest.raises(ConfigError, match="category_weight must be in"):
        EmbeddingTouchpointLinker(embedder=FakeEmbedder(), category_weight=1.5).link(
            ["a"], langs=["en"], categories=[[]], embeddings=None)
