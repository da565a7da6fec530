"""DuckDB over every run under a ``runs/`` folder: views ``runs``, ``kpis``, ``summary``,
``timeseries`` and ``network`` (docs/QUERIES.md).

``runs`` is the index (:mod:`twin.experiment.runs_index`), one row per run, sweep job and
sizing. The other three read the tables of the run folders the index lists, each folder once,
so a sweep's gathered ``summary.parquet`` (a copy of its jobs' rows) is never counted again.
Each row carries ``run_id``; join ``runs`` on it for the parameters (typed override columns).
``network`` is the part of ``summary`` about the whole network (store ``all``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from twin.experiment.runs_index import load_index
from twin.kpi.renames import RENAMES
from twin.run_files import KPIS, SUMMARY, TIMESERIES

TABLES = {"kpis": KPIS.columns, "summary": SUMMARY.columns, "timeseries": TIMESERIES.columns}
_EMPTY_TYPES = {
    "replication": "BIGINT",
    "value": "DOUBLE",
    "mean": "DOUBLE",
    "half_width": "DOUBLE",
    "n_reps": "BIGINT",
    "bin_start_s": "DOUBLE",
}


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def connect(root: Path) -> Any:
    """An in-memory DuckDB connection with the four views over ``root`` (a runs/ folder)."""
    import duckdb

    index = load_index(root)
    con = duckdb.connect()
    con.register("_index", index)
    con.execute("CREATE VIEW runs AS SELECT * FROM _index")
    ok = index[index["status"] == "ok"]
    for table, columns in TABLES.items():
        files = {
            str((root / path / f"{table}.parquet").resolve()): run_id
            for path, run_id in zip(ok["path"], ok["run_id"], strict=True)
            if (root / path / f"{table}.parquet").is_file()
        }
        con.execute(_view_sql(con, table, columns, files))
    con.execute(NETWORK_VIEW)
    return con


# The whole network's rows of summary: store 'all' of region 'all' (several regions) or of
# the only region; what the console's KPI summary shows.
NETWORK_VIEW = """
CREATE VIEW network AS
SELECT s.* FROM summary s
WHERE s.store = 'all'
  AND (s.region = 'all' OR s.run_id NOT IN (SELECT run_id FROM summary WHERE region = 'all'))
"""


def _view_sql(con: Any, table: str, columns: tuple[str, ...], files: dict[str, str]) -> str:
    if not files:
        typed = ", ".join(f"CAST(NULL AS {_EMPTY_TYPES.get(c, 'VARCHAR')}) AS {c}" for c in columns)
        return f"CREATE VIEW {table} AS SELECT CAST(NULL AS VARCHAR) AS run_id, {typed} LIMIT 0"
    owners = pd.DataFrame({"file": list(files), "owner_run_id": list(files.values())})
    con.register(f"_{table}_files", owners)
    listing = "[" + ", ".join(_sql_text(f) for f in files) + "]"
    source = f"read_parquet({listing}, union_by_name = true, filename = true)"
    present = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    dropped = ", ".join(c for c in ("filename", "run_id") if c in present)
    # Folders written before run ids existed have no run_id column: the index names them.
    # Folders written before a KPI rename have old names: shown under today's (renames.py).
    if "kpi" not in present:
        return (
            f"CREATE VIEW {table} AS SELECT f.owner_run_id AS run_id, t.* EXCLUDE ({dropped}) "
            f"FROM {source} t JOIN _{table}_files f ON t.filename = f.file"
        )
    con.register("_kpi_renames", pd.DataFrame(list(RENAMES.items()), columns=["old", "new"]))
    return (
        f"CREATE VIEW {table} AS SELECT f.owner_run_id AS run_id, t.* EXCLUDE ({dropped}) "
        "REPLACE (COALESCE(r.new, t.kpi) AS kpi) "
        f"FROM {source} t JOIN _{table}_files f ON t.filename = f.file "
        "LEFT JOIN _kpi_renames r ON t.kpi = r.old"
    )


def query(root: Path, sql: str) -> pd.DataFrame:
    """The result of ``sql`` over the views of ``root``, as a DataFrame."""
    con = connect(root)
    try:
        return con.execute(sql).df()
    finally:
        con.close()
