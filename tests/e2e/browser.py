"""What the browser tests share besides the server (tests/e2e/test_web_browser.py): axe-core, the
accessibility checker they run in the page (WCAG 2.1 A and AA rules), installed by
tests/e2e/setup_browser.sh. A page must be opened with bypass_csp=True for axe to be injected (the
app allows no inline script); the pages themselves are unchanged."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "test-artifacts" / "node" / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def require_axe() -> None:
    if not AXE.exists():
        pytest.fail("axe-core mangler: kør tests/e2e/setup_browser.sh (npm install axe-core).")


def axe_violations(shown) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page as shown, as 'rule: element' lines."""
    require_axe()
    shown.add_script_tag(path=str(AXE))
    result = shown.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    return [f"{v['id']}: {n['target']}" for v in result["violations"] for n in v["nodes"]]


def run_cli(env: Mapping[str, str], *args: str, stdin: str = "") -> None:
    """A `sagsgang` command against a browser test's server (its environment); it must succeed."""
    done = subprocess.run(
        [sys.executable, "-m", "sagsgang.cli.main", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=dict(env),
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
