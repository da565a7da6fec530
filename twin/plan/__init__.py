"""The operations planner: resource levels sized to expected load before time 0 (plan.py)."""
