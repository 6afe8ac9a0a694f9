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
