"""One store's :class:`twin.domain.lastmile.delivery_log.DeliveryLog`, read from its fleet after
the run."""

from __future__ import annotations

from twin.config.delivery import DroneConfig
from twin.domain.lastmile.delivery_log import (
    ACCESS_COLUMNS,
    DRONE,
    FLEET_COLUMNS,
    FLIGHT_COLUMNS,
    ORDER_COLUMNS,
    PACK_COLUMNS,
    TRIP_COLUMNS,
    DeliveryLog,
    rows_array,
)
from twin.domain.lastmile.fleet import StoreLastMile


def store_delivery_log(site: StoreLastMile, drone: DroneConfig, days: int) -> DeliveryLog:
    """Deliveries, trips (a drone flight is a trip of one parcel), fleet, flights, battery
    packs and in-home access attempts of one store."""
    orders = [
        (
            d.id,
            d.order.channel,
            d.mode,
            d.zone,
            d.order.created_s,
            d.ready_s,
            d.slot_end_s,
            d.first_out_s,
            d.door_s,
            d.outcome,
            d.attempts,
            d.failed,
            d.is_inhome,
            d.is_drone_eligible,
            d.offered_drone,
            d.weather_deferred,
            d.rerouted,
            d.weight_kg,
        )
        for d in site.deliveries
    ]
    trips = [trip for pool in site.couriers.values() for trip in pool.trips]
    fleet = [
        (
            mode,
            pool.cfg.vehicles,
            pool.cfg.start_hour,
            pool.cfg.end_hour,
            pool.cfg.cost_per_h,
            pool.cfg.cost_per_km,
            pool.cfg.co2e_g_per_km,
        )
        for mode, pool in site.couriers.items()
    ]
    flights: list[tuple[float, ...]] = []
    packs: list[tuple[float, ...]] = []
    drones = site.drones
    if drones is not None:
        flights = list(drones.flights)
        packs = [(taken, charged) for taken, charged in drones.packs]
        fleet.append(
            (
                DRONE,
                drone.drones,
                drone.start_hour,
                drone.end_hour,
                drone.cost_per_h,
                drone.cost_per_km,
                drone.co2e_g_per_km,
            )
        )
        # a flight is a trip of one parcel: out and back in a straight line
        trips += [(DRONE, int(f[1]), f[5], f[5], f[7], 2.0 * f[3], 1, 1) for f in drones.flights]
    return DeliveryLog(
        rows_array(orders, ORDER_COLUMNS),
        rows_array(trips, TRIP_COLUMNS),
        rows_array(fleet, FLEET_COLUMNS),
        rows_array(flights, FLIGHT_COLUMNS),
        rows_array(packs, PACK_COLUMNS),
        rows_array(site.access, ACCESS_COLUMNS),
        days,
    )
