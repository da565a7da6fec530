"""Config of every store format: grocery, just-walk-out, curated bookstore, kiosk bar.

Every format extends :class:`StoreFormatConfig` (its name, opening hours and demand scale, and
their checks) and has one field in :class:`FormatsConfig` (``formats.<name>``). Defaults follow
../shared/DOMAIN.md 1(a) and section 3 where a source exists; the rest are assumptions to
sweep. configs/store/<name>.yaml restates them with a source tag on each value. Adding a
format: docs/ARCHITECTURE.md, "Adding a store format".
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from twin.config.checkout import CheckoutConfig
from twin.config.fields import choice, dist, items, num, prob
from twin.core.sampling import DistSpec
from twin.errors import ConfigError

# Probabilities that must add up to 1 are compared with this tolerance (YAML decimals).
_SUM_TOLERANCE = 1e-6


def _d(kind: str, mean: float = 0.0, cv: float = 0.0, **kw: float) -> DistSpec:
    return DistSpec(kind=kind, mean=mean, cv=cv, **kw)  # type: ignore[arg-type]


def open_hour_field(default: int) -> Any:
    """A format's ``open_hour`` with its own default (the range is every format's)."""
    return num(default, ge=0, le=23, doc="the doors open (hour of the day)")


def close_hour_field(default: int) -> Any:
    """A format's ``close_hour``: the doors close to new shoppers (24 = midnight)."""
    return num(default, ge=1, le=24, doc="the doors close (24 = midnight)")


def demand_scale_field(default: float) -> Any:
    """A format's ``demand_scale``: its walk-ins relative to a supermarket's."""
    return num(default, ge=0.0, le=1_000.0, doc="x demand.daily_shoppers_per_store")


@dataclass
class StoreFormatConfig:
    """What every store format has: a name, opening hours and a demand scale.

    A format subclasses it, restating the three fields with its own defaults (through the
    ``*_field`` helpers above, so the ranges stay the same), and extends :meth:`check`.
    """

    format: str = ""
    open_hour: int = open_hour_field(7)
    close_hour: int = close_hour_field(22)
    demand_scale: float = demand_scale_field(1.0)

    def check(self, key: str) -> None:
        """A store opens before it closes (same day; close_hour 24 = midnight)."""
        if self.close_hour <= self.open_hour:
            raise ConfigError(
                f"{key}.close_hour", self.close_hour, f"an hour after open_hour ({self.open_hour})"
            )


# --- grocery --------------------------------------------------------------------------------


@dataclass
class GroceryConfig(StoreFormatConfig):
    """A supermarket: walk-ins browse and pay at staffed lanes or self-checkout."""

    format: str = "grocery"
    open_hour: int = open_hour_field(7)
    close_hour: int = close_hour_field(22)
    demand_scale: float = demand_scale_field(1.0)
    checkout: CheckoutConfig = field(default_factory=CheckoutConfig)

    def check(self, key: str) -> None:
        super().check(key)
        by_hour = self.checkout.lanes_by_hour
        if by_hour and len(by_hour) != 24:
            raise ConfigError(
                f"{key}.checkout.lanes_by_hour",
                by_hour,
                f"24 values (one per hour), got {len(by_hour)}",
            )
        if by_hour and not any(by_hour[self.open_hour : self.close_hour]):
            raise ConfigError(
                f"{key}.checkout.lanes_by_hour",
                by_hour,
                f"a staffed lane in at least one open hour ({self.open_hour}-{self.close_hour}; "
                "an empty list: the planner's)",
            )
        if by_hour and max(by_hour) > self.checkout.lanes:
            raise ConfigError(
                f"{key}.checkout.lanes_by_hour",
                max(by_hour),
                f"at most checkout.lanes ({self.checkout.lanes}) lanes in any hour",
            )


# --- just walk out -------------------------------------------------------------------------


@dataclass
class JwoGateConfig:
    """Entry turnstiles: each person in a party scans the account's app QR code (Amazon Go)."""

    gates: int = num(2, ge=1, doc="entry turnstiles fed by one line")
    scan_s: DistSpec = dist(lambda: _d("lognormal", 3.0, 0.3), doc="one person through a gate")
    guest_probs: list[float] = items(
        lambda: [0.85, 0.10, 0.05],
        ge=0.0,
        le=1.0,
        doc="P(0, 1, 2, ... guests) an account holder brings in and pays for; sums to 1",
    )
    attendants: int = num(1, ge=0, doc="gate attendants on duty while the store is open")
    attendant_cost_per_h: float = num(18.0, ge=0.0)

    def check(self, key: str) -> None:
        total = sum(self.guest_probs)
        if not self.guest_probs or abs(total - 1.0) > _SUM_TOLERANCE:
            raise ConfigError(
                f"{key}.guest_probs",
                self.guest_probs,
                f"probabilities of 0, 1, 2, ... guests that add up to 1 (they add up to {total:g})",
            )

    @property
    def largest_party(self) -> int:
        """The account holder plus the most guests that can come (positive probability)."""
        return 1 + max(k for k, p in enumerate(self.guest_probs) if p > 0)


@dataclass
class JwoOccupancyConfig:
    """The fire-safety cap on people inside, and what arrivals do when the store is full."""

    is_capped: bool = True
    cap: int = num(90, ge=1, doc="people inside at once (~1 per 20 sq ft)")
    when_full: str = choice(
        "queue", ("queue", "leave"), doc="queue: wait outside in one line; leave: turned away"
    )
    patience_s: DistSpec = dist(
        lambda: _d("lognormal", 509.0, 1.0), doc="how long a party waits outside before leaving"
    )


@dataclass
class JwoRecognitionConfig:
    """Automatic basket recognition, human review, and recognition errors."""

    p_review: float = prob(0.05, doc="share of visits whose basket goes to human review")
    auto_receipt_s: DistSpec = dist(
        lambda: _d("lognormal", 300.0, 0.5), doc="walk-out to receipt without review"
    )
    review_s: DistSpec = dist(lambda: _d("lognormal", 240.0, 0.8), doc="a reviewer's time")
    reviewers: int = num(1, ge=0, doc="reviewers on duty in every hour (if no by-hour list)")
    reviewers_by_hour: list[int] = items(list, ge=0, length=24, doc="reviewers per hour, 24")
    reviewer_cost_per_h: float = num(8.0, ge=0.0)
    p_missed_item: float = prob(0.005, doc="per item: taken but not charged (leakage)")
    p_false_charge_item: float = prob(0.001, doc="per item: charged but not taken (refund)")
    is_review_exact: bool = True
    dispute_s: DistSpec = dist(
        lambda: _d("lognormal", 600.0, 0.5), doc="support time to refund a false charge"
    )
    support_cost_per_h: float = num(18.0, ge=0.0)

    def check(self, key: str) -> None:
        by_hour = self.reviewers_by_hour
        staffed = sum(by_hour) if by_hour else self.reviewers
        if self.p_review > 0 and staffed < 1:
            field_key = "reviewers_by_hour" if by_hour else "reviewers"
            raise ConfigError(
                f"{key}.{field_key}",
                by_hour or self.reviewers,
                f"at least one reviewer on duty when p_review > 0 (p_review = {self.p_review:g})",
                "Reviews would never finish; add reviewers or set p_review to 0.",
            )


@dataclass
class JwoConfig(StoreFormatConfig):
    """A checkout-free store: gates in, shop, walk out; baskets recognised, some reviewed."""

    format: str = "jwo"
    open_hour: int = open_hour_field(7)
    close_hour: int = close_hour_field(22)
    demand_scale: float = demand_scale_field(0.5)
    gate: JwoGateConfig = field(default_factory=JwoGateConfig)
    occupancy: JwoOccupancyConfig = field(default_factory=JwoOccupancyConfig)
    recognition: JwoRecognitionConfig = field(default_factory=JwoRecognitionConfig)

    def check(self, key: str) -> None:
        super().check(key)
        party = self.gate.largest_party
        if self.occupancy.is_capped and self.occupancy.cap < party:
            raise ConfigError(
                f"{key}.occupancy.cap",
                self.occupancy.cap,
                f"at least {party}, the largest party (1 + {party - 1} guests in gate.guest_probs)",
            )


# --- curated bookstore ----------------------------------------------------------------------


@dataclass
class BooksConfig:
    """Titles, their online ratings, the curated face-out tables, and how shoppers browse.

    P(buy a title met) has odds ``base odds of the display tier x rating_odds_per_star ^
    (rating - reference_rating) x reviews_odds_per_decade ^ log10(reviews / reference_reviews)``.
    """

    titles: int = num(20000, ge=1, doc="titles in stock")
    rating: DistSpec = dist(
        lambda: _d("normal", 4.2, sd=0.35, low=1.0, high=5.0), doc="online star rating of a title"
    )
    review_count: DistSpec = dist(lambda: _d("lognormal", 2000.0, 4.0), doc="online reviews")
    price: DistSpec = dist(lambda: _d("lognormal", 17.0, 0.4))
    curation_min_rating: float = num(4.8, ge=0.0, le=5.0, doc="face-out if rated at least this")
    curation_min_reviews: float = num(10000.0, ge=0.0, doc="... and has at least this many")
    table_slots: int = num(60, ge=0, doc="face-out places on the prime tables")
    table_titles_seen: DistSpec = dist(
        lambda: _d("poisson", 6.0), doc="face-out titles a shopper picks up"
    )
    shelf_titles_seen: DistSpec = dist(
        lambda: _d("poisson", 30.0), doc="spine-out titles a shopper looks at"
    )
    browse_fixed_s: DistSpec = dist(lambda: _d("lognormal", 600.0, 0.6))
    browse_per_title_s: DistSpec = dist(lambda: _d("lognormal", 20.0, 0.5))
    face_out_buy_prob: float = prob(0.02, doc="P(buy) of a face-out title at reference ratings")
    spine_out_buy_prob: float = prob(0.004, doc="P(buy) of a spine-out title at reference ratings")
    rating_odds_per_star: float = num(3.0, gt=0.0, doc="odds multiplier per star above reference")
    reviews_odds_per_decade: float = num(1.5, gt=0.0, doc="odds multiplier per 10x reviews")
    reference_rating: float = num(4.0, ge=0.0, le=5.0)
    reference_reviews: float = num(1000.0, gt=0.0)


@dataclass
class BookstoreConfig(GroceryConfig):
    """A curated bookstore: grocery-style staffed tills plus book displays."""

    format: str = "bookstore"
    open_hour: int = open_hour_field(9)
    close_hour: int = close_hour_field(21)
    demand_scale: float = demand_scale_field(0.25)
    checkout: CheckoutConfig = field(
        default_factory=lambda: CheckoutConfig(lanes=2, sco_kiosks=0, sco_share=0.0)
    )
    books: BooksConfig = field(default_factory=BooksConfig)


# --- kiosk bar ------------------------------------------------------------------------------


@dataclass
class BarConfig(StoreFormatConfig):
    """A bar with a recommendation kiosk: kiosk, accept, receipt, counter, maybe order online."""

    format: str = "bar"
    open_hour: int = open_hour_field(11)
    close_hour: int = close_hour_field(23)
    demand_scale: float = demand_scale_field(0.1)
    kiosks: int = num(2, ge=1, doc="recommendation kiosks fed by one line")
    interaction_s: DistSpec = dist(
        lambda: _d("lognormal", 90.0, 0.5), doc="at the kiosk, receipt printing included"
    )
    p_accept: float = prob(0.6, doc="a shopper accepts the recommendation")
    bartenders: int = num(2, ge=1, doc="bartenders at the counter, one line")
    pour_s: DistSpec = dist(lambda: _d("gamma", 120.0, 0.5))
    order_value: DistSpec = dist(lambda: _d("lognormal", 12.0, 0.4))
    stay_s: DistSpec = dist(lambda: _d("lognormal", 1800.0, 0.6), doc="drinking, after serving")
    p_online_order: float = prob(0.1, doc="a receipt code later becomes an online order")
    online_delay_s: DistSpec = dist(
        lambda: _d("lognormal", 86400.0, 1.0), doc="receipt printed -> online order placed"
    )
    online_order_value: DistSpec = dist(lambda: _d("lognormal", 60.0, 0.6))
    # The online order a receipt code becomes (placed in the region's online-order stream,
    # from the customer zone nearest the bar, served like any other order).
    online_delivery_share: float = prob(
        0.5, doc="of the bar's online orders, delivered (the rest picked up at a store)"
    )
    online_basket_units: DistSpec = dist(
        lambda: _d("poisson", 6.0), doc="units per online order (a drinks bundle), at least 1"
    )
    online_zone_shares: list[float] = items(
        lambda: [0.6, 0.4, 0.0],
        ge=0.0,
        le=1.0,
        length=3,
        doc="share of the units ambient, chilled, frozen; sums to 1",
    )
    online_item_weight_kg: DistSpec = dist(lambda: _d("gamma", 1.0, 0.4), doc="one item")
    online_item_volume_l: DistSpec = dist(lambda: _d("gamma", 0.8, 0.4), doc="one item")

    def check(self, key: str) -> None:
        super().check(key)
        total = sum(self.online_zone_shares)
        if abs(total - 1.0) > _SUM_TOLERANCE:
            raise ConfigError(
                f"{key}.online_zone_shares",
                self.online_zone_shares,
                f"ambient, chilled and frozen shares that add up to 1 (they add up to {total:g})",
            )


# --- the formats of a run -----------------------------------------------------------------


@dataclass
class FormatsConfig:
    """``formats.<name>``: the config of each store format (``FORMATS`` in twin.domain.registry
    has a site builder under the same name)."""

    grocery: GroceryConfig = field(default_factory=GroceryConfig)
    jwo: JwoConfig = field(default_factory=JwoConfig)
    bookstore: BookstoreConfig = field(default_factory=BookstoreConfig)
    bar: BarConfig = field(default_factory=BarConfig)


def check_format_names(network: Any, formats: FormatsConfig) -> None:
    """Every format that ``network.format_mix`` or ``format_overrides`` names has a config.

    Checked when the config is loaded, so a typo fails before the network is built; the
    network build checks the same names against the registered site builders.
    """
    known = [f.name for f in dataclasses.fields(formats)]
    expected = f"a store format, one of: {', '.join(known)}"
    for name in network.format_mix:
        if name not in known:
            raise ConfigError(f"network.format_mix.{name}", name, expected)
    for store_id, name in network.format_overrides.items():
        if name not in known:
            raise ConfigError(f"network.format_overrides.{store_id}", name, expected)


__all__ = [
    "BarConfig",
    "BooksConfig",
    "BookstoreConfig",
    "FormatsConfig",
    "GroceryConfig",
    "JwoConfig",
    "JwoGateConfig",
    "JwoOccupancyConfig",
    "JwoRecognitionConfig",
    "StoreFormatConfig",
    "check_format_names",
]
