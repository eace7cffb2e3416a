from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from vocmine import AnalysisResult, Pipeline
from vocmine.batch import iter_chunks, score_file
from vocmine.drivers import ImpactRanker
from vocmine.errors import NotFittedError, VocmineError
from tests.fakes import fake_components

ROOT = Path(__file__).resolve().parents[2]
TEXTS = ["Доставка опоздала. Поддержка молчит!", "配送太慢了。价格还可以。", "Dostawa szybka, cena dobra.",
         "Great app but the delivery was late.", "Support was rude.", "The price is good.", "", "Love it, fast!"]


def _frame(n: int) -> pd.DataFrame:
    return pd.DataFrame({
        "id": [f"r{i}" for i in range(n)], "text": [TEXTS[i % len(TEXTS)] + f" #{i}" * (i % 2) for i in range(n)],
        "stars": [1 + i % 5 for i in range(n)], "tp": ["delivery" if i % 4 == 0 else "" for i in range(n)],
        "date": [f"2026-{1 + i % 12:02d}-05" for i in range(n)]})


COLS = {"text_col": "text", "id_col": "id", "rating_col": "stars", "touchpoint_col": "tp", "time_col": "date"}


def _fitted(df: pd.DataFrame) -> Pipeline:
    return Pipeline(components=fake_components()).fit(df, **COLS)  # type: ignore[arg-type]


def test_score_requires_fit() -> None:
    with pytest.raises(NotFittedError, match=r"\[E009\]"):
        Pipeline(components=fake_components()).score(_frame(3))  # type: ignore[arg-type]


def test_save_load_score(tmp_path: Path) -> None:
    df = _frame(20)
    pipe = _fitted(df)
    pipe.save(tmp_path / "model")
    comps = fake_components()
    del comps["topics"]
    loaded = Pipeline.load(tmp_path / "model")
    loaded._given.update(comps)  # the fakes are not registry components; topics come from disk
    a = pipe.score(df, **COLS)
    b = loaded.score(df, **COLS)
    pd.testing.assert_frame_equal(a.documents, b.documents)
    with pytest.raises(VocmineError, match=r"\[E012\]"):
        Pipeline.load(tmp_path)


def test_chunks_are_exact(tmp_path: Path) -> None:
    p = tmp_path / "in.parquet"
    _frame(23).to_parquet(p)
    sizes = [(i, start, len(df)) for i, start, df in iter_chunks(p, chunk_rows=10)]
    assert sizes == [(0, 0, 10), (1, 10, 10), (2, 20, 3)]


@pytest.mark.parametrize("ranker", ["impact", "per-document"])
def test_chunked_scoring_equals_one_shot(tmp_path: Path, ranker: str) -> None:
    """ImpactRanker ranks merged, collapsed parts; a ranker without ``accepts_counts`` gets every document."""
    df = _frame(40)
    p = tmp_path / "in.csv"
    df.to_csv(p, index=False)
    comps = fake_components()
    if ranker == "impact":
        comps["drivers"] = ImpactRanker(n_boot=50)
    pipe = Pipeline(components=comps).fit(df, **COLS)  # type: ignore[arg-type]
    out = score_file(pipe, p, tmp_path / "out", columns=COLS, chunk_rows=7, progress=False)
    res = AnalysisResult.load(out)
    whole = pipe.score(pd.read_csv(p, dtype=object, keep_default_na=False, na_values=[""]), **COLS)
    assert len(res.documents) + len(res.errors) == len(df)
    pd.testing.assert_series_equal(res.documents["feedback_id"], whole.documents["feedback_id"])
    pd.testing.assert_series_equal(res.documents["sentiment_score"], whole.documents["sentiment_score"])
    assert res.errors["row"].tolist() == whole.errors["row"].tolist()
    assert len(res.drivers) > 0 and all(isinstance(e, list) for e in res.drivers["evidence"])
    # the final step reads parts column-wise and matches mentions per part: same drivers as one frame
    cols = ["driver", "kind", "touchpoint", "n", "impact", "ci_low", "ci_high", "q_value", "neg_share", "emerging"]
    ref = pipe.rank_drivers(whole.documents, whole.mentions)
    assert len(ref) > 0
    pd.testing.assert_frame_equal(res.drivers[cols].reset_index(drop=True), ref[cols].reset_index(drop=True),
                                  check_dtype=False)
    assert res.drivers["evidence"].tolist() == ref["evidence"].tolist()
    for ev in res.drivers["evidence"].iloc[0]:
        text = res.documents.set_index("feedback_id").loc[ev["feedback_id"], "text"]
        assert text[ev["start"]:ev["end"]] == ev["quote"]


def test_duplicate_ids_across_chunks_are_errors(tmp_path: Path) -> None:
    df = _frame(10)
    df.loc[8, "id"] = "r1"
    p = tmp_path / "in.csv"
    df.to_csv(p, index=False)
    out = score_file(_fitted(df), p, tmp_path / "out", columns=COLS, chunk_rows=4, progress=False)
    errors = AnalysisResult.load(out).errors
    assert "duplicate" in errors.set_index("row").loc[8, "reason"]


def test_other_input_in_same_out_dir_is_refused(tmp_path: Path) -> None:
    df = _frame(10)
    p, q = tmp_path / "a.csv", tmp_path / "b.csv"
    df.to_csv(p, index=False)
    _frame(12).to_csv(q, index=False)
    pipe = _fitted(df)
    score_file(pipe, p, tmp_path / "out", columns=COLS, chunk_rows=4, progress=False)
    with pytest.raises(VocmineError, match=r"\[E012\].*different input"):
        score_file(pipe, q, tmp_path / "out", columns=COLS, chunk_rows=4, progress=False)
    score_file(pipe, q, tmp_path / "out", columns=COLS, chunk_rows=4, progress=False, resume=False)


SCRIPT = textwrap.dedent("""
    import sys, time
    import pandas as pd
    sys.path.insert(0, {root!r})
    from tests.fakes import fake_components, FakeSentiment
    from vocmine import Pipeline
    from vocmine.batch import score_file

    class SlowSentiment(FakeSentiment):
        def predict(self, texts, *, langs):
            time.sleep(float(sys.argv[3]))
            return super().predict(texts, langs=langs)

    comps = fake_components(); comps["sentiment"] = SlowSentiment()
    cols = {cols!r}
    pipe = Pipeline(components=comps).fit(pd.read_csv(sys.argv[1], dtype=object, keep_default_na=False,
                                                      na_values=[""]), **cols)
    score_file(pipe, sys.argv[1], sys.argv[2], columns=cols, chunk_rows=5, progress=False)
""")


def test_kill_and_resume_gives_identical_output(tmp_path: Path) -> None:
    df = _frame(60)
    p = tmp_path / "in.csv"
    df.to_csv(p, index=False)
    script = tmp_path / "run.py"
    script.write_text(SCRIPT.format(root=str(ROOT), cols=COLS))
    ref, out = tmp_path / "ref", tmp_path / "out"
    subprocess.run([sys.executable, str(script), str(p), str(ref), "0"], check=True)
    proc = subprocess.Popen([sys.executable, str(script), str(p), str(out), "0.4"], start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((out / "_progress").glob("*.done"))) < 3:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len(list((out / "_progress").glob("*.done")))
    assert 3 <= done_before < 12 and not (out / "meta.json").exists()
    subprocess.run([sys.executable, str(script), str(p), str(out), "0"], check=True)
    a, b = AnalysisResult.load(ref), AnalysisResult.load(out)
    for name in a.tables():
        pd.testing.assert_frame_equal(a.tables()[name], b.tables()[name], obj=name)
