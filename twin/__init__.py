"""twin: a discrete-event digital twin of omnichannel grocery retail.

>>> import twin
>>> cfg = twin.load_config(["network=single_store", "run.replications=2"])
>>> result = twin.simulate(cfg)  # doctest: +SKIP
>>> result.kpis.columns.tolist()  # doctest: +SKIP
['scenario', 'replication', 'region', 'store', 'kpi', 'stat', 'value', 'unit']
"""

from twin.config.load import load_config
from twin.config.schema import TwinConfig
from twin.errors import ConfigError, NetworkError, TwinError
from twin.experiment.replications import SimulationResult, simulate

__version__ = "0.1.0"

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
