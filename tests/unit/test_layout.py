"""The house layout: twin/domain holds sub-packages by concern, and no module is over 400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import twin

pytestmark = pytest.mark.unit

ROOT = Path(twin.__file__).resolve().parent
DOMAIN = ROOT / "domain"
SUB_PACKAGES = {"stores", "online", "lastmile", "coldchain"}
SHARED = {"__init__", "common", "registry", "records", "servers"}  # directly in twin/domain
MAX_LINES = 400


def test_domain_is_sub_packages_and_a_few_shared_modules() -> None:
    packages = {p.name for p in DOMAIN.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert packages == SUB_PACKAGES
    loose = {p.stem for p in DOMAIN.glob("*.py")}
    assert loose <= SHARED, f"place these in a sub-package: {sorted(loose - SHARED)}"
    for package in SUB_PACKAGES:
        modules = list((DOMAIN / package).glob("*.py"))
        assert len(modules) > 5, package


@pytest.mark.parametrize("package", sorted(SUB_PACKAGES))
def test_each_sub_package_holds_its_kpi_definitions_and_reexports_nothing(package: str) -> None:
    init = ast.parse((DOMAIN / package / "__init__.py").read_text())
    assert [type(node) for node in init.body] == [ast.Expr], "only a docstring"
    defining = [
        path.name
        for path in (DOMAIN / package).glob("*.py")
        if "from twin.kpi.catalog import" in path.read_text() and "define(" in path.read_text()
    ]
    assert defining, f"{package} defines no KPI"


def test_no_module_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(ROOT.parent)): n
        for path in ROOT.rglob("*.py")
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_wheel_lists_every_package() -> None:
    """A package missing from pyproject's list ships in an editable install but not in a wheel
    (twin.plan was missing until 2026-12-05)."""
    import tomllib

    listed = set(
        tomllib.loads((ROOT.parent / "pyproject.toml").read_text())["tool"]["setuptools"][
            "packages"
        ]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT.parent).parts)
        for init in ROOT.rglob("__init__.py")
        if "configs" not in init.parts
    }
    assert found - listed == set()
