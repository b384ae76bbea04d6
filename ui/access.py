"""Gates in front of the organiser and captain pages."""

from __future__ import annotations

import streamlit as st

from facilitation import audit
from facilitation.abuse import Client, organiser_login
from facilitation.access import make_organiser_token, new_id, organiser_token_valid
from facilitation.contributions import TableContext, enter_table, try_table_code
from facilitation.errors import CafeError, StorageUnavailable
from ui.capture import TABLE_KEY
from ui.runtime import ORGANISER_KEY, end_page, settings, show_error, store
from ui.runtime import now as runtime_now

CLIENT_ID_KEY = "client_id"  # one per browser tab (Streamlit session)
ORGANISER_TOKEN_KEY = "organiser_token"
ORGANISER_TOKEN_PARAM = "organisateur"
CAPTAIN_CODE_KEY = "captain_code"
CAPTAIN_CODE_PARAM = "code"


LOOPBACK = "127.0.0.1"


def network_address(ip_address: object) -> str:
    """The address a tab is counted under, from st.context.ip_address.

    Streamlit answers None for a browser on the server itself (127.0.0.1 or ::1): that is an
    address like any other, or a script on the server would escape every per-address limit. AppTest
    has no network (a stand-in object, not text): no address."""
    if ip_address is None:
        return LOOPBACK
    return ip_address if isinstance(ip_address, str) else ""


def client() -> Client:
    """This browser tab: its network address and its Streamlit session."""
    return Client(
        address=network_address(st.context.ip_address),
        session=st.session_state.setdefault(CLIENT_ID_KEY, new_id()),
    )


STAFF_ROLE_KEY = "staff_role"
MARKETING_PAGES = "la Bibliothèque et les Échanges et comités"


def staff_role() -> str | None:
    """Who signed in on staff pages in this session: the organiser, the marketing team, or nobody."""
    if st.session_state.get(ORGANISER_KEY):
        return audit.ORGANISER
    return st.session_state.get(STAFF_ROLE_KEY)


def require_organiser() -> None:
    """Stop the page unless the organiser has signed in: running cafés, corrections, erasure, settings."""
    _require_staff((audit.ORGANISER,), "Mot de passe organisateur")


def require_staff() -> str:
    """Stop the page unless the organiser or the marketing team has signed in; return the role."""
    return _require_staff(
        (audit.ORGANISER, audit.MARKETING), "Mot de passe (organisateur ou équipe marketing)"
    )


def _require_staff(allowed: tuple[str, ...], password_label: str) -> str:
    """The signed-in state survives a reload (F5) through a signed, expiring token kept in the URL."""
    config = settings()
    hashes = {
        audit.ORGANISER: config.cafe_organiser_password_hash,
        audit.MARKETING: config.cafe_marketing_password_hash,
    }
    role = staff_role()
    if role is None:
        role = _role_from_token(hashes, st.query_params.get(ORGANISER_TOKEN_PARAM))
    if role is not None:
        if role not in allowed:
            st.title("Espace organisateur")
            _refuse_role()
        token = st.session_state.get(ORGANISER_TOKEN_KEY)
        if token and st.query_params.get(ORGANISER_TOKEN_PARAM) != token:
            st.query_params[ORGANISER_TOKEN_PARAM] = token  # a page change drops it from the URL
        audit.set_actor(role)
        return role
    st.title("Espace organisateur")
    if not config.cafe_organiser_password_hash:
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
        end_page()
    with st.form("organiser_login"):
        password = st.text_input(password_label, type="password")
        submitted = st.form_submit_button("Entrer", type="primary")
    if submitted:
        now = runtime_now()
        try:
            role = organiser_login(
                store(),
                password,
                hashes[audit.ORGANISER],
                now,
                client(),
                marketing_hash=hashes[audit.MARKETING],
            )
        except CafeError as exc:
            st.error(exc.message)
        else:
            _sign_in(role, make_organiser_token(store().trust.link_secret(), hashes[role], now))
            if role not in allowed:
                _refuse_role()
            st.rerun()
    end_page()


def _refuse_role() -> None:
    st.error(f"Cette page est réservée à l'organisateur. L'équipe marketing a accès à {MARKETING_PAGES}.")
    end_page()


def _role_from_token(hashes: dict[str, str], token: str | None) -> str | None:
    """The role a token from the URL was signed for (by its password hash), if it is still valid."""
    if not token:
        return None
    now = runtime_now()
    for role, password_hash in hashes.items():
        if organiser_token_valid(store().trust.link_secret(), password_hash, token, now):
            _sign_in(role, token)
            return role
    return None


def _sign_in(role: str, token: str) -> None:
    st.session_state[STAFF_ROLE_KEY] = role
    if role == audit.ORGANISER:
        st.session_state[ORGANISER_KEY] = True
    st.session_state[ORGANISER_TOKEN_KEY] = token
    st.query_params[ORGANISER_TOKEN_PARAM] = token


def captain_context() -> TableContext:
    """The captain's table, asking for the table code first; the code survives a page reload.

    A code checked in this session is trusted; one from the URL or the form goes through the
    throttled, audited check."""
    checked = st.session_state.get(CAPTAIN_CODE_KEY)
    code = checked or st.query_params.get(CAPTAIN_CODE_PARAM)
    if code:
        try:
            context = enter_table(store(), code) if checked else try_table_code(store(), code, client())
        except StorageUnavailable as exc:
            # The database is away, not the captain's right to the table: stay at the table.
            show_error(exc)
            end_page()
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
    end_page()


def _forget_captain() -> None:
    st.session_state.pop(CAPTAIN_CODE_KEY, None)
    st.session_state.pop(TABLE_KEY, None)  # no capture bar on the sign-in form
    if CAPTAIN_CODE_PARAM in st.query_params:
        del st.query_params[CAPTAIN_CODE_PARAM]


def leave_table() -> None:
    _forget_captain()
