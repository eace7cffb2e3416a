"""The public package type-checks (the app contract promises a typed API)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_mypy_passes_on_the_package() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "vocmine"], cwd=ROOT, capture_output=True, text=True, timeout=900, check=False
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
