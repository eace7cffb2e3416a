"""Two threads analysing concurrently get the same results as one after the other."""

from __future__ import annotations

import pickle
from concurrent.futures import ThreadPoolExecutor

import pandas as pd

from tests.fakes import fake_components
from vocmine import Pipeline

COLS = {"text_col": "body", "id_col": "id", "rating_col": "stars", "touchpoint_col": "tp", "time_col": "date"}


def _frames(small_df: pd.DataFrame) -> list[pd.DataFrame]:
    other = small_df.copy()
    other["id"] = other["id"] + "-2"
    other["body"] = other["body"].str.upper()
    return [small_df, other] * 4


def _key(result: object) -> str:
    return result.to_json()  # type: ignore[attr-defined,no-any-return]


def test_one_shared_pipeline_in_two_threads(small_df: pd.DataFrame) -> None:
    frames = _frames(small_df)
    expected = [_key(Pipeline(components=fake_components()).run(f, **COLS)) for f in frames]  # type: ignore[arg-type]
    shared = Pipeline(components=fake_components())
    with ThreadPoolExecutor(max_workers=2) as pool:
        got = list(pool.map(lambda f: _key(shared.run(f, **COLS)), frames))  # type: ignore[arg-type]
    assert got == expected


def test_pipelines_per_thread_and_pickling_keep_working(small_df: pd.DataFrame) -> None:
    frames = _frames(small_df)
    with ThreadPoolExecutor(max_workers=2) as pool:
        got = list(pool.map(lambda f: _key(Pipeline(components=fake_components()).run(f, **COLS)), frames))  # type: ignore[arg-type]
    assert got[0] == got[2] == got[4] and got[1] == got[3]
    clone = pickle.loads(pickle.dumps(Pipeline(components=fake_components())))
    assert _key(clone.run(small_df, **COLS)) == got[0]  # type: ignore[arg-type]
