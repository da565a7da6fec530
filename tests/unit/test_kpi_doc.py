"""docs/KPIS.md lists every KPI the code defines (regenerate with `twin-kpis > docs/KPIS.md`)."""

from __future__ import annotations

from pathlib import Path

import pytest

import twin
from twin.kpi.catalog import CATALOG, catalog_markdown
from twin.kpi_doc import main as _import_everything  # noqa: F401

pytestmark = pytest.mark.unit

DOC = Path(__file__).resolve().parents[2] / "docs" / "KPIS.md"


def test_kpi_doc_is_up_to_date() -> None:
    assert DOC.read_text() == catalog_markdown(), "run: twin-kpis > docs/KPIS.md"


def test_every_emitted_kpi_is_in_the_catalogue() -> None:
    result = twin.simulate(twin.load_config(["network=single_store"]))
    emitted = set(result.kpis["kpi"])
    assert emitted <= set(CATALOG)
    assert {
        "checkout.wait_s",
        "checkout.balked_frac",
        "checkout.reneged_frac",
        "checkout.lane_utilisation_frac",
        "store.time_in_store_s",
        "store.occupancy_n",
        "store.shoppers_n",
        "store.revenue_money",
    } <= emitted
