"""The run page's tables: summary.parquet as plain rows, grouped by domain into a network
table (KPI x statistic) and a long, narrow by-store table, and the lead-time stages table."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import pandas as pd

from twin.report.fmt import domain_of, format_number, headline_stat, natural_key, stat_sort_key
from twin.report.load import is_missing
from twin.report.tables import Cell, Table, estimate, text

SummaryRow = namedtuple(  # one summary.parquet row, read by attribute
    "SummaryRow", ["region", "store", "kpi", "stat", "mean", "half_width", "n_reps", "unit"]
)


def summary_rows(summary: pd.DataFrame) -> list[SummaryRow]:
    """summary.parquet as plain rows (ids as strings), read once: grouping Python tuples is
    far cheaper than a pandas groupby per domain and KPI."""
    columns = [
        _as_text(summary[c]) if i < 4 else summary[c].tolist()
        for i, c in enumerate(SummaryRow._fields)
    ]
    return [SummaryRow(*values) for values in zip(*columns, strict=True)]


def _as_text(column: pd.Series) -> list[str]:
    """``[str(v) for v in column]``; a category's text made once, not once per row (a
    national run's summary has 123,000 rows and a few thousand distinct ids)."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return [str(v) for v in column.tolist()]
    texts = [str(v) for v in column.cat.categories.tolist()]
    texts.append(str(float("nan")))  # code -1: a missing value, as str(NaN) prints it
    return [texts[code] for code in column.cat.codes.tolist()]


def network_rows(rows: list[SummaryRow]) -> list[SummaryRow]:
    """:func:`twin.report.fmt.network_level` for rows: region ``all`` (or the only region),
    store ``all`` (or the only store)."""
    if not rows:
        return rows
    regions = {r.region for r in rows}
    if "all" in regions:
        rows = [r for r in rows if r.region == "all"]
    elif len(regions) > 1:
        return []
    stores = {r.store for r in rows}
    if "all" in stores:
        return [r for r in rows if r.store == "all"]
    return rows if len(stores) == 1 else []


def group_rows(rows: list[SummaryRow], key: Any) -> dict[Any, list[SummaryRow]]:
    """Rows by ``key(row)``, keys sorted."""
    groups: dict[Any, list[SummaryRow]] = {}
    for r in rows:
        groups.setdefault(key(r), []).append(r)
    return dict(sorted(groups.items()))


def stages_table(stages: pd.DataFrame) -> Table:
    names = [c for c in stages.columns if c != "store"]
    table = Table(
        ["Store", *names, "total"], caption="Minutes per order, mean of each stage", numeric_from=1
    )
    for row in stages.itertuples(index=False):
        values = [float(v) for v in row[1:]]
        cells = [Cell(str(row[0]), "key")]
        cells += [Cell(format_number(v), "num") for v in values]
        cells.append(Cell(format_number(sum(values)), "num"))
        table.rows.append(cells)
    return table


def domain_tables(rows: list[SummaryRow]) -> list[dict[str, Any]]:
    domains = []
    for name, group in group_rows(rows, lambda r: domain_of(r.kpi)).items():
        domains.append(
            {
                "name": str(name),
                "network": _network_table(group),
                "stores": _store_table(group),
                "n_stores": len({r.store for r in group if r.store != "all"}),
            }
        )
    return domains


def _network_table(group: list[SummaryRow]) -> Table:
    """KPI x statistic for the aggregate rows (store ``all``), a region column if several."""
    rows = [r for r in group if r.store == "all"] or network_rows(group)
    regions = {r.region for r in rows}
    if "all" in regions and len(regions) == 2:
        rows = [r for r in rows if r.region == "all"]  # the one region is the network
        regions = {"all"}
    many_regions = len(regions) > 1
    stats = sorted({r.stat for r in rows}, key=stat_sort_key)
    headers = ["KPI", *(["Region"] if many_regions else []), "n reps", *stats]
    table = Table(
        headers, caption="Whole network (mean ± 95 % CI half-width)", numeric_from=2 + many_regions
    )
    key = (lambda r: (r.kpi, r.region)) if many_regions else (lambda r: r.kpi)
    for kpi_rows in group_rows(rows, key).values():
        by_stat = {r.stat: r for r in kpi_rows}
        first = kpi_rows[0]
        kpi = first.kpi
        cells = [Cell(kpi, "key")]
        if many_regions:
            cells.append(text(first.region))
        cells.append(Cell(_reps([r.n_reps for r in kpi_rows]), "num"))
        for stat in stats:
            r = by_stat.get(stat)
            cells.append(
                estimate(r.mean, r.half_width, kpi, stat, r.unit) if r else Cell("", "num")
            )
        table.rows.append(cells)
    if many_regions:
        table.rows.sort(key=lambda cells: (cells[0].text, natural_key(cells[1].text)))
    return table


def _store_table(group: list[SummaryRow]) -> Table:
    """Long and narrow: one row per (store, KPI) with the KPI's headline statistic, so the
    table stays four or five columns wide however many KPIs a domain has (sort and filter it
    in the page)."""
    rows = [r for r in group if r.store != "all"]
    if not rows:
        return Table([])
    many_regions = len({r.region for r in rows}) > 1
    columns = []
    for kpi, kpi_rows in group_rows(rows, lambda r: r.kpi).items():
        stats = list(dict.fromkeys(r.stat for r in kpi_rows))
        columns.append((kpi, headline_stat([s for s in stats if s != "n"] or stats)))
    headers = [*(["Region"] if many_regions else []), "Store", "KPI", "Statistic", "Value"]
    table = Table(
        headers,
        caption="By store (mean ± 95 % CI half-width)",
        numeric_from=3 + many_regions,
    )
    lookup = {(r.region, r.store, r.kpi, r.stat): r for r in rows}
    stores = sorted(
        {(r.region, r.store) for r in rows},
        key=lambda rs: (natural_key(rs[0]), natural_key(rs[1])),
    )
    # the store's and the KPI's cells are the same in every row they head (cells are frozen):
    # made once, not per row (a national run's by-store tables have ~68,000 rows)
    store_cells = {
        (region, store): [*([text(region)] if many_regions else []), Cell(store, "key")]
        for region, store in stores
    }
    for kpi, stat in columns:
        kpi_cells = [Cell(kpi, "key"), text(stat)]
        for region, store in stores:
            r = lookup.get((region, store, kpi, stat))
            if r is None:
                continue
            estimate_cell = estimate(r.mean, r.half_width, kpi, stat, r.unit)
            table.rows.append([*store_cells[region, store], *kpi_cells, estimate_cell])
    return table


def _reps(values: list[Any]) -> str:
    reps = sorted({int(v) for v in values if not is_missing(v)})
    if not reps:
        return "–"
    return str(reps[0]) if len(reps) == 1 else f"{reps[0]}–{reps[-1]}"
