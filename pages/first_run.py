"""First run: the one-time link printed in the server's terminal opens this page to choose the
organiser's password (and, optionally, the marketing team's). Nothing else is reachable with it."""

import streamlit as st

from facilitation.domain import actors
from facilitation.domain.errors import AccessDenied, CafeError
from facilitation.services import first_run
from ui.access import FIRST_RUN_DONE_KEY, FIRST_RUN_USED_KEY, configured_passwords, keep_signed_in
from ui.runtime import end_page, now, show_error, store

st.title("☕ Premier démarrage")
token = st.query_params.get(first_run.FIRST_RUN_PARAM)
configured = configured_passwords()
try:
    first_run.check_first_run_link(store(), token, configured)
except AccessDenied as exc:
    st.error(exc.message)
    if st.button("Aller à l'accueil", icon="☕"):
        del st.query_params[first_run.FIRST_RUN_PARAM]
        st.session_state[FIRST_RUN_USED_KEY] = True
        st.switch_page("pages/home.py")
    end_page()
except CafeError as exc:
    show_error(exc)
    end_page()

st.markdown(
    "Choisissez le **mot de passe organisateur** : il ouvre toutes les pages de l'organisation "
    "(préparer, animer, récolter, confidentialité). Au moins 8 caractères ; gardez-le en lieu sûr, "
    "ce lien ne servira qu'une fois."
)
with st.form("first_run"):
    organiser = st.text_input("Mot de passe organisateur", type="password")
    organiser_again = st.text_input("Répétez le mot de passe organisateur", type="password")
    marketing = marketing_again = ""
    if not configured[actors.MARKETING]:
        st.markdown(
            "**Équipe marketing (facultatif)** : un second mot de passe qui n'ouvre que la "
            "Bibliothèque et les Échanges et comités (lecture, téléchargements, commentaires). "
            "Laissez vide pour ne pas en créer."
        )
        marketing = st.text_input("Mot de passe de l'équipe marketing (facultatif)", type="password")
        marketing_again = st.text_input("Répétez le mot de passe de l'équipe marketing", type="password")
    submitted = st.form_submit_button("Enregistrer et entrer", type="primary")
if submitted:
    try:
        signed_in = first_run.choose_passwords(
            store(),
            token,
            configured,
            now(),
            organiser=organiser,
            organiser_again=organiser_again,
            marketing=marketing,
            marketing_again=marketing_again,
        )
    except CafeError as exc:
        st.error(exc.message)
    else:
        del st.query_params[first_run.FIRST_RUN_PARAM]  # the link is dead: out of the address
        keep_signed_in(signed_in)
        st.session_state[FIRST_RUN_DONE_KEY] = st.session_state[FIRST_RUN_USED_KEY] = True
        st.switch_page("pages/home.py")
