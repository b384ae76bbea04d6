"""The first run, on SQLite and PostgreSQL: with no organiser password anywhere, a one-time link
chooses the passwords (stored as scrypt hashes), signs the organiser in and dies; a setting still
wins; bad input changes nothing; the server prints the link at start."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlparse

import pytest

from facilitation.adapters.clock import utcnow
from facilitation.adapters.storage.schema import saved_tables
from facilitation.composition import build_app
from facilitation.domain import actors
from facilitation.domain.access import check_password, hash_password
from facilitation.domain.errors import AccessDenied, InvalidInput
from facilitation.services import first_run, sessions
from facilitation.services.abuse import Client
from facilitation.settings import load_settings
from tests.conftest import committed

NONE = {actors.ORGANISER: "", actors.MARKETING: ""}
BASE = "http://localhost:8501"


def token_of(link: str) -> str:
    (token,) = parse_qs(urlparse(link).query)[first_run.FIRST_RUN_PARAM]
    return token


def choose(store, link: str, configured=NONE, **passwords) -> sessions.SignedIn:
    fields = {"organiser": "cafe-des-tilleuls", "organiser_again": "cafe-des-tilleuls"} | passwords
    return first_run.choose_passwords(store, token_of(link), configured, utcnow(), **fields)


def test_a_one_time_link_chooses_the_passwords_and_signs_the_organiser_in(store):
    assert first_run.needs_first_run(store, NONE)
    link = first_run.first_run_link(store, NONE, BASE, utcnow())
    assert link.startswith(f"{BASE}/?{first_run.FIRST_RUN_PARAM}=")
    first_run.check_first_run_link(store, token_of(link), NONE)  # usable

    signed_in = choose(store, link, marketing="equipe-marketing", marketing_again="equipe-marketing")

    passwords = first_run.staff_passwords(store, NONE)
    assert check_password("cafe-des-tilleuls", passwords[actors.ORGANISER])
    assert check_password("equipe-marketing", passwords[actors.MARKETING])
    assert "cafe-des-tilleuls" not in str(passwords)  # hashes, never the password
    assert sessions.session_role(store, signed_in.token, passwords, utcnow()) == actors.ORGANISER
    assert not first_run.needs_first_run(store, NONE)
    # Both passwords open their role through the ordinary sign-in.
    marketing = sessions.sign_in(store, "equipe-marketing", passwords, utcnow(), Client(session="m"))
    assert marketing.role == actors.MARKETING
    with store.reading():
        events = committed(store).audit.latest()
    actions = [event.action for event in events]
    chosen = events[actions.index("mots de passe choisis (premier démarrage)")]
    assert chosen.details == "organisateur, équipe marketing" and chosen.actor == actors.ORGANISER
    assert "lien de premier démarrage créé" in actions


def test_the_link_is_dead_once_used_and_so_are_the_other_links(store):
    first = first_run.first_run_link(store, NONE, BASE, utcnow())
    second = first_run.first_run_link(store, NONE, BASE, utcnow())  # a restart printed another
    assert token_of(first) != token_of(second)
    choose(store, first)
    for link in (first, second):
        with pytest.raises(AccessDenied, match="n'est plus valable"):
            first_run.check_first_run_link(store, token_of(link), NONE)
        with pytest.raises(AccessDenied, match="n'est plus valable"):
            choose(store, link, organiser="autre-mot-de-passe", organiser_again="autre-mot-de-passe")
    assert check_password("cafe-des-tilleuls", first_run.staff_passwords(store, NONE)[actors.ORGANISER])
    # A password exists: no new link is made at the next start.
    assert first_run.first_run_link(store, NONE, BASE, utcnow()) is None


@pytest.mark.parametrize("token", ["", "inventé", None])
def test_a_forged_link_is_refused(store, token):
    first_run.first_run_link(store, NONE, BASE, utcnow())
    with pytest.raises(AccessDenied, match="n'est plus valable"):
        first_run.check_first_run_link(store, token, NONE)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"organiser_again": "autre-chose-encore"},
            "Les deux saisies du mot de passe organisateur diffèrent",
        ),
        ({"organiser": "court", "organiser_again": "court"}, "Mot de passe organisateur : le mot de passe"),
        (
            {"marketing": "equipe-marketing", "marketing_again": "equipe-marketinG"},
            "équipe marketing diffèrent",
        ),
        ({"marketing": "cafe-des-tilleuls", "marketing_again": "cafe-des-tilleuls"}, "doit être différent"),
        ({"marketing": "court", "marketing_again": "court"}, "au moins 8 caractères"),
    ],
)
def test_bad_input_is_refused_in_french_and_changes_nothing(store, fields, message):
    link = first_run.first_run_link(store, NONE, BASE, utcnow())
    with pytest.raises(InvalidInput, match=message):
        choose(store, link, **fields)
    assert first_run.staff_passwords(store, NONE) == NONE
    first_run.check_first_run_link(store, token_of(link), NONE)  # still usable
    choose(store, link)


def test_a_setting_still_wins(store):
    configured_hash = hash_password("mot-de-passe-du-reglage")
    configured = {actors.ORGANISER: configured_hash, actors.MARKETING: ""}
    assert first_run.first_run_link(store, configured, BASE, utcnow()) is None
    link = first_run.first_run_link(store, NONE, BASE, utcnow())
    with pytest.raises(AccessDenied, match="CAFE_ORGANISER_PASSWORD_HASH"):
        first_run.check_first_run_link(store, token_of(link), configured)
    # Chosen in the app, then a setting appears: the setting opens the organiser's pages.
    choose(store, link, marketing="equipe-marketing", marketing_again="equipe-marketing")
    passwords = first_run.staff_passwords(store, configured)
    assert passwords[actors.ORGANISER] == configured_hash
    assert check_password("equipe-marketing", passwords[actors.MARKETING])  # no setting for it


def test_passwords_are_not_in_backups():
    names = {table.name for table in saved_tables()}
    assert "staff_passwords" not in names and "first_run_links" not in names


def test_the_server_prints_the_link_once_at_start_and_not_once_chosen(database_url, store):
    app = build_app(
        load_settings(
            environ={},
            database_url=database_url,
            cafe_organiser_password_hash="",
            cafe_marketing_password_hash="",
        )
    )
    try:
        out = io.StringIO()
        link = app.announce_first_run("http://localhost:8765", out)
        assert link.startswith("http://localhost:8765/?premier=")
        assert link in out.getvalue() and "Premier démarrage" in out.getvalue()
        choose(store, link)
        again = io.StringIO()
        assert app.announce_first_run("http://localhost:8765", again) is None
        assert again.getvalue() == ""
    finally:
        app.close()


def test_two_tabs_using_the_same_link_at_once_store_one_password(database_url, store):
    """Both submit together (a barrier): one password is stored, the other tab is refused."""
    import threading

    from facilitation.adapters.storage import open_store

    link = first_run.first_run_link(store, NONE, BASE, utcnow())
    barrier, outcomes = threading.Barrier(2), []

    def submit(password: str) -> None:
        own = open_store(database_url)
        try:
            barrier.wait()
            choose(own, link, organiser=password, organiser_again=password)
            outcomes.append(password)
        except AccessDenied:
            outcomes.append("refusé")
        finally:
            own.engine.dispose()

    threads = [threading.Thread(target=submit, args=(p,)) for p in ("premier-onglet", "second-onglet")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(outcomes) == 2 and outcomes.count("refusé") == 1, outcomes
    (winner,) = [o for o in outcomes if o != "refusé"]
    assert check_password(winner, first_run.staff_passwords(store, NONE)[actors.ORGANISER])
