"""Helpers that notebooks share: headline numbers, latency plots and tables.

A notebook reports its headline numbers with ``headline``. The report builder reads them
back from the executed notebook (mime type ``HEADLINE_MIME``) for ``reports/index.html``,
so every number on the index page is one the notebook computed in that run.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import numpy as np

from mismatch_core.benchmark import summarize

HEADLINE_MIME = "application/vnd.mismatch.headline+json"


def _format(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


def headline(title: str, values: Mapping[str, object], *, lead: bool = False) -> None:
    """Show a notebook's headline numbers and tag them for the report index.

    ``lead=True`` puts the block at the top of the index, above every notebook.
    """
    from IPython.display import display

    rows = "".join(
        f"<tr><th style='text-align:left'>{html.escape(name)}</th>"
        f"<td>{html.escape(_format(value))}</td></tr>"
        for name, value in values.items()
    )
    bundle = {
        "text/html": f"<h4>{html.escape(title)}</h4><table>{rows}</table>",
        "text/plain": "\n".join(f"{name}: {_format(value)}" for name, value in values.items()),
        HEADLINE_MIME: {
            "title": title,
            "values": {k: _jsonable(v) for k, v in values.items()},
            "lead": lead,
        },
    }
    display(bundle, raw=True)


def _jsonable(value: object) -> object:
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    return str(value)


def plot_latency_distributions(
    samples: Mapping[str, np.ndarray], title: str, *, bins: int = 60
):
    """Plot latency samples (seconds) as log-scale histograms and ECDFs, with p50/p99 marks."""
    import matplotlib.pyplot as plt

    figure, (histogram, ecdf) = plt.subplots(1, 2, figsize=(12, 4))
    all_ms = np.concatenate([np.asarray(v, dtype=float) * 1e3 for v in samples.values()])
    low = max(all_ms[all_ms > 0].min() if np.any(all_ms > 0) else 1e-3, 1e-4)
    edges = np.geomspace(low, max(all_ms.max(), low * 10), bins)

    for name, values in samples.items():
        ms = np.sort(np.asarray(values, dtype=float) * 1e3)
        stats = summarize(np.asarray(values))
        label = f"{name} (p50 {stats['p50_ms']:.3g} ms, p99 {stats['p99_ms']:.3g} ms)"
        histogram.hist(np.clip(ms, low, None), bins=edges, alpha=0.55, label=label)
        share = np.arange(0, ms.size + 1) / ms.size
        ecdf.step(np.r_[ms[0], ms], share, where="post", label=name)

    histogram.set_xscale("log")
    histogram.set_xlabel("latency per request (ms, log scale)")
    histogram.set_ylabel("requests")
    histogram.legend(fontsize=8)
    ecdf.set_xscale("log")
    ecdf.set_xlabel("latency per request (ms, log scale)")
    ecdf.set_ylabel("fraction of requests at or below")
    for level in (0.5, 0.99):
        ecdf.axhline(level, color="grey", linewidth=0.6, linestyle=":")
    ecdf.legend(fontsize=8)
    figure.suptitle(title)
    figure.tight_layout()
    return figure
