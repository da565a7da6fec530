"""Fit the twin's inputs to operations logs (``twin-fit``); check it (``twin-validate``)."""
