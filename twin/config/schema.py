"""The config schema: the single source of truth for every parameter, its unit and range.

Defaults here are the documented defaults; the YAML files under configs/ restate them with
their sources (see ../shared/DOMAIN.md). Units are in the names (``*_s``, ``*_km``, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from twin.config.coldchain import ColdChainConfig
from twin.config.crosschecks import check_orders_have_pickers
from twin.config.delivery import DeliveryConfig, check_delivery
from twin.config.experiment import ExperimentConfig, PrecisionConfig
from twin.config.fields import choice, dist, items, num, prob
from twin.config.fulfilment import FulfilmentConfig, check_orders_fulfilment
from twin.config.orders import OrdersConfig
from twin.config.planner import PlannerConfig
from twin.config.sizing import SizingConfig
from twin.config.stability import check_checkout_stability
from twin.config.store_formats import FormatsConfig, check_format_names
from twin.core.sampling import DistSpec
from twin.errors import ConfigError

# ERS ATUS 2014-17: weekday peaks 11:00-12:59 and 15:00-15:59 with 16% of shoppers in each
# hour; weekend peak 11:00-12:59 with 20% in each. Other hours spread by assumption (derived).
WEEKDAY_HOUR_SHARES = [0.0] * 7 + [3, 4, 5, 7, 16, 16, 6, 6, 16, 7, 6, 4, 2, 1, 1] + [0.0, 0.0]
WEEKEND_HOUR_SHARES = [0.0] * 7 + [2, 4, 6, 8, 20, 20, 9, 8, 7, 6, 4, 3, 1.5, 1, 0.5] + [0.0, 0.0]
# Mon..Sun, mean 1: Saturday busiest (41 M) vs Monday/Tuesday (29 M) shoppers (TUI, derived).
DAY_FACTORS = [0.88, 0.88, 0.95, 0.97, 1.07, 1.25, 1.00]


def _d(kind: str, mean: float = 0.0, cv: float = 0.0, **kw: float) -> DistSpec:
    return DistSpec(kind=kind, mean=mean, cv=cv, **kw)  # type: ignore[arg-type]


@dataclass
class RunConfig:
    scenario: str = "default"
    seed: int = num(20261128, ge=0, doc="base seed of all named random streams")
    replications: int = num(1, ge=1, le=100_000)
    days: int = num(1, ge=1, le=3660, doc="simulated days; day 0 is start_weekday")
    start_weekday: int = num(0, ge=0, le=6, doc="0 = Monday ... 6 = Sunday")
    warmup_s: float = num(0.0, ge=0.0, doc="observations before this time are excluded")
    workers: int = num(1, ge=1, le=4096, doc="processes for replications and regions")
    executor: str = choice(
        "process", ("process", "dask", "ray"), doc="where (replication, region) tasks run"
    )
    executor_address: str = ""  # dask scheduler / ray cluster address; "" = a local cluster
    bin_s: float = num(900.0, gt=0.0, le=86_400.0, doc="time-series bin width, at most a day")
    records: bool = False
    # an HTML report per sweep job (off: a sweep writes one sweep report when it ends; a run
    # always gets its report)
    job_reports: bool = False
    precision: PrecisionConfig = field(default_factory=PrecisionConfig)

    def check(self, key: str) -> None:
        horizon_s = self.days * 86_400.0
        if self.warmup_s >= horizon_s:
            raise ConfigError(
                f"{key}.warmup_s",
                self.warmup_s,
                f"a warm-up shorter than the horizon (run.days = {self.days}: {horizon_s:g} s)",
            )


@dataclass
class NetworkConfig:
    kind: str = choice("metro", ("single_store", "metro", "csv"))
    seed: int = num(7, ge=0, doc="layout seed: the same network for every run seed")
    n_stores: int = num(12, ge=1, le=100_000)
    n_zones: int = num(40, ge=1, le=1_000_000, doc="customer zones")
    n_regions: int = num(1, ge=1, le=10_000, doc="independent regions (metro areas)")
    area_km: float = num(20.0, gt=0.0, doc="side of the square each region covers")
    region_spacing_km: float = num(200.0, gt=0.0, doc="distance between region centres")
    road_neighbours: int = num(4, ge=1, le=100, doc="road links from each node to its nearest")
    road_speed_kmh: float = num(30.0, gt=0.0, doc="effective urban road speed")
    road_detour_factor: float = num(1.3, ge=1.0, doc="road length / straight-line length")
    zone_population: DistSpec = dist(lambda: _d("lognormal", 25000.0, 0.5))
    stores_csv: str = ""
    roads_csv: str = ""  # optional CSV of road edges from,to,km replacing the generated roads
    format_mix: dict[str, float] = field(default_factory=lambda: {"grocery": 1.0})
    format_overrides: dict[str, str] = field(default_factory=dict)


@dataclass
class BasketConfig:
    """In-store basket units: a mixture of quick and stock-up trips (VideoMining, AECOC)."""

    quick_share: float = prob(0.5)
    quick_units: DistSpec = dist(lambda: _d("geometric", 4.0))
    stockup_units: DistSpec = dist(lambda: _d("negbin", 18.0, 0.6))


@dataclass
class DemandConfig:
    daily_shoppers_per_store: float = num(1800.0, ge=0.0, doc="FMI 2023: 12,700 per week")
    weekday_hour_shares: list[float] = items(lambda: list(WEEKDAY_HOUR_SHARES), ge=0.0, length=24)
    weekend_hour_shares: list[float] = items(lambda: list(WEEKEND_HOUR_SHARES), ge=0.0, length=24)
    day_factors: list[float] = items(lambda: list(DAY_FACTORS), ge=0.0, length=7)
    basket: BasketConfig = field(default_factory=BasketConfig)
    browse_fixed_s: DistSpec = dist(lambda: _d("lognormal", 480.0, 0.5))
    browse_per_item_s: DistSpec = dist(lambda: _d("lognormal", 150.0, 0.4))
    spend_per_item: DistSpec = dist(lambda: _d("lognormal", 5.4, 0.8))
    source: str = choice(
        "model", ("model", "trace"), doc="walk-ins drawn (model) or replayed from demand.trace"
    )
    trace: str = ""  # a folder of operations logs (docs/DATA.md) when source=trace


@dataclass
class TwinConfig:
    run: RunConfig = field(default_factory=RunConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    demand: DemandConfig = field(default_factory=DemandConfig)
    formats: FormatsConfig = field(default_factory=FormatsConfig)
    coldchain: ColdChainConfig = field(default_factory=ColdChainConfig)
    experiment: ExperimentConfig = field(default_factory=ExperimentConfig)
    orders: OrdersConfig = field(default_factory=OrdersConfig)
    fulfilment: FulfilmentConfig = field(default_factory=FulfilmentConfig)
    sizing: SizingConfig = field(default_factory=SizingConfig)
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    planner: PlannerConfig = field(default_factory=PlannerConfig)

    def check(self, key: str) -> None:
        check_orders_fulfilment(self.orders, self.fulfilment, self.formats)
        check_delivery(self.delivery, self.orders, self.fulfilment)
        if sum(self.demand.weekday_hour_shares) <= 0 and sum(self.demand.weekend_hour_shares) <= 0:
            raise ConfigError(
                "demand.weekday_hour_shares",
                self.demand.weekday_hour_shares,
                "at least one hour with a positive share",
            )
        if self.demand.source == "trace" and not self.demand.trace:
            raise ConfigError("demand.trace", "", "a logs folder when demand.source=trace")
        if self.demand.source == "model":
            check_checkout_stability("formats.grocery", self.formats.grocery, self.demand)
        check_format_names(self.network, self.formats)
        check_orders_have_pickers(self.orders, self.fulfilment)
