"""Core building blocks: named random streams, distribution samplers, arrivals, units."""
