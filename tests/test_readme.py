"""The README names only what exists: every `CAFE_…` setting, every `python -m facilitation X`
command and every command of its command-line table (with its options) is real, and every command
of the command line is in that table."""

from __future__ import annotations

import argparse
import re

from cli.commands import _parser
from facilitation.settings import SETTINGS
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
SETTING_NAMES = {setting.name for setting in SETTINGS}
# Read by scripts/run.sh for the Streamlit server, not by the application.
RUN_SH = (ROOT / "scripts" / "run.sh").read_text(encoding="utf-8")
PLACEHOLDERS = {"CAFE_ID"}  # the argument a command takes (see `python -m facilitation --help`)


def subcommands() -> dict[str, argparse.ArgumentParser]:
    (action,) = [a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def options(parser: argparse.ArgumentParser) -> set[str]:
    found = {flag for action in parser._actions for flag in action.option_strings}
    for action in parser._actions:  # `round CAFE_ID open N`: the nested actions' options too
        if isinstance(action, argparse._SubParsersAction):
            for nested in action.choices.values():
                found |= options(nested)
    return found


def test_every_setting_the_readme_names_exists():
    named = set(re.findall(r"\bCAFE_[A-Z0-9_]*", README)) | set(
        re.findall(r"`([A-Z_]*DATABASE_URL)`", README)
    )
    assert "CAFE_ORGANISER_PASSWORD_HASH" in named  # the pattern reads the README
    for name in named:
        if name.endswith("_"):  # a family: `CAFE_RATE_…`, `CAFE_MAX_…`
            assert any(s.startswith(name) for s in SETTING_NAMES), name
        elif name not in PLACEHOLDERS:
            assert name in SETTING_NAMES or f"${{{name}" in RUN_SH, (
                f"{name} is neither a setting nor read by run.sh"
            )


def test_every_setting_is_in_the_settings_table():
    for name in SETTING_NAMES:
        assert f"| `{name}` |" in README, name


def test_every_command_the_readme_names_exists():
    commands = subcommands()
    named = re.findall(r"python -m facilitation ([a-z][a-z-]*)", README)
    assert "hash-password" in named and "demo" in named
    for command in named:
        assert command in commands, f"python -m facilitation {command}"


def command_table() -> dict[str, str]:
    """{command: the command cell of its row} of the « Ligne de commande » table (a cell may hold
    two commands: `backup …` / `restore …`)."""
    section = README.split("## Ligne de commande", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        cell = line.split(" | ", 1)[0]  # an escaped \| (json\|csv) has no spaces around it
        for usage in re.findall(r"`([a-z][^`]*)`", cell):
            rows[usage.split()[0]] = rows.get(usage.split()[0], "") + " " + usage
    return rows


def test_the_command_table_lists_every_command_with_real_options():
    commands, table = subcommands(), command_table()
    assert set(table) == set(commands), set(table) ^ set(commands)
    for command, usage in table.items():
        for option in re.findall(r"--[a-z][a-z-]*", usage):
            assert option in options(commands[command]), f"{command} {option}"


def test_hash_password_role_marketing_is_documented_and_real():
    assert "--role" in options(subcommands()["hash-password"])
    assert "hash-password --role marketing" in README


def test_every_option_of_every_command_is_documented():
    commands, table = subcommands(), command_table()
    for command, parser in commands.items():
        for option in options(parser) - {"-h", "--help"}:
            assert option in table.get(command, ""), f"{command} {option} is not in the README's table"


def test_the_results_tables_say_what_the_bench_files_say():
    """The README's results tables are generated from bench/results/*.json (bench/readme_tables.py):
    a figure edited by hand, or a bench re-run without `--write`, fails here."""
    from bench import readme_tables

    readme_tables.generated(README)  # every block is there, each with its function
    assert readme_tables.differences(README) == [], "run: .venv/bin/python -m bench.readme_tables --write"
