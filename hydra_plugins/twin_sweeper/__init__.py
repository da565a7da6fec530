"""The twin's Hydra sweeper (found by Hydra's plugin scan of the ``hydra_plugins`` namespace)."""
