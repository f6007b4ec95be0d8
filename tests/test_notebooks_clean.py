"""Notebooks are committed without outputs, except cells whose output nbval checks."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
CHECKED = "# NBVAL_CHECK_OUTPUT"


def test_notebooks_exist():
    names = [path.name for path in NOTEBOOKS]
    assert "00_data.ipynb" in names
    assert "01_profiling_matching.ipynb" in names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_no_stray_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code":
            continue
        if cell.source.startswith(CHECKED):
            assert cell.outputs, f"{path.name} cell {number}: checked cell has no committed output"
        else:
            assert not cell.outputs, f"{path.name} cell {number}: clear its outputs before committing"
            assert cell.execution_count is None, f"{path.name} cell {number}: execution count left in"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_checks_and_reports(path):
    source = "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells)
    assert "assert " in source, f"{path.name} checks none of its claims"
    assert "headline(" in source, f"{path.name} publishes no headline numbers"
