"""Staff sessions and the wall's own link, on SQLite and PostgreSQL: a signed-out token is refused,
« sign out everyone » refuses every token issued before, a wall link opens one café's wall until
revoked; the command line does the same."""

from __future__ import annotations

from datetime import timedelta

import pytest

import cli
from facilitation.adapters.clock import utcnow
from facilitation.adapters.storage.validation import validate
from facilitation.domain import actors
from facilitation.domain.access import (
    WALL_PARAM,
    hash_password,
    make_join_token,
    make_staff_token,
    make_wall_token,
    staff_session_expiry,
)
from facilitation.domain.errors import AccessDenied
from facilitation.services import audit, cafes, contributions, sessions
from facilitation.services.abuse import Client
from tests.conftest import committed, make_cafe
from tests.fakes import FakeUnitOfWork

ORGANISER_HASH = hash_password("mot-de-passe-organisateur")
MARKETING_HASH = hash_password("mot-de-passe-marketing")
PASSWORDS = {actors.ORGANISER: ORGANISER_HASH, actors.MARKETING: MARKETING_HASH}


def signed_in(store, password: str = "mot-de-passe-organisateur", now=None) -> sessions.SignedIn:
    return sessions.sign_in(store, password, PASSWORDS, now or utcnow(), Client(session=password))


# -- staff sessions ----------------------------------------------------------------------------
def test_a_signed_out_token_is_refused_and_the_others_stay(store):
    organiser, marketing = signed_in(store), signed_in(store, "mot-de-passe-marketing")
    now = utcnow()
    assert sessions.session_role(store, organiser.token, PASSWORDS, now) == actors.ORGANISER
    assert sessions.session_role(store, marketing.token, PASSWORDS, now) == actors.MARKETING
    assert sessions.sign_out(store, organiser.token, PASSWORDS, now) is True
    assert sessions.session_role(store, organiser.token, PASSWORDS, now) is None
    assert sessions.session_role(store, marketing.token, PASSWORDS, now) == actors.MARKETING
    assert sessions.sign_out(store, organiser.token, PASSWORDS, now) is False  # nothing left to end
    assert audit.audit_records(store, timezone="Europe/Paris")[0]["action"] == "déconnexion"


def test_signing_everyone_out_refuses_every_earlier_token_and_a_new_sign_in_works(store):
    earlier = [signed_in(store), signed_in(store), signed_in(store, "mot-de-passe-marketing")]
    assert sessions.sign_out_everyone(store, utcnow()) == 3
    now = utcnow()
    assert [sessions.session_role(store, s.token, PASSWORDS, now) for s in earlier] == [None] * 3
    again = signed_in(store)
    assert sessions.session_role(store, again.token, PASSWORDS, now) == actors.ORGANISER
    event = audit.audit_records(store, timezone="Europe/Paris")[0]  # signing in is not audited
    assert (event["action"], event["details"]) == (
        "toutes les sessions déconnectées",
        "3 sessions ouvertes fermées",
    )


def test_a_token_is_refused_without_its_session_after_expiry_or_for_another_role(store):
    now = utcnow()
    genuine = signed_in(store, now=now)
    assert sessions.session_role(store, genuine.token, PASSWORDS, now + timedelta(hours=11)) is not None
    assert sessions.session_role(store, genuine.token, PASSWORDS, now + timedelta(hours=13)) is None
    # Well signed, but no session was ever opened for it (the pre-sessions token shape, or a guess).
    with store.reading():
        secret = committed(store).trust.link_secret()
    unknown = make_staff_token(secret, ORGANISER_HASH, "0" * 32, staff_session_expiry(now))
    assert sessions.session_role(store, unknown, PASSWORDS, now) is None
    # A marketing session's id signed with the organiser's key does not become an organiser session.
    marketing = signed_in(store, "mot-de-passe-marketing", now=now)
    session_id = marketing.token.split(".")[0]
    promoted = make_staff_token(secret, ORGANISER_HASH, session_id, staff_session_expiry(now))
    assert sessions.session_role(store, promoted, PASSWORDS, now) is None
    for forged in ("", "abc", f"{session_id}.9999999999.forged", genuine.token + "x"):
        assert sessions.session_role(store, forged, PASSWORDS, now) is None


def test_the_in_memory_store_keeps_sessions_like_the_databases():
    fake = FakeUnitOfWork()
    token = signed_in(fake).token
    assert sessions.session_role(fake, token, PASSWORDS, utcnow()) == actors.ORGANISER
    assert sessions.sign_out_everyone(fake, utcnow()) == 1
    assert sessions.session_role(fake, token, PASSWORDS, utcnow()) is None


def test_sessions_are_not_backed_up(store):
    signed_in(store)
    payload = committed(store).archive.dump()
    assert "staff_sessions" not in payload["tables"]
    with store.engine.connect() as connection:  # and the backup still passes its own checks
        validate(connection, payload, transfer=False, max_text_chars=2000, now=utcnow())


# -- the wall's own link -----------------------------------------------------------------------
def test_a_wall_link_opens_its_cafes_wall_until_revoked(store):
    cafe, _ = make_cafe(store)
    other, _ = make_cafe(store)
    link = cafes.wall_link(store, cafe.id, "http://192.168.1.20:8501")
    assert link.startswith(f"http://192.168.1.20:8501/?{WALL_PARAM}=") and "organisateur" not in link
    token = link.split("=", 1)[1]
    view = contributions.wall_by_link(store, token)
    assert view.cafe.id == cafe.id and view.open_round.question == "Question 1 ?"

    new_link = cafes.revoke_wall_link(store, cafe.id, "http://192.168.1.20:8501")
    assert new_link != link
    with pytest.raises(AccessDenied, match="Ce lien de mur n'est pas valable"):
        contributions.wall_by_link(store, token)
    assert contributions.wall_by_link(store, new_link.split("=", 1)[1]).cafe.id == cafe.id
    # The other café's link did not move.
    other_token = cafes.wall_link(store, other.id, "http://x").split("=", 1)[1]
    assert contributions.wall_cafe(store, other_token) == other.id
    assert audit.audit_records(store, timezone="Europe/Paris")[0]["action"] == "lien du mur révoqué"


def test_forged_or_borrowed_wall_tokens_are_refused(store):
    cafe, _ = make_cafe(store)
    other, _ = make_cafe(store)
    token = cafes.wall_link(store, cafe.id, "http://x").split("=", 1)[1]
    with store.reading():
        secret = committed(store).trust.link_secret()
    cafe_id, generation, signature = token.split(".")
    for forged in (
        f"{other.id}.{generation}.{signature}",  # another café with this café's signature
        f"{cafe_id}.{int(generation) + 1}.{signature}",  # a future generation
        make_wall_token("another-installation", cafe.id, 0),
        make_join_token(secret, cafe.id, 1),  # a table's resident link is not a wall link
        f"{cafe_id}.{generation}",
        "",
    ):
        with pytest.raises(AccessDenied, match="Ce lien de mur n'est pas valable"):
            contributions.wall_by_link(store, forged)


# -- the command line --------------------------------------------------------------------------
def test_the_command_line_prints_revokes_the_wall_link_and_signs_everyone_out(
    database_url, store, monkeypatch, capsys
):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("CAFE_PUBLIC_BASE_URL", "http://192.168.1.20:8501")
    cafe, _ = make_cafe(store)
    assert cli.main(["wall-url", cafe.id]) == 0
    link = capsys.readouterr().out.strip()
    assert link == cafes.wall_link(store, cafe.id, "http://192.168.1.20:8501")
    assert cli.main(["wall-url", cafe.id, "--base-url", "http://mur.local"]) == 0
    assert capsys.readouterr().out.strip().startswith(f"http://mur.local/?{WALL_PARAM}=")

    assert cli.main(["wall-url", cafe.id, "--revoke"]) == 0
    printed = capsys.readouterr()
    new_link = printed.out.strip()
    assert "révoqué" in printed.err and new_link != link
    with pytest.raises(AccessDenied):
        contributions.wall_cafe(store, link.split("=", 1)[1])
    assert contributions.wall_cafe(store, new_link.split("=", 1)[1]) == cafe.id

    assert cli.main(["wall-url", "inconnu"]) == 2
    assert capsys.readouterr().err.startswith("Erreur : ")

    before = signed_in(store)
    assert cli.main(["sign-out-all"]) == 0
    assert "1 session fermée" in capsys.readouterr().out
    assert sessions.session_role(store, before.token, PASSWORDS, utcnow()) is None
    assert audit.audit_records(store, timezone="Europe/Paris")[0]["acteur"] == actors.COMMAND_LINE
