"""Named streams, distribution samplers, time-weighted levels and the server pool."""

from __future__ import annotations

import numpy as np
import pytest
import simpy

from twin.core.buffers import doubles, longs
from twin.core.sampling import DistSpec, block_drawer, dist_mean, dist_variance, make_sampler
from twin.core.streams import Streams, stable_hash
from twin.domain.servers import RENEGED, SERVED, ServerPool
from twin.errors import ConfigError
from twin.kpi.levels import bin_counts, level_from_intervals, level_stats

pytestmark = pytest.mark.unit


def test_same_stream_name_gives_same_numbers_and_others_differ() -> None:
    a = Streams(1, 0, "R1").get("x").random(5)
    b = Streams(1, 0, "R1").get("x").random(5)
    c = Streams(1, 0, "R1").get("y").random(5)
    d = Streams(1, 1, "R1").get("x").random(5)
    e = Streams(1, 0, "R2").get("x").random(5)
    np.testing.assert_array_equal(a, b)
    for other in (c, d, e):
        assert not np.allclose(a, other)


@pytest.mark.parametrize(
    "seed, replication",
    [(0, 0), (1, 0), (42, 3), (2**32 - 1, 1), (2**32, 0), (2**64 + 5, 2**33), (3**70, 7)],
)
def test_streams_are_numpys_seed_sequence_streams(seed: int, replication: int) -> None:
    """Streams.get mixes the seed, replication and region words once (twin.core.streams._Pool):
    every stream is still PCG64(SeedSequence(seed, spawn_key=(replication, region, name)))."""
    for region in ("all", "network", "R1", "metro-north-17"):
        streams = Streams(seed, replication, region)
        for name in ("x", "checkout.service", "orders.z417.delivery.walk", "é"):
            key = (replication, stable_hash(region), stable_hash(name))
            reference = np.random.PCG64(np.random.SeedSequence(entropy=seed, spawn_key=key))
            got = streams.get(name)
            assert got.bit_generator.state == reference.state, (seed, replication, region, name)
            np.testing.assert_array_equal(got.random(3), np.random.Generator(reference).random(3))


@pytest.mark.parametrize("seed, replication", [(0, 0), (42, 3), (2**64 + 5, 2**33)])
def test_streams_made_in_a_batch_are_the_streams_made_alone(seed: int, replication: int) -> None:
    streams = Streams(seed, replication, "metro-north-17")
    names = [f"orders.z{i}.{c}.walk" for i in range(40) for c in ("pickup", "é")] + ["x"]
    batch = streams.get_many(names)
    for name in names:
        assert batch[name].bit_generator.state == streams.get(name).bit_generator.state, name


def test_a_prefetched_stream_is_handed_out_once_then_made_afresh() -> None:
    streams = Streams(5, 2, "R1")
    alone = Streams(5, 2, "R1").get("a").random(4)
    with streams.prefetched(["a", "b"]):
        first = streams.get("a")
        np.testing.assert_array_equal(first.random(4), alone)
        np.testing.assert_array_equal(streams.get("a").random(4), alone)  # not the used one
        np.testing.assert_array_equal(
            streams.get("c").random(4), Streams(5, 2, "R1").get("c").random(4)
        )
    assert streams._ready == {}  # "b", never asked for, is not kept
    with streams.prefetched(["a", "b"]):
        with streams.prefetched(["b", "d"]):
            assert set(streams._ready) == {"a", "b", "d"}
        assert set(streams._ready) == {"a", "b"}  # the inner block lets go of "d" only
        np.testing.assert_array_equal(streams.get("a").random(4), alone)
    assert streams._ready == {}


def test_adding_a_stream_never_shifts_another() -> None:
    streams = Streams(5, 2, "R1")
    before = streams.get("checkout.service").random(3)
    streams.get("new.stream").random(100)
    np.testing.assert_array_equal(before, Streams(5, 2, "R1").get("checkout.service").random(3))


@pytest.mark.parametrize(
    "spec",
    [
        DistSpec(kind="exponential", mean=3.0),
        DistSpec(kind="lognormal", mean=3.0, cv=0.5),
        DistSpec(kind="gamma", mean=3.0, cv=0.3),
        DistSpec(kind="uniform", low=1.0, high=5.0),
        DistSpec(kind="fixed", mean=3.0),
        DistSpec(kind="geometric", mean=4.0),
        DistSpec(kind="poisson", mean=4.0),
        DistSpec(kind="negbin", mean=18.0, cv=0.6),
        DistSpec(kind="empirical", values=[1.0, 2.0, 6.0]),
    ],
)
def test_sampled_mean_and_variance_match_the_spec(spec: DistSpec) -> None:
    draws = block_drawer(spec, np.random.default_rng(0))(200_000)
    mean, variance = dist_mean(spec), dist_variance(spec)
    assert draws.mean() == pytest.approx(mean, rel=0.02, abs=1e-9)
    assert draws.var() == pytest.approx(variance, rel=0.05, abs=1e-9)


def test_truncated_normal_stays_inside_its_bounds() -> None:
    spec = DistSpec(kind="normal", mean=1.0, sd=2.0, low=0.0, high=3.0)
    draws = block_drawer(spec, np.random.default_rng(1))(10_000)
    assert draws.min() >= 0.0 and draws.max() <= 3.0


def test_block_sampler_equals_one_vectorised_draw() -> None:
    spec = DistSpec(kind="lognormal", mean=2.0, cv=1.0)
    draw = make_sampler(spec, np.random.default_rng(9), block=16)
    one_by_one = [draw() for _ in range(16)]
    np.testing.assert_allclose(one_by_one, block_drawer(spec, np.random.default_rng(9))(16))


def test_empirical_from_csv(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "waits.csv"
    path.write_text("wait_s,other\n1,x\n3,y\n")
    spec = DistSpec(kind="empirical", csv=str(path), column="wait_s")
    assert set(block_drawer(spec, np.random.default_rng(0))(50).tolist()) == {1.0, 3.0}
    with pytest.raises(ConfigError, match=r"dist.column = 'nope'; expected one of the CSV"):
        block_drawer(
            DistSpec(kind="empirical", csv=str(path), column="nope"), np.random.default_rng(0)
        )


def test_level_from_intervals_time_average_max_and_bins() -> None:
    starts = np.array([0.0, 5.0, 5.0])
    ends = np.array([10.0, 15.0, np.inf])
    level = level_from_intervals(starts, ends, 0.0, 20.0, 10.0)
    assert level.time_avg == pytest.approx((10 + 10 + 15) / 20)
    assert level.max == 3
    np.testing.assert_allclose(level.bin_avg, [(10 + 5 + 5) / 10, (5 + 10) / 10])


def test_level_ends_before_starts_at_the_same_instant() -> None:
    level = level_from_intervals(np.array([0.0, 10.0]), np.array([10.0, 20.0]), 0.0, 20.0, 20.0)
    assert level.max == 1


def test_level_maximum_matches_counting_at_every_event() -> None:
    rng = np.random.default_rng(4)
    for _ in range(50):
        n = int(rng.integers(1, 60))
        starts = np.round(rng.uniform(-5.0, 50.0, n))  # rounded: many equal instants
        ends = starts + np.round(rng.exponential(6.0, n))
        ends[rng.random(n) < 0.1] = np.inf
        level = level_from_intervals(starts, ends, 0.0, 40.0, 7.0)
        s, e = np.clip(starts, 0.0, 40.0), np.clip(ends, 0.0, 40.0)
        s, e = s[e > s], e[e > s]
        # L(t) on [t, next event): inside when s <= t < e
        at = np.unique(np.concatenate([s, e, [0.0]]))
        counted = max(int(np.count_nonzero((s <= t) & (t < e))) for t in at)
        assert level.max == counted


def test_level_stats_are_the_binned_levels_floats() -> None:
    """level_stats bounds the maximum by coarse bins and counts exactly only near the peak:
    the same time average and maximum as sorting every interval, on small and large sets,
    many equal instants, open ends, intervals outside the window, and a narrow spike."""
    rng = np.random.default_rng(7)
    cases = []
    for n in (1, 2, 9, 60, 500, 20_000):
        starts = np.round(rng.uniform(-50.0, 1_050.0, n), int(rng.integers(0, 3)))
        ends = starts + np.round(rng.exponential(40.0, n))
        ends[rng.random(n) < 0.05] = np.inf
        cases.append((starts, ends))
    spike = np.concatenate([rng.uniform(0.0, 1_000.0, 5_000), np.full(300, 512.25)])
    cases.append((spike, spike + np.concatenate([rng.exponential(3.0, 5_000), np.ones(300)])))
    wide = rng.uniform(0.0, 1_000.0, 3_000)  # long stays: the level climbs all window long
    cases.append((wide, wide + 2_000.0))
    cases.append((np.array([5.0, 7.0]), np.array([5.0, 2.0])))  # nothing inside
    full = np.arange(5_000) * 0.2  # at capacity (50) all window long: every bin can peak
    cases.append((full, full + 10.0))
    cases.append((np.arange(3_000), np.arange(3_000) + 40))  # integer times
    for starts, ends in cases:
        binned = level_from_intervals(starts, ends, 0.0, 1_000.0, 1_000.0)
        stats = level_stats(starts, ends, 0.0, 1_000.0)
        assert (stats.time_avg, stats.max) == (binned.time_avg, binned.max)
    ints, early = np.arange(3_000), np.linspace(-1_000.0, 0.0, 3_000)
    # integer times and window; a window too short for bins (all 3,000 inside it)
    for starts, ends, end in ((ints, ints + 40, 1_000), (early, early + 2_000.0, 5e-324)):
        binned = level_from_intervals(starts, ends, 0, end, end)
        assert level_stats(starts, ends, 0, end) == (binned.time_avg, binned.max)


def test_typed_buffers_hold_the_values() -> None:
    values = np.array([0.5, -1.25, np.inf, np.nan])
    np.testing.assert_array_equal(np.array(doubles(values)), values)
    assert list(longs(np.array([3, -7, 2**40]))) == [3, -7, 2**40]
    draw = make_sampler(DistSpec(kind="negbin", mean=4.0, cv=0.8), np.random.default_rng(1))
    assert type(draw()) is float  # as the block's tolist() gave


def test_bin_counts() -> None:
    np.testing.assert_array_equal(
        bin_counts(np.array([0.0, 1.0, 899.0, 900.0, 2000.0]), 0.0, 1800.0, 900.0), [3, 1]
    )


def test_server_pool_fifo_capacity_change_and_renege() -> None:
    env = simpy.Environment()
    pool = ServerPool(env, 1)
    log: list[tuple[str, float, int]] = []

    def customer(name: str, service_s: float, patience_s: float | None = None):  # type: ignore[no-untyped-def]
        request = pool.request()
        if patience_s is not None:
            env.timeout(patience_s).callbacks.append(lambda _e: pool.renege(request))
        outcome = yield request
        log.append((name, env.now, outcome))
        if outcome == SERVED:
            yield env.timeout(service_s)
            pool.release()

    env.process(customer("a", 10))
    env.process(customer("b", 10, patience_s=3))
    env.process(customer("c", 10))
    env.run(until=5)
    pool.set_capacity(2)  # a second server opens at t=5: c starts at once
    env.run()
    assert log == [("a", 0, SERVED), ("b", 3, RENEGED), ("c", 5, SERVED)]
    assert pool.busy == 0 and pool.waiting == 0


def test_closing_server_finishes_its_customer_first() -> None:
    env = simpy.Environment()
    pool = ServerPool(env, 2)
    starts: list[float] = []

    def customer():  # type: ignore[no-untyped-def]
        yield pool.request()
        starts.append(env.now)
        yield env.timeout(10)
        pool.release()

    for _ in range(3):
        env.process(customer())
    env.run(until=1)
    pool.set_capacity(1)
    env.run()
    assert starts == [0, 0, 10]
