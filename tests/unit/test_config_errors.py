"""Bad configs fail before time 0: one paragraph naming the key, the value, what was expected."""

from __future__ import annotations

import pytest

import twin

pytestmark = pytest.mark.unit

G = "formats.grocery.checkout"

CASES = [
    (["run.days=abc"], r"run\.days = 'abc'; expected a value of type Integer"),
    (
        [f"{G}.lanez=3"],
        rf"{G}\.lanez = '\(unknown key\)'; expected a known key \(did you mean 'lanes'\?\); "
        rf"{G} has: .*lanes",
    ),
    (["+run.speed=3"], r"run\.speed = 3; expected a known key.*; run has: .*replications"),
    (["+run.replicatons=3"], r"run\.replicatons = 3; .*\(did you mean 'replications'\?\)"),
    (["netwrk=metro"], r"netwrk = '\(unknown key\)'; .*\(did you mean 'network'"),
    (["network=singl_store"], r"network = 'singl_store'; .*\(did you mean 'single_store'\?\)"),
    (["+experiment=heatwav"], r"experiment = 'heatwav'; .*\(did you mean 'heatwave'\?\)"),
    (["+baseline=grocery_metro"], r"baseline = .*twin-baseline check NAME"),
    (
        ["demand.daily_shoppers_per_store=-5"],
        r"demand\.daily_shoppers_per_store = -5\.0; expected a number >= 0",
    ),
    ([f"{G}.lanes=0"], rf"{G}\.lanes = 0; expected a number >= 1"),
    ([f"{G}.sco_share=1.5"], rf"{G}\.sco_share = 1\.5; expected a number <= 1"),
    (
        [f"{G}.reneging.enabled=false", f"{G}.lanes=2"],
        rf"{G}\.lanes = 2; expected more than .* lanes: at the peak hour .* grows without bound",
    ),
    (["network=atlantis"], r"network = 'atlantis'; expected one of: metro, national, single_store"),
    (
        [f"{G}.staffed.fixed_s.kind=weird"],
        rf"{G}\.staffed\.fixed_s\.kind = 'weird'; expected one of fixed, exponential",
    ),
    (
        [f"{G}.staffed.fixed_s={{kind:lognormal,mean:5,cv:0}}"],
        rf"{G}\.staffed\.fixed_s\.cv = 0\.0; expected a number > 0",
    ),
    (
        ["demand.day_factors=[1,2]"],
        r"demand\.day_factors = \[1\.0, 2\.0\]; expected a list of exactly 7",
    ),
    (["formats.grocery.close_hour=6"], r"formats\.grocery\.close_hour = 6; expected an hour after"),
    (["network.format_overrides={S99:grocery}"], r"network\.format_overrides\.S99"),
]


@pytest.mark.parametrize(("overrides", "message"), CASES)
def test_bad_config_names_key_value_and_expectation(overrides: list[str], message: str) -> None:
    with pytest.raises(twin.ConfigError, match=message):
        cfg = twin.load_config(overrides)
        twin.simulate(cfg)


def test_config_error_is_a_value_error_with_fields() -> None:
    with pytest.raises(ValueError) as info:
        twin.load_config([f"{G}.lanes=0"])
    error = info.value
    assert isinstance(error, twin.ConfigError)
    assert (error.key, error.value) == (f"{G}.lanes", 0)
    assert "\n" not in str(error)
