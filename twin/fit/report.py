"""The fit report: per parameter, data against the fitted law, a Q-Q plot, GoF and n.

One self-contained HTML file; the plots are inline SVG.
"""

from __future__ import annotations

import html
import io
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from twin.fit.families import Fit

PLOT_SAMPLE = 5000


def _svg(fig: Figure) -> str:
    """A figure built on its own canvas (no pyplot state) as inline SVG text."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _line_plot(fit: Fit) -> str:
    """A regression: the mean of the data per unit count against the fitted line."""
    assert fit.line is not None
    units, y, fixed, per_item = fit.line
    counts = np.bincount(units.astype(np.int64))
    sums = np.bincount(units.astype(np.int64), weights=y)
    seen = np.flatnonzero(counts >= 5)
    fig = Figure(figsize=(4, 2.8))
    axes = fig.subplots()
    axes.plot(seen, sums[seen] / counts[seen], ".", markersize=4, label="data: mean per units")
    axes.plot(seen, fixed + per_item * seen, "-", linewidth=1, label="fitted: fixed + per item")
    axes.set_xlabel("units", fontsize=7)
    axes.legend(fontsize=7)
    axes.set_title(fit.name, fontsize=8)
    return _svg(fig)


def _plots(fit: Fit) -> str:
    if fit.line is not None:
        return _line_plot(fit) if fit.name.endswith(".fixed") else ""
    if fit.ppf is None or fit.data.size < 2:
        return ""
    rng = np.random.default_rng(0)
    data = fit.data if fit.data.size <= PLOT_SAMPLE else rng.choice(fit.data, PLOT_SAMPLE)
    fig = Figure(figsize=(8, 2.8))
    left, right = fig.subplots(1, 2)
    probs = (np.arange(1, 200) - 0.5) / 199
    fitted = fit.ppf(probs)
    left.hist(data, bins=40, density=True, alpha=0.5, label=f"data (n = {fit.n})")
    draws = fit.ppf(rng.random(PLOT_SAMPLE))
    left.hist(draws, bins=40, density=True, histtype="step", label="fitted law")
    left.legend(fontsize=7)
    left.set_title(fit.name, fontsize=8)
    right.plot(fitted, np.quantile(data, probs), ".", markersize=3)
    low, high = float(np.min(fitted)), float(np.max(fitted))
    right.plot([low, high], [low, high], "-", linewidth=0.8)
    right.set_xlabel("fitted quantile", fontsize=7)
    right.set_ylabel("data quantile", fontsize=7)
    right.set_title("Q-Q", fontsize=8)
    return _svg(fig)


def _row(fit: Fit) -> str:
    spec = fit.spec
    law = (
        f"empirical ({len(spec.values)} quantiles)"
        if spec.kind == "empirical"
        else f"{spec.kind}(mean {spec.mean:.4g}, cv {spec.cv:.3g})"
    )
    aic = ", ".join(f"{k} {v:.1f}" for k, v in fit.aic.items())
    gof = f"KS/chi2 p = {fit.ks_p:.3g}, AD = {fit.ad_stat:.3g}"
    censored = f", censored {fit.censored_n}" if fit.censored_n else ""
    return (
        f"<section><h2>{html.escape(fit.name)}</h2><p>{html.escape(law)}; n = {fit.n}"
        f"{censored}; {html.escape(fit.note)}; {html.escape(gof)}"
        f"{'; AIC: ' + html.escape(aic) if aic else ''}</p>{_plots(fit)}</section>"
    )


def _stores(table: pd.DataFrame | None) -> str:
    """The per-store inputs as a table (empty cells: too few data, the pooled value stands)."""
    if table is None or table.empty:
        return ""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    rows = "".join(
        f"<tr><td>{html.escape(str(store))}</td>"
        + "".join(f"<td>{'' if not np.isfinite(v) else f'{v:.4g}'}</td>" for v in row)
        + "</tr>"
        for store, row in zip(table.index, table.to_numpy(dtype=float), strict=True)
    )
    return (
        "<section id='per-store'><h2>Per store</h2><p>Each store's own estimate; the config is "
        "pooled (see the notes above for which inputs differ between stores).</p>"
        f"<table><tr><th>store</th>{head}</tr>{rows}</table></section>"
    )


def write_fit_report(
    path: Path,
    name: str,
    fits: list[Fit],
    notes: list[str],
    stores: pd.DataFrame | None = None,
) -> Path:
    body = "".join(_row(fit) for fit in fits) + _stores(stores)
    items = "".join(f"<li>{html.escape(note)}</li>" for note in notes)
    page = (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>twin-fit: {html.escape(name)}</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:auto}"
        "section{border-top:1px solid #ccc}</style></head><body>"
        f"<h1>Fitted inputs: {html.escape(name)}</h1><ul>{items}</ul>{body}</body></html>"
    )
    path.write_text(page, encoding="utf-8")
    return path
