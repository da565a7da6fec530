"""KPI monitors (O(1) inside the event loop), KPI definitions, and statistics after the run."""
