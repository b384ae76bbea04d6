"""Trust: link revocation, masking, erasure, retention, audit, abuse limits, transfer and backup.
On SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import io
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from pypdf import PdfReader

from exports.documents import render, renderer
from facilitation import audit, backups, cafes, contributions, documents, harvest, rgpd
from facilitation.abuse import (
    GLOBAL_FAILURES_PER_MINUTE,
    SESSION_FREE_FAILURES,
    Client,
    PhoneLimiter,
    SlidingWindow,
    login_delay,
    organiser_login,
)
from facilitation.access import hash_password, new_id, verify_join_token
from facilitation.errors import AccessDenied, InvalidInput, NotAccepting
from facilitation.privacy import mask_personal_data
from facilitation.storage import open_store
from tests.conftest import acting_as, add_idea, make_cafe
from tests.fakes import KeywordGrouper

OPTIONS = {"base_url": "http://x", "timezone": "Europe/Paris"}
LIMITS = {"max_bytes": 50_000_000, "max_text_chars": 2000}


def token_of(store, cafe, table=1):
    return cafes.join_link(store, cafe.id, table, "http://x").split("/j/")[1]


def resident(store, token, text, **limits):
    return contributions.resident_submit(
        store, token=token, text=text, submission_id=new_id(), max_chars=2000, **limits
    )


# -- revocation ---------------------------------------------------------------------------------
def test_revoking_a_table_link_refuses_its_old_qr_code_only(store):
    cafe, _ = make_cafe(store)
    old_one, old_two = token_of(store, cafe, 1), token_of(store, cafe, 2)
    cafes.revoke_links(store, cafe.id, 1)
    with pytest.raises(AccessDenied, match="n'est plus valable"):
        contributions.join_table(store, old_one)
    assert contributions.join_table(store, old_two).table.number == 2
    assert contributions.join_table(store, token_of(store, cafe, 1)).accepting  # the new card works
    cafes.revoke_links(store, cafe.id)
    with pytest.raises(AccessDenied):
        resident(store, old_two, "Encore là ?")
    assert store.contributions.in_cafe(cafe.id) == []


def test_cafe_link_secret_signs_the_links_and_changing_it_refuses_the_old_ones(database_url):
    configured = open_store(database_url, link_secret="s" * 40)
    cafe, _ = make_cafe(configured)
    token = token_of(configured, cafe)
    assert verify_join_token("s" * 40, token).table_number == 1  # not the secret kept in the base
    assert contributions.join_table(configured, token).table.number == 1
    rotated = open_store(database_url, link_secret="t" * 40)
    with pytest.raises(AccessDenied):
        contributions.join_table(rotated, token)
    assert contributions.join_table(rotated, token_of(rotated, cafe)).accepting
    for store in (configured, rotated):
        store.engine.dispose()


def test_rotating_the_stored_link_secret_refuses_every_printed_link(store):
    cafe, _ = make_cafe(store)
    old = token_of(store, cafe)
    with store:
        store.trust.rotate_link_secret()
    with pytest.raises(AccessDenied):
        contributions.join_table(store, old)
    assert contributions.join_table(store, token_of(store, cafe)).accepting


# -- masking ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Écrivez à jean.dupont@mail.fr", "Écrivez à [courriel masqué]"),
        (
            "Appelez le 06 12 34 56 78 ou le +33 6 12 34 56 78",
            "Appelez le [téléphone masqué] ou le [téléphone masqué]",
        ),
        ("04.78.12.34.56 / 0612345678", "[téléphone masqué] / [téléphone masqué]"),
        ("Fuite à l'appartement 12, porte B3", "Fuite à l'appartement [n° masqué], porte [n° masqué]"),
        (
            "appt 4B, logement n° 15, bâtiment C",
            "appt [n° masqué], logement [n° masqué], bâtiment [n° masqué]",
        ),
        ("Mme Martin se plaint, martine non", "Mme [nom masqué] se plaint, martine non"),
        ("Le 12 mai, 3 personnes à 19 degrés en 2024", "Le 12 mai, 3 personnes à 19 degrés en 2024"),
        ("Porte d'entrée lourde, escalier de secours", "Porte d'entrée lourde, escalier de secours"),
        ("porte n° 7 et bât. B", "porte [n° masqué] et bât [n° masqué]"),
    ],
)
def test_personal_data_is_masked(text, expected):
    assert mask_personal_data(text, ["Martin"]) == expected


def test_documents_and_exports_are_masked_while_the_original_stays(store):
    cafe, _ = make_cafe(store)
    secret = "Chauffage en panne chez Mme Durand, appartement 12, appelez le 06 12 34 56 78"
    add_idea(store, cafe, secret)
    add_idea(store, cafe, "Chauffage froid")
    rgpd.flag_name(store, cafe.id, "Durand", by_organiser=True)
    scope = harvest.scope_of([cafe.id])
    version = harvest.run_harvest(store, KeywordGrouper(["chauffage"]), scope)
    harvest.set_kept(store, scope, [version.topics[0].key])
    masked = (
        "Chauffage en panne chez Mme [nom masqué], appartement [n° masqué], appelez le [téléphone masqué]"
    )
    for kind in ("contributions_csv", "cafe_json"):
        data = render(store, cafe.id, kind, **OPTIONS)[1].decode("utf-8-sig")
        assert masked in data and "Durand" not in data and "06 12" not in data
    pdf = render(store, cafe.id, "synthese", **OPTIONS)[1]
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "[nom masqué]" in text and "Durand" not in text and "06 12 34" not in text
    assert any(c.text == secret for c in store.contributions.in_cafe(cafe.id))  # the organiser keeps it


def test_flagged_names_are_checked_and_never_logged(store):
    cafe, _ = make_cafe(store)
    assert rgpd.flag_name(store, cafe.id, "  Durand ", by_organiser=True) == ["Durand"]
    with pytest.raises(InvalidInput, match="deux lettres"):
        rgpd.flag_name(store, cafe.id, "X")
    assert "Durand" not in json.dumps(audit.audit_records(store, timezone="Europe/Paris"), ensure_ascii=False)
    assert rgpd.unflag_name(store, cafe.id, "Durand") == []


# -- erasure and retention ----------------------------------------------------------------------
def test_erasing_a_contribution_reaches_harvests_and_generated_documents(store):
    cafe, _ = make_cafe(store)
    ids = [add_idea(store, cafe, t).id for t in ("Chauffage froid", "Chauffage cher", "Jardin")]
    scope = harvest.scope_of([cafe.id])
    harvest.run_harvest(store, KeywordGrouper(["chauffage", "jardin"]), scope)
    harvest.set_aside(store, scope, ids[2])
    documents.generate(store, cafe.id, "synthese", render=renderer(**OPTIONS))
    assert rgpd.erase_contribution(store, cafe.id, ids[0]) == 1
    assert store.contributions.get(ids[0]) is None
    for version in harvest.versions(store, scope):
        assert all(ids[0] not in t.contribution_ids + t.representative_ids for t in version.topics)
        assert ids[0] not in version.coordinates
    assert store.documents.in_cafe(cafe.id) == []
    rgpd.erase_contribution(store, cafe.id, ids[2])
    assert harvest.latest_version(store, scope).set_aside == ()


def test_erasing_a_cafe_removes_everything_derived(store):
    cafe, _ = make_cafe(store)
    other, _ = make_cafe(store)
    for c in (cafe, other):
        add_idea(store, c, "Chauffage")
    both = harvest.scope_of([cafe.id, other.id])
    harvest.run_harvest(store, KeywordGrouper(["chauffage"]), both)
    documents.generate(store, cafe.id, "cafe_json", render=renderer(**OPTIONS))
    with pytest.raises(InvalidInput, match="recopiez exactement"):
        rgpd.erase_cafe(store, cafe.id, confirm_title="autre")
    rgpd.erase_cafe(store, cafe.id, confirm_title="Café des Tilleuls")
    assert (
        store.cafes.get(cafe.id) is None and store.contributions.in_cafe(cafe.id, include_deleted=True) == []
    )
    assert harvest.versions(store, both) == []
    assert len(store.contributions.in_cafe(other.id)) == 1
    assert audit.audit_records(store, timezone="Europe/Paris")[0]["action"] == "café effacé"


def test_retention_deletes_old_raw_contributions_but_keeps_syntheses(store):
    old = cafes.create_cafe(store, title="Ancien", held_on=date(2024, 1, 10), theme="autre", commune="Lyon")
    cafes.add_table(store, old.id, number=1)
    round_ = cafes.add_round(store, old.id, question="Q ?", planned_minutes=5)
    cafes.open_round(store, old.id, round_.id)
    add_idea(store, old, "Ancienne idée")
    recent, _ = make_cafe(store)
    add_idea(store, recent, "Idée récente")
    documents.generate(store, old.id, "synthese", render=renderer(**OPTIONS))
    report = rgpd.purge_expired(store, 365, today=date(2026, 12, 1))
    assert (report.cafes, report.contributions) == (["Ancien"], 1)
    assert store.contributions.in_cafe(old.id, include_deleted=True) == []
    assert len(store.contributions.in_cafe(recent.id)) == 1
    assert [d.kind for d in store.documents.in_cafe(old.id)] == ["synthese"]
    with pytest.raises(InvalidInput):
        rgpd.purge_expired(store, 0)


# -- audit --------------------------------------------------------------------------------------
def test_the_audit_log_says_who_did_what(store):
    with acting_as(audit.ORGANISER):
        cafe, _ = make_cafe(store)
    with acting_as(audit.captain(1)):
        idea = add_idea(store, cafe, "Idée")
        contributions.delete_contribution(
            store, table_code=cafes.get_table(store, cafe.id, 1).code, contribution_id=idea.id
        )
    with acting_as(audit.resident_link(2)):
        resident(store, token_of(store, cafe, 2), "Depuis mon téléphone")
    with acting_as(audit.ORGANISER):
        documents.generate(store, cafe.id, "contributions_csv", render=renderer(**OPTIONS))
    events = [
        (e["acteur"], e["action"])
        for e in reversed(audit.audit_records(store, cafe_id=cafe.id, timezone="Europe/Paris"))
    ]
    assert ("organisateur", "café créé") in events and ("organisateur", "tour ouvert") in events
    assert ("capitaine, table 1", "contribution ajoutée") in events
    assert ("capitaine, table 1", "contribution supprimée (récupérable)") in events
    assert ("lien habitant, table 2", "contribution ajoutée") in events
    assert events[-1] == ("organisateur", "document généré")


def test_every_write_names_its_real_actor_even_before_the_page_says_who(store):
    # A Streamlit form callback runs before the page sets the actor: nothing is set here either.
    cafe, _ = make_cafe(store)
    code = cafes.get_table(store, cafe.id, 1).code
    captured = add_idea(store, cafe, "Idée du capitaine")
    phone = resident(store, token_of(store, cafe, 2), "Depuis mon téléphone, appelez Durand")
    rgpd.flag_name(store, cafe.id, "Durand", by_organiser=True)
    contributions.edit_contribution(
        store, table_code=cafes.get_table(store, cafe.id, 2).code, contribution_id=phone.contribution.id,
        text="Depuis mon téléphone", max_chars=2000,
    )  # fmt: skip
    contributions.delete_contribution(store, table_code=code, contribution_id=captured.id)
    events = {
        (e["acteur"], e["action"]): e["details"]
        for e in audit.audit_records(store, cafe_id=cafe.id, timezone="Europe/Paris")
    }
    assert ("capitaine, table 1", "contribution ajoutée") in events
    assert ("lien habitant, table 2", "contribution ajoutée") in events
    assert ("capitaine, table 1", "contribution supprimée (récupérable)") in events
    details = events[("capitaine, table 2", "contribution d'habitant corrigée par le capitaine")]
    assert (
        details == "avant : « Depuis mon téléphone, appelez [nom masqué] » ; après : « Depuis mon téléphone »"
    )
    assert not any(actor == "système" for actor, action in events if "contribution" in action)
    exported = render(store, cafe.id, "contributions_csv", **OPTIONS)[1].decode("utf-8-sig")
    assert "habitant, corrigé par le capitaine" in exported


# -- abuse --------------------------------------------------------------------------------------
def test_a_burst_from_one_phone_is_refused_politely_and_normal_use_is_not(store):
    cafe, _ = make_cafe(store)
    token = token_of(store, cafe)
    phone, limiter = new_id(), PhoneLimiter(6)
    stored, refused = 0, []
    for i in range(50):
        try:
            resident(store, token, f"Idée numéro {i}", browser_id=phone, limiter=limiter, per_table=40)
            stored += 1
        except NotAccepting as exc:
            refused.append(exc.message)
    assert stored == 6 and len(refused) == 44 and "Patientez une minute" in refused[0]
    # Four other people at the same table, two ideas each: never limited.
    for person in range(4):
        for idea in range(2):
            text = f"Avis {person}-{idea}"
            resident(store, token, text, browser_id=new_id(), limiter=limiter, per_table=40)
    assert len(store.contributions.in_cafe(cafe.id)) == 14


def test_the_table_limit_holds_whatever_the_phone(store):
    cafe, _ = make_cafe(store)
    token = token_of(store, cafe)
    for i in range(5):
        resident(store, token, f"Idée {i}", browser_id=new_id(), per_table=5)
    with pytest.raises(NotAccepting):
        resident(store, token, "Une de trop", browser_id=new_id(), per_table=5)


def test_sliding_window_forgets_after_a_minute():
    window = SlidingWindow(2, 60)
    window.hit("a", now=0)
    window.hit("a", now=1)
    with pytest.raises(NotAccepting):
        window.hit("a", now=30)
    window.hit("a", now=61)
    window.hit("b", now=30)


ORGANISER = Client(address="192.168.1.20", session="organisateur")


def test_organiser_login_slows_down_after_failures_of_the_same_client(store):
    stored_hash = hash_password("le-bon-mot-de-passe")
    start = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
    for i in range(3):
        with pytest.raises(AccessDenied, match="Mot de passe incorrect"):
            organiser_login(store, "faux", stored_hash, start + timedelta(seconds=i), ORGANISER)
    with pytest.raises(AccessDenied, match="Trop d'essais manqués : réessayez dans 2 s"):
        organiser_login(store, "le-bon-mot-de-passe", stored_hash, start + timedelta(seconds=2.5), ORGANISER)
    organiser_login(store, "le-bon-mot-de-passe", stored_hash, start + timedelta(seconds=10), ORGANISER)
    with pytest.raises(AccessDenied, match="Mot de passe incorrect"):  # a success starts afresh
        organiser_login(store, "faux", stored_hash, start + timedelta(seconds=11), ORGANISER)
    assert [login_delay(n) for n in (0, 2, 3, 4, 5, 20)] == [0, 0, 2, 4, 8, 300]


def test_strangers_on_the_cafe_wifi_cannot_keep_the_organiser_out(store):
    stored_hash = hash_password("le-bon-mot-de-passe")
    start = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
    checked = 0
    # An hour of tries from one phone, a new session each time (a reload), every 20 s.
    for i in range(180):
        try:
            organiser_login(
                store, f"essai{i}", stored_hash, start + timedelta(seconds=20 * i),
                Client(address="192.168.1.66", session=f"s{i}"),
            )  # fmt: skip
        except AccessDenied as exc:
            checked += exc.message == "Mot de passe incorrect."
    assert checked < 40  # of 180 tries: the address is slowed down, whatever its sessions
    # The organiser, on their own laptop, enters at once.
    organiser_login(store, "le-bon-mot-de-passe", stored_hash, start + timedelta(hours=1), ORGANISER)


def test_a_flood_from_many_clients_is_capped_and_the_organiser_waits_a_minute_at_most(store):
    stored_hash = hash_password("le-bon-mot-de-passe")
    start = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
    checked = 0
    for i in range(100):  # a hundred different devices, within ten seconds
        try:
            organiser_login(
                store, "faux", stored_hash, start + timedelta(seconds=i / 10),
                Client(address=f"10.0.{i}.1", session=f"s{i}"),
            )  # fmt: skip
        except AccessDenied as exc:
            checked += exc.message == "Mot de passe incorrect."
    assert checked == GLOBAL_FAILURES_PER_MINUTE
    with pytest.raises(AccessDenied, match="réessayez dans"):
        organiser_login(store, "le-bon-mot-de-passe", stored_hash, start + timedelta(seconds=20), ORGANISER)
    organiser_login(store, "le-bon-mot-de-passe", stored_hash, start + timedelta(seconds=61), ORGANISER)


def test_parallel_tries_are_counted_before_they_are_checked(database_url):
    stored_hash = hash_password("le-bon-mot-de-passe")
    now = datetime.now(UTC)
    stores = [open_store(database_url) for _ in range(3)]
    barrier = threading.Barrier(30)

    def attempt(i: int) -> str:
        barrier.wait()
        try:
            organiser_login(stores[i % 3], f"faux{i}", stored_hash, now, Client("10.0.0.9", "s"))
        except AccessDenied as exc:
            return exc.message
        return "entré"

    with ThreadPoolExecutor(30) as pool:
        outcomes = list(pool.map(attempt, range(30)))
    assert outcomes.count("Mot de passe incorrect.") == SESSION_FREE_FAILURES
    assert all(o.startswith("Trop d'essais") for o in outcomes if o != "Mot de passe incorrect.")
    for store in stores:
        store.engine.dispose()


# -- transfer and backup ------------------------------------------------------------------------
def test_a_laptop_cafe_moves_to_postgresql_idempotently(sqlite_store, postgres_url, tmp_path):
    from facilitation.demo import create_demo_cafe

    cafe = create_demo_cafe(sqlite_store)
    scope = harvest.scope_of([cafe.id])
    harvest.run_harvest(sqlite_store, KeywordGrouper(["chauffage", "ascenseur"]), scope)
    rgpd.flag_name(sqlite_store, cafe.id, "Durand", by_organiser=True)
    path = tmp_path / "cafe.json"
    backups.export_transfer(sqlite_store, cafe.id, path)
    assert path.stat().st_mode & 0o777 == 0o600  # personal data: readable by its owner only
    head_office = open_store(postgres_url)
    first = backups.import_transfer(head_office, path, **LIMITS)
    again = backups.import_transfer(head_office, path, **LIMITS)
    assert first.added["contributions"] == 120 and again.total == 0
    assert head_office.contributions.in_cafe(cafe.id) == sqlite_store.contributions.in_cafe(cafe.id)
    assert head_office.cafes.tables(cafe.id) == sqlite_store.cafes.tables(cafe.id)
    assert harvest.versions(head_office, scope) == harvest.versions(sqlite_store, scope)
    assert head_office.trust.masked_names(cafe.id) == ["Durand"]
    head_office.engine.dispose()


def test_backup_and_restore_round_trip(store, tmp_path):
    from facilitation.demo import create_demo_cafe

    cafe = create_demo_cafe(store)
    documents.generate(store, cafe.id, "synthese", render=renderer(**OPTIONS))
    first = store.contributions.in_cafe(cafe.id)[0]
    with store:
        store.vectors.save("m", {first.id: ("h" * 64, np.ones(4, dtype=np.float32))})
    secret = store.trust.link_secret()
    (tmp_path / "out").mkdir()
    path = tmp_path / "out" / "sauvegarde.json.gz"
    backups.backup(store, path)
    assert b"contribution_vectors" not in gzip.decompress(path.read_bytes())  # derived: not kept
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["sauvegarde.json.gz"]  # no temporary file left
    restored = open_store(f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    backups.restore(restored, path, **LIMITS)
    assert restored.contributions.in_cafe(cafe.id) == store.contributions.in_cafe(cafe.id)
    assert restored.trust.link_secret() == secret  # printed QR codes keep working
    (document,) = restored.documents.in_cafe(cafe.id)
    assert restored.documents.get(document.id).content == store.documents.get(document.id).content
    assert backups.restore(restored, path, **LIMITS).total == 0
    restored.engine.dispose()
