"""Synthetic run, sweep and sizing folders that follow docs/CONTRACTS.md exactly.

For tests, demos and benchmarks of the report without simulating: the numbers are made up
(seeded, so the same call writes the same files) but every file, column and type is the one
the experiment layer writes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from twin.run_files import KPIS, summarise

TALLY_KPIS = {"checkout.wait_s": 120.0, "store.time_in_store_s": 1500.0}
LEVEL_KPIS = {
    "checkout.utilisation_frac": 0.7,
    "pickup.ready_within_promise_frac": 0.93,
    "checkout.balked_n": 14.0,
}
SERIES = {"arrivals_n": 40.0, "checkout_queue_len": 4.0, "occupancy": 60.0, "lanes_open": 6.0}


def make_run_folder(
    path: Path,
    *,
    scenario: str = "default",
    n_stores: int = 3,
    n_reps: int = 3,
    n_regions: int = 1,
    seed: int = 1,
    level: float = 1.0,
    failed: bool = False,
    drone_range_km: float | None = 6.0,
    with_timeseries: bool = True,
    config_extra: dict[str, Any] | None = None,
) -> Path:
    """Write a run folder; ``level`` scales every KPI (for sweeps), ``failed`` writes a failed
    run (meta.json with the error, config.yaml and nothing else)."""
    path.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    config: dict[str, Any] = {
        "run": {"scenario": scenario, "seed": seed, "replications": n_reps, "bin_s": 900.0},
        "network": {"kind": "metro", "n_stores": n_stores, "n_regions": n_regions},
        "formats": {"grocery": {"checkout": {"lanes": 8}}},
    }
    if drone_range_km is not None:
        config["formats"]["dark_store"] = {"drone": {"range_km": drone_range_km}}
    config.update(config_extra or {})
    (path / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    meta: dict[str, Any] = {
        "status": "failed" if failed else "ok",
        "scenario": scenario,
        "seed": seed,
        "replications": n_reps,
        "overrides": [f"run.scenario={scenario}"],
        "versions": {
            "python": "3.11.7",
            "twin": "0.1.0",
            "simpy": "4.1.2",
            "numpy": "2.4",
            "pandas": "3.1",
            "hydra": "1.3.8",
        },
        "git_sha": "0123456789abcdef0123456789abcdef01234567",
        "wall_time_s": 12.5,
        "started_at": "2026-05-01T12:00:00+00:00",
        "finished_at": "2026-05-01T12:00:12+00:00",
        "error": None,
    }
    if failed:
        meta["error"] = {
            "type": "RunError",
            "message": "lane process crashed at t=3600 s",
            "traceback": "Traceback (most recent call last):\n  ...\nRunError: boom",
        }
        (path / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        return path
    regions = [f"R{r}" for r in range(n_regions)]
    stores = [(regions[i % n_regions], f"S{i + 1:02d}") for i in range(n_stores)]
    kpis = _kpi_rows(rng, scenario, stores, regions, n_reps, level)
    kpis.to_parquet(path / "kpis.parquet", index=False)
    summarise(kpis).to_parquet(path / "summary.parquet", index=False)
    if with_timeseries:
        _timeseries(rng, scenario, stores, n_reps, level).to_parquet(
            path / "timeseries.parquet", index=False
        )
    network = {
        "stores": [
            {
                "id": s,
                "format": "dark_store" if i % 3 == 2 else "grocery",
                "x_km": float(rng.uniform(0, 20)),
                "y_km": float(rng.uniform(0, 20)),
                "region": r,
            }
            for i, (r, s) in enumerate(stores)
        ],
        "zones": [
            {
                "id": f"Z{z:02d}",
                "x_km": float(rng.uniform(0, 20)),
                "y_km": float(rng.uniform(0, 20)),
                "population": float(rng.lognormal(np.log(25000), 0.5)),
                "region": regions[z % n_regions],
            }
            for z in range(8 * n_regions)
        ],
    }
    (path / "network.json").write_text(json.dumps(network, indent=2), encoding="utf-8")
    (path / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return path


def make_sweep_folder(
    path: Path,
    *,
    lanes: tuple[int, ...] = (4, 6, 8, 10),
    kiosks: tuple[int, ...] = (0, 4),
    n_stores: int = 3,
    n_reps: int = 3,
    failed_jobs: tuple[int, ...] = (),
    baseline_job: int | None = 0,
) -> Path:
    """A sweep over ``formats.grocery.checkout.lanes`` x ``...sco_kiosks`` with job folders,
    summary.parquet/csv, failed_jobs.json and (with a baseline) comparison.parquet."""
    path.mkdir(parents=True, exist_ok=True)
    lane_key, kiosk_key = "formats.grocery.checkout.lanes", "formats.grocery.checkout.sco_kiosks"
    frames, failed, comparisons = [], [], []
    job = 0
    per_job_kpis: dict[int, pd.DataFrame] = {}
    for lane in lanes:
        for kiosk in kiosks:
            job_dir = path / str(job)
            overrides = [f"{lane_key}={lane}", f"{kiosk_key}={kiosk}"]
            if job in failed_jobs:
                make_run_folder(job_dir, n_stores=n_stores, n_reps=n_reps, failed=True)
                failed.append(
                    {
                        "job": job,
                        "job_dir": str(job),
                        "overrides": overrides,
                        "error": {
                            "type": "RunError",
                            "message": f"job {job} crashed",
                            "traceback": "Traceback ...\nRunError",
                        },
                    }
                )
                job += 1
                continue
            level = 8.0 / lane * (1.0 - 0.03 * kiosk)
            make_run_folder(
                job_dir,
                n_stores=n_stores,
                n_reps=n_reps,
                seed=11,
                level=level,
                with_timeseries=False,
            )
            per_job_kpis[job] = pd.read_parquet(job_dir / "kpis.parquet")
            summary = pd.read_parquet(job_dir / "summary.parquet")
            summary.insert(0, "job", job)
            summary.insert(1, "job_dir", str(job))
            summary.insert(2, "status", "ok")
            summary.insert(3, lane_key, lane)
            summary.insert(4, kiosk_key, kiosk)
            frames.append(summary)
            job += 1
    summary_all = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    summary_all.to_parquet(path / "summary.parquet", index=False)
    summary_all.to_csv(path / "summary.csv", index=False)
    (path / "failed_jobs.json").write_text(json.dumps(failed, indent=2), encoding="utf-8")
    if baseline_job is not None and baseline_job in per_job_kpis:
        base = per_job_kpis[baseline_job]
        keys = ["region", "store", "kpi", "stat", "replication"]
        for other, kpis in per_job_kpis.items():
            merged = kpis.merge(base, on=keys, suffixes=("", "_base"))
            merged["diff"] = merged["value"] - merged["value_base"]
            diff = summarise(merged.assign(value=merged["diff"]))
            comparisons.append(
                pd.DataFrame(
                    {
                        "job": other,
                        "baseline_job": baseline_job,
                        "region": diff["region"],
                        "store": diff["store"],
                        "kpi": diff["kpi"],
                        "stat": diff["stat"],
                        "diff_mean": diff["mean"],
                        "diff_half_width": diff["half_width"],
                        "n_reps": diff["n_reps"],
                        "is_significant": (diff["mean"].abs() > diff["half_width"]).fillna(False),
                        "unit": diff["unit"],
                        "mean": diff["mean"],
                        "baseline_mean": 0.0,
                        "unpaired_half_width": diff["half_width"],
                        "is_paired": True,
                    }
                )
            )
        pd.concat(comparisons, ignore_index=True).to_parquet(
            path / "comparison.parquet", index=False
        )
    return path


def _kpi_rows(
    rng: np.random.Generator,
    scenario: str,
    stores: list[tuple[str, str]],
    regions: list[str],
    n_reps: int,
    level: float,
) -> pd.DataFrame:
    rows = []
    # common random numbers: the same noise for every level, so paired differences are tight
    for rep in range(n_reps):
        places = [*stores, *[(r, "all") for r in regions], ("all", "all")]
        for i, (region, store) in enumerate(places):
            store_factor = 1.0 + 0.15 * (i % 4) if store != "all" else 1.0
            for kpi, base in TALLY_KPIS.items():
                mean = base * level * store_factor * rng.lognormal(0, 0.08)
                stats = {
                    "mean": mean,
                    "p50": 0.7 * mean,
                    "p90": 2.1 * mean,
                    "p95": 2.8 * mean,
                    "max": 5.0 * mean,
                    "n": float(rng.integers(800, 1200)),
                }
                rows += [
                    (scenario, rep, region, store, kpi, s, v, "count" if s == "n" else "s")
                    for s, v in stats.items()
                ]
            for kpi, base in LEVEL_KPIS.items():
                unit = "frac" if kpi.endswith("_frac") else "count"
                value = base * (level if unit == "count" else level**0.5) * rng.lognormal(0, 0.03)
                value = min(value, 1.0) if unit == "frac" else value
                rows.append((scenario, rep, region, store, kpi, "mean", value, unit))
    return pd.DataFrame(rows, columns=list(KPIS.columns))


def _timeseries(
    rng: np.random.Generator,
    scenario: str,
    stores: list[tuple[str, str]],
    n_reps: int,
    level: float,
) -> pd.DataFrame:
    bins = np.arange(7 * 3600, 22 * 3600, 900, dtype=float)
    shape = np.exp(-((bins / 3600 - 12) ** 2) / 8) + 0.8 * np.exp(-((bins / 3600 - 17.5) ** 2) / 4)
    frames = []
    for rep in range(n_reps):
        for i, (region, store) in enumerate(stores):
            for series, base in SERIES.items():
                noise = rng.lognormal(0, 0.1, bins.size)
                values = base * level * (0.6 + 0.4 * shape) * noise * (1 + 0.1 * i)
                if series == "lanes_open":
                    values = np.round(values)
                frames.append(
                    pd.DataFrame(
                        {
                            "scenario": scenario,
                            "replication": rep,
                            "region": region,
                            "store": store,
                            "series": series,
                            "bin_start_s": bins,
                            "value": values,
                            "unit": "count",
                        }
                    )
                )
    return pd.concat(frames, ignore_index=True)
