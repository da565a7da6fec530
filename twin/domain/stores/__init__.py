"""Store formats: walk-in shoppers, tills and staff of grocery (checkout), JWO,
bookstore and kiosk bar, the store context they share, and their KPI domains.
"""
