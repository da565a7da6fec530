"""The last mile: couriers (vans, cargo bikes), drones in the weather, in-home
access codes and door policies, from the dispatch desk to the customer, and the delivery KPIs.
"""
