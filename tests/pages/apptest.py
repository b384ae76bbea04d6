"""What the page tests share: the real app driven by AppTest, widgets found by their label, the
text a page shows, the organiser's password, and records several pages start from."""

from __future__ import annotations

import os

from streamlit.testing.v1 import AppTest

from facilitation.services import exchange
from tests.conftest import ROOT

PASSWORD = "mot-de-passe-organisateur"
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


def organiser_token() -> str:
    """A real organiser sign-in (a session row in the app's database), as the login form makes."""
    from facilitation.adapters.clock import utcnow
    from facilitation.adapters.storage import open_store
    from facilitation.domain import actors
    from facilitation.domain.errors import StorageUnavailable
    from facilitation.services import sessions
    from facilitation.services.abuse import Client

    try:
        store = open_store(os.environ["DATABASE_URL"])
    except StorageUnavailable:  # signed in before the database went away: the page cannot check it
        return "signe-avant-la-panne"
    try:
        passwords = {actors.ORGANISER: os.environ["CAFE_ORGANISER_PASSWORD_HASH"]}
        return sessions.sign_in(store, PASSWORD, passwords, utcnow(), Client(session="tests")).token
    finally:
        store.dispose()


def app(*, organiser: bool = False, page: str | None = None, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    if organiser:
        at.session_state["organiser_signed_in"] = True
        at.session_state["staff_role"] = "organisateur"
        at.session_state["organiser_token"] = organiser_token()
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


UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:59999/db?password=S3cretQ&connect_timeout=2"
UNREACHABLE_AT_SIGN = "postgresql+psycopg://cafe:hunt@er2@127.0.0.1:59999/db?connect_timeout=2"


def compost_fiche(store):
    """A field fiche for the Comité des Projets Prioritaires (its theme's committee)."""
    from datetime import date

    return exchange.create_field_fiche(
        store,
        title="Compost partagé",
        observation="Demande des jardiniers.",
        author="Gardien",
        observed_on=date(2026, 11, 1),
        place="Les Tilleuls",
        theme="aménagement durable",
    )
