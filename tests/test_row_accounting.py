"""Hypothesis: arbitrary bad frames never lose a row or raise an undocumented exception."""

from __future__ import annotations

import math
from collections import Counter

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vocmine import Pipeline, PipelineConfig
from vocmine.errors import InputRowError, VocmineError
from tests.fakes import fake_components

cell_text = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["", "   ", "\n\t", "Доставка опоздала. Поддержка молчит!", "配送太慢了。", "ok 👍", "x" * 300]),
    st.none(), st.just(math.nan), st.integers(), st.floats(allow_nan=True), st.binary(max_size=20),
    st.lists(st.integers(), max_size=2),
)
cell_id = st.one_of(st.integers(0, 5), st.text(max_size=3), st.none())
cell_rating = st.one_of(st.integers(-2, 12), st.floats(allow_nan=True, allow_infinity=False), st.none(),
                        st.sampled_from(["5", "five", ""]))
cell_time = st.one_of(st.none(), st.sampled_from(["2026-01-05", "not a date", "2026-13-45", ""]),
                      st.datetimes().map(str))

rows = st.lists(st.tuples(cell_id, cell_text, cell_rating, cell_time), max_size=12)
COMPONENTS = fake_components()


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=rows, use_id=st.booleans(), on_error=st.sampled_from(["collect", "raise"]))
def test_every_row_in_documents_or_errors(rows: list, use_id: bool, on_error: str) -> None:
    df = pd.DataFrame(rows, columns=["id", "text", "rating", "time"])
    pipe = Pipeline(PipelineConfig(on_error=on_error, max_text_chars=200), components=COMPONENTS)
    try:
        r = pipe.run(df, id_col="id" if use_id else None, rating_col="rating", time_col="time")
    except InputRowError:
        assert on_error == "raise"
        return
    except VocmineError as exc:  # any other documented error must carry a code
        assert str(exc).startswith("[E"), exc
        return
    assert len(r.documents) + len(r.errors) == len(df)
    ids = [str(v) for v in df["id"]] if use_id else [str(i) for i in range(len(df))]
    got = r.documents["feedback_id"].tolist() + [str(x) for x in r.errors["feedback_id"]]
    assert Counter(got) == Counter(ids)
    error_rows = r.errors["row"].tolist()
    assert len(set(error_rows)) == len(error_rows)
    unique_doc_rows = {ids.index(x) for x in r.documents["feedback_id"] if ids.count(x) == 1}
    assert not unique_doc_rows & set(error_rows)
    r.to_json()  # always serialisable
