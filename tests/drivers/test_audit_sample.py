"""audit_sample: which documents to read for an audit, and the round trip back into ``audit=``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vocmine._driver_input import audit_sets
from vocmine.drivers import audit_sample
from vocmine.drivers._calibrate import MIN_AUDITED
from vocmine.errors import SchemaError
from vocmine.result import AnalysisResult


def _result(n_docs: int = 2000, seed: int = 3) -> AnalysisResult:
    rng = np.random.default_rng(seed)
    ids = [f"d{i}" for i in range(n_docs)]
    rows = []
    for fid in ids:
        if rng.random() < 0.3:
            rows.append((fid, "FOOD"))
        if rng.random() < 0.01:  # rare: ~20 documents
            rows.append((fid, "CLEANLINESS"))
        if rng.random() < 0.05:
            rows.append((fid, "OTHER"))
    r = AnalysisResult.empty()
    r.documents = pd.DataFrame({"feedback_id": ids, "lang": "en", "text": [f"text {i}" for i in ids]})
    r.mentions = pd.DataFrame(rows, columns=["feedback_id", "category"])
    return r


def test_random_sample_topped_up_per_category() -> None:
    r = _result()
    s = audit_sample(r, 100, show_predicted=True)
    assert s["feedback_id"].is_unique and len(s) >= 100
    predicted = r.mentions.groupby("feedback_id")["category"].agg(set)
    in_sample = predicted.reindex(s["feedback_id"]).dropna()
    rare_total = int((predicted.map(lambda c: "CLEANLINESS" in c)).sum())
    assert 0 < rare_total < MIN_AUDITED
    assert sum("CLEANLINESS" in c for c in in_sample) == rare_total  # all of a rare category's documents
    assert sum("FOOD" in c for c in in_sample) >= MIN_AUDITED
    assert not any("OTHER" in p for p in s["predicted"])  # the catch-all is not a driver
    assert (s["category"] == "").all() and list(s.columns) == ["feedback_id", "lang", "text", "predicted", "category"]


def test_same_sample_whatever_the_row_order() -> None:
    r = _result()
    first = audit_sample(r, 50, seed=7)
    shuffled = _result()
    shuffled.documents = shuffled.documents.sample(frac=1.0, random_state=1).reset_index(drop=True)
    assert first.equals(audit_sample(shuffled, 50, seed=7))
    assert not first["feedback_id"].equals(audit_sample(r, 50, seed=8)["feedback_id"])


def test_filled_sample_is_an_audit() -> None:
    r = _result(200)
    s = audit_sample(r, 10)
    s.loc[s.index[0], "category"] = "FOOD; CLEANLINESS"
    found = audit_sets(s, r.documents["feedback_id"].tolist(), ["FOOD", "CLEANLINESS", "PRICE"])
    assert len(found) == len(s)  # empty rows count as audited documents with no category
    first = r.documents.index[r.documents["feedback_id"] == s["feedback_id"].iloc[0]][0]
    assert found[first] == {"FOOD", "CLEANLINESS"}
    s.loc[s.index[1], "category"] = "FOOD;DELIVERY"
    with pytest.raises(SchemaError, match="DELIVERY"):
        audit_sets(s, r.documents["feedback_id"].tolist(), ["FOOD", "CLEANLINESS"])


def test_bad_n_and_empty_result() -> None:
    with pytest.raises(SchemaError, match="positive"):
        audit_sample(_result(10), 0)
    assert audit_sample(AnalysisResult.empty(), 5).empty


def test_cli_writes_the_sample(tmp_path) -> None:
    from vocmine.cli import main

    r = _result(300)
    r.save(tmp_path / "res")
    assert main(["audit-sample", str(tmp_path / "res"), "--n", "20", "--show-predicted"]) == 0
    s = pd.read_csv(tmp_path / "res" / "audit_sample.csv", dtype=str, keep_default_na=False)
    assert len(s) >= 20 and set(s.columns) >= {"feedback_id", "text", "predicted", "category"}
    assert main(["audit-sample", str(tmp_path / "nowhere")]) != 0
    assert main(["audit-sample", str(tmp_path / "res"), "--n", "0"]) != 0


def test_only_rated_documents_when_the_outcome_is_a_rating() -> None:
    r = _result(1000)
    rated = np.arange(1000) % 5 == 0  # 20 % rated: the driver model uses only these
    r.documents["rating"] = np.where(rated, 4.0, np.nan)
    s = audit_sample(r, 100)
    assert set(s["feedback_id"]) <= set(r.documents.loc[rated, "feedback_id"])
    assert len(s) >= 100


def test_sample_rows_takes_a_0_1_matrix_as_a_mask() -> None:
    from vocmine.drivers._audit_sample import sample_rows

    pred = np.zeros((5, 1), dtype=np.uint8)
    pred[3, 0] = 1
    assert sample_rows(pred, 1, np.arange(5)) == [0, 3]


def test_an_unfilled_audit_warns_and_pd_na_is_empty() -> None:
    from vocmine.errors import VocmineWarning

    r = _result(50)
    s = audit_sample(r, 5)
    with pytest.warns(VocmineWarning, match="not one category"):
        audit_sets(s, r.documents["feedback_id"].tolist(), ["FOOD"])
    s["category"] = pd.array(["FOOD"] + [pd.NA] * (len(s) - 1), dtype="string")
    found = audit_sets(s, r.documents["feedback_id"].tolist(), ["FOOD"])
    assert sum(bool(c) for c in found.values()) == 1


def test_cli_keeps_a_filled_sample(tmp_path) -> None:
    from vocmine.cli import main

    _result(100).save(tmp_path / "res")
    assert main(["audit-sample", str(tmp_path / "res"), "--n", "5"]) == 0
    assert main(["audit-sample", str(tmp_path / "res"), "--n", "5"]) != 0  # would overwrite
    assert main(["audit-sample", str(tmp_path / "res"), "--n", "5", "--overwrite"]) == 0
