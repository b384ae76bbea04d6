"""Gates in front of the organiser and captain pages."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from facilitation import audit
from facilitation.abuse import organiser_login
from facilitation.contributions import TableContext, enter_table
from facilitation.errors import CafeError, StorageUnavailable
from ui.capture import TABLE_KEY
from ui.runtime import settings, store

ORGANISER_KEY = "organiser_signed_in"
CAPTAIN_CODE_KEY = "captain_code"
CAPTAIN_CODE_PARAM = "code"


def require_organiser() -> None:
    """Stop the page unless the organiser has signed in with the configured password."""
    if st.session_state.get(ORGANISER_KEY):
        audit.set_actor(audit.ORGANISER)
        return
    password_hash = settings().cafe_organiser_password_hash
    st.title("Espace organisateur")
    if not password_hash:
        st.error(
            "Aucun mot de passe organisateur n'est configuré : les pages organisateur restent "
            "fermées tant qu'il n'y en a pas (aucun mot de passe par défaut)."
        )
        st.markdown(
            "Pour en définir un :\n\n"
            "1. calculez son empreinte : `python -m facilitation hash-password` ;\n"
            "2. donnez-la à l'application dans la variable d'environnement "
            "`CAFE_ORGANISER_PASSWORD_HASH` (ou dans `.streamlit/secrets.toml`) ;\n"
            "3. redémarrez l'application."
        )
        st.stop()
    with st.form("organiser_login"):
        password = st.text_input("Mot de passe organisateur", type="password")
        submitted = st.form_submit_button("Entrer", type="primary")
    if submitted:
        try:
            organiser_login(store(), password, password_hash, datetime.now(UTC))
        except CafeError as exc:
            st.error(exc.message)
        else:
            st.session_state[ORGANISER_KEY] = True
            st.rerun()
    st.stop()


def captain_context() -> TableContext:
    """The captain's table, asking for the table code first; the code survives a page reload."""
    code = st.session_state.get(CAPTAIN_CODE_KEY) or st.query_params.get(CAPTAIN_CODE_PARAM)
    if code:
        try:
            context = enter_table(store(), code)
        except StorageUnavailable as exc:
            # The database is away, not the captain's right to the table: stay at the table.
            st.error(exc.message)
            st.stop()
        except CafeError as exc:
            st.error(exc.message)
            _forget_captain()
        else:
            st.session_state[CAPTAIN_CODE_KEY] = code
            st.query_params[CAPTAIN_CODE_PARAM] = code
            audit.set_actor(audit.captain(context.table.number))
            return context
    st.title("Capitaine de table")
    with st.form("captain_login"):
        typed = st.text_input("Code de votre table", max_chars=12, help="Donné par l'organisateur.")
        submitted = st.form_submit_button("Ouvrir ma table", type="primary")
    if submitted:
        try:
            enter_table(store(), typed)
        except CafeError as exc:
            st.error(exc.message)
        else:
            st.session_state[CAPTAIN_CODE_KEY] = typed
            st.rerun()
    st.stop()


def _forget_captain() -> None:
    st.session_state.pop(CAPTAIN_CODE_KEY, None)
    st.session_state.pop(TABLE_KEY, None)  # no capture bar on the sign-in form
    if CAPTAIN_CODE_PARAM in st.query_params:
        del st.query_params[CAPTAIN_CODE_PARAM]


def leave_table() -> None:
    _forget_captain()
