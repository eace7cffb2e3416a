"""The sentiment model's written training rows are well formed and never copy an evaluation row."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
needs_eval_data = pytest.mark.skipif(
    not (Path(os.environ.get("VOCMINE_EVAL_DATA", ROOT.parent / "shared" / "eval_data")) / "ru_rusentiment").exists(),
    reason="needs the shared evaluation data (VOCMINE_EVAL_DATA)",
)


def _written() -> pd.DataFrame:
    """Every written row: the shipped files and the measured candidate's."""
    from benchmarks._sentiment_data import RU_SOCIAL, RU_SOCIAL_2, SEED_FILES, WRITTEN_3, WRITTEN_4, seed_sentences

    return seed_sentences(SEED_FILES + (RU_SOCIAL, RU_SOCIAL_2, WRITTEN_3, WRITTEN_4))


def test_written_rows_are_labelled_and_unique() -> None:
    from benchmarks._overlap import norm_key

    rows = _written()
    assert len(rows) > 4000
    assert set(rows["label"]) <= {"negative", "neutral", "positive"}
    assert set(rows["lang"]) <= {"en", "ru", "pl", "zh"}
    assert rows["text"].str.strip().str.len().gt(0).all()
    keys = rows["text"].map(norm_key)  # the key training de-duplicates on
    assert not keys.duplicated().any(), rows.loc[keys.duplicated(), "text"].head(3).tolist()


@needs_eval_data
def test_written_rows_never_equal_an_evaluation_row() -> None:
    from benchmarks._sentiment_data import overlap_audit

    hits = overlap_audit(_written())
    assert not any(hits.values()), hits


#: Near duplicates in the first two seed files, written before the near-duplicate filter existed:
#: generic phrases, kept because the shipped models were trained on them. No other written row may
#: nearly equal an evaluation text.
KNOWN_NEAR_DUPLICATES = {
    "Towar zgodny z opisem, gorąco polecam.",
    "Wszystko działa bez zarzutu.",
    "отвратительно, просто отвратительно",
    "неа не понравилось",
}


@needs_eval_data
def test_written_rows_never_nearly_equal_an_evaluation_text() -> None:
    from benchmarks._overlap import new_near_duplicates
    from benchmarks._sentiment_data import evaluation_texts

    written = _written()["text"].tolist()
    reference = [str(t) for texts in evaluation_texts().values() for t in texts]
    assert not (new := new_near_duplicates(written, reference, KNOWN_NEAR_DUPLICATES)), new
