"""Distribution fitting: families the twin supports, chosen by AIC, checked by KS / AD.

Every fit returns a :class:`Fit`: the twin's :class:`DistSpec`, the data it came from, the
fitted law's cdf and quantile function (for the fit report), and goodness-of-fit numbers.
When no family passes the goodness-of-fit test the law is empirical (the data's quantiles).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, special, stats

from twin.core.sampling import DistSpec

GOF_ALPHA = 0.01
GOF_SAMPLE = 2000  # KS / AD on a fixed-seed subsample: on a million rows every law "fails"
EMPIRICAL_POINTS = 400


@dataclass
class Fit:
    name: str
    spec: DistSpec
    data: np.ndarray
    n: int
    note: str = ""
    aic: dict[str, float] = field(default_factory=dict)
    ks_p: float = float("nan")
    ad_stat: float = float("nan")
    ppf: Callable[[np.ndarray], np.ndarray] | None = None
    censored_n: int = 0
    line: tuple[np.ndarray, np.ndarray, float, float] | None = None  # units, y, fixed, per item


def _subsample(x: np.ndarray) -> np.ndarray:
    if x.size <= GOF_SAMPLE:
        return x
    return np.random.default_rng(0).choice(x, GOF_SAMPLE, replace=False)


def empirical_spec(x: np.ndarray) -> DistSpec:
    # mid-point probabilities, inverted cdf: each value stands for 1/EMPIRICAL_POINTS of the
    # data (the sample's min and max would otherwise get that weight and bias the mean)
    probs = (np.arange(EMPIRICAL_POINTS) + 0.5) / EMPIRICAL_POINTS
    q = np.quantile(x, probs, method="inverted_cdf")
    return DistSpec(kind="empirical", values=[round(float(v), 4) for v in q])


def _frozen(kind: str, x: np.ndarray) -> tuple[DistSpec, stats.rv_continuous]:
    if kind == "exponential":
        mean = float(x.mean())
        return DistSpec(kind="exponential", mean=mean), stats.expon(scale=mean)
    if kind == "lognormal":
        logs = np.log(x)
        mu, sigma = float(logs.mean()), float(logs.std())
        mean = float(np.exp(mu + sigma**2 / 2))
        cv = float(np.sqrt(np.expm1(sigma**2)))
        return DistSpec(kind="lognormal", mean=mean, cv=cv), stats.lognorm(sigma, scale=np.exp(mu))
    shape, _, scale = stats.gamma.fit(x, floc=0.0)
    mean = float(shape * scale)
    return DistSpec(kind="gamma", mean=mean, cv=float(1 / np.sqrt(shape))), stats.gamma(
        shape, scale=scale
    )


def fit_positive(name: str, x: np.ndarray, kinds: tuple[str, ...] = ()) -> Fit:
    """Best of exponential / lognormal / gamma by AIC; empirical if it fails KS."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x) & (x > 0)]
    kinds = kinds or ("exponential", "lognormal", "gamma")
    best: tuple[float, str, DistSpec, stats.rv_continuous] | None = None
    aic: dict[str, float] = {}
    for kind in kinds:
        spec, law = _frozen(kind, x)
        k = 1 if kind == "exponential" else 2
        aic[kind] = float(2 * k - 2 * np.sum(law.logpdf(x)))
        if best is None or aic[kind] < best[0]:
            best = (aic[kind], kind, spec, law)
    assert best is not None
    _, kind, spec, law = best
    sample = _subsample(x)
    ks_p = float(stats.kstest(sample, law.cdf).pvalue)
    ad = _anderson(sample, kind)
    fit = Fit(name, spec, x, x.size, f"{kind} by AIC", aic, ks_p, ad, law.ppf)
    if ks_p < GOF_ALPHA:
        fit.spec = empirical_spec(x)
        fit.note = f"empirical: best family {kind} fails KS (p = {ks_p:.3g})"
        fit.ppf = lambda p: np.quantile(x, p)
    return fit


def fit_counts(name: str, x: np.ndarray) -> Fit:
    """Counts >= 1: geometric or shifted negative binomial by AIC; empirical if chi2 fails."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x) & (x >= 1)]
    mean, var = float(x.mean()), float(x.var())
    laws: dict[str, tuple[DistSpec, stats.rv_discrete, int]] = {
        "geometric": (DistSpec(kind="geometric", mean=mean), stats.geom(1 / mean), 1)
    }
    if var > mean - 1 > 0:
        p = (mean - 1) / var
        r = (mean - 1) * p / (1 - p)
        cv = float(np.sqrt(var) / mean)
        laws["negbin"] = (DistSpec(kind="negbin", mean=mean, cv=cv), stats.nbinom(r, p, loc=1), 2)
    aic = {k: float(2 * n - 2 * np.sum(law.logpmf(x))) for k, (_, law, n) in laws.items()}
    kind = min(aic, key=aic.__getitem__)
    spec, law, _ = laws[kind]
    sample = _subsample(x)
    values, observed = np.unique(sample, return_counts=True)
    expected = law.pmf(values) * sample.size
    keep = expected >= 5
    chi2 = float(np.sum((observed[keep] - expected[keep]) ** 2 / expected[keep]))
    p_value = float(stats.chi2.sf(chi2, max(int(keep.sum()) - 1 - laws[kind][2], 1)))
    fit = Fit(name, spec, x, x.size, f"{kind} by AIC (chi2 p = {p_value:.3g})", aic, p_value)
    fit.ppf = law.ppf
    if p_value < GOF_ALPHA:
        fit.spec = empirical_spec(x)
        fit.note = f"empirical: best family {kind} fails chi2 (p = {p_value:.3g})"
        fit.ppf = lambda p: np.quantile(x, p)
    return fit


def fit_censored_lognormal(name: str, observed: np.ndarray, censored: np.ndarray) -> Fit:
    """Lognormal by maximum likelihood with right-censored values (at least ``censored``)."""
    obs = np.log(observed[observed > 0])
    cens = np.log(censored[censored > 0])
    start = np.array([obs.mean() if obs.size else 6.0, np.log(obs.std() if obs.size > 1 else 1.0)])

    def nll(theta: np.ndarray) -> float:
        mu, sigma = theta[0], np.exp(theta[1])
        z_obs = (obs - mu) / sigma
        log_pdf = -0.5 * z_obs**2 - np.log(sigma) - 0.5 * np.log(2 * np.pi)
        return float(-np.sum(log_pdf) - np.sum(special.log_ndtr((mu - cens) / sigma)))

    result = optimize.minimize(nll, start, method="Nelder-Mead")
    mu, sigma = float(result.x[0]), float(np.exp(result.x[1]))
    mean = float(np.exp(mu + sigma**2 / 2))
    spec = DistSpec(kind="lognormal", mean=mean, cv=float(np.sqrt(np.expm1(sigma**2))))
    law = stats.lognorm(sigma, scale=np.exp(mu))
    fit = Fit(name, spec, np.exp(obs), obs.size, "lognormal, censored MLE", ppf=law.ppf)
    fit.censored_n = int(cens.size)
    return fit


def _anderson(sample: np.ndarray, kind: str) -> float:
    """Anderson-Darling statistic (normal on the logs for lognormal, else exponential)."""
    if kind == "lognormal":
        return float(stats.anderson(np.log(sample), "norm", method="interpolate").statistic)
    if kind == "exponential":
        return float(stats.anderson(sample, "expon", method="interpolate").statistic)
    return float("nan")
