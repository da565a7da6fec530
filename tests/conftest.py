"""Fixtures for every test folder."""

from __future__ import annotations

import pytest

from tests.run_folders import Producers


@pytest.fixture(scope="session")
def producers(tmp_path_factory: pytest.TempPathFactory) -> Producers:
    """Run and sweep folders written by the real producers (tests/run_folders.py)."""
    return Producers(tmp_path_factory.mktemp("produced"))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep the tests of a module that share a module fixture on one xdist worker.

    ``--dist loadgroup`` spreads ungrouped tests over the workers one by one, so a module
    fixture (a run, a sweep, a fitted twin) is built again on each worker that runs one of its
    tests, and again whenever a worker comes back to the module. Tests using a module-scoped
    fixture and no ``xdist_group`` of their own are grouped by module here, before xdist reads
    the groups (tests/unit/test_test_groups.py checks that groups hold).
    """
    for item in items:
        if item.get_closest_marker("xdist_group") is not None:
            continue
        info = getattr(item, "_fixtureinfo", None)
        if info is None:  # a doctest
            continue
        scopes = {d.scope for defs in info.name2fixturedefs.values() for d in defs}
        if "module" in scopes:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
