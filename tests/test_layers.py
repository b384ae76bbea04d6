"""Dependencies point one way: entry points → use cases → domain; adapters behind the use cases.

The layers are import-linter contracts in pyproject.toml (scripts/test.sh runs `lint-imports` too);
app.py and serve.py, the scripts Streamlit runs, are single files import-linter cannot read, so they
are scanned here.
"""

from __future__ import annotations

import ast
import tomllib

import pytest

from tests.conftest import ROOT

CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def contract(source: str) -> dict:
    (found,) = [
        c for c in CONTRACTS["contracts"] if c["source_modules"] == [source] or source in c["source_modules"]
    ]
    return found


def test_the_import_contracts_are_kept(monkeypatch):
    from importlinter.cli import lint_imports

    monkeypatch.chdir(ROOT)
    assert lint_imports(no_cache=True, no_logo=True) == 0  # its report, on failure, is in the captured output


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        (
            "facilitation.domain",
            {"facilitation.adapters", "facilitation.services", "streamlit", "sqlalchemy"},
        ),
        ("facilitation.domain", {"reportlab", "bertopic", "plotly"}),
        ("facilitation.services", {"ui", "web", "pages", "cli", "exports", "streamlit"}),
        ("pages", {"facilitation.adapters.storage", "sqlalchemy", "exports"}),
        ("cli", {"facilitation.adapters.storage", "sqlalchemy"}),
    ],
)
def test_the_contracts_say_what_the_architecture_says(source: str, forbidden: set[str]):
    # A contract edited down to nothing would keep passing: its terms are pinned here.
    assert forbidden <= set(contract(source)["forbidden_modules"])


def test_every_package_of_the_code_is_under_a_contract():
    roots = set(CONTRACTS["root_packages"])
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "bench"}
    assert packages <= roots


# The two scripts Streamlit runs: they build pages and the server from ui/, web/ and the composition root.
SCRIPTS = ("app.py", "serve.py")
SCRIPT_FORBIDDEN = ("facilitation.adapters", "sqlalchemy", "alembic", "psycopg", "exports", "reportlab")


def imported_modules(source: str) -> list[str]:
    """Modules imported anywhere in the source (top level or in a function)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return found


def forbidden_in(source: str) -> list[str]:
    return sorted(
        {m for m in imported_modules(source) for f in SCRIPT_FORBIDDEN if m == f or m.startswith(f"{f}.")}
    )


def test_the_scanner_sees_an_import_hidden_in_a_function():
    source = "def render():\n    from facilitation.adapters import storage\n    import sqlalchemy.orm\n"
    assert forbidden_in(source) == [
        "facilitation.adapters",
        "facilitation.adapters.storage",
        "sqlalchemy.orm",
    ]


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_streamlit_scripts_import_no_storage_and_no_document_builder(script: str):
    assert forbidden_in((ROOT / script).read_text(encoding="utf-8")) == []


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
