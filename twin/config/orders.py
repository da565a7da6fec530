"""Online-order config: channels, arrivals by hour of day, baskets split by temperature zone.

Defaults follow ../shared/DOMAIN.md 1(b), 1(e) and section 3; configs/orders/default.yaml
restates them with a source on each value. The processes that use them are in
:mod:`twin.domain.online.orders_rates` and :mod:`twin.domain.online.orders_draws`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from twin.config.fields import choice, dist, items, num, prob
from twin.core.sampling import DistSpec
from twin.errors import ConfigError

TEMPERATURE_ZONES = ("ambient", "chilled", "frozen")  # also the walk path: frozen picked last
CHANNELS = ("pickup", "delivery", "replenishment")
HANDOFFS = ("pickup", "delivery")
EXPRESS_OFFERS = ("always", "when_free")
_SHARE_SUM_TOLERANCE = 1e-6

# Share of online orders placed in each hour (0..23): the shape of the Instacart 2017 public
# dataset's order_hour_of_day histogram (~3.4 M orders), read from public EDA plots and
# rounded; a broad 10:00-16:00 plateau, few orders at night [P-data, shape; verify on the data].
ONLINE_HOUR_SHARES = [
    0.7, 0.4, 0.2, 0.2, 0.2, 0.3, 0.9, 2.7, 5.2, 7.5, 8.4, 8.3,
    8.0, 8.1, 8.3, 8.3, 8.0, 6.7, 5.3, 4.1, 3.0, 2.3, 1.8, 1.2,
]  # fmt: skip
FLAT_HOUR_SHARES = [1.0] * 24


def _d(kind: str, mean: float = 0.0, cv: float = 0.0) -> DistSpec:
    return DistSpec(kind=kind, mean=mean, cv=cv)


@dataclass
class ZoneItemsConfig:
    """The items of one temperature zone in an online order: their share, weight and volume."""

    share: float = prob(0.57, doc="share of an online order's units in this zone")
    weight_kg: DistSpec = dist(lambda: _d("gamma", 0.6, 0.8), doc="weight of one item")
    volume_l: DistSpec = dist(lambda: _d("gamma", 1.5, 0.8), doc="volume of one item")


@dataclass
class ItemZonesConfig:
    """How an order's units split over the temperature zones (shares add up to 1)."""

    ambient: ZoneItemsConfig = field(default_factory=ZoneItemsConfig)
    chilled: ZoneItemsConfig = field(
        default_factory=lambda: ZoneItemsConfig(0.35, _d("gamma", 0.7, 0.6), _d("gamma", 1.2, 0.6))
    )
    frozen: ZoneItemsConfig = field(
        default_factory=lambda: ZoneItemsConfig(0.08, _d("gamma", 0.6, 0.6), _d("gamma", 1.0, 0.6))
    )

    def shares(self) -> list[float]:
        return [getattr(self, zone).share for zone in TEMPERATURE_ZONES]

    def check(self, key: str) -> None:
        total = sum(self.shares())
        if abs(total - 1.0) > _SHARE_SUM_TOLERANCE:
            raise ConfigError(
                f"{key}.ambient.share",
                self.ambient.share,
                f"zone shares that add up to 1 (ambient + chilled + frozen = {total:g})",
            )


@dataclass
class SlotsConfig:
    """Booked collection windows: a share of a pickup channel's customers book a window that
    starts later than the earliest one (``promise_s`` after ordering, "express").

    DOMAIN.md 1(b): Amazon Fresh Pickup orders could be collected 15 min after ordering and
    customers reserved windows; grocers promise "as little as an hour" (Whole Foods) to 4 h
    (Walmart) or 6 h (Target). An order's promise is its window's start: ready by then.
    """

    share: float = prob(0.0, doc="share of orders that book a later window (0: all express)")
    lead_s: DistSpec = dist(
        lambda: DistSpec(kind="uniform", low=3600.0, high=14400.0),
        doc="order placed -> start of the booked window",
    )
    last_start_hour: int = num(
        21, ge=1, le=24, doc="latest window start of the day (later bookings take it)"
    )
    express: str = choice(
        "always",
        EXPRESS_OFFERS,
        doc="always: every customer who asks gets express; when_free: only when the store's "
        "idle pickers can pick the order within promise_s, else a window lead_s ahead",
    )

    @property
    def booking(self) -> bool:
        """Whether any order books a window (by choice, or refused express)."""
        return self.share > 0 or self.express == "when_free"


@dataclass
class ChannelConfig:
    """One online channel: its volume, the hours it takes orders, its baskets and its promise."""

    enabled: bool = True
    daily_orders_per_store: float = num(
        30.0, ge=0.0, doc="orders per day per store offering the channel (before day factors)"
    )
    hour_shares: list[float] = items(lambda: list(ONLINE_HOUR_SHARES), ge=0.0, length=24)
    open_hour: int = num(8, ge=0, le=23, doc="first hour orders are taken")
    close_hour: int = num(21, ge=1, le=24, doc="orders are taken until this hour")
    basket_units: DistSpec = dist(lambda: _d("negbin", 30.0, 0.45))
    promise_s: float = num(900.0, gt=0.0, doc="order placed -> ready (collect or dispatch)")
    handoff: str = choice("pickup", HANDOFFS, doc="collected at the store or handed to delivery")
    slots: SlotsConfig = field(default_factory=SlotsConfig)

    def check(self, key: str) -> None:
        if self.slots.booking and self.slots.last_start_hour <= self.open_hour:
            raise ConfigError(
                f"{key}.slots.last_start_hour",
                self.slots.last_start_hour,
                f"an hour after open_hour ({self.open_hour}): windows start after orders come",
            )
        if self.close_hour <= self.open_hour:
            raise ConfigError(
                f"{key}.close_hour", self.close_hour, f"an hour after open_hour ({self.open_hour})"
            )
        hours = self.hour_shares[self.open_hour : self.close_hour]
        if self.enabled and self.daily_orders_per_store > 0 and sum(hours) <= 0:
            raise ConfigError(
                f"{key}.hour_shares",
                self.hour_shares,
                f"a positive share in at least one hour from {self.open_hour} to {self.close_hour}",
            )


def _delivery() -> ChannelConfig:
    return ChannelConfig(
        daily_orders_per_store=15.0,
        open_hour=8,
        close_hour=20,
        promise_s=3600.0,
        handoff="delivery",
    )


def _replenishment() -> ChannelConfig:
    return ChannelConfig(
        daily_orders_per_store=5.0,
        hour_shares=list(FLAT_HOUR_SHARES),
        open_hour=7,
        close_hour=21,
        basket_units=_d("geometric", 4.0),
        promise_s=7200.0,
        handoff="delivery",
    )


@dataclass
class OrdersConfig:
    """Online orders of every channel, placed from customer zones, served by stores."""

    enabled: bool = True
    demand_scale: float = num(1.0, ge=0.0, doc="multiplies every channel's order volume")
    day_factors: list[float] = items(lambda: [1.0] * 7, ge=0.0, length=7, doc="Mon..Sun")
    pickup: ChannelConfig = field(default_factory=ChannelConfig)
    delivery: ChannelConfig = field(default_factory=_delivery)
    replenishment: ChannelConfig = field(default_factory=_replenishment)
    zones: ItemZonesConfig = field(default_factory=ItemZonesConfig)
    spend_per_item: DistSpec = dist(lambda: _d("lognormal", 4.3, 0.8))

    def channels(self) -> list[tuple[str, ChannelConfig]]:
        return [(name, getattr(self, name)) for name in CHANNELS]

    def check(self, key: str) -> None:
        for name, fixed in (("pickup", "pickup"), ("delivery", "delivery")):
            channel: ChannelConfig = getattr(self, name)
            if channel.handoff != fixed:
                raise ConfigError(
                    f"{key}.{name}.handoff",
                    channel.handoff,
                    f"'{fixed}' (the {name} channel's own handoff)",
                )
        for name, channel in self.channels():
            if channel.handoff == "pickup":
                continue
            if channel.slots.share > 0:
                raise ConfigError(
                    f"{key}.{name}.slots.share",
                    channel.slots.share,
                    "0 for a delivery channel (booked windows are modelled for pickup orders)",
                )
            if channel.slots.express != "always":
                raise ConfigError(
                    f"{key}.{name}.slots.express",
                    channel.slots.express,
                    "'always' for a delivery channel (booked windows are for pickup orders)",
                )
