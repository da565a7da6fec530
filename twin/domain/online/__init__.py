"""Online orders of a region: demand and draws, store assignment, picking, lockers
and pickup, the dispatch desks that hand delivery orders to the last mile, and their KPIs.
"""
