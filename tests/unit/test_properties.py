"""Property-based tests: any override either is refused in one line naming its key, or runs
to a result whose invariants hold (docs/RELIABILITY.md).

Overrides are drawn across the whole schema (every numeric, text, flag, list and distribution
key of the default config) with values of every type: in range, out of range, inf, NaN, huge,
negative, empty. The base is a tiny single-store day so every accepted draw runs in well under
a second; the invariants are also checked on plain runs, so they hold in every test run.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Any

import pandas as pd
import pytest
from hydra import compose, initialize_config_dir
from hydra.core.override_parser.overrides_parser import OverridesParser
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from twin.config.load import config_dir, register, to_twin_config, translate_error
from twin.config.memory import check_memory, estimated_bytes
from twin.config.schema import TwinConfig
from twin.core.sampling import DistSpec
from twin.data.write import day0
from twin.errors import ConfigError
from twin.experiment.replications import SimulationResult, simulate

pytestmark = pytest.mark.unit

BASE = [
    "network=single_store",
    "run.days=1",
    "run.records=true",
    "formats.grocery.demand_scale=0.02",
    "formats.grocery.open_hour=10",
    "formats.grocery.close_hour=13",
    "orders.demand_scale=0.2",
]
MAX_RUN_BYTES = 600 * 2**20  # draws that would need more are checked up to time 0 only
MAX_ARRIVALS = 3_000  # ... and so are draws with more arrivals than a quick run has


@functools.lru_cache(maxsize=1)
def _base() -> DictConfig:
    register()
    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        return compose(config_name="config", overrides=BASE)


def _leaf_keys() -> list[tuple[str, str]]:
    """(key, kind) of every leaf of the default config; kinds: number, text, flag, list, dist."""
    found: list[tuple[str, str]] = []

    def walk(value: Any, key: str) -> None:
        if isinstance(value, DistSpec):
            for part in ("kind", "mean", "cv", "sd", "low", "high"):
                found.append((f"{key}.{part}", "text" if part == "kind" else "number"))
            found.append((key, "dist"))
        elif dataclasses.is_dataclass(value):
            for spec in dataclasses.fields(value):
                walk(getattr(value, spec.name), f"{key}.{spec.name}" if key else spec.name)
        elif isinstance(value, dict):
            for name, item in value.items():
                walk(item, f"{key}.{name}")
        elif isinstance(value, bool):
            found.append((key, "flag"))
        elif isinstance(value, int | float):
            found.append((key, "number"))
        elif isinstance(value, list):
            found.append((key, "list"))
        elif isinstance(value, str):
            found.append((key, "text"))

    walk(TwinConfig(), "")
    return [(k, kind) for k, kind in found if not k.startswith(("run.executor", "experiment."))]


KEYS = _leaf_keys()
SPECIAL = ["inf", "-inf", "nan", "1e12", "1e300", "-1", "0", "''", "[]", "{}", "abc", "true"]
NUMBERS = st.one_of(
    st.integers(min_value=-(10**13), max_value=10**13).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(min_value=0.0, max_value=100.0).map(lambda x: f"{x:.3g}"),
    st.sampled_from(SPECIAL),
)
LISTS = st.one_of(
    st.lists(st.sampled_from(["0", "1", "2.5", "inf", "nan", "-3", "1e12"]), max_size=25).map(
        lambda items: "[" + ",".join(items) + "]"
    ),
    st.sampled_from(SPECIAL),
)
DISTS = st.builds(
    lambda kind, mean, cv: f"{{kind:{kind},mean:{mean},cv:{cv}}}",
    st.sampled_from(["fixed", "exponential", "lognormal", "gamma", "normal", "poisson", "odd"]),
    NUMBERS,
    NUMBERS,
)
TEXTS = st.one_of(st.sampled_from(SPECIAL), st.text(alphabet="abz_$'\\<>é", max_size=8))


@st.composite
def overrides(draw: st.DrawFn) -> str:
    key, kind = draw(st.sampled_from(KEYS))
    value = draw(
        {"number": NUMBERS, "list": LISTS, "dist": DISTS, "text": TEXTS, "flag": TEXTS}[kind]
    )
    return f"{key}={value}"


def load(override: str) -> Any:
    """The validated config of BASE plus ``override``, as load_config builds it."""
    config = _base().copy()
    try:
        parsed = OverridesParser.create().parse_override(override)
        OmegaConf.update(config, parsed.key_or_group, parsed.value(), merge=False)
    except OmegaConfBaseException as exc:
        raise translate_error(exc) from None
    except Exception:  # Hydra's own parser refuses the text (twin prints its one line)
        return None
    twin_config = to_twin_config(config)
    check_memory(twin_config)
    return twin_config


def check_invariants(result: SimulationResult, warmup_s: float, start_weekday: int) -> None:
    """Nothing lost at the end of a run: every shopper and every order is accounted for."""
    kpis = result.kpis
    stores = kpis[(kpis["store"] != "all") & (kpis["stat"] == "total")]
    window_start = day0(start_weekday) + pd.Timedelta(seconds=warmup_s)

    def total(kpi: str) -> float:
        return float(stores.loc[stores["kpi"] == kpi, "value"].sum())

    visits = result.records["visits"]
    in_window = visits[visits["arrival"] >= window_start]
    left = in_window["leave"].notna()
    inside = in_window["outcome"] == "inside"
    assert int(left.sum()) + int(inside.sum()) == len(in_window)  # arrived = left + inside
    assert not (left & inside).any()
    assert total("store.shoppers_n") == len(in_window)  # record rows = the KPI count
    assert (in_window.loc[left, "leave"] >= in_window.loc[left, "arrival"]).all()
    orders = result.records.get("orders")
    if orders is not None and "orders.n" in set(stores["kpi"]):
        placed = orders[orders["placed"] >= window_start]
        outcome, pickup = placed["outcome"], placed["mode"] == "pickup"
        collected = int((outcome == "collected").sum())
        expired = int((outcome == "expired").sum())
        open_pickups = int(((outcome == "pending") & pickup).sum())
        dispatched = int((outcome == "dispatched").sum())
        not_dispatched = int(((outcome == "pending") & ~pickup).sum())
        assert collected + expired + open_pickups + dispatched + not_dispatched == len(placed)
        assert total("orders.n") == len(placed)


def _small(config: Any) -> bool:
    formats = config.formats
    scale = max(getattr(formats, name).demand_scale for name in vars(formats))
    arrivals = config.demand.daily_shoppers_per_store * scale * config.network.n_stores
    arrivals *= config.run.days * config.run.replications * max(config.demand.day_factors)
    return arrivals <= MAX_ARRIVALS and estimated_bytes(config) <= MAX_RUN_BYTES


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(override=overrides())
def test_any_override_is_refused_in_one_line_or_runs_with_its_invariants(override: str) -> None:
    key = override.split("=", 1)[0]
    try:
        config = load(override)
        if config is None:
            event("refused by Hydra's override parser")
            return
    except ConfigError as exc:
        message = str(exc)
        assert "\n" not in message, message
        assert exc.key not in ("", "?", "dist", "<root>"), message
        assert exc.key.split(".")[0] in {f.name for f in dataclasses.fields(TwinConfig)} | {
            "demand",
            "network",
            "formats",
            "fulfilment",
        }, message
        event("refused before time 0, one line naming the key")
        return
    if not _small(config):
        event("accepted, too big for a quick run: checked up to time 0")
        return  # accepted and bounded by the ceilings; too big for a quick run
    result = simulate(config)
    assert len(result.kpis) > 0, key
    check_invariants(result, config.run.warmup_s, config.run.start_weekday)
    event("ran, invariants hold")


@pytest.mark.parametrize(
    "extra",
    [[], ["run.warmup_s=7200", "run.replications=2"], ["orders.enabled=false"]],
    ids=["base", "warm-up", "no orders"],
)
def test_invariants_hold_on_plain_runs(extra: list[str]) -> None:
    config = to_twin_config(OmegaConf.merge(_base(), OmegaConf.from_dotlist(extra)))  # type: ignore[arg-type]
    check_invariants(simulate(config), config.run.warmup_s, config.run.start_weekday)


def test_every_number_of_the_schema_is_drawn() -> None:
    assert len(KEYS) > 300
    assert {"number", "text", "flag", "list", "dist"} <= {kind for _, kind in KEYS}
    assert not math.isnan(pd.Series([1.0]).sum())
