"""An audit through the public API: vocmine analyze(..., audit=) calibrates the category impacts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.fakes import fake_components
from vocmine import Pipeline
from vocmine.drivers import ImpactRanker
from vocmine.errors import SchemaError


def feedback(n: int = 240, seed: int = 0) -> pd.DataFrame:
    """Reviews where the (fake) extractor sees "delivery" but misses the late parcels said as "parcel late"."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        late, price = rng.random() < 0.4, rng.random() < 0.3
        said = ("the delivery was late" if rng.random() < 0.6 else "the parcel came late") if late else "it came"
        text = f"{said}. " + ("The price is high." if price else "Nothing else.")
        stars = float(np.clip(round(4.2 - 1.5 * late - 0.5 * price + rng.normal(0, 0.6)), 1, 5))
        rows.append({"id": f"r{i}", "text": text, "stars": stars, "late": late, "price": price})
    return pd.DataFrame(rows)


def audit_of(df: pd.DataFrame, k: int) -> pd.DataFrame:
    rows = []
    for r in df.head(k).itertuples():
        cats = [c for c, on in (("DELIVERY", r.late), ("PRICE", r.price)) if on]
        rows += [{"feedback_id": r.id, "category": c} for c in cats] or [{"feedback_id": r.id, "category": None}]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def pipe() -> Pipeline:
    return Pipeline(components={**fake_components(), "drivers": ImpactRanker(n_boot=200, min_support=5)})


def test_audit_calibrates_the_category_impacts(pipe: Pipeline) -> None:
    df = feedback()
    plain = pipe.run(df, id_col="id", rating_col="stars").drivers.set_index("driver")
    cal = pipe.run(df, id_col="id", rating_col="stars", audit=audit_of(df, 120)).drivers.set_index("driver")
    assert (plain["calibration"] == "").all()
    assert cal.loc["DELIVERY", "calibration"] == "audit" and cal.loc["PRICE", "calibration"] == "audit"
    # the extractor misses 40 % of the late parcels: the plain impact is diluted, the audited one is not
    assert plain.loc["DELIVERY", "impact"] > -1.3
    assert cal.loc["DELIVERY", "ci_low"] <= -1.5 <= cal.loc["DELIVERY", "ci_high"]
    assert cal.loc["DELIVERY", "impact"] < plain.loc["DELIVERY", "impact"]


def test_bad_audits_name_the_problem(pipe: Pipeline) -> None:
    df = feedback(60)
    with pytest.raises(SchemaError, match=r"\[E002\].*\['nope'\].*not analysed documents"):
        pipe.run(df, id_col="id", rating_col="stars", audit=pd.DataFrame({"feedback_id": ["nope"], "category": ["PRICE"]}))
    with pytest.raises(SchemaError, match=r"\[E002\] Audit row 0: category 'PRIZE' is not in the category taxonomy"):
        pipe.run(df, id_col="id", rating_col="stars", audit=pd.DataFrame({"feedback_id": ["r1"], "category": ["PRIZE"]}))
    with pytest.raises(SchemaError, match=r"\[E001\].*'feedback_id' and 'category'"):
        pipe.run(df, id_col="id", rating_col="stars", audit=pd.DataFrame({"id": ["r1"]}))
