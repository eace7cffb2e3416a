"""Batch scoring at scale: rows/s and peak RSS of ``vocmine score`` at 100 k, 300 k and 1 M rows.

Input: texts resampled (seeded, with replacement) from the sentiment and topic sets in
``../shared/eval_data`` (all four languages), each row with a unique id, a star rating derived from
the set's label where it has one, and a date spread over 12 weeks. The pipeline is fitted once on a
5,000-row sample (``Pipeline.fit``) and saved; every size is then scored by ``score_file`` (the code
behind ``vocmine score``) in a FRESH subprocess, so the peak RSS of each size is its own.

"Model speed" is ``Pipeline.score`` on one in-memory chunk of the same rows (no file I/O, no parts,
no driver ranking): the batch path should stay within 10 % of it, with peak RSS flat in the row count.
Because one 10,000-row measurement moves by about 10 % with the shared machine's load, each run also
times ``Pipeline.score`` inside itself (``score_s``); ``batch_overhead_share = 1 - score_s / wall_s``
is what the batch machinery (reading, Parquet parts, markers, model loading, final ranking) adds.

Tiers: ``static`` (the ``fast`` preset: the distilled static embedder, sentence-level aspect
categories; the throughput tier) and ``e5`` (the default preset; ~10 rows/s on 2 cores, so only
small sizes are practical).

Usage::

    python benchmarks/batch.py --tier static --sizes 100000 300000 1000000
    python benchmarks/batch.py --tier e5 --sizes 2000 --model-rows 1000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import eval_path, write_result  # noqa: E402

SEED = 0
CACHE = Path(os.environ.get("VOCMINE_BENCH_CACHE", "/tmp/vocmine_cache")) / "batch"
COLUMNS = {"text_col": "text", "id_col": "id", "rating_col": "rating", "time_col": "created_at"}
#: set -> (file, how its label becomes 1-5 stars; None: no rating)
SOURCES: dict[str, tuple[str, Any]] = {
    "ru_rusentiment": ("data.jsonl.gz", {"positive": 5, "neutral": 3, "negative": 1}),
    "zh_chnsenticorp_htl": ("data.jsonl.gz", {1: 5, 0: 1}),
    "zh_online_shopping_10_cats": ("data.jsonl.gz", None),
    "pl_allegro_reviews_klej": ("data.jsonl.gz", "rating"),
    "pl_polemo2_klej": ("data.jsonl.gz", None),
    "en_amazon_review_polarity": ("test.jsonl.gz", None),
    "en_banking77": ("data.jsonl.gz", None),
    "en_it_service_tickets": ("sample5k.jsonl.gz", None),
}
TIERS = {
    "static": {"preset": "fast"},
    "e5": {"preset": "default"},
}


def pool() -> pd.DataFrame:
    """All candidate rows: text, rating (may be missing)."""
    frames = []
    for name, (file, stars) in SOURCES.items():
        df = pd.read_json(eval_path(name) / file, lines=True)
        rating = pd.Series(np.nan, index=df.index)
        if isinstance(stars, dict):
            rating = df["label"].map(stars).astype(float)
        elif stars == "rating":
            rating = pd.to_numeric(df["rating"], errors="coerce").round().clip(1, 5)
        frames.append(pd.DataFrame({"text": df["text"].astype(str), "rating": rating, "source": name}))
    out = pd.concat(frames, ignore_index=True)
    return out[out["text"].str.strip().str.len() > 0].reset_index(drop=True)


def make_input(n: int, src: pd.DataFrame) -> Path:
    """``n`` resampled rows as Parquet (cached)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"input-{n}.parquet"
    if path.is_file():
        return path
    rng = np.random.default_rng(SEED + n)
    pick = rng.integers(0, len(src), n)
    df = src.iloc[pick].reset_index(drop=True)
    df.insert(0, "id", [f"r{i:07d}" for i in range(n)])
    start = np.datetime64("2026-06-01")
    df["created_at"] = (start + rng.integers(0, 84, n).astype("timedelta64[D]")).astype("datetime64[s]")
    tmp = path.with_suffix(".tmp")
    df.drop(columns=["source"]).to_parquet(tmp, index=False, row_group_size=50_000)
    tmp.replace(path)
    return path


def fit_model(tier: str, src: pd.DataFrame, rows: int) -> tuple[Path, float]:
    """Fit the pipeline on a seeded sample and save it; returns the directory and fit seconds."""
    import vocmine

    path = CACHE / f"model-{tier}"
    if (path / "pipeline.json").is_file() or any(path.glob("*.json")):
        return path, float("nan")
    sample = src.sample(n=min(rows, len(src)), random_state=SEED).reset_index(drop=True)
    sample.insert(0, "id", [f"f{i:06d}" for i in range(len(sample))])
    sample["created_at"] = pd.Timestamp("2026-05-01")
    pipe = vocmine.Pipeline.from_config(vocmine.PipelineConfig.from_dict({"seed": SEED, **TIERS[tier]}))
    t0 = time.perf_counter()
    pipe.fit(sample.drop(columns=["source"]), **COLUMNS)
    seconds = time.perf_counter() - t0
    pipe.save(path)
    return path, seconds


def model_speed(model: Path, src: pd.DataFrame, rows: int) -> dict[str, Any]:
    """rows/s of Pipeline.score on one in-memory chunk (after a warm-up chunk)."""
    import vocmine

    pipe = vocmine.Pipeline.load(model)
    rng = np.random.default_rng(SEED + 1)
    df = src.iloc[rng.integers(0, len(src), rows + 200)].reset_index(drop=True).drop(columns=["source"])
    df.insert(0, "id", [f"m{i:07d}" for i in range(len(df))])
    df["created_at"] = pd.Timestamp("2026-06-01")
    pipe.score(df.iloc[:200], **COLUMNS)  # warm-up: loads every model
    t0, c0 = time.perf_counter(), time.process_time()
    pipe.score(df.iloc[200:].reset_index(drop=True), **COLUMNS)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"rows": rows, "wall_s": wall, "cpu_s": cpu, "rows_per_s": rows / wall}


def rss_gib(field: str = "VmRSS") -> float:
    """A memory figure of THIS process from ``/proc/self/status`` (GiB; NaN where unavailable)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return float("nan")


def peak_rss_gib() -> float:
    """Peak RSS of THIS process (``VmHWM``).

    Not ``ru_maxrss``: on Linux a child started by ``subprocess`` inherits the parent's
    high-water mark through fork/exec, so it would report the parent's peak (this
    script's parent holds the data pool and the model-speed run, ~2 GiB) whenever
    that is larger.
    """
    peak = rss_gib("VmHWM")
    return peak if peak == peak else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def worker(args: argparse.Namespace) -> None:
    """One batch run in this process; prints a JSON line."""
    import shutil

    import vocmine
    from vocmine.batch import score_file

    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    pipe = vocmine.Pipeline.load(args.model)
    # time spent inside Pipeline.score, in this very run: the model's own speed under the same machine
    # conditions, so the batch overhead (reading, Parquet parts, resume markers, model loading, the
    # final driver ranking) is measured apart from run-to-run noise of the machine
    inside, loop_peak = [0.0], [0.0]
    trace: list[list[float]] = []  # [rows scored, RSS GiB, peak so far GiB] every 10 chunks
    score = pipe.score

    def timed(*a: Any, **k: Any) -> Any:
        s = time.perf_counter()
        try:
            return score(*a, **k)
        finally:
            inside[0] += time.perf_counter() - s
            loop_peak[0] = peak_rss_gib()  # the high-water mark so far: chunks only, before the final step
            rows = k.get("row_offset", 0) + len(a[0])
            if rows % (10 * args.chunk_rows) == 0:
                trace.append([rows, round(rss_gib(), 3), round(loop_peak[0], 3)])

    pipe.score = timed  # type: ignore[method-assign]
    t0, c0 = time.perf_counter(), time.process_time()
    score_file(pipe, args.input, out, columns=COLUMNS, chunk_rows=args.chunk_rows, progress=False)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    docs = pd.read_parquet(out / "documents", columns=["feedback_id"])
    errors = pd.read_parquet(out / "errors", columns=["feedback_id"])
    rss = peak_rss_gib()
    print(json.dumps({"wall_s": wall, "cpu_s": cpu, "peak_rss_gib": rss, "peak_rss_chunks_gib": loop_peak[0],
                      "documents": len(docs),
                      "errors": len(errors), "score_s": inside[0], "batch_overhead_share": 1 - inside[0] / wall,
                      "rss_trace": trace}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tier", choices=sorted(TIERS), default="static")
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    ap.add_argument("--chunk-rows", type=int, default=10_000)
    ap.add_argument("--fit-rows", type=int, default=5_000)
    ap.add_argument("--model-rows", type=int, default=10_000, help="rows for the in-memory model speed")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--model", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--input", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--out", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args)
        return
    src = pool()
    model, fit_s = fit_model(args.tier, src, args.fit_rows)
    print(f"model {model} (fit {fit_s:.0f} s)", flush=True)
    before = model_speed(model, src, args.model_rows)
    print(f"model speed: {before['rows_per_s']:.0f} rows/s", flush=True)
    runs: dict[str, Any] = {}
    for n in args.sizes:
        inp = make_input(n, src)
        out = CACHE / f"out-{args.tier}-{n}"
        cmd = [sys.executable, __file__, "--worker", "--model", str(model), "--input", str(inp), "--out", str(out),
               "--chunk-rows", str(args.chunk_rows)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"batch run of {n} rows failed:\n{proc.stderr[-3000:]}")
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        row["rows_per_s"] = n / row["wall_s"]
        row["vs_model_speed_in_run"] = row["score_s"] / row["wall_s"]  # = 1 - batch_overhead_share
        row["all_rows_accounted"] = row["documents"] + row["errors"] == n
        runs[str(n)] = row
        print(f"{n:>9} rows: {row['rows_per_s']:.0f} rows/s ({row['vs_model_speed_in_run']:.2f} of the model's "
              f"speed in the same run), "
              f"peak RSS {row['peak_rss_gib']:.2f} GiB ({row['peak_rss_chunks_gib']:.2f} before the final step), documents {row['documents']} + errors {row['errors']}",
              flush=True)
    after = model_speed(model, src, args.model_rows)  # again, to show how far the machine drifted
    speed = {**before, "rows_per_s": (before["rows_per_s"] + after["rows_per_s"]) / 2,
             "rows_per_s_before": before["rows_per_s"], "rows_per_s_after": after["rows_per_s"]}
    print(f"model speed after the runs: {after['rows_per_s']:.0f} rows/s", flush=True)
    for row in runs.values():
        row["vs_separate_model_speed"] = row["rows_per_s"] / speed["rows_per_s"]
    rss = [r["peak_rss_gib"] for r in runs.values()]
    payload = {
        "config": {"tier": args.tier, "pipeline": TIERS[args.tier], "sizes": args.sizes, "chunk_rows": args.chunk_rows,
                   "fit_rows": args.fit_rows, "sources": list(SOURCES), "seed": SEED, "cpu_count": os.cpu_count(),
                   "load_avg_1m_at_end": round(os.getloadavg()[0], 1)},
        "fit_seconds": fit_s,
        "model_speed": speed,
        "runs": runs,
        "targets": {"peak_rss<=4GiB": max(rss) <= 4.0, "rss_flat(max/min<=1.25)": max(rss) / min(rss) <= 1.25,
                    "within_10pct_of_model_speed_in_run": all(r["vs_model_speed_in_run"] >= 0.9 for r in runs.values()),
                    "within_10pct_of_separate_model_speed": all(r["vs_separate_model_speed"] >= 0.9
                                                                for r in runs.values())},
    }
    print(json.dumps(payload["targets"]))
    print(f"wrote {write_result(f'batch_{args.tier}', payload)}")


if __name__ == "__main__":
    main()
