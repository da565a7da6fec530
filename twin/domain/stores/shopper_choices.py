"""What a shopper at the tills decides, drawn before time 0: self-checkout or a staffed lane,
how long service takes, and how likely a visible line makes them walk away (DOMAIN.md 1(a))."""

from __future__ import annotations

import math

import numpy as np

from twin.config.checkout import CheckoutConfig, ServiceConfig
from twin.core.sampling import block_drawer
from twin.domain.stores.site import StoreContext

MAX_VISIBLE_LINE = 500


def service_times(
    service: ServiceConfig, context: StoreContext, prefix: str, units: np.ndarray
) -> np.ndarray:
    """fixed + per-item x units + payment, each from its own stream."""
    n = units.size
    fixed = block_drawer(service.fixed_s, context.stream(f"{prefix}.fixed"))(n)
    per_item = block_drawer(service.per_item_s, context.stream(f"{prefix}.per_item"))(n)
    payment = block_drawer(service.payment_s, context.stream(f"{prefix}.payment"))(n)
    return fixed + per_item * units + payment


def balk_probabilities(checkout: CheckoutConfig) -> list[float]:
    """P(balk) for each visible line length 0..MAX_VISIBLE_LINE (a lookup, not exp in the loop).

    A logistic in the line length, shifted and rescaled so that nobody balks at an empty line
    and P(balk) rises to ``max_prob`` for long lines: ``max_prob * (s(L) - s(0)) / (1 - s(0))``
    with ``s(L) = 1 / (1 + exp(-(L - midpoint) / scale))``.
    """
    balking = checkout.balking
    if not balking.enabled:
        return [0.0] * (MAX_VISIBLE_LINE + 1)

    def logistic(length: int) -> float:
        return 1.0 / (1.0 + math.exp(-(length - balking.midpoint_len) / balking.scale_len))

    at_empty = logistic(0)
    return [
        balking.max_prob * (logistic(length) - at_empty) / (1.0 - at_empty)
        for length in range(MAX_VISIBLE_LINE + 1)
    ]


def sco_choices(checkout: CheckoutConfig, units: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Who uses self-checkout: ``sco_share`` of all shoppers, drawn among the eligible ones.

    Only baskets of at most ``sco_max_items`` may use the kiosks, so an eligible shopper
    chooses them with probability ``sco_share / eligible share`` (capped at 1): the share of
    transactions at self-checkout is then ``sco_share`` whatever the basket mix.
    """
    eligible = (units <= checkout.sco_max_items) & (checkout.sco_kiosks > 0)
    eligible_frac = float(np.mean(eligible)) if units.size else 0.0
    if eligible_frac <= 0.0:
        return eligible
    return eligible & (u < min(1.0, checkout.sco_share / eligible_frac))
