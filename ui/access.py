"""Gates in front of the organiser and captain pages."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from facilitation import audit
from facilitation.abuse import Client, organiser_login
from facilitation.access import make_organiser_token, new_id, organiser_token_valid
from facilitation.contributions import TableContext, enter_table, try_table_code
from facilitation.errors import CafeError
from ui.runtime import ORGANISER_KEY, settings, store

CLIENT_ID_KEY = "client_id"  # one per browser tab (Streamlit session)
ORGANISER_TOKEN_KEY = "organiser_token"
ORGANISER_TOKEN_PARAM = "organisateur"
CAPTAIN_CODE_KEY = "captain_code"
CAPTAIN_CODE_PARAM = "code"


def client() -> Client:
    """This browser tab: its network address and its Streamlit session."""
    address = st.context.ip_address
    # AppTest has no network: its address is a stand-in object, not text.
    return Client(
        address=address if isinstance(address, str) else "",
        session=st.session_state.setdefault(CLIENT_ID_KEY, new_id()),
    )


def require_organiser() -> None:
    """Stop the page unless the organiser has signed in with the configured password.

    The signed-in state survives a reload (F5) through a signed, expiring token kept in the URL.
    """
    password_hash = settings().cafe_organiser_password_hash
    if st.session_state.get(ORGANISER_KEY):
        token = st.session_state.get(ORGANISER_TOKEN_KEY)
        if token and st.query_params.get(ORGANISER_TOKEN_PARAM) != token:
            st.query_params[ORGANISER_TOKEN_PARAM] = token  # a page change drops it from the URL
        audit.set_actor(audit.ORGANISER)
        return
    token = st.query_params.get(ORGANISER_TOKEN_PARAM)
    if token and organiser_token_valid(store().link_secret(), password_hash, token, datetime.now(UTC)):
        st.session_state[ORGANISER_KEY] = True
        st.session_state[ORGANISER_TOKEN_KEY] = token
        audit.set_actor(audit.ORGANISER)
        return
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
        now = datetime.now(UTC)
        try:
            organiser_login(store(), password, password_hash, now, client())
        except CafeError as exc:
            st.error(exc.message)
        else:
            token = make_organiser_token(store().link_secret(), password_hash, now)
            st.session_state[ORGANISER_KEY] = True
            st.session_state[ORGANISER_TOKEN_KEY] = token
            st.query_params[ORGANISER_TOKEN_PARAM] = token
            st.rerun()
    st.stop()


def captain_context() -> TableContext:
    """The captain's table, asking for the table code first; the code survives a page reload.

    A code checked in this session is trusted; one from the URL or the form goes through the
    throttled, audited check."""
    checked = st.session_state.get(CAPTAIN_CODE_KEY)
    code = checked or st.query_params.get(CAPTAIN_CODE_PARAM)
    if code:
        try:
            context = enter_table(store(), code) if checked else try_table_code(store(), code, client())
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
            try_table_code(store(), typed, client())
        except CafeError as exc:
            st.error(exc.message)
        else:
            st.session_state[CAPTAIN_CODE_KEY] = typed
            st.rerun()
    st.stop()


def _forget_captain() -> None:
    st.session_state.pop(CAPTAIN_CODE_KEY, None)
    if CAPTAIN_CODE_PARAM in st.query_params:
        del st.query_params[CAPTAIN_CODE_PARAM]


def leave_table() -> None:
    _forget_captain()
