"""Every page of the real Streamlit app, driven by AppTest, on a fresh SQLite file per test."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from facilitation import cafes, contributions
from facilitation.access import hash_password, make_join_token
from facilitation.domain import Source
from facilitation.errors import AccessDenied
from facilitation.storage import open_store
from tests.conftest import ROOT, add_idea, make_cafe, require_tool
from tests.test_documents import render_first_pages

PASSWORD = "mot-de-passe-organisateur"
PASSWORD_HASH = hash_password(PASSWORD)


@pytest.fixture
def store(sqlite_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("CAFE_ORGANISER_PASSWORD_HASH", PASSWORD_HASH)
    monkeypatch.setenv("CAFE_PUBLIC_BASE_URL", "http://localhost:8501")
    store = open_store(sqlite_url)
    yield store
    store.engine.dispose()


def app(*, organiser: bool = False, page: str | None = None, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    if organiser:
        at.session_state["organiser_signed_in"] = True
    at.query_params.update(query)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def switch_database(monkeypatch, url: str) -> None:
    """Point the running app at another database, as a restart with this DATABASE_URL would: the
    app reads its settings once per process."""
    from ui import runtime

    monkeypatch.setenv("DATABASE_URL", url)
    runtime.app.clear()


def labelled(widgets, label):
    matches = [w for w in widgets if w.label == label]
    assert matches, f"no widget labelled {label!r} among {[w.label for w in widgets]}"
    return matches[0]


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [e.value for e in at.error] + [i.value for i in at.info]
    parts += [t.value for t in at.title] + [h.value for h in at.header] + [s.value for s in at.success]
    parts += [w.value for w in at.warning]
    return "\n".join(str(p) for p in parts)


# -- home and organiser access -----------------------------------------------------------------
def test_home_offers_captain_and_organiser_entries(store):
    at = app()
    assert at.title[0].value == "☕ Café concertation"
    assert "scannez le QR code" in at.info[0].value


ORGANISER_PAGES = [
    "pages/organiser_cafes.py",
    "pages/organiser_prepare.py",
    "pages/organiser_run.py",
    "pages/organiser_qr.py",
    "pages/organiser_harvest.py",
    "pages/organiser_fiches.py",
    "pages/library.py",
    "pages/organiser_privacy.py",
    "pages/wall.py",
]


def test_organiser_pages_refuse_to_open_without_a_configured_password(store, monkeypatch):
    monkeypatch.delenv("CAFE_ORGANISER_PASSWORD_HASH")
    for page in ORGANISER_PAGES:
        at = app(page=page)
        assert "Aucun mot de passe organisateur n'est configuré" in at.error[0].value
        assert "python -m facilitation hash-password" in texts(at)
        assert not at.text_input  # no password form: there is no default password


def password_field(at):
    """The staff login's password field (its label names who may enter: organiser, marketing)."""
    (field,) = [w for w in at.text_input if w.label.startswith("Mot de passe")]
    return field


@pytest.mark.parametrize("page", [*ORGANISER_PAGES, "pages/fiches_exchange.py"])
def test_organiser_pages_ask_for_the_password(store, page):
    at = app(page=page)
    password_field(at).input("mauvais")
    at.form_submit_button[0].click().run()
    assert at.error[0].value == "Mot de passe incorrect."
    assert "organiser_signed_in" not in at.session_state
    password_field(at).input(PASSWORD)
    at.form_submit_button[0].click().run()
    assert at.session_state["organiser_signed_in"] is True
    assert not at.exception


UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:59999/db?password=S3cretQ&connect_timeout=2"
UNREACHABLE_AT_SIGN = "postgresql+psycopg://cafe:hunt@er2@127.0.0.1:59999/db?connect_timeout=2"


@pytest.mark.parametrize("url", [UNREACHABLE, UNREACHABLE_AT_SIGN])
def test_an_unreachable_database_shows_the_organiser_its_address_without_credentials(store, monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    at = app(organiser=True, page="pages/organiser_cafes.py")
    assert at.error[0].value == "Le service est momentanément indisponible. Réessayez dans un instant."
    detail = at.caption[0].value
    assert "Impossible de joindre la base de données" in detail and "127.0.0.1:59999/db" in detail
    for secret in ("S3cretQ", "password", "er2", "hunt", "cafe@", "postgres@"):
        assert secret not in detail
    assert not at.text_input and not at.dataframe


@pytest.mark.parametrize("url", [UNREACHABLE, UNREACHABLE_AT_SIGN])
def test_captains_learn_nothing_about_the_database(store, monkeypatch, url):
    # Phones never reach Streamlit: their page is tested in test_resident_page.py.
    cafe, _ = make_cafe(store)
    monkeypatch.setenv("DATABASE_URL", url)
    at = app(page="pages/captain.py", code=cafes.get_table(store, cafe.id, 1).code)
    shown = texts(at) + "\n".join(c.value for c in at.caption)
    assert "Le service est momentanément indisponible" in shown
    for leak in ("S3cretQ", "er2", "127.0.0.1", "59999", "postgres", "db?", "base de données"):
        assert leak not in shown


# -- organiser pages ---------------------------------------------------------------------------
def test_organiser_creates_a_cafe(store):
    at = app(organiser=True, page="pages/organiser_cafes.py")
    labelled(at.text_input, "Titre").input("Café des Érables")
    labelled(at.selectbox, "Thème de l'Atelier").select("défi énergétique")
    labelled(at.text_input, "Commune").input("Vaulx-en-Velin")
    labelled(at.text_area, "Description montrée aux habitants").input("Parlons chauffage.")
    labelled(at.button, "Créer le café").click().run()
    assert "Café créé : Café des Érables" in at.success[0].value
    (cafe,) = cafes.list_cafes(store)
    assert (cafe.title, cafe.theme.value, cafe.place.commune) == (
        "Café des Érables",
        "défi énergétique",
        "Vaulx-en-Velin",
    )
    assert at.query_params["cafe"] == cafe.id
    assert at.dataframe[0].value["Titre"].tolist() == ["Café des Érables"]


def test_create_buttons_clicked_again_create_nothing_more(store):
    at = app(organiser=True, page="pages/organiser_cafes.py")
    labelled(at.text_input, "Titre").input("Café des Érables")
    labelled(at.text_input, "Commune").input("Vaulx-en-Velin")
    labelled(at.button, "Créer le café").click().run()
    labelled(at.button, "Créer le café").click().run()  # the second tap of a double click
    assert len(cafes.list_cafes(store)) == 1
    (cafe,) = cafes.list_cafes(store)
    at = app(organiser=True, page="pages/organiser_prepare.py", cafe=cafe.id)
    labelled(at.text_area, "Question posée aux tables").input("Qu'aimez-vous ici ?")
    for _ in range(2):
        labelled(at.button, "Ajouter le tour").click().run()
        labelled(at.button, "Ajouter la table").click().run()
    assert len(cafes.list_rounds(store, cafe.id)) == 1
    assert [t.number for t in cafes.list_tables(store, cafe.id)] == [1, 2]  # the form offers the next number


def test_creating_a_cafe_without_a_place_writes_nothing(store):
    at = app(organiser=True, page="pages/organiser_cafes.py")
    labelled(at.text_input, "Titre").input("Café sans lieu")
    labelled(at.button, "Créer le café").click().run()
    assert "Indiquez au moins le lieu" in at.error[0].value
    assert cafes.list_cafes(store) == []


def test_organiser_archives_a_cafe(store):
    cafe, _ = make_cafe(store)
    at = app(organiser=True, page="pages/organiser_cafes.py")
    labelled(at.button, "Archiver ce café").click().run()
    assert cafes.get_cafe(store, cafe.id).archived_at is not None


def test_organiser_prepares_rounds_and_tables(store):
    cafe, _ = make_cafe(store, tables=0, rounds=0)
    at = app(organiser=True, page="pages/organiser_prepare.py", cafe=cafe.id)
    labelled(at.text_area, "Question posée aux tables").input("Qu'aimeriez-vous changer ?")
    labelled(at.button, "Ajouter le tour").click().run()
    labelled(at.text_input, "Nom (facultatif)").input("Les Tilleuls")
    labelled(at.text_input, "Capitaine (facultatif)").input("Amina")
    labelled(at.button, "Ajouter la table").click().run()
    (round_,) = cafes.list_rounds(store, cafe.id)
    (table,) = cafes.list_tables(store, cafe.id)
    assert round_.question == "Qu'aimeriez-vous changer ?" and round_.planned_minutes == 20
    assert (table.number, table.name, table.captain_name) == (1, "Les Tilleuls", "Amina")
    assert at.dataframe[0].value["Code capitaine"].tolist() == [table.code]


def test_organiser_runs_rounds_and_sees_the_live_overview(store):
    cafe, rounds = make_cafe(store, open_first=False)
    at = app(organiser=True, page="pages/organiser_run.py", cafe=cafe.id)
    at.button(key=f"open_{rounds[0].id}").click().run()
    assert cafes.open_round_of(store, cafe.id).id == rounds[0].id
    add_idea(store, cafe, "Des bancs **partout**", table=2)
    at.run()
    assert at.metric[0].label == "Temps restant — tour 1" and at.metric[0].value.startswith(("19:", "20:"))
    grid = at.dataframe[0].value
    assert grid.loc["Table 2 — Table des 2", "Tour 1"] == 1 and grid["Total"].sum() == 1
    assert r"Des bancs \*\*partout\*\*" in texts(at)  # shown literally
    at.button(key=f"close_{rounds[0].id}").click().run()
    assert cafes.open_round_of(store, cafe.id) is None


def test_organiser_gives_five_more_minutes_and_sees_overtime_in_red(store):
    cafe, _ = make_cafe(store)
    at = app(organiser=True, page="pages/organiser_run.py", cafe=cafe.id)
    labelled(at.button, "+5 min").click().run()
    assert cafes.open_round_of(store, cafe.id).planned_minutes == 25
    assert at.metric[0].value.startswith(("24:", "25:"))
    late = replace(cafes.open_round_of(store, cafe.id), opened_at=datetime.now(UTC) - timedelta(minutes=27))
    with store:
        store.cafes.save_round(late)
    at.run()
    assert "Temps restant — tour 1" not in [m.label for m in at.metric]
    assert any(":red[**⏱ Tour 1 : temps dépassé de 02:" in m.value for m in at.markdown)


def test_opening_a_round_other_than_the_next_asks_first(store):
    cafe, rounds = make_cafe(store, rounds=3)
    at = app(organiser=True, page="pages/organiser_run.py", cafe=cafe.id)
    at.button(key=f"open_{rounds[2].id}").click().run()
    assert cafes.open_round_of(store, cafe.id).id == rounds[0].id  # nothing changed yet
    assert "Le tour 3 n'est pas le tour suivant (le suivant est le tour 2)" in at.warning[0].value
    assert "Le tour 1, en cours, sera fermé" in at.warning[0].value
    labelled(at.button, "Annuler").click().run()
    assert not at.warning and cafes.open_round_of(store, cafe.id).id == rounds[0].id
    at.button(key=f"open_{rounds[2].id}").click().run()
    labelled(at.button, "Oui, ouvrir le tour 3").click().run()
    assert cafes.open_round_of(store, cafe.id).id == rounds[2].id
    at.button(key=f"close_{rounds[2].id}").click().run()
    at.button(key=f"open_{rounds[1].id}").click().run()  # tour 2 is not « next » once 3 was opened
    assert "n'est pas le tour suivant (tous les tours ont été ouverts)" in at.warning[0].value


def test_the_next_round_opens_at_once(store):
    cafe, rounds = make_cafe(store)
    at = app(organiser=True, page="pages/organiser_run.py", cafe=cafe.id)
    at.button(key=f"open_{rounds[1].id}").click().run()
    assert cafes.open_round_of(store, cafe.id).id == rounds[1].id and not at.warning


def test_wall_shows_the_open_question_and_latest_contributions_without_controls(store):
    cafe, _ = make_cafe(store)
    idea = add_idea(store, cafe, "Un *jardin* partagé", table=2)
    with store:
        store.contributions.add_support(idea.id, "quelqu'un", datetime.now(UTC))
    at = app(organiser=True, page="pages/wall.py", cafe=cafe.id)
    assert "Question 1 ?" in texts(at)
    assert r"Un \*jardin\* partagé" in texts(at)
    assert "Table 2 — Table des 2 · 👍 1" in [c.value for c in at.caption]
    assert at.metric[0].label == "Temps restant — tour 1"
    assert not at.button and not at.selectbox and not at.text_input and not at.chat_input


def test_wall_is_behind_the_organiser_password(store):
    cafe, _ = make_cafe(store)
    at = app(page="pages/wall.py", cafe=cafe.id)
    assert labelled(at.text_input, "Mot de passe organisateur")
    assert "Question 1 ?" not in texts(at)


def test_organiser_restores_a_deleted_contribution(store):
    cafe, _ = make_cafe(store)
    table = cafes.get_table(store, cafe.id, 1)
    idea = add_idea(store, cafe, "À garder")
    contributions.delete_contribution(store, table_code=table.code, contribution_id=idea.id)
    at = app(organiser=True, page="pages/organiser_run.py", cafe=cafe.id)
    at.button(key=f"restore_{idea.id}").click().run()
    assert [c.id for c in store.contributions.in_cafe(cafe.id)] == [idea.id]


def test_qr_page_stores_the_checked_address_for_every_qr_code_and_document(store, output_dir):
    cafe, _ = make_cafe(store, tables=3)
    at = app(organiser=True, page="pages/organiser_qr.py", cafe=cafe.id)
    assert "ne désigne que cet ordinateur" in at.warning[0].value
    links = [c.value for c in at.code]
    assert len(links) == 3 and all(link.startswith(f"http://localhost:8501/j/{cafe.id}.") for link in links)
    label = "Adresse publique de l'application (celle que les téléphones atteignent)"
    labelled(at.text_input, label).input("192.168.1.20")
    labelled(at.button, "Enregistrer l'adresse").click().run()
    assert "Adresse publique invalide" in at.error[0].value
    labelled(at.text_input, label).input("http://192.168.1.20:8501/")
    labelled(at.button, "Enregistrer l'adresse").click().run()
    assert not at.warning
    assert all(c.value.startswith("http://192.168.1.20:8501/j/") for c in at.code)
    # Leaving the page forgets nothing: the address is the installation's, in the database.
    again = app(organiser=True, page="pages/organiser_qr.py", cafe=cafe.id)
    assert all(c.value.startswith("http://192.168.1.20:8501/j/") for c in again.code)
    downloads = [b.proto.label for b in again.get("download_button")]
    assert downloads[:2] == [
        "Cartes de table (PDF, une page A5 par table)",
        "Affiche A4 avec les QR codes de toutes les tables (PDF)",
    ]
    assert downloads[2:] == [f"Télécharger le PNG de la table {n}" for n in (1, 2, 3)]
    # « Fiches et documents » prints the cards with the same address.
    fiches = app(organiser=True, page="pages/organiser_fiches.py", cafe=cafe.id)
    labelled(fiches.selectbox, "Document").select("cartes")
    labelled(fiches.button, "Générer").click().run()
    (made,) = store.documents.in_cafe(cafe.id)
    zbarimg = require_tool("zbarimg", "Debian zbar-tools, pour décoder les QR codes")
    first_page = render_first_pages(
        store.documents.get(made.id).content, output_dir, "page-qr-cartes", pages=1
    )[0]
    decoded = subprocess.run([zbarimg, "--quiet", "--raw", str(first_page)], capture_output=True, text=True)
    assert decoded.stdout.strip() == cafes.join_link(store, cafe.id, 1, "http://192.168.1.20:8501")


# -- captain -----------------------------------------------------------------------------------
def captain_app(store, cafe, table=1):
    return app(page="pages/captain.py", code=cafes.get_table(store, cafe.id, table).code)


def capture(at, text):
    at.chat_input(key="capture_text").set_value(text).run()
    assert not at.exception, at.exception
    return at


def test_captain_enters_with_the_table_code_and_records(store):
    cafe, rounds = make_cafe(store)
    table = cafes.get_table(store, cafe.id, 1)
    at = app(page="pages/captain.py")
    labelled(at.text_input, "Code de votre table").input("nope")
    at.form_submit_button[0].click().run()
    assert "Code de table inconnu" in at.error[0].value
    labelled(at.text_input, "Code de votre table").input(table.code.lower())
    at.form_submit_button[0].click().run()
    assert "Question 1 ?" in texts(at)
    assert at.query_params["code"] == table.code.lower()  # survives a page reload

    at.selectbox(key="capture_kind").select("proposition")
    at.number_input(key="capture_agreement").set_value(5).run()
    capture(at, "<b>gras</b> & **étoiles**")
    (stored,) = store.contributions.in_cafe(cafe.id)
    assert (stored.text, stored.kind.value, stored.agreement_count) == (
        "<b>gras</b> & **étoiles**",
        "proposition",
        5,
    )
    assert stored.source is Source.CAPTAIN and stored.round_id == rounds[0].id
    assert r"\<b\>gras\<\/b\> \& \*\*étoiles\*\*" in texts(at)  # escaped: renders literally


def test_captain_optional_fields_reset_after_each_capture_unless_pinned(store):
    cafe, _ = make_cafe(store)
    at = captain_app(store, cafe)
    at.selectbox(key="capture_kind").select("problème")
    at.selectbox(key="capture_profile").select("jeune")
    at.checkbox(key="capture_profile_pinned").check()
    at.number_input(key="capture_agreement").set_value(3).run()
    capture(at, "Première phrase")
    assert at.selectbox(key="capture_kind").value is None
    assert at.number_input(key="capture_agreement").value is None
    assert at.selectbox(key="capture_profile").value == "jeune"  # pinned: kept, and shown as pinned
    capture(at, "Deuxième phrase")
    first, second = store.contributions.in_cafe(cafe.id)
    assert (first.kind.value, first.profile.value, first.agreement_count) == ("problème", "jeune", 3)
    assert (second.kind, second.profile.value, second.agreement_count) == (None, "jeune", None)


def test_captain_sentences_are_each_their_own_contribution(store):
    cafe, _ = make_cafe(store)
    at = captain_app(store, cafe)
    for sentence in ("Il manque des bancs dans la cour", "La proximité du marché et du tram"):
        capture(at, sentence)
    assert [c.text for c in store.contributions.in_cafe(cafe.id)] == [
        "Il manque des bancs dans la cour",
        "La proximité du marché et du tram",
    ]


def test_captain_same_text_twice_in_a_round_is_stored_once(store):
    cafe, _ = make_cafe(store)
    at = captain_app(store, cafe)
    capture(at, "Un seul exemplaire")
    capture(at, "Un seul exemplaire")
    assert len(store.contributions.in_cafe(cafe.id)) == 1
    assert "Déjà enregistrée" in at.toast[0].value


def test_captain_text_typed_for_a_closed_round_is_refused_kept_and_the_new_question_shown(store):
    cafe, rounds = make_cafe(store)
    at = captain_app(store, cafe)
    cafes.open_round(store, cafe.id, rounds[1].id)  # the organiser moves on while the captain types
    capture(at, "Écrit pour la question 1")
    assert store.contributions.in_cafe(cafe.id) == []
    assert "La question a changé : le tour 2 est ouvert" in at.error[0].value
    assert "Question 2 ?" in texts(at)
    assert at.code[0].value == "Écrit pour la question 1"  # given back
    assert at.chat_input(key="capture_text").value == "Écrit pour la question 1"  # back in the field
    capture(at, "Écrit pour la question 1")  # sent again, knowingly, for the new question
    (stored,) = store.contributions.in_cafe(cafe.id)
    assert stored.round_id == rounds[1].id


def test_captain_waiting_screen_keeps_the_field_and_gives_text_back(store):
    cafe, rounds = make_cafe(store)
    at = captain_app(store, cafe)
    cafes.close_round(store, cafe.id, rounds[0].id)
    capture(at, "Pas encore envoyé")
    assert "Aucun tour n'est ouvert" in at.info[0].value
    assert "Votre texte n'a pas été envoyé" in at.error[0].value
    assert at.code[0].value == "Pas encore envoyé"
    assert at.chat_input(key="capture_text")  # still there: what is typed is not dropped
    assert store.contributions.in_cafe(cafe.id) == []


def test_captain_keeps_the_table_and_the_text_while_the_database_is_down(store, monkeypatch, sqlite_url):
    cafe, _ = make_cafe(store)
    at = captain_app(store, cafe)
    switch_database(monkeypatch, "postgresql+psycopg://cafe@127.0.0.1:1/cafes?connect_timeout=2")
    capture(at, "Dit pendant la panne")
    assert "momentanément indisponible" in at.error[0].value and "127.0.0.1" not in texts(at)
    assert at.code[0].value == "Dit pendant la panne"  # given back
    assert at.chat_input(key="capture_text").value == "Dit pendant la panne"  # and back in the field
    assert at.query_params["code"] == cafes.get_table(store, cafe.id, 1).code  # still at the table
    switch_database(monkeypatch, sqlite_url)
    capture(at, "Dit pendant la panne")
    assert [c.text for c in store.contributions.in_cafe(cafe.id)] == ["Dit pendant la panne"]
    assert "Question 1 ?" in texts(at)


def test_captain_text_typed_on_the_waiting_screen_is_not_filed_under_a_question_not_yet_shown(store):
    cafe, rounds = make_cafe(store, open_first=False)
    at = captain_app(store, cafe)
    cafes.open_round(store, cafe.id, rounds[0].id)  # opens before the waiting screen has followed
    capture(at, "Tapé pendant l'attente")
    assert store.contributions.in_cafe(cafe.id) == []
    assert "La question a changé : le tour 1 est ouvert" in at.error[0].value
    assert "Question 1 ?" in texts(at)
    capture(at, "Tapé pendant l'attente")
    assert [c.round_id for c in store.contributions.in_cafe(cafe.id)] == [rounds[0].id]


def test_captain_edits_removes_a_profile_and_deletes(store):
    cafe, _ = make_cafe(store)
    table = cafes.get_table(store, cafe.id, 1)
    idea = contributions.submit_contribution(
        store,
        cafe_id=cafe.id,
        table_number=1,
        text="Plus de banc",
        source=Source.CAPTAIN,
        submission_id="abc123",
        max_chars=2000,
        profile="jeune",
    ).contribution
    at = app(page="pages/captain.py", code=table.code)
    labelled(at.text_area, "Texte").input("Plus de bancs")
    (edit_profile,) = [w for w in at.selectbox if w.label == "Profil" and w.key != "capture_profile"]
    assert edit_profile.value == "jeune"
    edit_profile.select_index(0)  # « — aucun — »
    labelled(at.button, "Enregistrer la correction").click().run()
    edited = store.contributions.get(idea.id)
    assert (edited.text, edited.profile) == ("Plus de bancs", None)
    labelled(at.button, "Supprimer").click().run()
    assert store.contributions.in_cafe(cafe.id) == []
    assert store.contributions.get(idea.id).deleted_at is not None


# -- resident ----------------------------------------------------------------------------------
# The residents' page itself is plain HTML (web/, tests/test_resident_page.py). Streamlit only
# guarantees that a resident link never lists or opens another page.
def resident_app(store, cafe, table=1, **query):
    return app(t=make_join_token(store.trust.link_secret(), cafe.id, table), **query)


def test_a_resident_link_on_streamlit_points_to_the_residents_page(store):
    cafe, _ = make_cafe(store)
    at = resident_app(store, cafe)
    (button,) = at.get("link_button")
    assert button.proto.url == "/j/" + at.query_params["t"]


@pytest.mark.parametrize("page", ["pages/captain.py", "pages/home.py", *ORGANISER_PAGES])
def test_residents_cannot_reach_any_other_page(store, page):
    cafe, _ = make_cafe(store)
    at = resident_app(store, cafe)
    with pytest.raises(ValueError):
        at.switch_page(page)


# -- harvest -----------------------------------------------------------------------------------
def test_harvest_page_groups_corrects_and_charts(store):
    from facilitation.demo import create_demo_cafe

    cafe = create_demo_cafe(store)
    at = app(organiser=True, page="pages/organiser_harvest.py", cafe=cafe.id)
    assert "Pas encore de récolte" in at.info[0].value
    at.checkbox[0].uncheck().run()
    labelled(at.number_input, "Nombre de groupes").set_value(6)
    labelled(at.button, "Lancer le regroupement").click().run()
    # The note quotes topic labels: shown literally (Markdown-escaped).
    assert at.success[0].value.startswith("Version 1 enregistrée : Regroupement automatique \\: 6 groupes")
    topic_expanders = [e for e in at.expander if re.search(r"\d+ contributions?, ", e.label)]
    assert len(topic_expanders) == 6
    assert len(at.get("plotly_chart")) == 4

    labelled(at.text_input, "Nouveau nom").input("Vivre ensemble")
    labelled(at.button, "Renommer").click().run()
    assert any(e.label.startswith("Vivre ensemble —") for e in at.expander)
    first_key = harvest_versions(store, cafe.id)[-1].topics[0].key
    labelled(at.multiselect, "Groupes retenus (ils deviendront des fiches d'observation)").select(first_key)
    labelled(at.button, "Enregistrer la sélection").click().run()
    assert labelled(at.metric, "Retenus pour les fiches").value == "1"
    versions = harvest_versions(store, cafe.id)
    assert [v.number for v in versions] == [1, 2, 3] and versions[1].topics != versions[0].topics


def test_harvest_page_asks_before_a_rerun_changes_retained_groups(store):
    from facilitation import harvest
    from facilitation.demo import create_demo_cafe

    cafe = create_demo_cafe(store)
    scope = harvest.scope_of([cafe.id])
    at = app(organiser=True, page="pages/organiser_harvest.py", cafe=cafe.id)
    at.checkbox[0].uncheck().run()
    labelled(at.number_input, "Nombre de groupes").set_value(6)
    labelled(at.button, "Lancer le regroupement").click().run()
    first = harvest.latest_version(store, scope)
    unsorted = labelled(at.metric, "À classer").value
    assert unsorted == str(len(first.unsorted))
    harvest.set_kept(store, scope, [t.key for t in first.topics])
    at.run()

    labelled(at.number_input, "Nombre de groupes").set_value(3)
    labelled(at.checkbox, "Regrouper à neuf").check()
    labelled(at.button, "Lancer le regroupement").click().run()
    assert not at.exception
    assert "changerait des groupes retenus" in at.warning[0].value
    assert len(harvest.versions(store, scope)) == 2  # nothing saved yet
    labelled(at.button, "Confirmer la relance").click().run()
    assert at.success[0].value.startswith("Version 3 enregistrée")
    latest = harvest.latest_version(store, scope)
    assert latest.unmatched  # 6 retained groups cannot all survive a cut into 3: listed, not dropped
    assert any("n'a pas retrouvé ces groupes" in w.value for w in at.warning)
    lost = latest.unmatched[0]
    at.button(key=f"restore-{lost.key}").click().run()
    assert any(t.key == lost.key and t.kept for t in harvest.latest_version(store, scope).topics)


def test_harvest_page_maps_onto_atelier_themes(store):
    from facilitation.demo import create_demo_cafe

    cafe = create_demo_cafe(store)
    at = app(organiser=True, page="pages/organiser_harvest.py", cafe=cafe.id)
    labelled(at.radio, "Méthode").set_value("Sur les thèmes de l'Atelier").run()
    labelled(at.button, "Lancer le regroupement").click().run()
    assert "Regroupement guidé sur 5 thèmes" in at.success[0].value
    assert any(e.label.startswith("défi énergétique —") for e in at.expander)


@pytest.mark.parametrize("method", ["Sur les thèmes de l'Atelier", "Sur des thèmes que je nomme"])
def test_guided_grouping_uses_the_configured_embeddings(store, monkeypatch, tmp_path, method):
    # A model2vec folder that is not there: guided grouping must say so, not fall back to spaCy.
    monkeypatch.setenv("CAFE_EMBEDDING_BACKEND", "model2vec")
    monkeypatch.setenv("CAFE_EMBEDDING_MODEL_PATH", str(tmp_path / "absent"))
    cafe, _ = make_cafe(store)
    add_idea(store, cafe, "Le chauffage est en panne")
    at = app(organiser=True, page="pages/organiser_harvest.py", cafe=cafe.id)
    labelled(at.radio, "Méthode").set_value(method).run()
    if at.text_area:
        at.text_area[0].set_value("Chauffage : radiateurs, froid").run()
    labelled(at.button, "Lancer le regroupement").click().run()
    assert "Le modèle model2vec configuré est introuvable" in at.error[0].value
    assert harvest_versions(store, cafe.id) == []


def harvest_versions(store, cafe_id):
    from facilitation import harvest

    return harvest.versions(store, harvest.scope_of([cafe_id]))


# -- fiches and library ------------------------------------------------------------------------
@pytest.fixture
def kept_cafe(store):
    from facilitation import harvest
    from tests.fakes import KeywordGrouper

    cafe, _ = make_cafe(store)
    for text in ("Chauffage froid", "Chauffage cher", "Ascenseur en panne", "Jardin partagé"):
        add_idea(store, cafe, text)
    scope = harvest.scope_of([cafe.id])
    version = harvest.run_harvest(store, KeywordGrouper(["chauffage", "ascenseur", "jardin"]), scope)
    harvest.set_kept(store, scope, [version.topics[0].key])
    return cafe


def test_fiches_page_edits_a_fiche_and_generates_documents(store, kept_cafe):
    from facilitation import synthesis

    at = app(organiser=True, page="pages/organiser_fiches.py", cafe=kept_cafe.id)
    assert any(e.label.startswith("Chauffage — nouvelle") for e in at.expander)
    labelled(at.text_area, "Suite proposée").input("Tester des thermostats")
    labelled(at.selectbox, "Statut").select("en étude")
    labelled(at.button, "Enregistrer la fiche").click().run()
    (sheet,) = synthesis.fiche_sheets(store, kept_cafe.id)
    assert (sheet.fiche.follow_up, sheet.fiche.status.value) == ("Tester des thermostats", "en étude")
    labelled(at.selectbox, "Document").select("synthese")
    labelled(at.button, "Générer").click().run()
    assert "Synthèse du café (PDF) — version 1 générée" in at.success[0].value


def test_library_lists_documents_and_searches(store, kept_cafe):
    from exports.documents import renderer
    from facilitation import documents

    options = {"base_url": "http://x", "timezone": "Europe/Paris"}
    documents.generate(store, kept_cafe.id, "synthese", render=renderer(**options))
    documents.generate(store, kept_cafe.id, "contributions_csv", render=renderer(**options))
    documents.generate(store, kept_cafe.id, "synthese", render=renderer(**options))
    at = app(organiser=True, page="pages/library.py")
    assert any("Café des Tilleuls" in e.label for e in at.expander)
    listed = [m.value for m in at.markdown if "générée le" in m.value]
    assert listed[0].startswith("Synthèse du café (PDF) — **dernière version** (2)")  # synthesis first
    assert listed[1].startswith("Contributions (CSV pour Excel) — **dernière version** (1)")
    assert len(listed) == 2  # the older synthesis is folded
    labelled(at.toggle, "Voir 1 version précédente").set_value(True).run()
    assert any(m.value.startswith("Synthèse du café (PDF) — version 1") for m in at.markdown)
    assert any(m.value.startswith("Fiche « Chauffage » — nouvelle") for m in at.markdown)
    assert any(b.key.startswith(f"fiche_{kept_cafe.id}_") for b in at.get("download_button"))
    labelled(at.text_input, "Mots recherchés").input("CHAUFFAGES")
    labelled(at.button, "Rechercher").click().run()
    assert "**2 contributions trouvées**" in texts(at)
    marked = [h.proto.body for h in at.get("html") if "<mark>" in h.proto.body]
    assert len(marked) == 2 and all("<mark>chauffage</mark>" in body.lower() for body in marked)
    labelled(at.text_input, "Lieu contient").input("Paris").run()
    labelled(at.button, "Rechercher").click().run()
    assert "**0 contribution trouvée**" in texts(at)  # the filters hold for the search too


def test_library_is_for_the_organiser_and_marketing_only(store):
    at = app(page="pages/library.py")
    assert at.text_input[0].label == "Mot de passe (organisateur ou équipe marketing)"
    assert not at.expander


# -- trust -------------------------------------------------------------------------------------
def test_repeated_wrong_passwords_slow_the_login_down(store):
    at = app(page="pages/organiser_cafes.py")
    for _ in range(3):
        labelled(at.text_input, "Mot de passe organisateur").input("mauvais")
        at.form_submit_button[0].click().run()
    labelled(at.text_input, "Mot de passe organisateur").input(PASSWORD)
    at.form_submit_button[0].click().run()
    assert at.error[0].value.startswith("Trop d'essais manqués : réessayez dans")
    assert "organiser_signed_in" not in at.session_state


def sign_in(page: str = "pages/organiser_cafes.py", password: str = PASSWORD, **query) -> AppTest:
    at = app(page=page, **query)
    labelled(at.text_input, "Mot de passe organisateur").input(password)
    at.form_submit_button[0].click().run()
    return at


def test_wrong_passwords_from_another_connection_do_not_delay_the_organiser(store):
    for _ in range(6):  # someone on the café Wi-Fi
        assert sign_in(password="au-hasard").error
    at = sign_in()
    assert at.session_state["organiser_signed_in"] is True and not at.error


def test_the_organiser_stays_signed_in_across_a_reload(store):
    at = sign_in()
    token = at.query_params["organisateur"]
    reloaded = app(page="pages/organiser_cafes.py", organisateur=token)  # F5: a new session
    assert reloaded.session_state["organiser_signed_in"] is True
    assert not [w for w in reloaded.text_input if w.label == "Mot de passe organisateur"]


@pytest.mark.parametrize("token", ["9999999999.forged", "1000.abc", ""])
def test_a_forged_or_expired_organiser_token_asks_for_the_password(store, token):
    at = app(page="pages/organiser_cafes.py", organisateur=token)
    assert "organiser_signed_in" not in at.session_state
    labelled(at.text_input, "Mot de passe organisateur")


def test_captain_code_guesses_are_throttled_and_audited(store):
    from facilitation import audit

    cafe, _ = make_cafe(store)
    at = app(page="pages/captain.py")
    messages = []
    for guess in ("AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD"):
        labelled(at.text_input, "Code de votre table").input(guess)
        at.form_submit_button[0].click().run()
        messages.append(at.error[0].value)
    assert messages[:3] == ["Code de table inconnu. Vérifiez le code donné par l'organisateur."] * 3
    assert messages[3].startswith("Trop d'essais manqués")
    labelled(at.text_input, "Code de votre table").input(cafes.get_table(store, cafe.id, 1).code)
    at.form_submit_button[0].click().run()
    assert at.error and at.error[0].value.startswith("Trop d'essais manqués")  # even the right one waits
    actions = [e["action"] for e in audit.audit_records(store, timezone="Europe/Paris")]
    assert actions.count("code capitaine refusé") == 3


def test_qr_page_revokes_a_tables_link(store):
    cafe, _ = make_cafe(store)
    old = cafes.join_link(store, cafe.id, 1, "http://localhost:8501")
    at = app(organiser=True, page="pages/organiser_qr.py", cafe=cafe.id)
    labelled(at.button, "Révoquer le lien de cette table").click().run()
    assert cafes.get_table(store, cafe.id, 1).link_generation == 1
    assert old not in [c.value for c in at.code] and len(at.code) == 2
    with pytest.raises(AccessDenied, match="n'est plus valable"):
        contributions.join_table(store, old.split("/j/")[1])


def test_a_captain_flags_a_name_and_the_organiser_confirms_it(store):
    from facilitation import rgpd

    cafe, _ = make_cafe(store)
    at = app(page="pages/captain.py", code=cafes.get_table(store, cafe.id, 1).code)
    labelled(at.text_input, "Nom ou prénom à masquer").input("Durand")
    labelled(at.button, "Masquer ce nom").click().run()
    assert rgpd.names_to_confirm(store, cafe.id) == ["Durand"] and rgpd.masked_names(store, cafe.id) == []
    privacy = app(organiser=True, page="pages/organiser_privacy.py", cafe=cafe.id)
    labelled(privacy.button, "Confirmer").click().run()
    assert rgpd.masked_names(store, cafe.id) == ["Durand"]


def test_privacy_page_erases_a_contribution_and_shows_the_audit_log(store):
    cafe, _ = make_cafe(store)
    idea = add_idea(store, cafe, "Appelez-moi au 06 12 34 56 78")
    at = app(organiser=True, page="pages/organiser_privacy.py", cafe=cafe.id)
    labelled(at.button, "Effacer définitivement").click().run()
    assert "Contribution effacée" in at.success[0].value
    assert store.contributions.get(idea.id) is None
    journal = at.dataframe[0].value
    assert journal["action"].iloc[0] == "contribution effacée (demande RGPD)"
    assert journal["acteur"].iloc[0] == "organisateur"
