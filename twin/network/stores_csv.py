"""Stores from a user's CSV (``network.stores_csv``): id, format, x_km, y_km, optional region."""

from __future__ import annotations

from collections.abc import Collection

from twin.errors import ConfigError
from twin.network.csv_input import float_cell, read_csv_rows, text_cell
from twin.network.formats import choices_text
from twin.network.regions import StoreInfo

KEY = "network.stores_csv"
COLUMNS = ("id", "format", "x_km", "y_km")
DEFAULT_REGION = "R1"


def read_stores_csv(path_text: str, known_formats: Collection[str]) -> list[StoreInfo]:
    """The stores listed in ``path_text``, in file order; without a region column all are R1."""
    rows = read_csv_rows(path_text, KEY, COLUMNS, optional=("region",))
    stores: list[StoreInfo] = []
    first_line: dict[str, int] = {}
    for line, row in rows:
        store_id = text_cell(row, "id", line, KEY, path_text)
        if store_id in first_line:
            raise ConfigError(
                KEY,
                path_text,
                f"unique store ids; {store_id!r} is on lines {first_line[store_id]} and {line}",
            )
        first_line[store_id] = line
        fmt = text_cell(row, "format", line, KEY, path_text)
        if fmt not in known_formats:
            raise ConfigError(
                KEY,
                path_text,
                f"a format from {choices_text(known_formats)} in column format; "
                f"line {line} has {fmt!r}",
            )
        region = (
            text_cell(row, "region", line, KEY, path_text) if "region" in row else DEFAULT_REGION
        )
        stores.append(
            StoreInfo(
                id=store_id,
                format=fmt,
                x_km=float_cell(row, "x_km", line, KEY, path_text),
                y_km=float_cell(row, "y_km", line, KEY, path_text),
                region=region,
            )
        )
    return stores
