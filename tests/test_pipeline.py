from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import vocmine
from vocmine import Pipeline, PipelineConfig
from vocmine.errors import ConfigError, InputRowError, SchemaError, VocmineError
from tests.fakes import FakeEmbedder, fake_components


def run(df: pd.DataFrame, **kw: object) -> vocmine.AnalysisResult:
    return Pipeline(components=fake_components()).run(df, **kw)  # type: ignore[arg-type]


def test_every_row_accounted_for(small_df: pd.DataFrame) -> None:
    r = run(small_df, text_col="body", id_col="id", rating_col="stars", touchpoint_col="tp", time_col="date")
    assert sorted(r.documents["feedback_id"].tolist() + r.errors["feedback_id"].tolist()) == sorted(small_df["id"])
    assert r.errors.loc[0, "reason"] == "text is empty or whitespace only"
    assert r.errors.loc[0, "stage"] == "input"


def test_given_touchpoint_wins_and_blank_is_inferred(small_df: pd.DataFrame) -> None:
    r = run(small_df, text_col="body", id_col="id", touchpoint_col="tp")
    docs = r.documents.set_index("feedback_id")
    assert docs.loc["a", "touchpoint"] == "delivery" and docs.loc["a", "touchpoint_source"] == "given"
    assert docs.loc["d", "touchpoint_source"] == "inferred"  # blank string is not a given touchpoint
    assert docs.loc["f", "touchpoint"] == "purchase"


def test_sentence_offsets_slice_the_original_text(small_df: pd.DataFrame) -> None:
    r = run(small_df, text_col="body", id_col="id")
    texts = r.documents.set_index("feedback_id")["text"]
    for row in r.sentences.itertuples():
        assert texts[row.feedback_id][row.start : row.end] == row.text
    for row in r.mentions.itertuples():
        assert texts[row.feedback_id][row.start : row.end] == row.aspect
    assert (r.sentences.groupby("feedback_id")["sentence_idx"].min() == 0).all()


def test_mixed_review_is_flagged_and_sentences_disagree(small_df: pd.DataFrame) -> None:
    r = run(small_df, text_col="body", id_col="id")
    d = r.sentences[r.sentences["feedback_id"] == "d"]["sentiment"].tolist()
    assert "positive" in d and "negative" in d
    assert bool(r.documents.set_index("feedback_id").loc["d", "mixed"])


def test_drivers_rank_categories_and_pairs(small_df: pd.DataFrame) -> None:
    r = run(small_df, text_col="body", id_col="id", rating_col="stars", touchpoint_col="tp", time_col="date")
    assert set(r.drivers["kind"]) >= {"category", "category_touchpoint"}
    top = r.drivers.sort_values("rank").iloc[0]
    assert top["impact"] < 0
    assert all(isinstance(e, list) for e in r.drivers["evidence"])
    ev = r.drivers.iloc[0]["evidence"][0]
    text = r.documents.set_index("feedback_id").loc[ev["feedback_id"], "text"]
    assert text[ev["start"] : ev["end"]] == ev["quote"]


def test_embeddings_computed_once_per_run(small_df: pd.DataFrame) -> None:
    comps = fake_components()
    emb = comps["embedder"]
    assert isinstance(emb, FakeEmbedder)
    Pipeline(components=comps).run(small_df, text_col="body")  # type: ignore[arg-type]
    assert emb.calls == 1


def test_missing_column_names_present_columns(small_df: pd.DataFrame) -> None:
    with pytest.raises(SchemaError, match=r"\[E001\].*'body'.*text_col='body'"):
        run(small_df)


def test_on_error_raise(small_df: pd.DataFrame) -> None:
    p = Pipeline(PipelineConfig(on_error="raise"), components=fake_components())  # type: ignore[arg-type]
    with pytest.raises(InputRowError, match=r"\[E003\] Row 4"):
        p.run(small_df, text_col="body", id_col="id")


def test_duplicate_ids_and_bad_values_are_collected() -> None:
    df = pd.DataFrame({"id": [1, 1, 2, 3, 4], "text": ["ok one", "dup", "x" * 50, "fine", "nice"],
                       "r": [5, 5, 3, "five", 4], "t": ["2026-01-01"] * 4 + ["not a date"]})
    r = Pipeline(PipelineConfig(max_text_chars=40), components=fake_components()).run(  # type: ignore[arg-type]
        df, id_col="id", rating_col="r", time_col="t")
    reasons = dict(zip(r.errors["row"], r.errors["reason"]))
    assert "duplicate" in reasons[1] and "over the limit" in reasons[2]
    assert "not a number" in reasons[3] and "not a date" in reasons[4]
    assert r.documents["feedback_id"].tolist() == ["1"]


def test_component_not_satisfying_protocol_is_rejected() -> None:
    comps = fake_components()
    comps["sentiment"] = object()
    with pytest.raises(ConfigError, match=r"\[E013\].*SentimentModel"):
        Pipeline(components=comps).run(pd.DataFrame({"text": ["a b c"]}))  # type: ignore[arg-type]


def test_component_with_wrong_output_length_fails_clearly() -> None:
    comps = fake_components()

    class Short:
        def detect(self, texts):  # type: ignore[no-untyped-def]
            return []

    comps["lang"] = Short()
    with pytest.raises(VocmineError, match=r"\[E013\] Stage 'lang' returned 0 outputs for 1"):
        Pipeline(components=comps).run(pd.DataFrame({"text": ["hello there"]}))  # type: ignore[arg-type]


def test_embedder_switched_off_but_needed_fails_before_running() -> None:
    cfg = PipelineConfig().with_stage("embedder", "vocmine.embed.null.v1")
    with pytest.raises(ConfigError, match=r"\[E006\].*embedder"):
        Pipeline(cfg).run(pd.DataFrame({"text": ["hello there"]}))


def test_empty_frame() -> None:
    r = run(pd.DataFrame({"text": pd.Series([], dtype=object)}))
    assert r.documents.empty and r.errors.empty and r.drivers.empty


def test_deterministic(small_df: pd.DataFrame) -> None:
    a = run(small_df, text_col="body", id_col="id", rating_col="stars")
    b = run(small_df, text_col="body", id_col="id", rating_col="stars")
    assert a.to_json() == b.to_json()


def test_non_dataframe_input() -> None:
    with pytest.raises(VocmineError, match=r"\[E002\].*read_feedback"):
        Pipeline(components=fake_components()).run(["text"])  # type: ignore[arg-type]


def test_sentiment_outcome_when_no_rating(small_df: pd.DataFrame) -> None:
    r = run(small_df, text_col="body", id_col="id")
    assert len(r.drivers) > 0
    assert np.isfinite(r.drivers["impact"]).all()
