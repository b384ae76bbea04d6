"""French everywhere outside the browser: the command line's help, errors and prompts, numbers."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys

import pytest

from facilitation.domain.access import check_password
from facilitation.domain.wording import decimal, percent
from tests.conftest import ROOT

# argparse's and getpass's English, as Python writes it.
ENGLISH = re.compile(
    r"usage:|positional arguments|show this help|error:|required|invalid choice|unrecognized|"
    r"expected|Warning|Password|may be echoed"
)


def run_cli(*args: str, stdin: str = "", database_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "facilitation", *args],
        cwd=ROOT,
        env=os.environ | {"DATABASE_URL": database_url},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "french"),
    [
        (
            ["--help"],
            ["utilisation : python -m facilitation", "arguments", "affiche cette aide"],
        ),
        (["export", "--help"], ["utilisation : python -m facilitation export", "options"]),
        ([], ["Erreur : arguments obligatoires manquants : COMMANDE"]),
        (["join-url"], ["Erreur : arguments obligatoires manquants : CAFE_ID, --table"]),
        (["nimporte"], ["Erreur : commande 'nimporte' inconnue"]),
        (["settings", "--en-trop"], ["Erreur : arguments en trop : --en-trop"]),
        (["export", "x", "--format", "xml"], ["--format : 'xml' n'est pas parmi 'json', 'csv'"]),
        (["hash-password", "--role"], ["Erreur : --role : une valeur est attendue"]),
        (["join-url", "x", "--table", "deux"], ["--table : nombre entier attendu, pas 'deux'"]),
    ],
)
def test_the_command_lines_help_and_errors_are_in_french(args, french, sqlite_url):
    result = run_cli(*args, database_url=sqlite_url)
    said = result.stdout + result.stderr
    for words in french:
        assert words in said
    assert not ENGLISH.search(said), said
    assert result.returncode == (0 if "--help" in args else 2)


@pytest.mark.parametrize("role", [None, "organisateur", "marketing"])
def test_hash_password_reads_a_piped_password_without_english(role, sqlite_url):
    args = ["hash-password"] + (["--role", role] if role else [])
    result = run_cli(*args, stdin="un mot de passe solide\n", database_url=sqlite_url)
    assert result.returncode == 0, result.stderr
    assert check_password("un mot de passe solide", result.stdout.strip())
    assert not ENGLISH.search(result.stderr), result.stderr


def test_hash_password_refuses_an_empty_pipe_in_french(sqlite_url):
    result = run_cli("hash-password", stdin="", database_url=sqlite_url)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "Erreur : mot de passe vide.\n"


def test_hash_password_at_a_terminal_asks_twice_in_french(sqlite_url):
    """At a real terminal: French prompts, the password typed twice and never echoed."""
    pid, terminal = pty.fork()
    if pid == 0:  # the child: the command line, its terminal being the pseudo-terminal
        os.chdir(ROOT)
        os.environ["DATABASE_URL"] = sqlite_url
        os.execv(
            sys.executable, [sys.executable, "-m", "facilitation", "hash-password", "--role", "marketing"]
        )
    said = b""

    def read_until(text: bytes) -> None:
        nonlocal said
        while text not in said:
            chunk = os.read(terminal, 1024)
            assert chunk, said
            said += chunk

    read_until("Mot de passe de l'équipe marketing : ".encode())
    os.write(terminal, b"un mot de passe solide\n")
    read_until("Répétez-le : ".encode())
    os.write(terminal, b"un mot de passe solide\n")
    read_until(b"scrypt$")
    try:
        while True:
            chunk = os.read(terminal, 1024)
            if not chunk:
                break
            said += chunk
    except OSError:  # the child closed the terminal
        pass
    _, status = os.waitpid(pid, 0)
    text = said.decode()
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "un mot de passe solide" not in text  # not echoed
    assert check_password("un mot de passe solide", re.search(r"scrypt\$\S+", text).group())
    assert not ENGLISH.search(text), text


def test_numbers_are_written_with_a_decimal_comma():
    assert decimal(0.49) == "0,49"
    assert decimal(0.456, 1) == "0,5"
    assert decimal(1234.5) == "1\u202f234,50"
    assert decimal(-2, 0) == "-2"
    assert percent(0.49) == "49\u00a0%"
    assert percent(0.125, 1) == "12,5\u00a0%"
