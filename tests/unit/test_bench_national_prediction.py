"""bench_national's 16-worker prediction: from one run's task times, or each region's mean."""

import pytest

from benchmarks.bench_national import mean_task_s, predicted

pytestmark = pytest.mark.unit


def _run(durations: dict[str, float]) -> dict:
    """A measured run with no serial part: its tasks started in the dict's order."""
    tasks = [
        (1, 0.01 * k, 0.01 * k + seconds, region)
        for k, (region, seconds) in enumerate(durations.items())
    ]
    end = max(end for _, _, end, _ in tasks)
    return {
        "tasks": tasks,
        "tasks_end": end,
        "run_s": end,
        "domains_wall_s": 0.0,
        "assemble_s": 0.0,
        "domains_cpu_s": [[0.0, 0.0]],
    }


def test_one_runs_noise_lengthens_the_predicted_makespan_and_the_mean_of_runs_removes_it():
    # Regions c and d cost the same; each run's noise makes one of them 20 % longer, so a
    # worker ends 0.2 s after the other in either run.
    slow_c = _run({"a": 1.0, "b": 1.0, "c": 1.2, "d": 0.8})
    slow_d = _run({"a": 1.0, "b": 1.0, "c": 0.8, "d": 1.2})

    wall_s, efficiency = predicted(slow_c, 2)
    assert wall_s == pytest.approx(2.2)
    assert efficiency == pytest.approx(4.0 / 2.2 / 2)

    means = mean_task_s([slow_c, slow_d])
    assert means == pytest.approx({"a": 1.0, "b": 1.0, "c": 1.0, "d": 1.0})
    wall_s, efficiency = predicted(slow_c, 2, task_s=means)
    assert wall_s == pytest.approx(2.0)
    assert efficiency == pytest.approx(1.0)


def test_the_mean_of_one_run_predicts_what_the_run_alone_does():
    run = _run({"a": 0.9, "b": 0.7, "c": 1.3, "d": 0.6, "e": 1.1})
    for workers in (2, 3, 16):
        assert predicted(run, workers, task_s=mean_task_s([run])) == pytest.approx(
            predicted(run, workers)
        )
