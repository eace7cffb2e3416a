"""The vectorised driver design equals a plain per-mention reference on random inputs."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from vocmine._driver_input import build_design, pick_evidence
from vocmine.types import DriverRecord

CATS = np.array(["DELIVERY", "PRICE", "OTHER", "", None, "FOOD", "STAFF"], dtype=object)
TPS = np.array(["delivery", "pay", None, "unassigned", "use"], dtype=object)


def reference(docs, cats, scores, spans, touchpoints, topics, rows):
    """Per driver: {document: (mean score, (start, end, score) of the first most negative mention)}."""
    members: dict[str, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    keep = set(rows.tolist())
    for d, cat, score, span in zip(docs.tolist(), cats, scores.tolist(), spans.tolist()):
        if d not in keep or not cat or cat == "OTHER":
            continue
        names = [cat] + ([f"{cat}@{touchpoints[d]}"] if touchpoints[d] and touchpoints[d] != "unassigned" else [])
        for name in names:
            members[name][d].append((score, span))
    out = {}
    for name, by_doc in members.items():
        out[name] = {}
        for d, items in by_doc.items():
            best = items[0]
            for item in items[1:]:
                if item[0] < best[0]:
                    best = item
            out[name][d] = (np.mean([s for s, _ in items]), (best[1][0], best[1][1], best[0]))
    for d in rows.tolist():
        if topics[d] >= 0:
            out.setdefault(f"topic:{topics[d]}", {})[d] = (0.0, None)
    return out


@pytest.mark.parametrize("seed", range(12))
def test_design_matches_reference(seed):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 200)), int(rng.integers(0, 600))
    ratings = rng.integers(1, 6, n).astype(float)
    ratings[rng.random(n) < 0.3] = np.nan
    docs = rng.integers(0, n, m)
    cats = CATS[rng.integers(0, len(CATS), m)]
    scores = np.round(rng.uniform(-1, 1, m), 1)  # rounded: ties in the strongest mention
    spans = np.sort(rng.integers(0, 80, (m, 2)), axis=1)
    topics = rng.integers(-1, 5, n)
    tps = TPS[rng.integers(0, len(TPS), n)]
    design = build_design(ratings=ratings, sentiment_scores=rng.uniform(-1, 1, n), mention_docs=docs,
                          mention_categories=cats, mention_scores=scores, mention_spans=spans, topic_ids=topics,
                          touchpoints=tps, periods=None)
    if not np.isfinite(ratings).any():
        assert design is None
        return
    ref = reference(docs, cats, scores, spans, tps, topics, design.rows)
    assert list(design.data.names) == sorted(ref)
    row_of = {int(d): i for i, d in enumerate(design.rows)}
    for j, name in enumerate(design.data.names):
        expect_ind = np.zeros(design.rows.size, dtype=np.uint8)
        expect_pol = np.zeros(design.rows.size)
        for d, (mean, _) in ref[name].items():
            expect_ind[row_of[d]], expect_pol[row_of[d]] = 1, mean
        np.testing.assert_array_equal(design.data.indicators[:, j], expect_ind)
        np.testing.assert_allclose(design.data.polarity.toarray()[:, j], expect_pol, atol=1e-6)
        found, at = design.spans.lookup(j, np.array(sorted(ref[name])))
        for ok, i, d in zip(found, at, sorted(ref[name])):
            best = ref[name][d][1]
            assert ok == (best is not None)
            if ok:
                assert (design.spans.starts[i], design.spans.ends[i], design.spans.scores[i]) == best
        kind = "topic" if name.startswith("topic:") else "category_touchpoint" if "@" in name else "category"
        assert design.data.kinds[j] == kind
        record = DriverRecord(driver=name, kind=kind, touchpoint="", n=1, share=0.1, impact=-0.5, ci_low=-1.0,
                              ci_high=0.0, p_value=0.5, q_value=0.5, significant=False, opportunity=0.0, rank=1)
        picks = pick_evidence(record, design, langs=["en"] * n, doc_scores=np.zeros(n), embeddings=None)
        for d, start, end in picks:
            best = ref[name][d][1]
            assert (start, end) == ((0, -1) if best is None else best[:2])
