"""Dask local-cluster scoring gives the same result as the single-machine path."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from vocmine import Pipeline, PipelineConfig, registry
from vocmine.distributed import collect_result, score_dask, score_partition, spark_schema
from vocmine.errors import SchemaError

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

FAKES = {"embedder": "FakeEmbedder", "lang": "FakeLanguageDetector", "sentiment": "FakeSentiment",
         "aspects": "FakeAspects", "topics": "FakeTopics", "touchpoints": "FakeTouchpoints", "drivers": "FakeDrivers"}
COLS = {"text_col": "text", "id_col": "id", "rating_col": "stars", "touchpoint_col": None, "time_col": "date"}


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cfg = PipelineConfig()
    for stage, cls in FAKES.items():
        name = f"tests.{stage}.fake.v1"
        registry.register(name, f"tests.fakes:{cls}", stage=stage)
        cfg = cfg.with_stage(stage, name)
    out = tmp_path_factory.mktemp("model")
    Pipeline(cfg).fit(_frame(30), **COLS).save(out)
    return out


def _frame(n: int) -> pd.DataFrame:
    texts = ["Доставка опоздала. Поддержка молчит!", "配送太慢了。价格还可以。", "Dostawa szybka, cena dobra.",
             "Great app but the delivery was late.", "", "The price is good, love it."]
    return pd.DataFrame({"id": [f"r{i:03d}" for i in range(n)], "text": [texts[i % 6] for i in range(n)],
                         "stars": [1 + i % 5 for i in range(n)], "date": [f"2026-{1 + i % 9:02d}-01" for i in range(n)]})


def test_dask_local_cluster_matches_single_machine(model_dir: Path) -> None:
    df = _frame(48)
    pipe = Pipeline.load(model_dir)
    single = pipe.score(df, **COLS)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cl, \
            distributed.Client(cl):
        wide = score_dask(dd.from_pandas(df, npartitions=4), model_dir=str(model_dir), columns=COLS).compute()
    res = collect_result(wide, pipe)
    pd.testing.assert_frame_equal(res.documents.reset_index(drop=True),
                                  single.documents.sort_values("feedback_id", ignore_index=True), check_dtype=False)
    assert sorted(res.errors["feedback_id"]) == sorted(single.errors["feedback_id"])
    assert len(res.sentences) == len(single.sentences) and len(res.mentions) == len(single.mentions)
    ref = pipe.rank_drivers(single.documents.sort_values("feedback_id", ignore_index=True),
                            single.mentions.sort_values(["feedback_id", "sentence_idx", "start"], ignore_index=True))
    pd.testing.assert_frame_equal(res.drivers.drop(columns="evidence"), ref.drop(columns="evidence"))


def test_partition_needs_ids(model_dir: Path) -> None:
    with pytest.raises(SchemaError, match="id_col"):
        score_partition(_frame(3), model_dir=str(model_dir), columns={"text_col": "text"})


def test_spark_schema_covers_wide_columns() -> None:
    from vocmine.distributed import WIDE_COLUMNS

    assert [part.split()[0] for part in spark_schema().split(", ")] == list(WIDE_COLUMNS)
