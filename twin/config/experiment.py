"""Config of the experiment layer: named what-if experiments and sequential replications.

``experiment`` names the question a config answers and the baseline it is compared with;
``run.precision`` asks for replications to be added until one KPI's confidence interval is
narrow enough. See docs/EXPERIMENTS.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from twin.config.fields import num
from twin.errors import ConfigError


@dataclass
class ExperimentConfig:
    """A named what-if experiment (configs/experiment/NAME.yaml sets these)."""

    name: str = ""  # empty: not a named experiment
    question: str = ""  # the what-if question, in one sentence
    # Which job of a sweep is the baseline: a scenario name (run.scenario), or selectors
    # "key=value[,key=value]" on config keys (e.g. "formats.grocery.checkout.lanes=8") or
    # "job=N". Empty: no comparison.
    baseline: str = ""
    # KPIs a job returns to a sweeper that optimises (Optuna), each "kpi:stat" of the whole
    # network, e.g. ["checkout.labour_cost_money:total", "checkout.wait_s:mean"].
    objectives: list[str] = field(default_factory=list)

    def check(self, key: str) -> None:
        for index, objective in enumerate(self.objectives):
            kpi, _, stat = objective.partition(":")
            if not kpi or not stat:
                raise ConfigError(
                    f"{key}.objectives[{index}]",
                    objective,
                    'a "kpi:stat" pair such as "checkout.wait_s:mean"',
                )
        for selector in split_selectors(self.baseline):
            name, sep, value = selector.partition("=")
            if sep and (not name.strip() or not value.strip()):
                raise ConfigError(
                    f"{key}.baseline",
                    self.baseline,
                    'a scenario name or "key=value" selectors separated by commas',
                )


@dataclass
class PrecisionConfig:
    """Add replications until ``kpi``/``stat`` has a relative CI half-width at most the target.

    The KPI is read at the network level (region ``all``, or the only region) for ``store``.
    """

    kpi: str = ""  # empty: off (run exactly run.replications)
    stat: str = "mean"
    store: str = "all"
    relative_half_width: float = num(0.05, gt=0.0, doc="target 95% half-width / |mean|")
    max_replications: int = num(50, ge=2, doc="stop here even if the target is not met")

    def check(self, key: str) -> None:
        if self.kpi and not self.stat:
            raise ConfigError(f"{key}.stat", self.stat, "a statistic such as mean or p95")


def split_selectors(text: str) -> list[str]:
    """``"a=1, b=2"`` -> ``["a=1", "b=2"]`` (empty text -> no selectors)."""
    return [part.strip() for part in text.split(",") if part.strip()]
