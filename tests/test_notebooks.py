"""The tutorial notebooks run top to bottom in a fresh kernel with the real models.

Each notebook is executed with ``nbclient`` in a kernel of this interpreter (the ``python3``
kernelspec of the environment pytest runs in), on ``VOCMINE_NB_ROWS=120`` rows, with ``tmp_path`` as
working and temporary directory. Any cell error fails the test, and so does a warning shown to the
reader. A second, fast test checks that the notebooks
are stored without outputs, so diffs stay readable and nothing stale is committed.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = ("01_quickstart.ipynb", "02_batch_scoring.ipynb", "03_custom_taxonomy.ipynb")
ROWS = "120"
CELL_TIMEOUT_S = 900
# sentence-transformers imports tqdm.autonotebook, which warns in any kernel without ipywidgets;
# that is the reader's Jupyter set-up, not something vocmine or the notebook can fix.
_THIRD_PARTY_NOTICE = re.compile(r"TqdmWarning: IProgress not found")


@pytest.fixture(scope="module")
def prototype_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One prototype-vector cache for all notebooks, as a reader's machine has (same vectors, less time)."""
    return tmp_path_factory.mktemp("notebook-prototypes")


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK_DIR / name, as_version=4)


def test_notebooks_are_listed() -> None:
    assert sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb")) == list(NOTEBOOKS)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_stored_clean(name: str) -> None:
    nb = _read(name)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    dirty = [i for i, cell in enumerate(nb.cells)
             if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)]
    assert not dirty, f"{name}: cells {dirty} have outputs; clear them before committing"
    assert nb.cells[0].cell_type == "markdown", f"{name} should open with a markdown introduction"


@pytest.mark.slow
@pytest.mark.models
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prototype_cache: Path) -> None:
    nb = _read(name)
    # The kernel must be this environment's interpreter, not some other "python3" on the machine.
    guard = f"import sys\nassert sys.prefix == {sys.prefix!r}, f'kernel runs {{sys.executable}}'"
    nb.cells.insert(0, nbformat.v4.new_code_cell(guard, id="test-guard"))
    monkeypatch.setenv("VOCMINE_NB_ROWS", ROWS)
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the notebooks' tempfile.mkdtemp() lands in tmp_path too
    monkeypatch.setenv("VOCMINE_PROTOTYPE_CACHE", str(prototype_cache))  # overrides conftest's per-test cache
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # debugpy's frozen-modules notice on stderr
    client = NotebookClient(nb, kernel_name="python3", timeout=CELL_TIMEOUT_S,
                            resources={"metadata": {"path": str(tmp_path)}})
    started = time.perf_counter()
    try:
        client.execute()  # raises CellExecutionError (with the cell's traceback) on the first failing cell
    finally:
        nbformat.write(nb, tmp_path / name)  # the executed notebook, for inspecting a failure
    elapsed = time.perf_counter() - started
    print(f"{name}: executed in {elapsed:.0f} s")
    assert all(cell.execution_count for cell in nb.cells if cell.cell_type == "code")
    warned = [line for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
              if out.output_type == "stream" and out.name == "stderr"
              for line in out.text.splitlines() if "Warning" in line and not _THIRD_PARTY_NOTICE.search(line)]
    assert not warned, f"{name} shows warnings to the reader:\n" + "\n".join(warned)
