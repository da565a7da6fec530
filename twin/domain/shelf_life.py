"""Shelf-life physics: product temperature lag and temperature-dependent loss of shelf life.

An item in an environment held at a constant temperature ``Te`` follows Newton's law of cooling
with the time constant ``tau`` of its packaging::

    T(t) = Te + (T0 - Te) exp(-t / tau)

and loses shelf life at the rate ``1 / SL(T(t))``. Time-temperature effects are additive
(DTU RRS, DOMAIN.md 1(d)), so a stage of duration ``D`` consumes ``q = integral_0^D dt / SL(T)``
of the reference shelf life; an item is expired once the consumed fractions add up to 1.

Two temperature models (:class:`Kinetics`):

- ``q10``: ``SL(T) = SL_ref * Q10 ** (-(T - T_ref) / 10)``, integrated in closed form with the
  exponential integral;
- ``arrhenius``: ``k(T) = k_ref exp(-Ea / R (1 / T_K - 1 / T_ref_K))`` with ``k_ref = 1 / SL_ref``,
  exact at constant temperature and by fixed Gauss-Legendre quadrature during the lag.

Everything broadcasts over numpy arrays of items (kinetic parameters included); nothing steps
through time. Scalar inputs give 0-d arrays.

>>> milk = Kinetics("q10", ref_shelf_life_s=10 * 86400.0, ref_temp_c=4.0, q10=5.0)
>>> round(float(consumed_fraction(milk, 4.0, 4.0, 86400.0, 3600.0)), 12)  # a day at 4 C
0.1
>>> round(float(consumed_fraction(milk, 4.0, 14.0, 86400.0, 1e-9)), 12)  # a day at 14 C
0.5
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import expi

FloatArray = npt.NDArray[np.float64]
ArrayLike = float | npt.ArrayLike

Q10 = "q10"
ARRHENIUS = "arrhenius"
MODELS = (Q10, ARRHENIUS)

GAS_CONSTANT_J_PER_MOL_K = 8.314462618
ZERO_C_IN_K = 273.15

# Gauss-Legendre order of the lag quadrature. The integrand is analytic (an exponential of a
# smooth function of time), so the error falls off like (scale)^(2n) / (2n)!; with 48 nodes it
# is at rounding level for every realistic stage (see consumed_fraction).
_GL_ORDER = 48
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(_GL_ORDER)
# The quadrature covers the first _HEAD_TAUS time constants in time; what remains of a longer
# stage is integrated in u = exp(-t / tau), where the rate minus its final value is smooth.
_HEAD_TAUS = 4.0
# Beyond this many time constants the product is at Te to double precision: T - Te ~ 2e-22 dT.
_SETTLED_TAUS = 50.0
# Q10 closed form: power series of the exponential integral for |c| <= this ...
_SERIES_MAX_C = 2.0
_SERIES_K = np.arange(1, 31, dtype=float)
_SERIES_COEF = 1.0 / (_SERIES_K * np.array([math.factorial(int(k)) for k in _SERIES_K]))
# ... and the asymptotic series of exp(-x) Ei(x) for |x| >= this.
_ASYMPTOTIC_MIN_X = 40.0
_ASYMPTOTIC_COEF = np.array([math.factorial(k) for k in range(20)], dtype=float)


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


@dataclass(frozen=True, slots=True)
class StageExposure:
    """What one stage of constant environment temperature did to the items."""

    end_temp_c: FloatArray
    consumed_fraction: FloatArray
    time_above_safe_s: FloatArray


@dataclass(frozen=True, slots=True)
class ChainExposure:
    """What a chain of stages did: ``time_above_safe_s`` has one row per stage."""

    end_temp_c: FloatArray
    consumed_fraction: FloatArray
    time_above_safe_s: FloatArray

    @property
    def total_time_above_safe_s(self) -> FloatArray:
        return np.asarray(self.time_above_safe_s.sum(axis=0), dtype=float)


def shelf_life_s(kinetics: Kinetics, temp_c: ArrayLike) -> FloatArray:
    """Shelf life of an item held at ``temp_c`` throughout."""
    return np.exp(-_log_rate(kinetics.model, *_params(kinetics), np.asarray(temp_c, dtype=float)))


def rate_per_s(kinetics: Kinetics, temp_c: ArrayLike) -> FloatArray:
    """Fraction of the shelf life consumed per second at ``temp_c`` (``1 / SL(T)``)."""
    return np.exp(_log_rate(kinetics.model, *_params(kinetics), np.asarray(temp_c, dtype=float)))


def product_temp_c(
    elapsed_s: ArrayLike, start_temp_c: ArrayLike, env_temp_c: ArrayLike, time_constant_s: ArrayLike
) -> FloatArray:
    """Product temperature ``elapsed_s`` into a stage: first-order lag towards ``env_temp_c``."""
    elapsed, start, env, tau = _floats(elapsed_s, start_temp_c, env_temp_c, time_constant_s)
    _require_positive(tau, "time_constant_s")
    return np.asarray(env + (start - env) * np.exp(-elapsed / tau), dtype=float)


def consumed_fraction(
    kinetics: Kinetics,
    start_temp_c: ArrayLike,
    env_temp_c: ArrayLike,
    duration_s: ArrayLike,
    time_constant_s: ArrayLike,
) -> FloatArray:
    """Fraction of the reference shelf life consumed in one stage of constant environment.

    The product starts at ``start_temp_c`` and lags towards ``env_temp_c`` with
    ``time_constant_s``; the result is ``integral_0^D dt / SL(T(t))``.

    q10: with ``rate = a exp(b T)``, ``c = b (T0 - Te)`` and ``u1 = exp(-D / tau)`` the integral
    is ``tau exp(b Te) [Ei(c) - Ei(c u1)]``, evaluated as
    ``tau [rate(T0) g(c) - rate(T(D)) g(c u1)]`` with ``g(x) = exp(-x) Ei(x)`` (no overflow for
    large ``|c|``); for ``|c| <= 2`` by the power series of ``Ei(c) - Ei(c u1) - ln(1/u1)``
    (exact as ``c -> 0``); and for short stages where the two terms would nearly cancel
    (``|c| (1 - u1) < 1``) by the quadrature below.

    arrhenius: exact ``D / SL(Te)`` when ``T0 == Te``. Otherwise a 48-node Gauss-Legendre rule
    over the first 4 time constants (or the whole stage if shorter), and over
    ``u = exp(-t / tau)`` for the rest of a longer stage, where ``(rate(T) - rate(Te)) / u`` is
    smooth. The relative error is below 1e-12 for temperature gaps up to 60 C, Ea up to
    200 kJ/mol and stages from 1e-3 to 1e3 time constants (checked against
    ``scipy.integrate.quad``; the tests hold it to 1e-9).
    """
    start, env, duration, tau = _floats(start_temp_c, env_temp_c, duration_s, time_constant_s)
    _require_positive(tau, "time_constant_s")
    if np.any(duration < 0):
        raise ValueError('"duration_s" must be >= 0.')
    log_ref_rate, ref_temp, slope = _params(kinetics)
    shape = np.broadcast_shapes(
        start.shape,
        env.shape,
        duration.shape,
        tau.shape,
        log_ref_rate.shape,
        ref_temp.shape,
        slope.shape,
    )
    flat = [
        np.broadcast_to(a, shape).ravel()
        for a in (start, env, duration, tau, log_ref_rate, ref_temp, slope)
    ]
    consume = _q10_consumed if kinetics.model == Q10 else _arrhenius_consumed
    return consume(*flat).reshape(shape)


def time_above_safe_s(
    start_temp_c: ArrayLike,
    env_temp_c: ArrayLike,
    duration_s: ArrayLike,
    time_constant_s: ArrayLike,
    max_safe_temp_c: ArrayLike,
) -> FloatArray:
    """Time within one stage that the product spends above ``max_safe_temp_c``.

    ``T(t)`` is monotone, so it crosses the safe temperature at most once, at
    ``t* = tau ln((T0 - Te) / (T_safe - Te))``.
    """
    start, env, duration, tau, safe = _floats(
        start_temp_c, env_temp_c, duration_s, time_constant_s, max_safe_temp_c
    )
    _require_positive(tau, "time_constant_s")
    starts_above = start > safe
    with np.errstate(divide="ignore", invalid="ignore"):
        crossing_s = tau * np.log((start - env) / (safe - env))
        out = np.where(
            starts_above,
            np.where(env >= safe, duration, np.minimum(duration, crossing_s)),
            np.where(env > safe, np.maximum(duration - crossing_s, 0.0), 0.0),
        )
    return np.asarray(out, dtype=float)


def expose_stage(
    kinetics: Kinetics,
    start_temp_c: ArrayLike,
    env_temp_c: ArrayLike,
    duration_s: ArrayLike,
    time_constant_s: ArrayLike,
    max_safe_temp_c: ArrayLike,
) -> StageExposure:
    """End temperature, consumed fraction and time above the safe temperature of one stage."""
    start, env, duration, tau = _floats(start_temp_c, env_temp_c, duration_s, time_constant_s)
    return StageExposure(
        end_temp_c=product_temp_c(duration, start, env, tau),
        consumed_fraction=consumed_fraction(kinetics, start, env, duration, tau),
        time_above_safe_s=time_above_safe_s(start, env, duration, tau, max_safe_temp_c),
    )


def chain_stages(
    kinetics: Kinetics,
    start_temp_c: ArrayLike,
    stages: Sequence[tuple[ArrayLike, ...]],
    time_constant_s: ArrayLike,
    max_safe_temp_c: ArrayLike,
    lengths: npt.ArrayLike | None = None,
) -> ChainExposure:
    """Run items through stages of piecewise-constant environment temperature.

    Each stage is ``(env_temp_c, duration_s)``, or ``(env_temp_c, duration_s, time_constant_s)``
    when the packaging changes (a bare pack in the store, an insulated tote in the van); each
    entry may be an array over items. Consumed fractions add; each stage starts at the
    temperature the previous one ended at.

    ``lengths`` (one per item; ``start_temp_c`` then gives the items, 1-D) makes the chains
    ragged: item ``i`` goes through its first ``lengths[i]`` stages only, and the stages are
    padded columns whose entries past an item's length are never evaluated (its time above
    the safe temperature there is 0). Only the items still in their chain are computed at each
    stage, so many short chains and a few long ones cost about their total number of stages.
    """
    if lengths is not None:
        return _ragged_chain(
            kinetics, start_temp_c, stages, time_constant_s, max_safe_temp_c, lengths
        )
    temp = np.asarray(start_temp_c, dtype=float)
    consumed: FloatArray = np.zeros_like(temp)
    above: list[FloatArray] = []
    for stage in stages:
        env, duration = stage[0], stage[1]
        tau = stage[2] if len(stage) == 3 else time_constant_s
        exposure = expose_stage(kinetics, temp, env, duration, tau, max_safe_temp_c)
        temp, consumed = exposure.end_temp_c, consumed + exposure.consumed_fraction
        above.append(exposure.time_above_safe_s)
    shape = np.broadcast_shapes(temp.shape, *(a.shape for a in above))
    rows = [np.broadcast_to(a, shape) for a in above]
    return ChainExposure(
        end_temp_c=temp,
        consumed_fraction=consumed,
        time_above_safe_s=np.stack(rows) if rows else np.zeros((0, *shape)),
    )


def _ragged_chain(
    kinetics: Kinetics,
    start_temp_c: ArrayLike,
    stages: Sequence[tuple[ArrayLike, ...]],
    time_constant_s: ArrayLike,
    max_safe_temp_c: ArrayLike,
    lengths: npt.ArrayLike,
) -> ChainExposure:
    """:func:`chain_stages` over ragged chains: items sorted longest first, a shrinking prefix."""
    temp0 = np.asarray(start_temp_c, dtype=float)
    count = np.asarray(lengths, dtype=np.int64)
    if temp0.ndim != 1 or count.shape != temp0.shape:
        raise ValueError('"lengths" needs one value per item of a 1-D "start_temp_c".')
    if np.any(count < 0) or np.any(count > len(stages)):
        raise ValueError(f'"lengths" must be between 0 and the number of stages ({len(stages)}).')
    n = temp0.size
    order = np.argsort(-count, kind="stable")
    active = np.count_nonzero(count[None, :] > np.arange(len(stages))[:, None], axis=1)

    def items(values: ArrayLike, m: int) -> FloatArray:
        return np.broadcast_to(np.asarray(values, dtype=float), (n,))[order[:m]]

    temp, consumed = temp0[order], np.zeros(n)
    above = np.zeros((len(stages), n))
    for k, stage in enumerate(stages):
        m = int(active[k])
        if m == 0:
            break
        tau = stage[2] if len(stage) == 3 else time_constant_s
        exposure = expose_stage(
            _kinetics_of(kinetics, order[:m], n),
            temp[:m],
            items(stage[0], m),
            items(stage[1], m),
            items(tau, m),
            items(max_safe_temp_c, m),
        )
        temp[:m] = exposure.end_temp_c
        consumed[:m] += exposure.consumed_fraction
        above[k, :m] = exposure.time_above_safe_s
    end_temp, used, time_above = np.empty(n), np.empty(n), np.empty_like(above)
    end_temp[order], used[order], time_above[:, order] = temp, consumed, above
    return ChainExposure(end_temp_c=end_temp, consumed_fraction=used, time_above_safe_s=time_above)


def _kinetics_of(kinetics: Kinetics, index: npt.NDArray[np.int64], n: int) -> Kinetics:
    """The kinetics of the items at ``index`` (per-item parameters are taken, scalars kept)."""

    def take(value: ArrayLike) -> ArrayLike:
        array = np.asarray(value, dtype=float)
        return array if array.ndim == 0 else np.broadcast_to(array, (n,))[index]

    return Kinetics(
        kinetics.model,
        take(kinetics.ref_shelf_life_s),
        take(kinetics.ref_temp_c),
        take(kinetics.q10),
        take(kinetics.activation_energy_j_per_mol),
    )


# --- internals ---------------------------------------------------------------------------------


def _floats(*values: ArrayLike) -> list[FloatArray]:
    return [np.asarray(v, dtype=float) for v in values]


def _require_positive(values: FloatArray, name: str) -> None:
    if not np.all(values > 0):
        raise ValueError(f'"{name}" must be > 0.')


def _params(kinetics: Kinetics) -> tuple[FloatArray, FloatArray, FloatArray]:
    log_ref_rate = -np.log(np.asarray(kinetics.ref_shelf_life_s, dtype=float))
    return log_ref_rate, np.asarray(kinetics.ref_temp_c, dtype=float), kinetics.slope


def _log_rate(
    model: str,
    log_ref_rate: FloatArray,
    ref_temp: FloatArray,
    slope: FloatArray,
    temp: FloatArray,
) -> FloatArray:
    if model == Q10:
        return np.asarray(log_ref_rate + slope * (temp - ref_temp), dtype=float)
    temp_k, ref_k = temp + ZERO_C_IN_K, ref_temp + ZERO_C_IN_K
    return np.asarray(log_ref_rate + slope * (temp_k - ref_k) / (temp_k * ref_k), dtype=float)


def _log_rate_ratio(
    model: str, slope: FloatArray, temp: FloatArray, step: FloatArray
) -> FloatArray:
    """ln rate(temp + step) - ln rate(temp), without cancellation for small steps."""
    if model == Q10:
        return np.asarray(slope * step, dtype=float)
    temp_k = temp + ZERO_C_IN_K
    return np.asarray(slope * step / (temp_k * (temp_k + step)), dtype=float)


def _series_sum(c: FloatArray, taus: FloatArray) -> FloatArray:
    """sum over k of c^k (1 - u1^k) / (k k!), u1 = exp(-taus), term by term over all items.

    Running products give c^k and u1^k (numpy's pow is ~30x slower for negative bases), and
    1 - u1^k = (1 - u1^(k-1)) + u1^(k-1) (1 - u1) adds positive terms only, so it stays
    accurate for tiny taus where 1 - u1^k itself would cancel: one expm1 per item instead of
    one per term.
    """
    first = -np.expm1(-taus)  # 1 - u1
    u1 = np.exp(-taus)
    one_minus = first.copy()  # 1 - u1^k
    u1_power = u1.copy()  # u1^k
    power = c.copy()  # c^k
    total = _SERIES_COEF[0] * power * one_minus
    for coef in _SERIES_COEF[1:].tolist():
        one_minus += u1_power * first
        u1_power *= u1
        power *= c
        total += coef * power * one_minus
    return total


def _q10_consumed(
    start: FloatArray,
    env: FloatArray,
    duration: FloatArray,
    tau: FloatArray,
    log_ref_rate: FloatArray,
    ref_temp: FloatArray,
    slope: FloatArray,
) -> FloatArray:
    out = np.empty_like(start)
    c = slope * (start - env)
    taus = duration / tau
    series = np.abs(c) <= _SERIES_MAX_C
    closed = ~series & (np.abs(c) * -np.expm1(-taus) >= 1.0)
    short = ~series & ~closed

    if np.any(series):
        # integral = rate(Te) [D + tau sum_k c^k (1 - u1^k) / (k k!)]
        terms = _series_sum(c[series], taus[series])
        rate_env = np.exp(
            _log_rate(Q10, log_ref_rate[series], ref_temp[series], slope[series], env[series])
        )
        out[series] = rate_env * (duration[series] + tau[series] * terms)

    if np.any(closed):
        m = closed
        settled_s = np.maximum(duration[m] - _SETTLED_TAUS * tau[m], 0.0)
        u1 = np.exp(-np.minimum(taus[m], _SETTLED_TAUS))
        end = env[m] + (start[m] - env[m]) * u1
        args = (Q10, log_ref_rate[m], ref_temp[m], slope[m])
        rate_start = np.exp(_log_rate(*args, start[m]))
        rate_end = np.exp(_log_rate(*args, end))
        rate_env = np.exp(_log_rate(*args, env[m]))
        out[m] = (
            tau[m] * (rate_start * _scaled_ei(c[m]) - rate_end * _scaled_ei(c[m] * u1))
            + rate_env * settled_s
        )

    if np.any(short):
        m = short
        out[m] = _lag_quadrature(
            Q10, start[m], env[m], duration[m], tau[m], log_ref_rate[m], ref_temp[m], slope[m]
        )
    return out


def _arrhenius_consumed(
    start: FloatArray,
    env: FloatArray,
    duration: FloatArray,
    tau: FloatArray,
    log_ref_rate: FloatArray,
    ref_temp: FloatArray,
    slope: FloatArray,
) -> FloatArray:
    out = np.empty_like(start)
    constant = start == env
    if np.any(constant):
        m = constant
        out[m] = duration[m] * np.exp(
            _log_rate(ARRHENIUS, log_ref_rate[m], ref_temp[m], slope[m], env[m])
        )
    lag = ~constant
    if np.any(lag):
        m = lag
        out[m] = _lag_quadrature(
            ARRHENIUS,
            start[m],
            env[m],
            duration[m],
            tau[m],
            log_ref_rate[m],
            ref_temp[m],
            slope[m],
        )
    return out


def _lag_quadrature(
    model: str,
    start: FloatArray,
    env: FloatArray,
    duration: FloatArray,
    tau: FloatArray,
    log_ref_rate: FloatArray,
    ref_temp: FloatArray,
    slope: FloatArray,
) -> FloatArray:
    """Gauss-Legendre integral of the rate along the lag (1-D arrays of equal length)."""
    gap = (start - env)[:, None]
    log_ref_rate_, ref_temp_, slope_ = log_ref_rate[:, None], ref_temp[:, None], slope[:, None]
    # Head: the first few time constants (or the whole stage), directly in time.
    head_s = np.minimum(duration, _HEAD_TAUS * tau)
    t = 0.5 * head_s[:, None] * (_GL_NODES + 1.0)
    temp = env[:, None] + gap * np.exp(-t / tau[:, None])
    rate = np.exp(_log_rate(model, log_ref_rate_, ref_temp_, slope_, temp))
    head = 0.5 * head_s * (rate @ _GL_WEIGHTS)
    # Tail: in u = exp(-t / tau), rate(T) - rate(Te) vanishes like u, so the integrand
    # (rate(T) - rate(Te)) / u is smooth on [u_end, u_head] and the rate(Te) part is exact.
    tail_s = duration - head_s
    out = head
    has_tail = tail_s > 0
    if np.any(has_tail):
        m = has_tail
        u_head = math.exp(-_HEAD_TAUS)
        u_end = np.exp(-duration[m] / tau[m])
        half = 0.5 * (u_head - u_end)[:, None]
        u = u_end[:, None] + half * (_GL_NODES + 1.0)
        env_m = env[m][:, None]
        excess = np.expm1(_log_rate_ratio(model, slope_[m], env_m, gap[m] * u)) / u
        rate_env = np.exp(_log_rate(model, log_ref_rate[m], ref_temp[m], slope[m], env[m]))
        integral = (half[:, 0]) * (excess @ _GL_WEIGHTS)
        out = out.copy()
        out[m] += rate_env * (tail_s[m] + tau[m] * integral)
    return np.asarray(out, dtype=float)


def _scaled_ei(x: FloatArray) -> FloatArray:
    """``exp(-x) Ei(x)``: bounded for large ``|x|`` where ``Ei`` itself over/underflows."""
    out = np.empty_like(x)
    near = np.abs(x) < _ASYMPTOTIC_MIN_X
    out[near] = np.exp(-x[near]) * expi(x[near])
    far = ~near
    if np.any(far):
        # exp(-x) Ei(x) ~ sum_k k! / x^(k+1), accurate to ~1e-16 for |x| >= 40 with 20 terms.
        xf = x[far, None]
        powers = xf ** -(np.arange(20, dtype=float) + 1.0)
        out[far] = powers @ _ASYMPTOTIC_COEF
    return out
