"""twin: a discrete-event digital twin of omnichannel grocery retail.

>>> import twin
>>> cfg = twin.load_config(["network=single_store", "run.replications=2"])
>>> result = twin.simulate(cfg)  # doctest: +SKIP
>>> result.kpis.columns.tolist()  # doctest: +SKIP
['scenario', 'replication', 'region', 'store', 'kpi', 'stat', 'value', 'unit']

The names below are imported on first use (PEP 562), so ``import twin.cli`` or any other
module of the package does not pay for the simulation, pandas or scipy until it needs them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from twin.errors import ConfigError, NetworkError, TwinError

if TYPE_CHECKING:
    from twin.config.load import load_config
    from twin.config.schema import TwinConfig
    from twin.experiment.replications import SimulationResult, simulate

__version__ = "0.1.0"

# public name -> the module that defines it
_LAZY = {
    "load_config": "twin.config.load",
    "TwinConfig": "twin.config.schema",
    "SimulationResult": "twin.experiment.replications",
    "simulate": "twin.experiment.replications",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'twin' has no attribute {name!r}")


__all__ = [
    "ConfigError",
    "NetworkError",
    "SimulationResult",
    "TwinConfig",
    "TwinError",
    "__version__",
    "load_config",
    "simulate",
]
