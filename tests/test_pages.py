"""Every page of the real Streamlit app, driven by AppTest, on a fresh SQLite file per test."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from facilitation import cafes, contributions
from facilitation.access import hash_password, make_join_token
from facilitation.domain import Source
from facilitation.errors import AccessDenied
from facilitation.storage import open_store
from tests.conftest import ROOT, add_idea, make_cafe

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


def test_organiser_restores_a_deleted_contribution(store):
    cafe, _ = make_cafe(store)
    table = cafes.get_table(store, cafe.id, 1)
    idea = add_idea(store, cafe, "À garder")
    contributions.delete_contribution(store, table_code=table.code, contribution_id=idea.id)
    at = app(organiser=True, page="pages/organiser_run.py", cafe=cafe.id)
    at.button(key=f"restore_{idea.id}").click().run()
    assert [c.id for c in store.list_contributions(cafe.id)] == [idea.id]


def test_qr_page_shows_each_table_and_warns_about_localhost(store):
    cafe, _ = make_cafe(store, tables=3)
    at = app(organiser=True, page="pages/organiser_qr.py", cafe=cafe.id)
    assert "ne désigne que cet ordinateur" in at.warning[0].value
    links = [c.value for c in at.code]
    assert len(links) == 3 and all(link.startswith(f"http://localhost:8501/j/{cafe.id}.") for link in links)
    labelled(at.text_input, "Adresse publique de l'application (celle que les téléphones atteignent)").input(
        "http://192.168.1.20:8501"
    ).run()
    assert not at.warning
    assert all(c.value.startswith("http://192.168.1.20:8501/j/") for c in at.code)


# -- captain -----------------------------------------------------------------------------------
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

    at.text_input(key="capture_text").input("<b>gras</b> & **étoiles**")
    at.selectbox(key="capture_kind").select("proposition")
    at.number_input(key="capture_agreement").set_value(5)
    labelled(at.button, "Enregistrer (Entrée)").click().run()
    (stored,) = store.list_contributions(cafe.id)
    assert (stored.text, stored.kind.value, stored.agreement_count) == (
        "<b>gras</b> & **étoiles**",
        "proposition",
        5,
    )
    assert stored.source is Source.CAPTAIN and stored.round_id == rounds[0].id
    assert at.text_input(key="capture_text").value == ""  # ready for the next one
    assert r"\<b\>gras\<\/b\> \& \*\*étoiles\*\*" in texts(at)  # escaped: renders literally


def test_captain_double_submit_stores_one_row(store):
    cafe, _ = make_cafe(store)
    at = app(page="pages/captain.py", code=cafes.get_table(store, cafe.id, 1).code)
    at.text_input(key="capture_text").input("Un seul exemplaire")
    submit = labelled(at.button, "Enregistrer (Entrée)")
    submit.click().run()
    # The browser sends the same text again before the cleared field came back.
    at.text_input(key="capture_text").input("Un seul exemplaire")
    labelled(at.button, "Enregistrer (Entrée)").click().run()
    assert len(store.list_contributions(cafe.id)) == 1


def test_captain_sees_a_closed_round_plainly(store):
    cafe, _ = make_cafe(store, open_first=False)
    at = app(page="pages/captain.py", code=cafes.get_table(store, cafe.id, 1).code)
    assert "Aucun tour n'est ouvert" in at.info[0].value
    assert not [w for w in at.text_input if w.key == "capture_text"]


def test_captain_edits_and_deletes(store):
    cafe, _ = make_cafe(store)
    table = cafes.get_table(store, cafe.id, 1)
    idea = add_idea(store, cafe, "Plus de banc")
    at = app(page="pages/captain.py", code=table.code)
    labelled(at.text_area, "Texte").input("Plus de bancs")
    labelled(at.button, "Enregistrer la correction").click().run()
    assert store.get_contribution(idea.id).text == "Plus de bancs"
    labelled(at.button, "Supprimer").click().run()
    assert store.list_contributions(cafe.id) == []
    assert store.get_contribution(idea.id).deleted_at is not None


# -- resident ----------------------------------------------------------------------------------
# The residents' page itself is plain HTML (web/, tests/test_resident_page.py). Streamlit only
# guarantees that a resident link never lists or opens another page.
def resident_app(store, cafe, table=1, **query):
    return app(t=make_join_token(store.link_secret(), cafe.id, table), **query)


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
    topic_expanders = [e for e in at.expander if "contribution(s)" in e.label]
    assert len(topic_expanders) == 6
    assert len(at.get("plotly_chart")) == 4

    labelled(at.text_input, "Nouveau nom").input("Vivre ensemble")
    labelled(at.button, "Renommer").click().run()
    assert any(e.label.startswith("Vivre ensemble —") for e in at.expander)
    first_key = harvest_versions(store, cafe.id)[-1].topics[0].key
    labelled(at.multiselect, "Groupes retenus (ils deviendront des fiches d'observation)").select(first_key)
    labelled(at.button, "Enregistrer la sélection").click().run()
    assert at.metric[3].value == "1"
    versions = harvest_versions(store, cafe.id)
    assert [v.number for v in versions] == [1, 2, 3] and versions[1].topics != versions[0].topics


def test_harvest_page_maps_onto_atelier_themes(store):
    from facilitation.demo import create_demo_cafe

    cafe = create_demo_cafe(store)
    at = app(organiser=True, page="pages/organiser_harvest.py", cafe=cafe.id)
    labelled(at.radio, "Méthode").set_value("Sur les thèmes de l'Atelier").run()
    labelled(at.button, "Lancer le regroupement").click().run()
    assert "Regroupement guidé sur 5 thèmes" in at.success[0].value
    assert any(e.label.startswith("défi énergétique —") for e in at.expander)


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
    from facilitation import documents

    options = {"base_url": "http://x", "timezone": "Europe/Paris"}
    documents.generate(store, kept_cafe.id, "synthese", **options)
    documents.generate(store, kept_cafe.id, "contributions_csv", **options)
    documents.generate(store, kept_cafe.id, "synthese", **options)
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
    assert store.get_contribution(idea.id) is None
    journal = at.dataframe[0].value
    assert journal["action"].iloc[0] == "contribution effacée (demande RGPD)"
    assert journal["acteur"].iloc[0] == "organisateur"
