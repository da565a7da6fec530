"""Shelf-life kinetics: how fast a product category loses shelf life at a temperature.

Two temperature models (:class:`Kinetics`):

- ``q10``: ``SL(T) = SL_ref * Q10 ** (-(T - T_ref) / 10)``;
- ``arrhenius``: ``k(T) = k_ref exp(-Ea / R (1 / T_K - 1 / T_ref_K))`` with ``k_ref = 1 / SL_ref``.

The rate ``1 / SL(T)`` is handled as its logarithm (:func:`log_rate`), which both models give
without overflow; :mod:`twin.domain.coldchain.shelf_life` integrates it along a product's
temperature.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
ArrayLike = float | npt.ArrayLike

Q10 = "q10"
ARRHENIUS = "arrhenius"
MODELS = (Q10, ARRHENIUS)

GAS_CONSTANT_J_PER_MOL_K = 8.314462618
ZERO_C_IN_K = 273.15


@dataclass(frozen=True, slots=True)
class Kinetics:
    """How fast one product category loses shelf life as a function of its temperature.

    Parameters may be arrays (one value per item) that broadcast with the temperatures.
    ``q10`` is used by the ``q10`` model, ``activation_energy_j_per_mol`` by ``arrhenius``.
    """

    model: str
    ref_shelf_life_s: ArrayLike
    ref_temp_c: ArrayLike
    q10: ArrayLike = 2.0
    activation_energy_j_per_mol: ArrayLike = 100_000.0

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise ValueError(f'"model" must be one of {", ".join(MODELS)}, not {self.model!r}.')
        if not np.all(np.asarray(self.ref_shelf_life_s, dtype=float) > 0):
            raise ValueError('"ref_shelf_life_s" must be > 0.')
        if self.model == Q10 and not np.all(np.asarray(self.q10, dtype=float) > 0):
            raise ValueError('"q10" must be > 0.')
        if self.model == ARRHENIUS:
            if not np.all(np.asarray(self.activation_energy_j_per_mol, dtype=float) >= 0):
                raise ValueError('"activation_energy_j_per_mol" must be >= 0.')
            if not np.all(np.asarray(self.ref_temp_c, dtype=float) > -ZERO_C_IN_K):
                raise ValueError('"ref_temp_c" must be above absolute zero.')

    @property
    def slope(self) -> FloatArray:
        """ln(Q10) / 10 per degree C (q10), or Ea / R in kelvin (arrhenius)."""
        if self.model == Q10:
            return np.log(np.asarray(self.q10, dtype=float)) / 10.0
        return np.asarray(self.activation_energy_j_per_mol, dtype=float) / GAS_CONSTANT_J_PER_MOL_K


def kinetic_params(kinetics: Kinetics) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(ln of the reference rate, reference temperature, slope) as float arrays."""
    log_ref_rate = -np.log(np.asarray(kinetics.ref_shelf_life_s, dtype=float))
    return log_ref_rate, np.asarray(kinetics.ref_temp_c, dtype=float), kinetics.slope


def log_rate(
    model: str,
    log_ref_rate: FloatArray,
    ref_temp: FloatArray,
    slope: FloatArray,
    temp: FloatArray,
) -> FloatArray:
    """ln rate(temp): the log of the fraction of the shelf life consumed per second."""
    if model == Q10:
        return np.asarray(log_ref_rate + slope * (temp - ref_temp), dtype=float)
    temp_k, ref_k = temp + ZERO_C_IN_K, ref_temp + ZERO_C_IN_K
    return np.asarray(log_ref_rate + slope * (temp_k - ref_k) / (temp_k * ref_k), dtype=float)


def log_rate_ratio(model: str, slope: FloatArray, temp: FloatArray, step: FloatArray) -> FloatArray:
    """ln rate(temp + step) - ln rate(temp), without cancellation for small steps."""
    if model == Q10:
        return np.asarray(slope * step, dtype=float)
    temp_k = temp + ZERO_C_IN_K
    return np.asarray(slope * step / (temp_k * (temp_k + step)), dtype=float)
