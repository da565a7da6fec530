"""The operations-data schema, declared once: tables, columns, types, units, categories.

Read by the writer (:mod:`twin.data.write`, ``run.records=true``), the reader
(:mod:`twin.data.read`), ``twin-fit``, trace replay and ``twin-validate``; documented in
docs/DATA.md. Timestamps carry a time zone, ids are strings, categories are words.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

# Time 0 of a run is midnight of its day 0; run.records writes day 0 as this Monday plus
# run.start_weekday days, in UTC (a log's own day 0 is the local date of its first event).
EPOCH_MONDAY = pd.Timestamp("2024-01-01", tz="UTC")

CHECKOUT_KINDS = ("staffed", "self_checkout")  # index = the twin's lane_kind code
VISIT_OUTCOMES = ("served", "balked", "reneged", "inside", "left")  # "left": no tills (JWO, bar)
CHANNELS = ("pickup", "delivery", "replenishment")  # index = twin.config.orders.CHANNELS
ORDER_OUTCOMES = ("pending", "collected", "expired", "dispatched")  # index = orders.py codes
ORDER_SOURCES = ("zone", "bar_code")  # index = the orders log's from_bar flag
ROSTER_RESOURCES = ("staffed_lanes", "sco_kiosks")
DOOR_OUTCOMES = ("admitted", "turned_away", "gave_up", "outside")  # index = jwo.py codes
VEHICLE_MODES = ("van", "bike", "drone")  # index = delivery_log.MODE_NAMES
TEMPERATURE_ZONES = ("ambient", "chilled", "frozen")  # index = orders.py zone codes
SENSORS = (
    "floor", "cooler", "freezer", "locker_ambient", "locker_chilled", "locker_frozen",
)  # fmt: skip  # index = coldchain_env.SENSORS


@dataclass(frozen=True, slots=True)
class Column:
    """One column: ``kind`` is str, timestamp, float, int or category."""

    name: str
    kind: str
    unit: str = ""
    required: bool = True
    categories: tuple[str, ...] = ()
    doc: str = ""


@dataclass(frozen=True, slots=True)
class Table:
    """One table of a logs folder: ``<name>.parquet`` or ``<name>.csv``."""

    name: str
    doc: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _ts(name: str, doc: str, required: bool = True) -> Column:
    return Column(name, "timestamp", "time", required, doc=doc)


VISITS = Table(
    "visits",
    "One row per walk-in shopper (store visit and, when they reached the tills, the till "
    "transaction). Shoppers still inside at the end of the log have outcome `inside` and "
    "empty leave and till columns.",
    (
        Column("store", "str", doc="store id"),
        Column("shopper", "str", doc="visit id, unique within the store"),
        _ts("arrival", "entered the store"),
        _ts("leave", "left the store (empty: still inside)", required=False),
        Column("items", "float", "units", False, doc="basket units (empty: unknown)"),
        Column("spend", "float", "currency", False, doc="amount paid (0 if not served)"),
        Column("checkout_kind", "category", "", False, CHECKOUT_KINDS, "the till they went to"),
        _ts("queue_join", "reached the tills and joined a line (or balked)", required=False),
        _ts("service_start", "till service started (reneged: gave up)", required=False),
        _ts("service_end", "till service ended (balked/reneged: when they left)", False),
        Column("outcome", "category", "", True, VISIT_OUTCOMES, "how the visit ended"),
    ),
)

ORDERS = Table(
    "orders",
    "One row per online order.",
    (
        Column("store", "str", doc="store that picks the order"),
        Column("order", "str", doc="order id, unique within the store"),
        Column("channel", "category", "", True, CHANNELS, "online channel"),
        Column("mode", "category", "", False, ("pickup", "delivery"), "how it leaves the store"),
        Column("zone", "str", required=False, doc="customer zone the order comes from"),
        _ts("placed", "order placed"),
        _ts("promised", "ready-by time promised", required=False),
        _ts("pick_start", "a picker started the first pick task", required=False),
        _ts("pick_end", "picking finished", required=False),
        _ts("ready", "ready for collection or dispatch", required=False),
        _ts("handed_over", "collected by the customer or handed to delivery", required=False),
        _ts("returned", "pickup not collected within the hold: returned to stock", False),
        _ts("slot_end", "delivery: end of the customer's delivery slot", required=False),
        _ts("delivered", "delivery: at the customer's door (last attempt)", required=False),
        Column("vehicle", "category", "", False, VEHICLE_MODES, "delivery: how it went"),
        Column("attempts", "float", "", False, doc="delivery: attempts at the door"),
        Column("failed_attempts", "float", "", False, doc="delivery: nobody home, code refused"),
        Column("outcome", "category", "", False, ORDER_OUTCOMES, "state at the end of the log"),
        Column("ambient_units", "float", "units", False, doc="units by temperature zone"),
        Column("chilled_units", "float", "units", False),
        Column("frozen_units", "float", "units", False),
        Column("weight_kg", "float", "kg", False, doc="order weight"),
        Column("value", "float", "currency", False, doc="order value"),
        Column(
            "source",
            "category",
            "",
            False,
            ORDER_SOURCES,
            "placed from a customer zone, or a kiosk bar's receipt code redeemed online",
        ),
    ),
)

ROSTERS = Table(
    "rosters",
    "Staffing: `level` units of `resource` open from `start` to `end` at `store`.",
    (
        Column("store", "str", doc="store id"),
        Column("resource", "category", "", True, ROSTER_RESOURCES, "what is staffed"),
        _ts("start", "from"),
        _ts("end", "to"),
        Column("level", "float", "units", doc="lanes or kiosks open"),
    ),
)

JWO_VISITS = Table(
    "jwo_visits",
    "One row per party at a just-walk-out store's door (the store's visits are in `visits` too, "
    "outcome `left`).",
    (
        Column("store", "str", doc="store id"),
        Column("party", "str", doc="party id, unique within the store"),
        _ts("arrival", "reached the door"),
        Column("people", "float", "people", False, doc="shopper and guests"),
        Column("outcome", "category", "", True, DOOR_OUTCOMES, "at the door"),
        _ts("door", "admitted, turned away or gave up", required=False),
        _ts("gate_start", "started through the entry gate", required=False),
        _ts("gate_end", "through the gate", required=False),
        _ts("leave", "walked out", required=False),
        _ts("receipt", "receipt sent", required=False),
        Column("value", "float", "currency", False, doc="value of the items taken"),
        Column("refund", "float", "currency", False, doc="refunded for false charges"),
    ),
)

LOCKER_STAYS = Table(
    "locker_stays",
    "One row per locker compartment stay: an order's part of one temperature zone.",
    (
        Column("store", "str", doc="store id"),
        Column("zone", "category", "", True, TEMPERATURE_ZONES, "temperature zone"),
        Column("size_class", "float", "", False, doc="compartment size class (0 = smallest)"),
        Column("compartments", "float", "units", False, doc="compartments taken"),
        _ts("placed", "put into the locker"),
        _ts("released", "taken out (empty: still in at the end of the log)", required=False),
    ),
)

TRIPS = Table(
    "trips",
    "One row per vehicle trip from the store (a drone flight is a trip of one parcel).",
    (
        Column("store", "str", doc="store id"),
        Column("mode", "category", "", True, VEHICLE_MODES, "vehicle kind"),
        Column("vehicle", "str", doc="vehicle id, unique within the store and mode"),
        _ts("start", "loading started"),
        _ts("depart", "left the store", required=False),
        _ts("end", "back at the store"),
        Column("km", "float", "km", False, doc="distance driven or flown"),
        Column("orders", "float", "", False, doc="orders on board"),
        Column("stops", "float", "", False, doc="customer zones visited"),
    ),
)

TEMPERATURES = Table(
    "temperatures",
    "Optional. Temperature readings of a store's sensors (the twin writes one per sensor and "
    "hour, a locker zone warm while its cooling has failed).",
    (
        Column("store", "str", doc="store id"),
        Column("sensor", "category", "", True, SENSORS, "where"),
        _ts("at", "read at"),
        Column("temperature_c", "float", "C", doc="air temperature"),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t for t in (VISITS, ORDERS, ROSTERS, JWO_VISITS, LOCKER_STAYS, TRIPS, TEMPERATURES)
}
# Columns a run folder adds in front of every record table (ignored by the reader).
RUN_COLUMNS = ("scenario", "replication", "region")


def schema_markdown() -> str:
    """The tables as Markdown (docs/DATA.md embeds this text; a test keeps them equal)."""
    lines: list[str] = []
    for table in TABLES.values():
        lines += [f"### `{table.name}`", "", table.doc, ""]
        lines += ["| column | type | unit | required | values / meaning |", "|---|---|---|---|---|"]
        for c in table.columns:
            values = ", ".join(f"`{v}`" for v in c.categories)
            meaning = f"{values}: {c.doc}" if values else c.doc
            required = "yes" if c.required else "optional"
            lines.append(f"| `{c.name}` | {c.kind} | {c.unit} | {required} | {meaning} |")
        lines.append("")
    return "\n".join(lines)
