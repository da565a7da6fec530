"""Cold-chain config: product categories, packaging, environment temperatures, faults.

Defaults follow ../shared/DOMAIN.md 1(d) and section 3; configs/coldchain/default.yaml restates
them with a source on each value. The physics that uses them is
:mod:`twin.domain.coldchain.shelf_life` (a category's ``model``, ``ref_shelf_life_s``,
``ref_temp_c``, ``q10`` and ``activation_energy_j_per_mol`` are the fields of
:class:`twin.domain.coldchain.shelf_life_kinetics.Kinetics`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from twin.config.fields import choice, dist, items, num, prob
from twin.core.sampling import DistSpec, dist_mean
from twin.errors import ConfigError

DAY_S = 86400.0
ZONES = ("ambient", "chilled", "frozen")
MODELS = ("q10", "arrhenius")
STAGING_AREAS = ("floor", "cold")
_GAS_CONSTANT_J_PER_MOL_K = 8.314462618
# Temperatures a config may name, in C: anything outside is a typo, not a climate.
_MIN_TEMP_C, _MAX_TEMP_C = -60.0, 70.0
# Share sums are compared with this tolerance (YAML decimals do not add up exactly).
_SHARE_SUM_TOLERANCE = 1e-6


# A temperate summer day: 15 C at 04:00, 25 C at 16:00 (assumption).
OUTDOOR_C_BY_HOUR = [
    round(20.0 - 5.0 * math.cos(2.0 * math.pi * (h - 4) / 24.0), 1) for h in range(24)
]
# Heatwave: 17 C at 04:00, 35 C at 16:00 (assumption; a sweep range, not a forecast).
HEATWAVE_OUTDOOR_C_BY_HOUR = [
    round(26.0 - 9.0 * math.cos(2.0 * math.pi * (h - 4) / 24.0), 1) for h in range(24)
]
# Air-conditioned sales floor, a little warmer while open and lit (assumption).
SHOP_FLOOR_C_BY_HOUR = [19.0] * 7 + [19.5, 20.0, 20.5] + [21.0] * 9 + [20.5, 20.0, 19.5, 19.0, 19.0]


def activation_energy_matching_q10(q10: float, temp_c: float) -> float:
    """Ea (J/mol) whose Arrhenius rate has the given Q10 at ``temp_c``: R T^2 ln(Q10) / 10."""
    temp_k = temp_c + 273.15
    return _GAS_CONSTANT_J_PER_MOL_K * temp_k * temp_k * math.log(q10) / 10.0


def _age_at_pick() -> DistSpec:
    # Freshest first: pickers take the newest dates on the shelf, so an item has used up at most
    # a quarter of its shelf life (assumption); a write-off then needs the handling to use up
    # half of it (write_off_below_remaining_frac 25%), not a little on top of an old date.
    return DistSpec(kind="uniform", low=0.0, high=0.25)


@dataclass
class ProductCategoryConfig:
    """One product category: how fast it spoils, where it is kept, what an item weighs and costs."""

    zone: str = choice("chilled", ZONES, doc="temperature zone it is stored, picked and held in")
    model: str = choice("q10", MODELS, doc="temperature dependence of the shelf-life rate")
    ref_shelf_life_s: float = num(10 * DAY_S, gt=0.0, doc="shelf life at ref_temp_c")
    ref_temp_c: float = num(4.0, ge=_MIN_TEMP_C, le=_MAX_TEMP_C)
    q10: float = num(3.0, gt=1.0, doc="rate multiplier per +10 C (model q10)")
    activation_energy_j_per_mol: float = num(
        70_000.0, gt=0.0, doc="Ea of the spoilage rate (model arrhenius)"
    )
    storage_temp_c: float = num(
        4.0, ge=_MIN_TEMP_C, le=_MAX_TEMP_C, doc="product temperature when picked from storage"
    )
    max_safe_temp_c: float = num(4.4, ge=_MIN_TEMP_C, le=_MAX_TEMP_C, doc="food-safety limit")
    max_time_above_safe_s: float = num(
        7200.0, ge=0.0, doc="time above max_safe_temp_c after which an item is unsafe"
    )
    order_item_share: float = prob(
        0.2,
        doc="share of an online order's items in this category (the cold chain splits each "
        "temperature zone's items, counted by the orders, over its categories by these shares)",
    )
    weight_per_item_kg: float = num(0.5, gt=0.0)
    value_per_item: float = num(4.0, ge=0.0, doc="retail value written off when an item spoils")
    age_at_pick_frac: DistSpec = dist(
        _age_at_pick,
        doc="share of the reference shelf life used up before the item is picked "
        "(drawn per item; draws are clipped to [0, 1])",
    )

    def check(self, key: str) -> None:
        if self.max_safe_temp_c < self.storage_temp_c:
            raise ConfigError(
                f"{key}.max_safe_temp_c",
                self.max_safe_temp_c,
                f"a temperature >= storage_temp_c ({self.storage_temp_c:g} C)",
                "An item would be unsafe in its own storage.",
            )
        age = self.age_at_pick_frac
        upper = age.high if age.kind == "uniform" else dist_mean(age)
        if upper > 1.0:
            field_name = "high" if age.kind == "uniform" else "mean"
            raise ConfigError(
                f"{key}.age_at_pick_frac.{field_name}",
                getattr(age, field_name),
                "a share of the shelf life, at most 1",
                "An item cannot be picked with more than its whole shelf life used up.",
            )


def _category(
    zone: str,
    ref_shelf_life_d: float,
    ref_temp_c: float,
    q10: float,
    storage_temp_c: float,
    max_safe_temp_c: float,
    max_time_above_safe_s: float,
    share: float,
    weight_kg: float,
    value: float,
) -> ProductCategoryConfig:
    return ProductCategoryConfig(
        zone=zone,
        ref_shelf_life_s=ref_shelf_life_d * DAY_S,
        ref_temp_c=ref_temp_c,
        q10=q10,
        activation_energy_j_per_mol=round(activation_energy_matching_q10(q10, ref_temp_c), -2),
        storage_temp_c=storage_temp_c,
        max_safe_temp_c=max_safe_temp_c,
        max_time_above_safe_s=max_time_above_safe_s,
        order_item_share=share,
        weight_per_item_kg=weight_kg,
        value_per_item=value,
    )


def default_categories() -> dict[str, ProductCategoryConfig]:
    """The five default categories (sources in configs/coldchain/default.yaml)."""
    return {
        "produce": _category("chilled", 10.0, 4.0, 3.0, 4.0, 4.4, 7200.0, 0.15, 0.5, 3.5),
        "dairy": _category("chilled", 10.0, 4.0, 5.0, 4.0, 4.4, 7200.0, 0.12, 1.0, 4.0),
        "meat_fish": _category("chilled", 2.0, 4.0, 2.5, 4.0, 4.4, 7200.0, 0.08, 0.6, 10.0),
        "frozen": _category("frozen", 180.0, -18.0, 5.0, -18.0, -12.0, 3600.0, 0.08, 0.6, 6.0),
        "ambient": _category("ambient", 180.0, 20.0, 2.0, 20.0, 35.0, DAY_S, 0.57, 0.6, 5.5),
    }


@dataclass
class PackagingConfig:
    """Thermal time constants (Newton's law) of what the items travel in."""

    bare_pack_s: float = num(3600.0, gt=0.0, doc="a ~1 L pack in still air")
    insulated_tote_s: float = num(21600.0, gt=0.0, doc="insulated tote with coolant")
    drone_box_s: float = num(7200.0, gt=0.0, doc="a drone's insulated parcel box")
    pick_tote_s: float = num(
        21600.0, gt=0.0, doc="what items are picked into, on the floor until staged"
    )


@dataclass
class EnvironmentConfig:
    """Temperatures of the places items pass through (C)."""

    store_cooler_c: float = num(4.0, ge=_MIN_TEMP_C, le=_MAX_TEMP_C)
    store_freezer_c: float = num(-18.0, ge=_MIN_TEMP_C, le=_MAX_TEMP_C)
    shop_floor_c_by_hour: list[float] = items(
        lambda: list(SHOP_FLOOR_C_BY_HOUR), ge=_MIN_TEMP_C, le=_MAX_TEMP_C, length=24
    )
    outdoor_c_by_hour: list[float] = items(
        lambda: list(OUTDOOR_C_BY_HOUR),
        ge=_MIN_TEMP_C,
        le=_MAX_TEMP_C,
        length=24,
        doc="open air: doorstep, drone flight, the leg to a car",
    )
    locker_ambient_c: float = num(20.0, ge=_MIN_TEMP_C, le=_MAX_TEMP_C)
    locker_chilled_c: float = num(3.0, ge=_MIN_TEMP_C, le=_MAX_TEMP_C, doc="set point")
    locker_frozen_c: float = num(-18.0, ge=_MIN_TEMP_C, le=_MAX_TEMP_C)
    van_chilled_c: float = num(3.0, ge=_MIN_TEMP_C, le=_MAX_TEMP_C, doc="set point")
    van_frozen_c: float = num(-18.0, ge=_MIN_TEMP_C, le=_MAX_TEMP_C)
    drone_box_offset_c: float = num(
        0.0, ge=-20.0, le=40.0, doc="drone box air minus outdoor air (solar gain)"
    )
    doorstep_offset_c: float = num(
        0.0, ge=-20.0, le=40.0, doc="doorstep air minus outdoor air (sun, porch)"
    )
    locker_door_offset_c: float = num(
        0.5, ge=0.0, le=20.0, doc="chilled / frozen locker air above its set point (doors opening)"
    )
    van_door_offset_c: float = num(
        1.0, ge=0.0, le=20.0, doc="chilled / frozen van air above its set point (doors at stops)"
    )
    home_c: float = num(
        21.0, ge=_MIN_TEMP_C, le=_MAX_TEMP_C, doc="indoor air where in-home deliveries are left"
    )
    staging_area: str = choice(
        "cold",
        STAGING_AREAS,
        doc="where picked parts wait outside lockers (counter, curbside, dispatch desk): "
        "floor = shop-floor air, cold = the store cooler / freezer of their zone",
    )


@dataclass
class HeatwaveConfig:
    """A hot day: replaces the outdoor profile and warms the shop floor."""

    enabled: bool = False
    outdoor_c_by_hour: list[float] = items(
        lambda: list(HEATWAVE_OUTDOOR_C_BY_HOUR), ge=_MIN_TEMP_C, le=_MAX_TEMP_C, length=24
    )
    shop_floor_rise_c: float = num(2.0, ge=0.0, le=30.0, doc="sales floor warmer than usual by")


@dataclass
class FaultConfig:
    """Equipment failures: Poisson onsets; while failed, the zone sits at the air around it."""

    rate_per_h: float = num(0.0, ge=0.0, doc="failures per hour of operation (0 = never)")
    duration_s: DistSpec = dist(
        lambda: DistSpec(kind="lognormal", mean=7200.0, cv=0.5), doc="time to repair"
    )


@dataclass
class FaultsConfig:
    locker_zone: FaultConfig = field(
        default_factory=lambda: FaultConfig(
            rate_per_h=0.0014, duration_s=DistSpec(kind="lognormal", mean=14400.0, cv=0.5)
        )
    )
    van_cooler: FaultConfig = field(
        default_factory=lambda: FaultConfig(
            rate_per_h=0.0005, duration_s=DistSpec(kind="lognormal", mean=7200.0, cv=0.5)
        )
    )


@dataclass
class ColdChainConfig:
    """Freshness of online orders from shelf to customer (DOMAIN.md 1(d))."""

    enabled: bool = True
    categories: dict[str, ProductCategoryConfig] = field(default_factory=default_categories)
    packaging: PackagingConfig = field(default_factory=PackagingConfig)
    environment: EnvironmentConfig = field(default_factory=EnvironmentConfig)
    heatwave: HeatwaveConfig = field(default_factory=HeatwaveConfig)
    faults: FaultsConfig = field(default_factory=FaultsConfig)
    write_off_below_remaining_frac: float = prob(
        0.25, doc="remaining shelf-life fraction at handover below which an item is written off"
    )
    max_age_at_pick_frac: float = prob(
        0.5,
        doc="age limit: pickers never take an item with more of its shelf life used up (the "
        "categories' age_at_pick_frac draws are capped here)",
    )

    def check(self, key: str) -> None:
        if self.max_age_at_pick_frac + self.write_off_below_remaining_frac >= 1.0:
            raise ConfigError(
                f"{key}.max_age_at_pick_frac",
                self.max_age_at_pick_frac,
                f"an age limit below 1 - write_off_below_remaining_frac "
                f"({1.0 - self.write_off_below_remaining_frac:g})",
                "Items at the limit would be written off before any handling.",
            )
        if self.enabled and not self.categories:
            raise ConfigError(f"{key}.categories", {}, "at least one product category")
        if self.categories:
            total = sum(c.order_item_share for c in self.categories.values())
            if abs(total - 1.0) > _SHARE_SUM_TOLERANCE:
                raise ConfigError(
                    f"{key}.categories",
                    {name: c.order_item_share for name, c in self.categories.items()},
                    f"order_item_share values that add up to 1 (they add up to {total:g})",
                    "Rebalance another category, e.g. ambient, when you change one share.",
                )

    def outdoor_profile_c(self) -> list[float]:
        """The outdoor temperature by hour of day, the heatwave's when it is enabled."""
        if self.heatwave.enabled:
            return list(self.heatwave.outdoor_c_by_hour)
        return list(self.environment.outdoor_c_by_hour)

    def shop_floor_profile_c(self) -> list[float]:
        """The sales-floor temperature by hour of day, warmer during a heatwave."""
        rise = self.heatwave.shop_floor_rise_c if self.heatwave.enabled else 0.0
        return [t + rise for t in self.environment.shop_floor_c_by_hour]
