"""The twin's Hydra launcher: a pool of forked workers that run many jobs each."""
