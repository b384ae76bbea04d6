"""Dependencies point one way: the edges (app, pages, ui, web, cli) → exports → facilitation."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import ROOT

EDGES = ("streamlit", "ui", "web", "pages", "cli", "app", "serve")
# What each package must never import, even inside a function.
FORBIDDEN = {"facilitation": ("exports", *EDGES), "exports": EDGES}
# `python -m facilitation` stays the README's command: its __main__ only hands over to cli.py.
ENTRY_POINTS = {ROOT / "facilitation" / "__main__.py"}


def forbidden_imports(source: str, forbidden: tuple[str, ...]) -> list[str]:
    """Modules imported anywhere in the source (top level or in a function) that are forbidden."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [name for name in names if name.split(".")[0] in forbidden]
    return found


def test_the_scanner_sees_an_import_hidden_in_a_function():
    # Today's fault was exactly this shape: the test below would prove nothing if it were missed.
    source = "def render():\n    from exports.tabular import to_csv\n    import streamlit as st\n"
    assert forbidden_imports(source, FORBIDDEN["facilitation"]) == ["exports.tabular", "streamlit"]


@pytest.mark.parametrize("package", FORBIDDEN)
def test_a_package_never_imports_the_layers_above_it(package: str):
    files = sorted(set((ROOT / package).rglob("*.py")) - ENTRY_POINTS)
    assert files
    offences = {
        str(path.relative_to(ROOT)): imported
        for path in files
        if (imported := forbidden_imports(path.read_text(encoding="utf-8"), FORBIDDEN[package]))
    }
    assert offences == {}
