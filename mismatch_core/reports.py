"""The main job: execute every notebook headless and write HTML reports with an index.

Each notebook runs in a fresh kernel with ``MISMATCH_SCALE`` set, so one command runs
the whole workbench at the chosen size. ``reports/index.html`` links every report and
shows the headline numbers each notebook published with ``mismatch_core.notebook.headline``.
A failing notebook still gets its HTML report (with the error), is marked failed on the
index, and makes the command exit non-zero.
"""

from __future__ import annotations

import html
import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter
from traitlets.config import Config

from mismatch_core.notebook import HEADLINE_MIME
from mismatch_core.scale import SCALE_ENV, get_scale

logger = logging.getLogger(__name__)

CELL_TIMEOUT_SECONDS = 3600


@dataclass
class NotebookRun:
    """The outcome of executing one notebook."""

    name: str
    html_path: Path
    seconds: float
    error: str | None = None
    headlines: list[dict] = field(default_factory=list)


class ReportError(RuntimeError):
    """Raised when one or more notebooks failed; their reports were still written."""


def find_headlines(notebook: nbformat.NotebookNode) -> list[dict]:
    """Return the headline blocks that an executed notebook displayed, in order."""
    found = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if HEADLINE_MIME in data:
                found.append(dict(data[HEADLINE_MIME]))
    return found


def execute_notebook(path: Path, out_dir: Path, scale: str) -> NotebookRun:
    """Execute one notebook in its own folder and write ``<name>.html`` to ``out_dir``."""
    notebook = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    error = None
    with tempfile.TemporaryDirectory(prefix="mismatch-kernel-") as sockets:
        # Unix sockets in a private folder instead of TCP ports: nothing listens on the
        # network, and the kernel does not warn about unencrypted TCP.
        sockets_config = Config(
            {"KernelManager": {"transport": "ipc", "ip": os.path.join(sockets, "kernel")}}
        )
        client = NotebookClient(
            notebook,
            timeout=CELL_TIMEOUT_SECONDS,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
            config=sockets_config,
        )
        try:
            client.execute(env={**os.environ, SCALE_ENV: scale})
        except CellExecutionError as failure:
            error = str(failure).splitlines()[-1] if str(failure) else repr(failure)
            logger.error("notebook %s failed: %s", path.name, error)
    seconds = time.perf_counter() - started

    exporter = HTMLExporter()
    body, _ = exporter.from_notebook_node(notebook)
    html_path = out_dir / f"{path.stem}.html"
    html_path.write_text(body, encoding="utf-8")
    logger.info("wrote %s in %.1f s", html_path, seconds)
    return NotebookRun(path.stem, html_path, seconds, error, find_headlines(notebook))


def _headline_table(block: dict) -> str:
    rows = "".join(
        f"<tr><th>{html.escape(str(name))}</th><td>{html.escape(_show(value))}</td></tr>"
        for name, value in block.get("values", {}).items()
    )
    return f"<h4>{html.escape(str(block.get('title', '')))}</h4><table>{rows}</table>"


def _render_index(runs: list[NotebookRun], scale: str) -> str:
    lead = "".join(
        _headline_table(block) for run in runs for block in run.headlines if block.get("lead")
    )
    sections = []
    for run in runs:
        status = "ok" if run.error is None else f"FAILED: {html.escape(run.error)}"
        tables = [_headline_table(block) for block in run.headlines if not block.get("lead")]
        sections.append(
            f"<section><h2><a href='{html.escape(run.html_path.name)}'>{html.escape(run.name)}</a></h2>"
            f"<p>status: {status}; ran in {run.seconds:.0f} s</p>{''.join(tables)}</section>"
        )
    style = (
        "body{font-family:sans-serif;max-width:60em;margin:2em auto}"
        "table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.2em .6em;"
        "text-align:left}th{background:#f4f4f4}"
    )
    generated = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>mismatch reports</title>"
        f"<style>{style}</style></head><body><h1>mismatch workbench reports</h1>"
        f"<p>Scale <b>{html.escape(scale)}</b>, generated {html.escape(generated)}. "
        "Every number below was computed by its notebook in this run.</p>"
        f"{lead}{''.join(sections)}</body></html>"
    )


def _show(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


def build_reports(notebooks_dir: Path, out_dir: Path, scale: str | None = None) -> Path:
    """Execute every ``*.ipynb`` in ``notebooks_dir``, write HTML reports and the index."""
    chosen = get_scale(scale).name
    notebooks = sorted(notebooks_dir.glob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no notebooks found in {notebooks_dir}; run from the repository root")
    out_dir.mkdir(parents=True, exist_ok=True)

    runs = []
    for position, path in enumerate(notebooks, start=1):
        logger.info("[%d/%d] executing %s at scale %s", position, len(notebooks), path.name, chosen)
        runs.append(execute_notebook(path, out_dir, chosen))

    index = out_dir / "index.html"
    index.write_text(_render_index(runs, chosen), encoding="utf-8")
    failed = [run.name for run in runs if run.error is not None]
    if failed:
        raise ReportError(f"notebooks failed: {', '.join(failed)}; see their reports in {out_dir}")
    return index
