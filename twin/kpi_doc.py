"""``twin-kpis``: print the KPI catalogue as Markdown (docs/KPIS.md is this output)."""

from __future__ import annotations

import twin.domain.registry
import twin.model  # noqa: F401  (and the region-level domains it wires)
from twin.kpi.catalog import catalog_markdown


def main() -> None:
    print(catalog_markdown(), end="")


if __name__ == "__main__":
    main()
