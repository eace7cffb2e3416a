"""``vocmine`` CLI: analyze, demo, report, components.

Exit codes: 0 success, 1 failure while running, 2 usage or configuration error.
Errors print one line with their code; ``--verbose`` adds the traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from pathlib import Path
from typing import Any

__all__ = ["main", "build_parser"]

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def _add_columns(p: argparse.ArgumentParser) -> None:
    p.add_argument("--text-col", default="text", help="column with the feedback text (default: text)")
    p.add_argument("--id-col", default=None, help="column with a unique feedback id (default: row number)")
    p.add_argument("--rating-col", default=None, help="outcome column: stars 1-5, NPS 0-10, CSAT or CES")
    p.add_argument("--touchpoint-col", default=None, help="column with a given journey touchpoint")
    p.add_argument("--time-col", default=None, help="timestamp column (enables trends)")


def _add_config(p: argparse.ArgumentParser) -> None:
    from vocmine.config import PRESETS
    from vocmine.resources._taxonomy import available_taxonomies

    p.add_argument("--config", type=Path, default=None, help="pipeline config TOML file")
    p.add_argument("--preset", choices=sorted(PRESETS), default=None,
                   help="named pipeline setup: 'default' (contextual encoder, aspect terms) or 'fast' "
                        "(static embedder, sentence categories: the CPU throughput tier); --config keys win")
    p.add_argument("--domain", choices=available_taxonomies("categories"), default=None,
                   help="aspect categories and journey touchpoints of one domain (overrides the config's domain)")


def _config(args: argparse.Namespace) -> Any:
    """The pipeline config of ``--config`` / ``--preset`` (None: the defaults)."""
    from vocmine.config import PipelineConfig

    import dataclasses

    if args.config is not None:
        cfg = PipelineConfig.from_toml(args.config, preset=args.preset)
    elif args.preset is not None:
        cfg = PipelineConfig.preset(args.preset)
    else:
        cfg = None
    if args.domain is not None:
        cfg = dataclasses.replace(cfg or PipelineConfig(), domain=args.domain)
    return cfg


def _add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, type=Path, help="output directory for the result tables")
    _add_config(p)
    p.add_argument("--csv", action="store_true", help="also write CSV copies of the tables")
    p.add_argument("--top", type=int, default=5, help="drivers per touchpoint in the printed summary")
    p.add_argument("--no-progress", action="store_true", help="do not show the progress bar")
    p.add_argument("--report", type=Path, default=None, metavar="PATH",
                   help="also write a self-contained HTML report to PATH")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser (also used to render ``--help``)."""
    parser = argparse.ArgumentParser(
        prog="vocmine",
        description="Voice-of-customer root-cause analysis: why are customers unhappy, at which touchpoint.",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="show tracebacks and debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    an = sub.add_parser("analyze", help="analyze a feedback file (CSV, TSV, JSONL, Parquet, Excel)",
                        description="Analyze a feedback file and write documents, sentences, mentions, "
                                    "topics, drivers and errors tables (Parquet) to --out.")
    an.add_argument("input", type=Path, help="input file")
    an.add_argument("--format", default=None, help="input format if the extension does not tell")
    _add_columns(an)
    _add_run_options(an)
    an.add_argument("--audit", type=Path, default=None, metavar="FILE",
                    help="CSV/Parquet/JSONL with feedback_id (or the --id-col column) and category: the true "
                         "categories of documents a person checked; calibrates category impacts")

    demo = sub.add_parser("demo", help="analyze the bundled multilingual demo data set",
                          description="Run the full pipeline on the bundled RU/ZH/PL/EN demo feedback.")
    _add_run_options(demo)
    demo.add_argument("--limit", type=int, default=None, help="analyze only the first N rows")

    rep = sub.add_parser("report", help="render a saved result as a self-contained HTML report",
                         description="Render the result directory written by 'vocmine analyze --out' (or "
                                     "result.save()) as one HTML file that works offline.")
    rep.add_argument("result", type=Path, metavar="RESULT_DIR", help="result directory (contains meta.json)")
    rep.add_argument("-o", "--output", type=Path, default=None,
                     help="HTML file to write (default: RESULT_DIR/report.html; a directory gets report.html)")
    rep.add_argument("--title", default="vocmine report", help="page title")
    rep.add_argument("--top", type=int, default=15, help="drivers shown in the driver chart")

    aud = sub.add_parser("audit-sample", help="write the documents to read for an audit (CSV to fill in)",
                         description="From a saved result, pick documents to audit: a seeded random sample topped "
                                     "up per predicted category. Fill the 'category' column with the true category "
                                     "ids (';'-separated, empty for none) and pass the file to "
                                     "'vocmine analyze ... --audit FILE' to calibrate the category impacts.")
    aud.add_argument("result", type=Path, metavar="RESULT_DIR", help="result directory (contains meta.json)")
    aud.add_argument("-o", "--output", type=Path, default=None,
                     help="CSV to write (default: RESULT_DIR/audit_sample.csv)")
    aud.add_argument("--n", type=int, default=300, help="random documents before the per-category top-up")
    aud.add_argument("--seed", type=int, default=0, help="sampling seed")
    aud.add_argument("--show-predicted", action="store_true",
                     help="add the predicted categories (reading blind avoids anchoring on them)")
    aud.add_argument("--overwrite", action="store_true", help="replace an existing output file (it may be filled in)")

    fit = sub.add_parser("fit", help="fit a pipeline (topics) on a feedback file and save it for scoring",
                         description="Analyze INPUT, fit the learning stages and save the fitted pipeline to --out.")
    fit.add_argument("input", type=Path, help="input file")
    fit.add_argument("--format", default=None, help="input format if the extension does not tell")
    fit.add_argument("--out", required=True, type=Path, help="directory for the fitted pipeline")
    _add_config(fit)
    _add_columns(fit)

    score = sub.add_parser("score", help="score a large file with a fitted pipeline (streaming, resumable)",
                           description="Stream INPUT (CSV/TSV/JSONL/Parquet) in chunks through a fitted pipeline, "
                                       "writing Parquet parts to --out; a rerun resumes after an interruption.")
    score.add_argument("input", type=Path, help="input file")
    score.add_argument("--model", required=True, type=Path, help="directory written by `vocmine fit`")
    score.add_argument("--out", required=True, type=Path, help="output directory")
    score.add_argument("--format", default=None, help="input format if the extension does not tell")
    score.add_argument("--chunk-rows", type=int, default=10_000, help="rows per chunk (bounds memory)")
    score.add_argument("--device", choices=["auto", "cpu", "cuda"], default=None, help="override the model device")
    score.add_argument("--overwrite", action="store_true", help="discard an earlier run in --out instead of resuming")
    score.add_argument("--no-progress", action="store_true", help="do not show the progress bar")
    _add_columns(score)

    comp = sub.add_parser("components", help="list registered pipeline components")
    comp.add_argument("--stage", default=None, help="only this stage")
    return parser


def _progress(enabled: bool) -> tuple[Any, Any]:
    if not enabled:
        return (lambda _stage: None), None
    from tqdm import tqdm

    stages = ["lang", "segment", "aspects", "sentiment", "topics", "touchpoints", "drivers"]
    bar = tqdm(total=len(stages), desc="vocmine", unit="stage", file=sys.stderr, leave=False)

    def step(stage: str) -> None:
        bar.set_postfix_str(stage)
        if stage != "lang":
            bar.update(1)

    return step, bar


def _read_audit(path: Path | None, id_col: str | None) -> Any:
    """The ``--audit`` table with a ``feedback_id`` column (renamed from ``--id-col`` when needed)."""
    if path is None:
        return None
    import pandas as pd

    from vocmine.errors import SchemaError

    name = path.name.lower()
    if name.endswith((".parquet", ".pq")):
        audit = pd.read_parquet(path)
    elif name.endswith((".jsonl", ".ndjson")):
        audit = pd.read_json(path, lines=True, dtype=False)
    else:
        audit = pd.read_csv(path, dtype=str, keep_default_na=False, sep="\t" if name.endswith(".tsv") else ",")
    if "feedback_id" not in audit.columns and id_col and id_col in audit.columns:
        audit = audit.rename(columns={id_col: "feedback_id"})
    if "feedback_id" not in audit.columns or "category" not in audit.columns:
        raise SchemaError(f"[E001] Audit file {str(path)!r} needs the columns 'feedback_id' (or {id_col!r}) and "
                          f"'category'; it has {list(audit.columns)}.")
    audit["feedback_id"] = audit["feedback_id"].astype(str)
    return audit


def _run(args: argparse.Namespace, df: Any, columns: dict[str, Any]) -> int:
    from vocmine.pipeline import Pipeline
    from vocmine.report import summarize_drivers, summarize_result

    pipeline = Pipeline.from_config(_config(args))
    step, bar = _progress(not args.no_progress and sys.stderr.isatty())
    try:
        audit = _read_audit(getattr(args, "audit", None), getattr(args, "id_col", None))
        result = pipeline.run(df, progress=step, audit=audit, **columns)
    finally:
        if bar is not None:
            bar.close()
    out = result.save(args.out, csv=args.csv)
    print(summarize_result(result))
    print(summarize_drivers(result, top=args.top))
    print(f"\nwrote {', '.join(sorted(result.tables()))} to {out}")
    if args.report is not None:
        from vocmine.report import write_html

        print(f"wrote report to {write_html(result, _output_path(args.report, args.out, 'report.html'))}")
    return EXIT_OK


def _output_path(path: Path | None, default_dir: Path, name: str) -> Path:
    """``path``, or ``path/name`` when it is a directory (``default_dir/name`` when None)."""
    if path is None:
        return default_dir / name
    return path / name if path.is_dir() else path


def _saved_result(args: argparse.Namespace, count: int, flag: str) -> Any:
    """The saved result at ``args.result``, or None after reporting a non-positive ``flag`` or a wrong path."""
    from vocmine.errors import VocmineError
    from vocmine.result import AnalysisResult

    if count < 1:
        print(f"vocmine: error: [E004] {flag} must be a positive integer, got {count}.", file=sys.stderr)
        return None
    try:
        return AnalysisResult.load(args.result)
    except VocmineError as exc:  # [E012] not a result directory: the user passed the wrong path
        _report(exc, args.verbose)
        return None


def _report_command(args: argparse.Namespace) -> int:
    from vocmine.report import write_html

    result = _saved_result(args, args.top, "--top")
    if result is None:
        return EXIT_USAGE
    out = write_html(result, _output_path(args.output, args.result, "report.html"), title=args.title, top=args.top)
    print(f"wrote report to {out}")
    return EXIT_OK


def _audit_sample_command(args: argparse.Namespace) -> int:
    result = _saved_result(args, args.n, "--n")
    if result is None:
        return EXIT_USAGE
    out = _output_path(args.output, args.result, "audit_sample.csv")
    if out.exists() and not args.overwrite:
        print(f"vocmine: error: [E004] {out} exists (perhaps already filled in); pass --overwrite to replace it "
              "or -o to write elsewhere.", file=sys.stderr)
        return EXIT_USAGE
    sample = result.audit_sample(args.n, seed=args.seed, show_predicted=args.show_predicted)
    sample.to_csv(out, index=False)
    print(f"wrote {len(sample)} documents to audit to {out}; fill 'category' (';'-separated ids, empty for none), "
          f"then run: vocmine analyze ... --audit {out}")
    return EXIT_OK


def _canonical_columns(args: argparse.Namespace) -> dict[str, Any]:
    """Column keywords for a frame returned by ``read_feedback`` (mapped to canonical names)."""
    return {"text_col": "text", "id_col": "feedback_id" if args.id_col else None,
            "rating_col": "rating" if args.rating_col else None,
            "touchpoint_col": "touchpoint" if args.touchpoint_col else None,
            "time_col": "created_at" if args.time_col else None}


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "analyze":
        from vocmine.io import read_feedback

        df = read_feedback(args.input, text_col=args.text_col, id_col=args.id_col, rating_col=args.rating_col,
                           touchpoint_col=args.touchpoint_col, time_col=args.time_col, format=args.format)
        return _run(args, df, _canonical_columns(args))
    if args.command == "demo":
        from vocmine.resources import load_demo

        df = load_demo()
        if args.limit:
            df = df.head(args.limit)
        # One outcome per analysis: star ratings. NPS survey rows keep their text but no outcome.
        df = df.assign(rating=df["rating"].where(df["rating_scale"] == "stars5"))
        cols: dict[str, Any] = {"text_col": "text", "id_col": "feedback_id", "rating_col": "rating",
                "touchpoint_col": "touchpoint", "time_col": "created_at"}
        return _run(args, df, cols)
    if args.command == "report":
        return _report_command(args)
    if args.command == "audit-sample":
        return _audit_sample_command(args)
    if args.command == "fit":
        from vocmine.io import read_feedback
        from vocmine.pipeline import Pipeline

        df = read_feedback(args.input, text_col=args.text_col, id_col=args.id_col, rating_col=args.rating_col,
                           touchpoint_col=args.touchpoint_col, time_col=args.time_col, format=args.format)
        Pipeline.from_config(_config(args)).fit(df, **_canonical_columns(args)).save(args.out)
        print(f"fitted pipeline saved to {args.out}")
        return EXIT_OK
    if args.command == "score":
        from vocmine.batch import score_file
        from vocmine.pipeline import Pipeline

        pipeline = Pipeline.load(args.model, device=args.device)
        cols = {"text_col": args.text_col, "id_col": args.id_col, "rating_col": args.rating_col,
                "touchpoint_col": args.touchpoint_col, "time_col": args.time_col}
        out = score_file(pipeline, args.input, args.out, columns=cols, chunk_rows=args.chunk_rows, format=args.format,
                         resume=not args.overwrite, progress=not args.no_progress and sys.stderr.isatty())
        print(f"scored {args.input} into {out}")
        return EXIT_OK
    if args.command == "components":
        from vocmine import registry

        for name in registry.available(args.stage):
            entry = registry.get(name)
            print(f"{name:<45} {entry.description}")
        return EXIT_OK
    return EXIT_USAGE


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    from vocmine.errors import ConfigError, SchemaError, VocmineError

    try:
        return _dispatch(args)
    except (ConfigError, SchemaError) as exc:
        _report(exc, args.verbose)
        return EXIT_USAGE
    except (VocmineError, OSError, ImportError) as exc:
        _report(exc, args.verbose)
        return EXIT_FAIL
    except KeyboardInterrupt:
        print("vocmine: interrupted", file=sys.stderr)
        return EXIT_FAIL


def _report(exc: BaseException, verbose: bool) -> None:
    if verbose:
        traceback.print_exc()
    print(f"vocmine: error: {exc}", file=sys.stderr)
