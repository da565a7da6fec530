"""The wiring of the domains: no import cycle in twin/, no registration on import.

Every registration (store formats, region builders, dispatchers, KPI domains, record tables)
is listed in ``twin/domain/registry.py``, which imports the domains; no module of ``twin``
changes a registry when it is imported, and the model, not online orders, wires the
dispatchers.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

import twin

pytestmark = pytest.mark.unit

ROOT = Path(twin.__file__).resolve().parent


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def _type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and ast.unparse(node.test) in {
        "TYPE_CHECKING",
        "typing.TYPE_CHECKING",
    }


def imported(name: str, path: Path) -> set[str]:
    """The twin modules ``name`` imports when run: at module level and inside functions (a lazy
    import back is a cycle too); not under ``if TYPE_CHECKING:``, which never runs."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    tree = ast.parse(path.read_text(), str(path))
    skipped = {
        id(inner) for node in ast.walk(tree) if _type_checking(node) for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.add(child if child in MODULES else base)
    return {module for module in found if module in MODULES and module != name}


def import_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(MODULES)
    for name, path in MODULES.items():
        graph.add_edges_from((name, target) for target in imported(name, path))
    return graph


def test_the_import_graph_of_twin_is_acyclic() -> None:
    graph = import_graph()
    assert graph.number_of_nodes() > 150 and graph.number_of_edges() > 500
    assert ("twin.domain.registry", "twin.domain.online.region") in graph.edges
    cycles = list(nx.simple_cycles(graph))
    assert cycles == [], f"import cycles: {cycles[:5]}"


def test_the_graph_sees_a_cycle_through_a_function_level_import(tmp_path: Path) -> None:
    """The check can fail: a lazy import back into the registry (the old ``_register``)."""
    graph = import_graph()
    path = MODULES["twin.domain.online.region"]
    lazy = path.read_text() + "\n\ndef _register():\n    from twin.domain import registry\n"
    changed = tmp_path / "online.py"
    changed.write_text(lazy)
    graph.add_edges_from(
        ("twin.domain.online.region", target)
        for target in imported("twin.domain.online.region", changed)
    )
    assert not nx.is_directed_acyclic_graph(graph)


def _module_level_side_effects(path: Path) -> list[str]:
    """Module-level statements that call or mutate something, other than defining names."""
    found = []
    for node in ast.parse(path.read_text(), str(path)).body:
        if isinstance(node, ast.Expr) and not isinstance(node.value, ast.Constant):
            found.append(f"{path.name}:{node.lineno} {ast.unparse(node)[:60]}")
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AugAssign | ast.AnnAssign)
            else []
        )
        if any(isinstance(target, ast.Subscript | ast.Attribute) for target in targets):
            found.append(f"{path.name}:{node.lineno} {ast.unparse(node)[:60]}")
        if isinstance(node, ast.FunctionDef) and node.name == "_register":
            found.append(f"{path.name}:{node.lineno} def _register")
    return found


def test_no_module_of_the_domain_registers_or_acts_on_import() -> None:
    paths = [path for name, path in MODULES.items() if name.startswith("twin.domain")]
    assert len(paths) > 40
    found = [line for path in paths for line in _module_level_side_effects(path)]
    assert found == []


def test_importing_every_module_leaves_the_registries_as_listed() -> None:
    from twin.domain import registry
    from twin.domain.coldchain.chain import build_cold_chain
    from twin.domain.lastmile.dispatcher import build_last_mile
    from twin.domain.online.region import build_online_orders

    listed = (
        list(registry.FORMATS.items()),
        list(registry.REGION_BUILDERS),
        list(registry.DISPATCHERS),
        list(registry.KPI_DOMAINS.items()),
        list(registry.RECORD_TABLES),
    )
    for name in MODULES:
        if not name.endswith("__main__"):
            importlib.import_module(name)
    assert listed == (
        list(registry.FORMATS.items()),
        list(registry.REGION_BUILDERS),
        list(registry.DISPATCHERS),
        list(registry.KPI_DOMAINS.items()),
        list(registry.RECORD_TABLES),
    )
    assert list(registry.FORMATS) == ["grocery", "jwo", "bookstore", "bar"]
    assert [build_online_orders] == registry.REGION_BUILDERS
    assert [build_last_mile, build_cold_chain] == registry.DISPATCHERS
    assert list(registry.KPI_DOMAINS) == [
        "store", "checkout", "jwo", "books", "bar",
        "orders", "picking", "lockers", "delivery", "coldchain",
    ]  # fmt: skip
    assert [(table, domain) for table, domain, _ in registry.RECORD_TABLES] == [
        ("visits", "checkout"),
        ("rosters", "checkout"),
        ("visits", "store"),
        ("jwo_visits", "jwo"),
        ("orders", "orders"),
        ("locker_stays", "lockers"),
        ("trips", "delivery"),
        ("temperatures", "coldchain"),
    ]


def test_a_domain_imported_alone_registers_nothing() -> None:
    """In a fresh interpreter, importing the last mile and the cold chain wires nothing: the
    registry is not even imported (before, importing them appended to the registries)."""
    code = (
        "import sys\n"
        "import twin.domain.online.region\n"
        "import twin.domain.lastmile.dispatcher\n"
        "import twin.domain.coldchain.chain\n"
        "assert 'twin.domain.registry' not in sys.modules, 'registry imported'\n"
        "assert not hasattr(twin.domain.online.region.OnlineOrders, 'dispatchers')\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT.parent,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
