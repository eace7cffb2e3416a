"""The batch final step ranks part by part (collapsed rows, preselected evidence) exactly like one pass."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vocmine import Pipeline
from vocmine.batch._drivers import rank_parts
from vocmine.batch._score import _write_part
from vocmine.drivers import ImpactRanker
from tests.fakes import fake_components

CATS = ["DELIVERY", "PRICE", "STAFF", "FOOD", "OTHER"]
LANGS = ["en", "ru", "pl", "zh"]


def _tables(n: int, rated: bool, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    docs = pd.DataFrame({
        "feedback_id": [f"d{i}" for i in range(n)],
        "text": [f"text number {i} about delivery and price" for i in range(n)],
        "rating": np.where(rng.random(n) < 0.9, rng.integers(1, 6, n), np.nan) if rated else np.nan,
        "touchpoint": rng.choice(["delivery", "payment", "unassigned"], n),
        "created_at": pd.Timestamp("2026-01-05") + pd.to_timedelta(rng.integers(0, 70, n), unit="D"),
        "lang": rng.choice(LANGS, n),
        "sentiment_score": np.round(rng.uniform(-1, 1, n), 2),  # rounded: many exact ties among quotes
        "topic_id": rng.integers(-1, 4, n),
    })
    m = int(n * 1.5)
    at = np.sort(rng.integers(0, n, m))
    start = rng.integers(0, 12, m)
    mentions = pd.DataFrame({"feedback_id": docs["feedback_id"].to_numpy()[at], "category": rng.choice(CATS, m),
                             "score": np.round(rng.uniform(-1, 1, m), 1), "start": start, "end": start + 8})
    return docs, mentions


def _write(out: Path, docs: pd.DataFrame, mentions: pd.DataFrame, part_rows: int) -> list[Path]:
    for name in ("documents", "mentions"):
        (out / name).mkdir(parents=True)
    parts = []
    for k, lo in enumerate(range(0, len(docs), part_rows)):
        d = docs.iloc[lo:lo + part_rows]
        path = out / "documents" / f"part-{k:05d}.parquet"
        _write_part(d, path, typed=True)
        _write_part(mentions[mentions["feedback_id"].isin(d["feedback_id"])], out / "mentions" / path.name, typed=True)
        parts.append(path)
    return parts


@pytest.mark.parametrize("rated", [True, False])
def test_rank_parts_equals_one_pass(tmp_path: Path, rated: bool) -> None:
    docs, mentions = _tables(2400, rated)
    parts = _write(tmp_path, docs, mentions, part_rows=300)
    pipe = Pipeline(components={**fake_components(), "drivers": ImpactRanker(n_boot=100)})  # type: ignore[arg-type]
    text_of = dict(zip(docs["feedback_id"], docs["text"]))
    got = rank_parts(pipe, tmp_path, parts, lambda ids: {i: text_of[i] for i in ids})
    want = pipe.rank_drivers(docs, mentions)
    assert len(want) > 10 and want["evidence"].map(len).max() == 5
    assert want["trend_p_value"].notna().any()
    pd.testing.assert_frame_equal(got.drop(columns=["evidence"]), want.drop(columns=["evidence"]),
                                  check_exact=False, rtol=1e-9)
    assert got["evidence"].tolist() == want["evidence"].tolist()


def test_seen_ids_remember_across_commits_and_prefetch() -> None:
    from vocmine.batch._ids import SeenIds

    ids = SeenIds()
    for chunk in (["a", "b"], ["c"], [str(i) for i in range(20)]):
        ids.prefetch(chunk)
        for key in chunk:
            assert key not in ids
            ids.add(key)
            assert key in ids
        ids.commit()
    ids.prefetch(["a", "zz", "7"])
    assert "a" in ids and "7" in ids and "zz" not in ids
    assert "c" in ids and "nope" not in ids  # not prefetched: looked up directly
    assert len(ids) == 23


def test_rank_parts_without_drivers_or_dates(tmp_path: Path) -> None:
    pipe = Pipeline(components={**fake_components(), "drivers": ImpactRanker(n_boot=50)})  # type: ignore[arg-type]
    docs, mentions = _tables(300, rated=True)
    docs["topic_id"] = -1
    none = rank_parts(pipe, tmp_path / "a", _write(tmp_path / "a", docs, mentions.iloc[:0], 100), lambda ids: {})
    assert none.empty and list(none.columns) == list(pipe.rank_drivers(docs, mentions.iloc[:0]).columns)
    docs, mentions = _tables(300, rated=False, seed=3)
    docs["created_at"] = pd.NaT
    text_of = dict(zip(docs["feedback_id"], docs["text"]))
    got = rank_parts(pipe, tmp_path / "b", _write(tmp_path / "b", docs, mentions, 100),
                     lambda ids: {i: text_of[i] for i in ids})
    want = pipe.rank_drivers(docs, mentions)
    assert want["trend_p_value"].isna().all() and len(want) > 0
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9)
