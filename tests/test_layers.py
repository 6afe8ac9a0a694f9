"""The one-way rule (docs: DESIGN.md § 4): calendars ← models ← sagsgang ← flows. Checked on every
.py file of the tree with ast, imports inside functions and `if TYPE_CHECKING:` blocks included, so
no cycle can hide behind a late import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = ("calendars", "models", "sagsgang", "flows")
# What each package may import of ours (itself always).
ALLOWED = {
    "calendars": set(),
    "models": {"calendars"},
    "sagsgang": {"calendars", "models"},
    "flows": {"calendars", "models", "sagsgang"},
}


def imported(tree: ast.AST, package: str) -> list[tuple[int, str]]:
    """(line, top-level package) of every import of ours in the module, wherever it stands."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: stays inside its own package
                continue
            names = [node.module or ""]
        else:
            continue
        found += [(node.lineno, name.split(".")[0]) for name in names if name.split(".")[0] in OURS]
    return found


def violations(root: Path) -> list[str]:
    problems = []
    for package, allowed in ALLOWED.items():
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for line, target in imported(tree, package):
                if target != package and target not in allowed:
                    problems.append(f"{path.relative_to(root)}:{line} imports {target}")
    return problems


def test_dependencies_point_one_way():
    assert violations(ROOT) == []


@pytest.mark.parametrize(
    ("package", "source", "target"),
    [
        ("sagsgang", "def run():\n    from flows.lifecycle import launch_case\n", "flows"),
        ("sagsgang", "import flows.daily\n", "flows"),
        ("models", "from sagsgang.inputs import UserError\n", "sagsgang"),
        ("calendars", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import models.tables\n", "models"),
    ],
)
def test_an_import_against_the_rule_is_found(tmp_path, package, source, target):
    for name in OURS:
        (tmp_path / name).mkdir()
    (tmp_path / package / "module.py").write_text(source, encoding="utf-8")
    assert [problem.split(" imports ")[1] for problem in violations(tmp_path)] == [target]


# The CLI's thin path (sagsgang.cli.service_client: an action sent to the running service) must
# not load what the service does the work with: the modules it loads on import stay light.
THIN_PATH = ("sagsgang.cli.main", "sagsgang.cli.service_client")
HEAVY = {"sqlalchemy", "sqlmodel", "alembic", "prefect", "holidays", "pydantic_settings", "httpx", "models"}


def _module_file(root: Path, name: str) -> Path | None:
    base = root.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.exists():
            return path
    return None


def _imports_on_load(tree: ast.Module) -> list[str]:
    """The absolute modules a module imports when it is loaded: its top-level statements (inside
    `try` and `if` too), not its functions, not `if TYPE_CHECKING:`; `from a import b` gives a.b as
    well as a (b may be a module)."""
    found: list[str] = []

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.Import):
                found.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                found.append(node.module)
                found.extend(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.If):
                if not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body + node.orelse + node.finalbody)

    visit(tree.body)
    return found


def loaded_by(root: Path, modules: tuple[str, ...]) -> set[str]:
    """Every module importing `modules` loads: ours followed through their files (and their parent
    packages), others by name."""
    seen: set[str] = set()
    todo = list(modules)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        parts = name.split(".")
        todo.extend(".".join(parts[:n]) for n in range(1, len(parts)))
        if parts[0] in OURS and (path := _module_file(root, name)) is not None:
            todo.extend(_imports_on_load(ast.parse(path.read_text(encoding="utf-8"))))
    return {name for name in seen if name.split(".")[0] not in OURS or _module_file(root, name)}


def test_the_cli_thin_path_loads_neither_the_database_layer_nor_prefect():
    loaded = loaded_by(ROOT, THIN_PATH)
    assert "getpass" in loaded and "sagsgang.service.local_token" in loaded  # the walk went through
    assert sorted({name.split(".")[0] for name in loaded} & HEAVY) == []


def test_a_heavy_import_on_the_thin_path_is_found(tmp_path):
    (tmp_path / "sagsgang" / "cli").mkdir(parents=True)
    (tmp_path / "sagsgang" / "__init__.py").write_text("")
    (tmp_path / "sagsgang" / "cli" / "__init__.py").write_text("")
    (tmp_path / "sagsgang" / "cli" / "service_client.py").write_text("from sagsgang.cli import helper\n")
    (tmp_path / "sagsgang" / "cli" / "helper.py").write_text(
        "try:\n    import sqlalchemy.orm\nexcept ImportError:\n    pass\n"
    )
    assert "sqlalchemy" in {name.split(".")[0] for name in loaded_by(tmp_path, ("sagsgang.cli.service_client",))}
