"""Integrals of the shelf-life rate along a product's temperature lag, for both models.

q10 in closed form with the exponential integral (a power series near 0, an asymptotic series
far out); arrhenius exact at constant temperature and by fixed Gauss-Legendre quadrature during
the lag. :func:`twin.domain.coldchain.shelf_life.consumed_fraction` explains the choice and its
accuracy; every function here takes flat arrays of equal length, one entry per item.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import expi

from twin.domain.coldchain.shelf_life_kinetics import (
    ARRHENIUS,
    Q10,
    FloatArray,
    log_rate,
    log_rate_ratio,
)

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


def q10_consumed(
    start: FloatArray,
    env: FloatArray,
    duration: FloatArray,
    tau: FloatArray,
    log_ref_rate: FloatArray,
    ref_temp: FloatArray,
    slope: FloatArray,
) -> FloatArray:
    """Consumed fractions under the q10 model: series, closed form or quadrature per item."""
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
            log_rate(Q10, log_ref_rate[series], ref_temp[series], slope[series], env[series])
        )
        out[series] = rate_env * (duration[series] + tau[series] * terms)

    if np.any(closed):
        m = closed
        settled_s = np.maximum(duration[m] - _SETTLED_TAUS * tau[m], 0.0)
        u1 = np.exp(-np.minimum(taus[m], _SETTLED_TAUS))
        end = env[m] + (start[m] - env[m]) * u1
        args = (Q10, log_ref_rate[m], ref_temp[m], slope[m])
        rate_start = np.exp(log_rate(*args, start[m]))
        rate_end = np.exp(log_rate(*args, end))
        rate_env = np.exp(log_rate(*args, env[m]))
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


def arrhenius_consumed(
    start: FloatArray,
    env: FloatArray,
    duration: FloatArray,
    tau: FloatArray,
    log_ref_rate: FloatArray,
    ref_temp: FloatArray,
    slope: FloatArray,
) -> FloatArray:
    """Consumed fractions under the arrhenius model: exact if constant, else quadrature."""
    out = np.empty_like(start)
    constant = start == env
    if np.any(constant):
        m = constant
        out[m] = duration[m] * np.exp(
            log_rate(ARRHENIUS, log_ref_rate[m], ref_temp[m], slope[m], env[m])
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
    rate = np.exp(log_rate(model, log_ref_rate_, ref_temp_, slope_, temp))
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
        excess = np.expm1(log_rate_ratio(model, slope_[m], env_m, gap[m] * u)) / u
        rate_env = np.exp(log_rate(model, log_ref_rate[m], ref_temp[m], slope[m], env[m]))
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
