"""Gates in front of the organiser and captain pages."""

from __future__ import annotations

import streamlit as st

from facilitation.domain import actors
from facilitation.domain.access import new_id
from facilitation.domain.errors import CafeError, StorageUnavailable
from facilitation.domain.wording import plural
from facilitation.services import audit, first_run, sessions
from facilitation.services.abuse import Client
from facilitation.services.contributions import TableContext, enter_table, try_table_code
from ui.capture import TABLE_KEY
from ui.runtime import ORGANISER_KEY, end_page, settings, show_error, show_errors, store, store_or_raise
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


# Residents come in by their table's QR code, never by this site's menu: the pages that greet
# or redirect people tell them so.
RESIDENTS_WAY_IN = (
    "Habitants : scannez le QR code posé sur votre table pour participer depuis votre téléphone."
)
STAFF_ROLE_KEY = "staff_role"
MARKETING_PAGES = "la Bibliothèque et les Échanges et comités"


def staff_role() -> str | None:
    """Who signed in on staff pages in this session: the organiser, the marketing team, or nobody."""
    if st.session_state.get(ORGANISER_KEY):
        return actors.ORGANISER
    return st.session_state.get(STAFF_ROLE_KEY)


def navigation_role() -> str | None:
    """The role the sidebar is built for, decided before any page runs: this session's, else the one
    the token in the address still opens (a bookmark, a reload: a new session), which it then keeps.

    Without it a marketing bookmark's first run listed the organiser's pages, the session being
    restored only later, by the page's own gate. Nothing is written and nobody is signed out here:
    a refused token or an absent database leaves the page's gate to say so."""
    role = staff_role()
    token = st.query_params.get(ORGANISER_TOKEN_PARAM)
    if role is not None or not token:
        return role
    try:
        uow = store_or_raise()
        role = sessions.session_role(uow, token, _passwords(uow), runtime_now())
    except CafeError:
        return None
    if role is not None:
        _keep_signed_in(role, token)
    return role


def require_organiser(*, projected: bool = False) -> None:
    """Stop the page unless the organiser has signed in: running cafés, corrections, erasure, settings.

    projected=True (the room screen): the token stays out of the page's address, no control drawn."""
    _require_staff((actors.ORGANISER,), "Mot de passe organisateur", projected=projected)


def require_staff() -> str:
    """Stop the page unless the organiser or the marketing team has signed in; return the role."""
    return _require_staff(
        (actors.ORGANISER, actors.MARKETING), "Mot de passe (organisateur ou équipe marketing)"
    )


def configured_passwords() -> dict[str, str]:
    """The staff password hashes given by the settings (they win over those chosen in the app)."""
    config = settings()
    return {
        actors.ORGANISER: config.cafe_organiser_password_hash,
        actors.MARKETING: config.cafe_marketing_password_hash,
    }


def _passwords(uow) -> dict[str, str]:
    return first_run.staff_passwords(uow, configured_passwords())


FIRST_RUN_DONE_KEY = "first_run_done"  # the home page thanks the organiser once
FIRST_RUN_USED_KEY = "first_run_used"  # this tab used its link: the router shows the normal pages
FIRST_RUN_HINT = (
    "Aucun mot de passe organisateur n'est encore choisi. Regardez le terminal où l'application a "
    "démarré (la fenêtre de `scripts/run.sh`) : il affiche un lien à usage unique, de la forme "
    "`http://localhost:8501/?premier=…`. Ouvrez-le pour choisir le mot de passe organisateur (et, si "
    "vous le souhaitez, celui de l'équipe marketing). Chaque démarrage en affiche un nouveau tant "
    "qu'aucun mot de passe n'est choisi. (Autre voie : `python -m facilitation hash-password`, puis "
    "l'empreinte dans `CAFE_ORGANISER_PASSWORD_HASH` et un redémarrage.)"
)


STAFF_NOTICE_KEY = "staff_notice"  # shown once above the login form
AGAIN = "Entrez à nouveau le mot de passe pour continuer."
SESSION_CLOSED_MESSAGE = (
    "Votre session a été fermée (déconnexion, « Déconnecter toutes les sessions » ou expiration). " + AGAIN
)
SIGNED_OUT_MESSAGE = "Vous êtes déconnecté : l'adresse de la page ne rouvre plus la session."


def _require_staff(allowed: tuple[str, ...], password_label: str, *, projected: bool = False) -> str:
    """The signed-in state survives a reload (F5) through a signed, expiring token kept in the URL.

    The token is checked against its session on every run, so a sign-out (here, in another tab, or
    of everyone) takes effect at this page's next run."""
    role_before = staff_role()
    token = st.session_state.get(ORGANISER_TOKEN_KEY) or st.query_params.get(ORGANISER_TOKEN_PARAM)
    try:
        passwords = _passwords(store())
        role = sessions.session_role(store(), token, passwords, runtime_now()) if token else None
    except CafeError as exc:  # the database is away, not the right to the page: sign nobody out
        show_error(exc)
        end_page()
    if role is None and (token or staff_role() is not None):
        if staff_role() is not None:  # signed in a moment ago, in this tab
            st.session_state[STAFF_NOTICE_KEY] = SESSION_CLOSED_MESSAGE
        _forget_staff()  # a refused token does not stay in the address either
    if role is not None:
        _keep_signed_in(role, token)
        if role == actors.MARKETING and role_before != actors.MARKETING:
            # The address (a bookmark, F5) brought the team's token: app.py drew the menu before
            # the role was known. Run again so that it lists only the team's pages.
            st.rerun()
        audit.set_actor(role)
        if projected:
            if ORGANISER_TOKEN_PARAM in st.query_params:
                del st.query_params[ORGANISER_TOKEN_PARAM]
        else:
            if st.query_params.get(ORGANISER_TOKEN_PARAM) != token:
                st.query_params[ORGANISER_TOKEN_PARAM] = token  # a page change drops it from the URL
            _sign_out_button(token, passwords)
        if role not in allowed:
            st.title("Espace organisateur")
            _refuse_role()
        return role
    st.title("Espace organisateur")
    if STAFF_NOTICE_KEY in st.session_state:
        st.info(st.session_state.pop(STAFF_NOTICE_KEY))
    if not passwords[actors.ORGANISER]:
        st.warning(
            "Les pages organisateur restent fermées tant qu'aucun mot de passe n'est choisi "
            "(il n'y a pas de mot de passe par défaut)."
        )
        st.markdown(FIRST_RUN_HINT)
        end_page()
    with st.form("organiser_login"):
        password = st.text_input(password_label, type="password")
        submitted = st.form_submit_button("Entrer", type="primary")
    if submitted:
        try:
            signed_in = sessions.sign_in(store(), password, passwords, runtime_now(), client())
        except CafeError as exc:
            st.error(exc.message)
        else:
            _keep_signed_in(signed_in.role, signed_in.token)
            if not projected:
                st.query_params[ORGANISER_TOKEN_PARAM] = signed_in.token
            if signed_in.role not in allowed:
                _refuse_role()
            st.rerun()
    end_page()


def _sign_out_button(token: str, passwords: dict[str, str]) -> None:
    """« Se déconnecter » in the sidebar: this session ends, its token is refused from now on."""
    if st.sidebar.button("Se déconnecter", key="staff_sign_out", icon="🚪"):
        if show_errors(sessions.sign_out, store(), token, passwords, runtime_now()) is not None:
            _forget_staff()
            st.session_state[STAFF_NOTICE_KEY] = SIGNED_OUT_MESSAGE
            st.rerun()


def still_signed_in() -> None:
    """For a staff page's timed fragments: once this tab's session is closed (signed out here or
    elsewhere, everyone's sessions closed), rerun the whole page, whose gate then asks the password;
    live figures never keep flowing to a signed-out tab."""
    token = st.session_state.get(ORGANISER_TOKEN_KEY)
    try:
        uow = store_or_raise()
        role = sessions.session_role(uow, token, _passwords(uow), runtime_now())
    except CafeError:
        return  # the database is away: the fragment shows it, the session is not in question
    if role is None:
        st.rerun(scope="app")


def _refuse_role() -> None:
    st.error(f"Cette page est réservée à l'organisateur. L'équipe marketing a accès à {MARKETING_PAGES}.")
    end_page()


def keep_signed_in(signed_in: sessions.SignedIn) -> None:
    """This tab is signed in (e.g. right after choosing the password on the first run)."""
    _keep_signed_in(signed_in.role, signed_in.token)
    st.query_params[ORGANISER_TOKEN_PARAM] = signed_in.token


def _keep_signed_in(role: str, token: str) -> None:
    st.session_state[STAFF_ROLE_KEY] = role
    if role == actors.ORGANISER:
        st.session_state[ORGANISER_KEY] = True
    else:
        st.session_state.pop(ORGANISER_KEY, None)
    st.session_state[ORGANISER_TOKEN_KEY] = token


def _forget_staff() -> None:
    """This tab is signed out: its session state and the token in its address go."""
    for key in (STAFF_ROLE_KEY, ORGANISER_KEY, ORGANISER_TOKEN_KEY):
        st.session_state.pop(key, None)
    if ORGANISER_TOKEN_PARAM in st.query_params:
        del st.query_params[ORGANISER_TOKEN_PARAM]


def sign_out_everyone() -> int | None:
    """« Déconnecter toutes les sessions »: every staff token issued so far is refused, this tab's
    too; None when the database refused (the error is shown)."""
    ended = show_errors(sessions.sign_out_everyone, store(), runtime_now())
    if ended is not None:
        _forget_staff()
        closed = plural(ended, "session fermée", "sessions fermées")
        st.session_state[STAFF_NOTICE_KEY] = f"Toutes les sessions sont déconnectées ({closed}). {AGAIN}"
    return ended


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
            audit.set_actor(actors.captain(context.table.number))
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
