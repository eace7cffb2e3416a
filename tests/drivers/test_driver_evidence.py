"""Evidence selection: representative, diverse, negative-first, language spread, deterministic."""

from __future__ import annotations

import numpy as np
import pytest

from vocmine.drivers import select_evidence
from vocmine.errors import ConfigError, SchemaError


def test_prefers_most_negative_without_embeddings() -> None:
    scores = np.array([0.5, -0.9, -0.2, -0.7, 0.9])
    got = select_evidence([0, 1, 2, 3, 4], embeddings=None, scores=scores, langs=["en"] * 5, k=2)
    assert got == [1, 3]
    pos = select_evidence([0, 1, 2, 3, 4], embeddings=None, scores=scores, langs=["en"] * 5, k=2,
                          direction=1)
    assert pos == [4, 0]


def test_mmr_skips_near_duplicates() -> None:
    rng = np.random.default_rng(0)
    dup = np.array([1.0, 0.0, 0.0]) + rng.normal(0, 1e-3, (6, 3))  # six near-identical docs
    spread = np.array([[0.7, 0.7, 0.0], [0.7, 0.0, 0.7], [0.6, 0.5, 0.5]])
    emb = np.vstack([dup, spread])
    got = select_evidence(range(9), embeddings=emb, scores=np.zeros(9), langs=["en"] * 9, k=3,
                          direction=0)
    assert sum(i < 6 for i in got) == 1  # one representative of the duplicate cluster


def test_spreads_languages() -> None:
    scores = np.array([-1.0] * 8 + [-0.1, -0.2])  # English far more negative
    langs = ["en"] * 8 + ["ru", "zh"]
    got = select_evidence(range(10), embeddings=None, scores=scores, langs=langs, k=4)
    assert {langs[i] for i in got} == {"en", "ru", "zh"}


def test_candidate_aligned_and_corpus_indexed_arrays_agree_and_are_deterministic() -> None:
    rng = np.random.default_rng(1)
    emb = rng.normal(size=(50, 8))
    scores = rng.uniform(-1, 1, 50)
    langs = [("en", "pl")[i % 2] for i in range(50)]
    cand = [40, 3, 17, 29, 8, 11, 33]
    by_corpus = select_evidence(cand, embeddings=emb, scores=scores, langs=langs, k=4, random_state=3)
    aligned = select_evidence(cand, embeddings=emb[cand], scores=scores[cand],
                              langs=[langs[i] for i in cand], k=4, random_state=3)
    assert by_corpus == aligned and set(by_corpus) <= set(cand) and len(set(by_corpus)) == 4
    assert by_corpus == select_evidence(cand, embeddings=emb, scores=scores, langs=langs, k=4,
                                        random_state=3)


def test_edge_cases_and_errors() -> None:
    assert select_evidence([], embeddings=None, scores=np.zeros(3), langs=["en"] * 3) == []
    assert select_evidence([2, 2], embeddings=None, scores=np.zeros(3), langs=["en"] * 3, k=5) == [2]
    with pytest.raises(ConfigError, match=r"\[E004\]"):
        select_evidence([0], embeddings=None, scores=np.zeros(1), langs=["en"], k=-1)
    with pytest.raises(SchemaError, match=r"\[E002\]"):
        select_evidence([0, 7], embeddings=None, scores=np.zeros(3), langs=["en"] * 3)
