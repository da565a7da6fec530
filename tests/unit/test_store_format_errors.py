"""Bad store-format configs fail at load time, naming the full key, the value, the expectation."""

from __future__ import annotations

import dataclasses

import pytest

import twin
from twin.config.store_formats import FormatsConfig, StoreFormatConfig
from twin.domain.registry import FORMATS

pytestmark = pytest.mark.unit

J = "formats.jwo"

ERRORS = [
    (
        [f"{J}.recognition.p_review=1.5"],
        r"formats\.jwo\.recognition\.p_review = 1\.5; expected a number <= 1\.$",
    ),
    ([f"{J}.occupancy.cap=0"], r"formats\.jwo\.occupancy\.cap = 0; expected a number >= 1\.$"),
    (
        [f"{J}.occupancy.cap=2"],
        r"formats\.jwo\.occupancy\.cap = 2; expected at least 3, the largest party "
        r"\(1 \+ 2 guests in gate\.guest_probs\)",
    ),
    (
        [f"{J}.occupancy.when_full=wait"],
        r"formats\.jwo\.occupancy\.when_full = 'wait'; expected one of queue, leave",
    ),
    (
        [f"{J}.gate.guest_probs=[0.5,0.4]"],
        r"formats\.jwo\.gate\.guest_probs = \[0\.5, 0\.4\]; expected probabilities of 0, 1, 2, "
        r"\.\.\. guests that add up to 1 \(they add up to 0\.9\)",
    ),
    (
        [f"{J}.recognition.reviewers=0"],
        r"formats\.jwo\.recognition\.reviewers = 0; expected at least one reviewer on duty when "
        r"p_review > 0 \(p_review = 0\.05\)\. Reviews would never finish",
    ),
    (
        [f"{J}.recognition.reviewers_by_hour=[0,0,0]"],
        r"formats\.jwo\.recognition\.reviewers_by_hour = \[0, 0, 0\]; "
        r"expected a list of exactly 24",
    ),
    (
        [f"{J}.close_hour=7"],
        r"formats\.jwo\.close_hour = 7; expected an hour after open_hour \(7\)",
    ),
    (["formats.bar.p_accept=2"], r"formats\.bar\.p_accept = 2\.0; expected a number <= 1"),
    (
        ["formats.bookstore.books.curation_min_rating=5.5"],
        r"formats\.bookstore\.books\.curation_min_rating = 5\.5; expected a number <= 5",
    ),
    (
        ["formats.bookstore.checkout.lanes_by_hour=[1,1]"],
        r"formats\.bookstore\.checkout\.lanes_by_hour = \[1, 1\]; expected 24 values",
    ),
    (
        ["+network.format_overrides.S01=drive_thru"],
        r"network\.format_overrides\.S01 = 'drive_thru'; expected a store format, one of: "
        r"grocery.*jwo.*bookstore.*bar",
    ),
    (
        ["+network.format_mix.kiosk=1"],
        r"network\.format_mix\.kiosk = 'kiosk'; expected a store format, one of: "
        r"grocery.*jwo.*bookstore.*bar",
    ),
]


@pytest.mark.parametrize(("overrides", "message"), ERRORS)
def test_bad_format_config_names_key_value_and_expectation(
    overrides: list[str], message: str
) -> None:
    with pytest.raises(twin.ConfigError, match=message):
        twin.load_config(overrides)


FORMAT_NAMES = [f.name for f in dataclasses.fields(FormatsConfig)]


def test_every_format_has_the_common_shape_and_a_site_builder() -> None:
    assert set(FORMAT_NAMES) == set(FORMATS)
    for spec in dataclasses.fields(FormatsConfig):
        fmt = spec.default_factory()  # type: ignore[misc]
        assert isinstance(fmt, StoreFormatConfig), spec.name
        assert fmt.format == spec.name


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_every_format_checks_its_hours_and_demand_scale_alike(name: str) -> None:
    config = twin.load_config()
    open_hour = getattr(config.formats, name).open_hour
    with pytest.raises(
        twin.ConfigError,
        match=rf"formats\.{name}\.close_hour = {open_hour}; expected an hour after open_hour "
        rf"\({open_hour}\)",
    ):
        twin.load_config([f"formats.{name}.close_hour={open_hour}"])
    with pytest.raises(
        twin.ConfigError,
        match=rf"formats\.{name}\.demand_scale = 2000\.0; expected a number <= 1000\.$",
    ):
        twin.load_config([f"formats.{name}.demand_scale=2000"])
    with pytest.raises(
        twin.ConfigError, match=rf"formats\.{name}\.open_hour = 24; expected a number <= 23\.$"
    ):
        twin.load_config([f"formats.{name}.open_hour=24"])
