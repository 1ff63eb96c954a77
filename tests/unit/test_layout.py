"""Where things live, checked by reading every module's imports (README "Where things live")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

WEBAPP = Path(__file__).resolve().parents[2] / "webapp"
DOMAINS = ("accounts", "directory", "messaging", "callbacks", "reports", "notebook")
AUDIENCES = ("survivor", "staff", "console", "portal", "partners", "api", "hooks")
# Core modules that compose the whole app may reach every package.
COMPOSERS = ("webapp", "webapp.cli", "webapp.models")


def module_name(path: Path) -> str:
    parts = path.relative_to(WEBAPP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def imports(path: Path, *, top_level_only: bool = False) -> set[str]:
    """The webapp modules `path` imports (`from a import b` counts a.b when it is a module)."""
    tree = ast.parse(path.read_text(), str(path))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    package = module_name(path) if is_package(path) else module_name(path).rpartition(".")[0]
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return {name for name in found if name in MODULES}


MODULES = {module_name(path): path for path in WEBAPP.rglob("*.py")}


def package_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and (WEBAPP / parts[1]).is_dir() else None


def in_packages(names: tuple[str, ...]) -> list[str]:
    return sorted(name for name in MODULES if package_of(name) in names)


@pytest.mark.parametrize("module", in_packages(("accounts",)))
def test_accounts_imports_no_other_domain(module):
    others = {name for name in imports(MODULES[module]) if package_of(name) in DOMAINS}
    assert {package_of(name) for name in others} <= {"accounts"}, others


@pytest.mark.parametrize("module", in_packages(DOMAINS))
def test_no_domain_imports_a_blueprint(module):
    reached = {name for name in imports(MODULES[module]) if package_of(name) in AUDIENCES}
    assert not reached, reached


@pytest.mark.parametrize(
    "module",
    sorted(
        name
        for name in MODULES
        if package_of(name) is None and name not in COMPOSERS and "migrations" not in name
    ),
)
def test_the_core_imports_no_audience(module):
    reached = {name for name in imports(MODULES[module]) if package_of(name) in AUDIENCES}
    assert not reached, reached


@pytest.mark.parametrize(
    "package", sorted(name for name, path in MODULES.items() if is_package(path) and "." in name)
)
def test_no_package_init_imports_a_child_that_imports_it_back(package):
    """A child that imports anything of its package (a sibling too) starts the package first:
    with the package importing that child, each waits on the other half-built."""

    def within(name: str) -> bool:
        return name == package or name.startswith(package + ".")

    children = {name for name in imports(MODULES[package], top_level_only=True) if within(name)}
    back = {child for child in children if any(map(within, imports(MODULES[child])))}
    assert not back, back


def test_module_level_imports_have_no_cycles():
    graph = {name: imports(path, top_level_only=True) - {name} for name, path in MODULES.items()}
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            raise AssertionError(" -> ".join([*trail[trail.index(name) :], name]))
        if name in done:
            return
        for target in sorted(graph[name]):
            visit(target, [*trail, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])


def test_every_audience_has_its_blueprint_in_a_module_of_its_own():
    for audience in AUDIENCES:
        source = (WEBAPP / audience / "blueprint.py").read_text()
        assert "Blueprint(" in source, audience
        assert "Blueprint(" not in (WEBAPP / audience / "__init__.py").read_text(), audience
