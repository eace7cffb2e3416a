from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.fakes import FakeEmbedder
from vocmine._null import NullEmbedder
from vocmine.aspects import CategoryMapper, calibrated_probs
from vocmine.errors import ConfigError, SchemaError
from vocmine.resources import load_taxonomy

TINY = """\
kind: categories
items:
  - id: PARCEL
    touchpoint: delivery
    names: {en: parcel, ru: посылка}
    examples: {en: [parcel parcel, parcels], ru: [посылка посылка]}
  - id: MONEY
    touchpoint: payment
    names: {en: money, ru: деньги}
    examples: {en: [money money, moneys], ru: [деньги деньги]}
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    return path


def test_maps_each_term_with_a_probability(tiny: Path) -> None:
    mapper = CategoryMapper(embedder=FakeEmbedder(), taxonomy=tiny, threshold=0.0)
    out = mapper.map(["parcel", "деньги", "money", "посылка"], langs=["en", "ru", "en", "ru"])
    assert [cat for cat, _ in out] == ["PARCEL", "MONEY", "MONEY", "PARCEL"]
    assert all(0.0 < conf < 1.0 for _, conf in out)


def test_threshold_sends_weak_matches_to_other_and_keeps_the_confidence(tiny: Path) -> None:
    emb = FakeEmbedder()
    low = CategoryMapper(embedder=emb, taxonomy=tiny, threshold=0.0).map(["parcel"], langs=["en"])[0]
    cut = low[1] + 1e-6
    high = CategoryMapper(embedder=emb, taxonomy=tiny, threshold=cut).map(["parcel"], langs=["en"])[0]
    assert high == ("OTHER", pytest.approx(low[1]))
    assert CategoryMapper(embedder=emb, taxonomy=tiny, threshold=low[1]).map(["parcel"], langs=["en"])[0][0] == "PARCEL"


def test_blank_terms_are_other_without_embedding(tiny: Path) -> None:
    emb = FakeEmbedder()
    mapper = CategoryMapper(embedder=emb, taxonomy=tiny)
    assert mapper.map(["", "  "], langs=["en", "en"]) == [("OTHER", 0.0), ("OTHER", 0.0)]
    assert mapper.map([], langs=[]) == []
    assert emb.calls == 0


def test_prototypes_are_embedded_once(tiny: Path) -> None:
    emb = FakeEmbedder()
    mapper = CategoryMapper(embedder=emb, taxonomy=tiny)
    mapper.map(["parcel"], langs=["en"])
    mapper.map(["money"], langs=["en"])
    assert emb.calls == 3  # prototypes once + one call per map


def test_context_is_mixed_in(tiny: Path) -> None:
    mapper = CategoryMapper(embedder=FakeEmbedder(), taxonomy=tiny, threshold=0.0)
    alone = mapper.probabilities(["it"])
    with_ctx = mapper.probabilities(["it"], contexts=["money money money"])
    assert with_ctx[0, 1] > alone[0, 1]
    with pytest.raises(ConfigError, match="contexts must have one entry per term"):
        mapper.map(["a", "b"], langs=["en", "en"], contexts=["x"])


def test_builtin_taxonomy_ids_and_length_checks() -> None:
    mapper = CategoryMapper(embedder=FakeEmbedder())
    out = mapper.map(["delivery", "цена", "配送"], langs=["en", "ru", "zh"])
    ids = set(load_taxonomy("default", kind="categories").ids) | {"OTHER"}
    assert len(out) == 3 and all(cat in ids for cat, _ in out)
    with pytest.raises(ConfigError, match="langs must have one entry per term"):
        mapper.map(["a"], langs=[])


def test_invalid_setup_is_refused(tiny: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[E006\].*dim=0"):
        CategoryMapper(embedder=NullEmbedder(), taxonomy=tiny).map(["x"], langs=["en"])
    with pytest.raises(ConfigError, match="threshold must be in"):
        CategoryMapper(embedder=FakeEmbedder(), taxonomy=tiny, threshold=2.0).map(["x"], langs=["en"])
    with pytest.raises(ConfigError, match="Unknown categories taxonomy preset"):
        CategoryMapper(embedder=FakeEmbedder(), taxonomy="nope").map(["x"], langs=["en"])


def test_calibrated_probs_none_class() -> None:
    sims = np.array([[0.9, 0.5], [0.1, 0.1]])
    p = calibrated_probs(sims, temperature=0.1, null_similarity=0.8)
    assert p.shape == (2, 2) and np.all(p.sum(axis=1) < 1.0)
    assert p[0].argmax() == 0 and p[1].max() < 0.01  # far below the none-similarity: nothing fits


def test_propose_categories_groups_unmapped_terms_and_drops_nothing(tiny: Path) -> None:
    mapper = CategoryMapper(embedder=FakeEmbedder(), taxonomy=tiny, threshold=1.0)  # nothing maps
    terms = ["wifi", "Wi-Fi", "wifi ", "WIFI", "parking", "parking lot", "parking", "zzz", "parcel"]
    groups = mapper.propose_categories(terms, ["en"] * len(terms), min_size=3, distance_threshold=0.5)
    assert groups == mapper.propose_categories(terms, ["en"] * len(terms), min_size=3, distance_threshold=0.5)
    listed = [t for g in groups for t in g["terms"]]
    assert sorted(listed) == sorted({t.strip().casefold() for t in terms})
    assert sum(g["size"] for g in groups) == len(terms)
    proposals = [g for g in groups if g["id"].startswith("PROPOSED_")]
    assert proposals and {"wifi", "wi-fi"} <= set(proposals[0]["terms"])
    assert proposals[0]["langs"] == {"en": proposals[0]["size"]}
    assert proposals[0]["nearest_category"] in {"PARCEL", "MONEY"}
    assert groups[-1]["id"] == "OTHER" and "zzz" in groups[-1]["terms"]


def test_propose_categories_skips_terms_that_already_map(tiny: Path) -> None:
    mapper = CategoryMapper(embedder=FakeEmbedder(), taxonomy=tiny, threshold=0.0)  # everything maps
    assert mapper.propose_categories(["parcel", "money"], ["en", "en"]) == []
    groups = mapper.propose_categories(["parcel", "money"], ["en", "en"], only_unmapped=False, min_size=1)
    assert sorted(t for g in groups for t in g["terms"]) == ["money", "parcel"]
    with pytest.raises(ConfigError, match="min_size"):
        mapper.propose_categories(["a"], ["en"], min_size=0)


def test_wrong_embedding_width_is_reported(tiny: Path) -> None:
    mapper = CategoryMapper(embedder=FakeEmbedder(), taxonomy=tiny)
    with pytest.raises(SchemaError, match=r"\[E013\]"):
        mapper.index.similarities(np.ones((1, 3)))
