"""Dependencies point one way: the edges (app, pages, ui, web, cli) → exports → facilitation."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from tests.conftest import ROOT

EDGES = ("streamlit", "ui", "web", "pages", "cli", "app", "serve")
# What each package must never import, even inside a function.
# Pages and their helpers get every document from the composition root's one audited service
# (`App.documents`), never from the builders themselves.
FORBIDDEN = {"facilitation": ("exports", *EDGES), "exports": EDGES, "pages": ("exports",), "ui": ("exports",)}
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


# The harvest's pure model takes and returns versions: no database, no clock, no use case above it.
HARVEST_MODEL = ROOT / "facilitation" / "harvest" / "model.py"
MODEL_FORBIDDEN = (
    "sqlalchemy",
    "facilitation.storage",
    "facilitation.clock",
    "facilitation.harvest.service",
    "facilitation.harvest.views",
)


def modules_reached(source: str, package: str) -> set[str]:
    """Every module a source imports: `from a import b` counts as a and a.b (b may be a module),
    relative imports are resolved against `package`."""
    reached = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            reached |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".")
            base = ".".join(parts[: len(parts) - node.level + 1]) if node.level else ""
            module = ".".join(name for name in (base, node.module) if name)
            reached |= {module} | {f"{module}.{alias.name}" for alias in node.names}
    return reached


def forbidden_for_the_model(source: str) -> list[str]:
    reached = modules_reached(source, "facilitation.harvest")
    return sorted(m for m in reached if any(m == f or m.startswith(f"{f}.") for f in MODEL_FORBIDDEN))


def test_the_model_scanner_sees_relative_and_from_imports():
    source = "from .service import run_harvest\nfrom facilitation import clock\nimport sqlalchemy.orm\n"
    assert forbidden_for_the_model(source) == [
        "facilitation.clock",
        "facilitation.harvest.service",
        "facilitation.harvest.service.run_harvest",
        "sqlalchemy.orm",
    ]


def test_the_harvest_model_reaches_no_storage_no_clock_and_no_use_case():
    assert forbidden_for_the_model(HARVEST_MODEL.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "entry", ["cli", "facilitation.harvest", "facilitation.documents", "exports.documents", "composition"]
)
def test_what_does_not_group_loads_no_language_model(entry: str):
    # scikit-learn, SciPy, spaCy and BERTopic take ~10 s to import: every command of the command
    # line, documents and the harvest's reading side start without them; a grouping run loads them.
    probe = (
        f"import sys, {entry}\n"
        "print(' '.join(m for m in ('sklearn', 'scipy', 'spacy', 'bertopic') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == ""


def test_pages_end_with_end_page_not_st_stop():
    # After st.stop() Streamlit kept the fragments the run did not draw, and one replayed into the
    # next page's layout blanked the screen (see ui.runtime.end_page).
    stops = []
    for path in sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py"), ROOT / "app.py"]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "stop"
            ):
                stops.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert stops == []
