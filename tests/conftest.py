"""Fixtures for every test folder."""

from __future__ import annotations

import pytest

from tests.run_folders import Producers


@pytest.fixture(scope="session")
def producers(tmp_path_factory: pytest.TempPathFactory) -> Producers:
    """Run and sweep folders written by the real producers (tests/run_folders.py)."""
    return Producers(tmp_path_factory.mktemp("produced"))
