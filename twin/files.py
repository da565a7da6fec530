"""Reading files that a person, a crash or a full disk may have damaged.

Every reader raises :class:`DamagedFileError` with one line naming the file and what is wrong
with it, and never quotes the file's content (a parser's message often does: YAML's shows the
offending line). Tools catch it and exit with status 2 (docs/RELIABILITY.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from twin.errors import TwinError


class DamagedFileError(TwinError, ValueError):
    """A file is present but cannot be read as what it should be."""

    def __init__(self, file: Path, problem: str) -> None:
        self.file = Path(file)
        self.problem = problem
        super().__init__(f"{file} {problem}")


def read_text(file: Path) -> str:
    try:
        return Path(file).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DamagedFileError(file, f"is not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        problem = f"cannot be read ({exc.strerror or type(exc).__name__})"
        raise DamagedFileError(file, problem) from None


def read_json(file: Path, expect: type | None = None) -> Any:
    """The JSON value of ``file``; with ``expect`` (dict or list) the top level must be one."""
    text = read_text(file)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DamagedFileError(
            file, f"is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    _expect(file, value, expect)
    return value


# libyaml's safe loader when PyYAML was built with it (30x faster than the pure-Python one)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(file: Path, expect: type | None = None) -> Any:
    """The YAML value of ``file`` (safe loader); with ``expect`` the top level must be one."""
    text = read_text(file)
    try:
        value = yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise DamagedFileError(file, f"is not valid YAML{where}") from None
    _expect(file, value, expect)
    return value


def read_parquet(file: Path, columns: tuple[str, ...] | list[str] = ()) -> pd.DataFrame:
    """The table in ``file``; the named columns must be there."""
    try:
        frame = pd.read_parquet(file)
    except Exception as exc:  # pyarrow raises several types for a truncated or foreign file
        raise DamagedFileError(
            file, f"is not a readable Parquet file ({type(exc).__name__})"
        ) from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DamagedFileError(file, f"lacks the columns {', '.join(missing)}")
    return frame


def _expect(file: Path, value: Any, expect: type | None) -> None:
    if expect is None or isinstance(value, expect):
        return
    names: dict[type, str] = {dict: "an object (mapping)", list: "a list"}
    wanted = names.get(expect, expect.__name__)
    got = type(value).__name__ if value is not None else "nothing"
    raise DamagedFileError(file, f"holds {got}, expected {wanted}")
