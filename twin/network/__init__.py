"""The store network: stores, customer zones, regions, road graphs and travel-time tables."""

from twin.network.build import build_network
from twin.network.regions import Network, Region, StoreInfo, ZoneInfo
from twin.network.tables import TravelTables, travel_tables

__all__ = [
    "Network",
    "Region",
    "StoreInfo",
    "TravelTables",
    "ZoneInfo",
    "build_network",
    "travel_tables",
]
