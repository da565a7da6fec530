"""``twin-kpis``: print the KPI catalogue as Markdown (docs/KPIS.md is this output)."""

from __future__ import annotations

import twin.domain.registry  # noqa: F401  (imports every domain, so every KPI is defined)
from twin.kpi.catalog import catalog_markdown


def main() -> None:
    print(catalog_markdown(), end="")


if __name__ == "__main__":
    main()
