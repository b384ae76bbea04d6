"""The command line: `cli.main(argv)` run in the test's process with a composition root built from the
test's settings (a real database; an instant keyword grouper where the grouping is not the subject),
and a few real processes, as a user runs it: `python -m facilitation`, one real grouping, no terminal."""

import csv
import gzip
import io
import json
import os
import re
import subprocess
import sys

import pytest

from cli import main
from facilitation.adapters.storage import open_store
from facilitation.services.records import HEADERS
from tests.conftest import ROOT, Ran, committed
from tests.fakes import KeywordGrouper


def run_process(*args, database_url, check=True):
    """A real `python -m facilitation` process (kept for what only a process shows)."""
    env = os.environ | {"DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, "-m", "facilitation", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def run_with_environment(monkeypatch, capsys, *args, database_url) -> Ran:
    """`main(argv)` building its own app from the environment, as the real command does."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return Ran(code, out, err)


@pytest.fixture
def demo_cafe(run_cli, database_url):
    result = run_cli("demo", database_url=database_url)
    return result.stdout.strip().splitlines()[-1]


def test_help_lists_the_commands(sqlite_url):
    out = run_process("--help", database_url=sqlite_url).stdout
    for command in ("demo", "join-url", "export", "hash-password", "settings"):
        assert command in out


@pytest.mark.parametrize("argv", [["--help"], ["export", "--help"], ["round", "x", "open", "-h"]])
def test_help_speaks_french(argv):
    from contextlib import redirect_stdout

    out = io.StringIO()
    with redirect_stdout(out):
        assert main(argv) == 0
    text = out.getvalue()
    assert text.startswith("utilisation : python -m facilitation") and "-h, --help  " in text
    assert "affiche cette aide et s'arrête" in text and "\noptions:\n" in text
    assert not re.search(r"usage:|positional arguments|show this help", text)


def test_demo_cafe_is_in_progress_with_realistic_contributions(run_cli, demo_cafe, database_url):
    records = json.loads(run_cli("export", demo_cafe, "--format", "json", database_url=database_url).stdout)
    assert 100 <= len(records) <= 140
    assert {r["tour"] for r in records} == {1, 2, 3} and {r["table"] for r in records} == {1, 2, 3, 4}
    assert {r["source"] for r in records} == {"capitaine", "habitant"}
    assert len({r["type"] for r in records} - {""}) >= 3 and len({r["profil"] for r in records} - {""}) >= 4
    assert any("é" in r["texte"] for r in records)
    assert sum(r["soutiens"] for r in records) > 0
    # round 3 is open: residents can still join
    link = run_cli("join-url", demo_cafe, "--table", "2", database_url=database_url).stdout.strip()
    from facilitation.adapters.storage import open_store
    from facilitation.services import contributions

    store = open_store(database_url)
    context = contributions.join_table(store, link.split("/j/")[1])
    assert context.accepting and context.open_round.position == 3
    store.engine.dispose()


def test_join_url_uses_the_given_base_url(run_cli, demo_cafe, database_url):
    link = run_cli(
        "join-url",
        demo_cafe,
        "--table",
        "3",
        "--base-url",
        "http://192.168.0.12:8501",
        database_url=database_url,
    ).stdout.strip()
    assert link.startswith(f"http://192.168.0.12:8501/j/{demo_cafe}.3.")


def test_csv_export_has_every_column_and_round_trips(run_cli, demo_cafe, database_url, tmp_path):
    out = tmp_path / "export.csv"
    run_cli("export", demo_cafe, "--format", "csv", "--out", str(out), database_url=database_url)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    as_json = json.loads(run_cli("export", demo_cafe, "--format", "json", database_url=database_url).stdout)
    assert len(rows) == len(as_json)
    # Plain French headers in the spreadsheet, the short keys in JSON, one for one.
    assert list(rows[0]) == [HEADERS[key] for key in as_json[0]]
    for column in (
        "Café",
        "Tour",
        "Question",
        "Table",
        "Type",
        "Profil",
        "Combien sont d'accord (capitaine)",
        "Soutiens",
        "Source",
        "Heure",
    ):
        assert column in rows[0]
    assert [r["Texte"] for r in rows] == [r["texte"] for r in as_json]
    assert rows[0]["Heure"].endswith(("+01:00", "+02:00"))  # Paris time


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("join-url", "inconnu", "--table", "1"), "Aucun café"),
        (("export", "inconnu"), "Aucun café"),
        (("export",), "arguments obligatoires manquants : CAFE_ID"),
        (("join-url", "x", "--table", "deux"), "--table : nombre entier attendu, pas 'deux'"),
        (("export", "x", "--format", "xml"), "--format : 'xml' n'est pas parmi 'json', 'csv'"),
        (("voler",), "commande 'voler' inconnue (aide : python -m facilitation --help)"),
    ],
)
def test_bad_arguments_fail_clearly(run_cli, sqlite_url, args, message):
    result = run_cli(*args, database_url=sqlite_url, check=False)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://postgres@127.0.0.1:59999/db?password=S3cretQ&connect_timeout=2",
        "postgresql+psycopg://cafe:hunt@er2@127.0.0.1:59999/db?connect_timeout=2",
    ],
)
def test_unreachable_database_fails_with_its_address_and_no_credential(monkeypatch, capsys, url):
    result = run_with_environment(monkeypatch, capsys, "demo", database_url=url)
    assert result.returncode == 2
    assert "Impossible de joindre la base de données" in result.stderr
    assert "postgresql+psycopg://127.0.0.1:59999/db" in result.stderr
    for secret in ("S3cretQ", "password", "er2", "hunt", "postgres@", "cafe@"):
        assert secret not in result.stderr


def _backup_file(tmp_path, content: bytes, name: str = "f.json.gz"):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


@pytest.mark.parametrize(
    ("make_args", "message"),
    [
        (
            lambda tmp: ("restore", _backup_file(tmp, gzip.compress(b'{"format": 1, "tables": {}}')[:-10])),
            "Fichier compressé tronqué ou abîmé",
        ),
        (
            lambda tmp: ("restore", _backup_file(tmp, gzip.compress(b"[1, 2]"))),
            "ne contient pas un objet JSON",
        ),
        (
            lambda tmp: (
                "transfer-import",
                _backup_file(
                    tmp, b'{"format": "cafe-concertation-dump/1", "tables": {"cafes": 3}}', "t.json"
                ),
            ),
            "cafes : une liste de lignes (objets) est attendue",
        ),
        (lambda tmp: ("restore", _backup_file(tmp, b"pas du json", "r.json")), "n'est pas un fichier JSON"),
        (lambda tmp: ("purge", "--days", "99999999"), "comprise entre 1 et 36500 jours"),
        (lambda tmp: ("purge", "--days", "0"), "comprise entre 1 et 36500 jours"),
    ],
)
def test_bad_files_and_values_are_french_errors_not_tracebacks(
    run_cli, sqlite_url, tmp_path, make_args, message
):
    result = run_cli(*make_args(tmp_path), database_url=sqlite_url, check=False)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


BIG = "x" * 1_000_000
# Words of Python's, argparse's or the system's English messages: none may reach the organiser.
ENGLISH = re.compile(
    r"\b(error|invalid|required|usage|arguments?:|directory|such|denied|has an empty|NUL)\b", re.I
)
FUZZ = {
    "table not a number": ("join-url", "{cafe}", "--table", "deux"),
    "negative table": ("join-url", "{cafe}", "--table", "-1"),
    "huge table": ("join-url", "{cafe}", "--table", "9" * 40),
    "huge round": ("round", "{cafe}", "open", "9" * 40),
    "round zero": ("round", "{cafe}", "open", "0"),
    "round not a number": ("round", "{cafe}", "open", "trois"),
    "unknown café": ("tables", "0" * 32),
    "malformed café id": ("tables", "pas-un-identifiant"),
    "NUL in the café id": ("export", "ab\x00cd"),
    "empty café id": ("export", ""),
    "a megabyte café id": ("export", BIG),
    "a megabyte command": (BIG,),
    "a megabyte extra argument": ("demo", BIG),
    "a megabyte format": ("export", "{cafe}", "--format", BIG),
    "bad base URL": ("join-url", "{cafe}", "--table", "1", "--base-url", "pas une adresse"),
    "megabyte base URL": ("cards", "{cafe}", "--out", "{tmp}/cartes.pdf", "--base-url", "http://" + BIG),
    "public URL with NUL": ("public-url", "http://cafe\x00.example.org"),
    "public URL bad port": ("public-url", "http://192.168.1.20:99999"),
    "directory as --out": ("export", "{cafe}", "--out", "{tmp}"),
    "empty --out": ("audit", "--out", ""),
    "--out in a missing folder": ("backup", "--out", "{tmp}/manque/sauvegarde.json.gz"),
    "directory as input": ("transfer-import", "{tmp}"),
    "not a gzip file": ("restore", "{tmp}/abimee.json.gz"),
    "missing input": ("restore", "{tmp}/absente.json.gz"),
    "negative days": ("purge", "--days", "-1"),
    "days not a number": ("purge", "--days", "demain"),
    "huge topics": ("harvest", "{cafe}", "--topics", "9" * 40),
    "unknown harvest round": ("harvest", "{cafe}", "--round", "7"),
    "a megabyte search word": ("search", BIG),
    "missing command": (),
    "argument of a command that takes none": ("settings", "en-trop"),
}


@pytest.mark.parametrize("case", FUZZ)
def test_every_bad_value_is_one_french_line_and_a_failure(store, database_url, tmp_path, monkeypatch, case):
    """`cli.main` run in the test's process, as `python -m facilitation` runs it."""
    from contextlib import redirect_stderr, redirect_stdout

    from tests.conftest import make_cafe

    monkeypatch.setenv("DATABASE_URL", database_url)
    cafe, _ = make_cafe(store)
    (tmp_path / "abimee.json.gz").write_bytes(b"{}")
    argv = [arg.format(cafe=cafe.id, tmp=tmp_path) if "{" in arg[:10] else arg for arg in FUZZ[case]]
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    message = err.getvalue()
    assert code != 0, message
    assert message.startswith("Erreur : ") and message.count("\n") == 1 and len(message) < 400, message
    assert "Traceback" not in message and not ENGLISH.search(message), message
    assert out.getvalue() == ""


def test_hash_password_without_a_terminal_is_a_french_error(sqlite_url):
    result = subprocess.run(
        [sys.executable, "-m", "facilitation", "hash-password"],
        cwd=ROOT,
        env=os.environ | {"DATABASE_URL": sqlite_url},
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # no controlling terminal: getpass reads the closed standard input
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    # Nothing on the redirected input (no terminal either): an empty password, refused in French.
    assert result.stderr.splitlines()[-1].endswith("Erreur : mot de passe vide.")


def test_a_postgres_scheme_url_is_explained(monkeypatch, capsys):
    result = run_with_environment(
        monkeypatch, capsys, "demo", database_url="postgres://cafe:secret@127.0.0.1/cafes"
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "n'est pas une adresse de base reconnue" in result.stderr and "secret" not in result.stderr


# -- topics and harvest ------------------------------------------------------------------------
RESIDENT_CSV = ROOT / "facilitation" / "data" / "resident_ideas_fr.csv"


def test_topics_groups_any_csv_and_keeps_its_columns(sqlite_url, tmp_path):
    """The one real grouping of this file: a process that loads the language models, as a user's does."""
    out = tmp_path / "groupes.csv"
    done = run_process(
        "topics",
        str(RESIDENT_CSV),
        "--text-column",
        "text",
        "--topics",
        "8",
        "--out",
        str(out),
        database_url=sqlite_url,
    )
    assert "Encodage des textes" in done.stderr and "120/120" in done.stderr  # a progress bar
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    source = list(csv.DictReader(io.StringIO(RESIDENT_CSV.read_text(encoding="utf-8"))))
    assert len(rows) == len(source) == 120
    assert [r["text"] for r in rows] == [r["text"] for r in source]
    assert {"topic", "kind", "topic_id", "topic_label"} <= set(rows[0])
    topics = list(csv.DictReader(io.StringIO((tmp_path / "groupes.topics.csv").read_text(encoding="utf-8"))))
    assert sum(int(t["size"]) for t in topics) == 120
    assert len([t for t in topics if t["topic_id"] != "-1"]) == 8
    assert {r["topic_label"] for r in rows} == {t["topic_label"] for t in topics}
    unsorted = [r for r in rows if r["topic_id"] == "-1"]
    assert all(r["topic_label"] == "À classer" for r in unsorted) and len(unsorted) <= 0.15 * 120


def test_topics_takes_a_real_survey_export_with_repeated_answers(run_cli, sqlite_url, tmp_path):
    source = tmp_path / "sondage.csv"
    answers = ["Non", "Oui", "non ", "Le chauffage est froid", "Non", '=HYPERLINK("http://x")', "Oui"]
    source.write_text("n°;réponse\n" + "".join(f"{i};{a}\n" for i, a in enumerate(answers)), encoding="utf-8")
    out = tmp_path / "out.csv"
    printed = run_cli(
        "topics",
        str(source),
        "--text-column",
        "réponse",
        "--topics",
        "3",
        "--excel",
        "--out",
        str(out),
        database_url=sqlite_url,
        grouper=KeywordGrouper(["non", "oui", "chauffage"]),
    ).stdout
    assert printed.startswith("7 lignes (4 textes distincts), 3 groupes")
    raw = out.read_bytes()
    assert raw.startswith("\ufeff".encode())  # Excel reads the accents
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert [r["n°"] for r in rows] == [str(i) for i in range(7)]  # every row written back, in order
    topic_of = {r["réponse"]: r["topic_id"] for r in rows}
    assert (
        topic_of["Non"] == topic_of["non "]
        and len({r["topic_id"] for r in rows if r["réponse"] == "Oui"}) == 1
    )
    assert rows[5]["réponse"] == '\'=HYPERLINK("http://x")'  # a formula stays text
    topics = list(
        csv.DictReader(
            io.StringIO((tmp_path / "out.topics.csv").read_bytes().decode("utf-8-sig")), delimiter=";"
        )
    )
    assert sum(int(t["size"]) for t in topics) == 7


def test_topics_reads_semicolons_and_multiline_quoted_cells(run_cli, sqlite_url, tmp_path):
    source = tmp_path / "avis.csv"
    source.write_text(
        'n°;avis\n1;"Le chauffage\nne marche pas"\n2;Ascenseur en panne\n'
        "3;Radiateurs froids\n4;Jardin partagé\n",
        encoding="utf-8-sig",
    )
    out = tmp_path / "out.csv"
    run_cli("topics", str(source), "--text-column", "avis", "--out", str(out), database_url=sqlite_url)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")), delimiter=";"))
    assert rows[0]["avis"] == "Le chauffage\nne marche pas" and len(rows) == 4


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (b"", (), "Le fichier est vide"),
        (b"texte\n", (), "pas de ligne de données"),
        (b"avis\nbonjour\n", (), "Colonne « texte » absente. Colonnes du fichier : avis"),
        (b"texte\nUn avis\n\nAutre\n  \n", (), "Texte vide aux lignes"),
        ("texte\nÉté chaud\nHiver froid\n".encode("latin-1"), (), "n'est pas en UTF-8"),
        (b"texte\nUn\nDeux\n", ("--topics", "5"), "--topics doit être entre 1 et 2"),
        (b"texte\nUn\nDeux\n", ("--lang", "en"), "Seul le français"),
        pytest.param(
            b"texte\n" + b"a" * 131_073 + b"\nAutre\n",
            (),
            "Ligne 2 : une cellule dépasse 131\u202f072 caractères",
            id="cell-over-131072",  # pytest puts the id in the environment: keep it short
        ),
        (b"texte\nUn,avis,de,trop\nDeux\n", (), "Plus de cellules que de colonnes d'en-tête aux lignes 2"),
    ],
)
def test_topics_refuses_bad_files_clearly(run_cli, sqlite_url, tmp_path, content, args, message):
    source = tmp_path / "in.csv"
    source.write_bytes(content)
    result = run_cli(
        "topics",
        str(source),
        "--text-column",
        "texte",
        "--out",
        str(tmp_path / "o.csv"),
        *args,
        database_url=sqlite_url,
        check=False,
    )
    assert result.returncode == 2 and message in result.stderr
    assert not (tmp_path / "o.csv").exists()


def test_harvest_groups_a_stored_cafe_as_a_new_version(run_cli, demo_cafe, database_url):
    first = run_cli("harvest", demo_cafe, "--topics", "6", database_url=database_url).stdout
    assert first.startswith("Version 1 : Regroupement automatique : 6 groupes")
    keys = re.findall(r"^- \[(\w+)\] ", first, re.M)
    assert len(keys) == 6
    run_cli("keep", demo_cafe, *keys, database_url=database_url)
    asked = run_cli("harvest", demo_cafe, "--topics", "2", "--afresh", database_url=database_url, check=False)
    assert asked.returncode == 3 and "changerait des groupes retenus" in asked.stderr
    token = re.search(r"--confirm (\w+)", asked.stderr).group(1)
    confirmed = run_cli(
        "harvest", demo_cafe, "--topics", "2", "--afresh", "--confirm", token, database_url=database_url
    ).stdout
    assert confirmed.startswith("Version 3 : ") and "non retrouvé" in confirmed
    second = run_cli("harvest", demo_cafe, "--round", "3", database_url=database_url).stdout
    assert second.startswith("Version 1")  # a round is a scope of its own
    failed = run_cli("harvest", demo_cafe, "--round", "9", database_url=database_url, check=False)
    assert failed.returncode == 2 and "Le tour 9 n'existe pas" in failed.stderr


def test_a_harvest_rerun_with_nothing_new_changes_nothing_and_asks_nothing(run_cli, demo_cafe, database_url):
    first = run_cli("harvest", demo_cafe, database_url=database_url).stdout
    keys = re.findall(r"^- \[(\w+)\] ", first, re.M)
    run_cli("keep", demo_cafe, *keys, database_url=database_url)
    again = run_cli("harvest", demo_cafe, database_url=database_url)
    assert again.returncode == 0 and "Rien de nouveau depuis la version 2" in again.stdout
    assert first.split("\n", 1)[1] == again.stdout.split("\n", 1)[1]  # the very same groups


def test_report_fiches_and_cards_write_pdfs(run_cli, demo_cafe, database_url, tmp_path):
    harvested = run_cli("harvest", demo_cafe, "--topics", "4", database_url=database_url).stdout
    keys = re.findall(r"^- \[(\w+)\] ", harvested, re.M)
    assert len(keys) == 4
    report = tmp_path / "synthese.pdf"
    assert "écrit" in run_cli("report", demo_cafe, "--out", str(report), database_url=database_url).stdout
    assert report.read_bytes().startswith(b"%PDF")
    out = tmp_path / "fiches"
    refused = run_cli("fiches", demo_cafe, "--out", str(out), database_url=database_url, check=False)
    assert refused.returncode == 2 and "Aucun groupe n'est retenu" in refused.stderr  # no empty ZIP
    assert not out.exists()
    kept = run_cli("keep", demo_cafe, *keys[:2], database_url=database_url).stdout
    assert kept.startswith("2 groupes retenus : ")
    unknown = run_cli("keep", demo_cafe, "0000", database_url=database_url, check=False)
    assert unknown.returncode == 2
    printed = run_cli("fiches", demo_cafe, "--out", str(out), database_url=database_url).stdout
    assert printed.startswith("2 fiches et ")
    assert sorted(p.suffix for p in out.iterdir()) == [".pdf", ".pdf", ".zip"]
    cards = tmp_path / "cartes.pdf"
    run_cli(
        "cards",
        demo_cafe,
        "--out",
        str(cards),
        "--base-url",
        "http://10.0.0.5:8501",
        database_url=database_url,
    )
    assert cards.read_bytes().startswith(b"%PDF")
    failed = run_cli("report", "inconnu", "--out", str(report), database_url=database_url, check=False)
    assert failed.returncode == 2 and "Aucun café" in failed.stderr


def test_search_prints_where_each_hit_was_said(run_cli, demo_cafe, database_url):
    result = run_cli("search", "ascenseurs", database_url=database_url)
    *lines, blank, count = result.stdout.splitlines()
    assert lines and len(lines) % 2 == 0 and blank == ""
    for where, text in zip(lines[::2], lines[1::2], strict=True):
        assert re.match(r"\d\d/\d\d/\d{4} · .+ · Table \d", where)
        assert "ascenseur" in text.lower()
    assert count == f"{len(lines) // 2} contributions trouvées"  # on its own line, after the hits
    singular = run_cli("search", "ascenseur", database_url=database_url).stdout
    assert singular == result.stdout  # singular and plural find the same
    refused = run_cli("search", "a", database_url=database_url, check=False)
    assert refused.returncode == 2 and "au moins un mot" in refused.stderr


def test_rotate_link_secret_refuses_printed_links_and_defers_to_cafe_link_secret(run_cli, sqlite_url):
    store = open_store(sqlite_url)
    before = committed(store).trust.link_secret()
    run_cli("rotate-link-secret", database_url=sqlite_url)
    assert committed(store).trust.link_secret() != before
    result = run_cli("rotate-link-secret", database_url=sqlite_url, check=False, cafe_link_secret="c" * 40)
    assert result.returncode == 2 and "CAFE_LINK_SECRET est défini" in result.stderr
    store.engine.dispose()


def test_tables_rounds_and_public_url_from_the_command_line(run_cli, demo_cafe, database_url):
    from facilitation.adapters.storage import open_store
    from facilitation.services import cafes

    assert run_cli("public-url", database_url=database_url).stdout.strip() == "http://localhost:8501"
    set_url = run_cli("public-url", "http://192.168.1.20:8501/", database_url=database_url)
    assert set_url.stdout.strip() == "http://192.168.1.20:8501"
    bad = run_cli("public-url", "192.168.1.20", database_url=database_url, check=False)
    assert bad.returncode == 2 and "Adresse publique invalide" in bad.stderr

    lines = run_cli("tables", demo_cafe, database_url=database_url).stdout.strip().splitlines()
    store = open_store(database_url)
    tables = cafes.list_tables(store, demo_cafe)
    assert [line.split("\t") for line in lines] == [
        [
            str(t.number),
            t.name,
            t.code,
            cafes.join_link(store, demo_cafe, t.number, "http://192.168.1.20:8501"),
        ]
        for t in tables
    ]
    # join-url follows the stored address too
    link = run_cli("join-url", demo_cafe, "--table", "1", database_url=database_url).stdout.strip()
    assert link == lines[0].split("\t")[3]

    assert "Tour 3 fermé." in run_cli("round", demo_cafe, "close", database_url=database_url).stdout
    assert cafes.open_round_of(store, demo_cafe) is None
    again = run_cli("round", demo_cafe, "close", database_url=database_url, check=False)
    assert again.returncode == 2 and "Aucun tour n'est ouvert" in again.stderr
    opened = run_cli("round", demo_cafe, "open", "2", database_url=database_url).stdout
    assert opened.startswith("Tour 2 ouvert : ")
    assert cafes.open_round_of(store, demo_cafe).position == 2
    missing = run_cli("round", demo_cafe, "open", "9", database_url=database_url, check=False)
    assert missing.returncode == 2 and "Le tour 9 n'existe pas" in missing.stderr
    events = committed(store).audit.latest(cafe_id=demo_cafe)[:2]
    assert {(e.action, e.actor) for e in events} == {
        ("tour ouvert", "ligne de commande"),
        ("tour fermé", "ligne de commande"),
    }
    store.engine.dispose()
