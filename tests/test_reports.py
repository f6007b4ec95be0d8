"""The report builder executes notebooks, writes HTML and collects headline numbers."""

from __future__ import annotations

import nbformat
import pytest

from mismatch_core.reports import ReportError, build_reports


def _write_notebook(path, *sources):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)


def test_index_shows_headline_numbers(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _write_notebook(
        notebooks / "10_demo.ipynb",
        "import os\nfrom mismatch_core.notebook import headline",
        "headline('Demo', {'answer': 6 * 7, 'scale': os.environ['MISMATCH_SCALE']})",
    )
    index = build_reports(notebooks, tmp_path / "reports", scale="small")
    page = index.read_text(encoding="utf-8")
    assert "10_demo.html" in page
    assert "<td>42</td>" in page
    assert "<td>small</td>" in page
    assert (tmp_path / "reports" / "10_demo.html").exists()


def test_failed_notebook_still_gets_report(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _write_notebook(notebooks / "20_broken.ipynb", "assert 1 + 1 == 3, 'arithmetic is off'")
    with pytest.raises(ReportError, match="20_broken"):
        build_reports(notebooks, tmp_path / "reports", scale="small")
    assert "arithmetic is off" in (tmp_path / "reports" / "20_broken.html").read_text(encoding="utf-8")
    assert "FAILED" in (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")


def test_empty_folder_raises(tmp_path):
    with pytest.raises(FileNotFoundError, match="no notebooks"):
        build_reports(tmp_path, tmp_path / "reports", scale="small")


def test_lead_headline_opens_index(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _write_notebook(notebooks / "01_a.ipynb",
                    "from mismatch_core.notebook import headline\nheadline('Detail', {'x': 1})")
    _write_notebook(notebooks / "02_b.ipynb",
                    "from mismatch_core.notebook import headline\nheadline('Summary', {'y': 2}, lead=True)")
    page = build_reports(notebooks, tmp_path / "reports", scale="small").read_text(encoding="utf-8")
    assert page.index("Summary") < page.index("01_a.html")
    assert page.index("Detail") > page.index("01_a.html")
