"""Fitting the twin's inputs to operations logs (``twin-fit``) and checking it (``twin-validate``)."""
