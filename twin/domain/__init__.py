"""The processes that run in SimPy and the KPI domains that read their logs.

Sub-packages by concern: ``stores`` (store formats), ``online`` (online orders, picking,
lockers, pickup, dispatch desks), ``lastmile`` (couriers, drones, in-home access) and
``coldchain`` (temperature and shelf life). ``registry`` wires them into the model
(docs/ARCHITECTURE.md).
"""
