"""Reading the network's input CSV files, failing with a ConfigError that says what to fix."""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path

from twin.errors import ConfigError

Row = dict[str, str]


def read_csv_rows(
    path_text: str, key: str, columns: Sequence[str], optional: Sequence[str] = ()
) -> list[tuple[int, Row]]:
    """The data rows of a CSV as ``(line number, {column: stripped text})``.

    Raises :class:`ConfigError` naming ``key`` when the file is missing, unreadable, lacks one
    of ``columns`` or has no data rows.
    """
    wanted = f"a CSV file with columns {', '.join(columns)}"
    if optional:
        wanted += f" (optional: {', '.join(optional)})"
    path = Path(path_text)
    if not path_text or not path.is_file():
        raise ConfigError(key, path_text, f"the path of an existing {wanted}")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
            missing = [column for column in columns if column not in header]
            if missing:
                found = ", ".join(header) or "no header line"
                raise ConfigError(
                    key, path_text, f"{wanted}; missing {', '.join(missing)} (found: {found})"
                )
            reader.fieldnames = header
            rows = [
                (reader.line_num, {name: (row.get(name) or "").strip() for name in header})
                for row in reader
            ]
    except UnicodeDecodeError as exc:
        raise ConfigError(key, path_text, f"{wanted}, as UTF-8 text") from exc
    if not rows:
        raise ConfigError(key, path_text, f"{wanted} and at least one data row")
    return rows


def float_cell(row: Row, column: str, line: int, key: str, path_text: str) -> float:
    """The number in ``row[column]``, or a ConfigError pointing at the line."""
    text = row[column]
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ConfigError(
            key,
            path_text,
            f"a finite number in column {column} on every row; line {line} has {text!r}",
        )
    return value


def text_cell(row: Row, column: str, line: int, key: str, path_text: str) -> str:
    """The non-empty text in ``row[column]``, or a ConfigError pointing at the line."""
    text = row[column]
    if not text:
        raise ConfigError(
            key, path_text, f"a value in column {column} on every row; line {line} is empty"
        )
    return text
