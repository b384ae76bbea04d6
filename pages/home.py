"""Welcome page: who are you?"""

import streamlit as st

from facilitation.domain.actors import MARKETING
from facilitation.domain.errors import CafeError
from facilitation.services import first_run
from ui.access import FIRST_RUN_DONE_KEY, FIRST_RUN_HINT, RESIDENTS_WAY_IN, configured_passwords, staff_role
from ui.runtime import store_or_raise

st.title("☕ Café concertation")
if st.session_state.pop(FIRST_RUN_DONE_KEY, False):
    st.success("Mot de passe enregistré : vous êtes connecté comme organisateur (menu de gauche).")
try:
    first_start = first_run.needs_first_run(store_or_raise(), configured_passwords())
except CafeError:
    first_start = False  # the database is away: the organiser's pages say so
if first_start:
    st.warning(FIRST_RUN_HINT, icon="🔑")
st.markdown(
    "Des cafés conviviaux avec les habitants, table par table, pour faire remonter leurs idées "
    "vers l'Atelier d'innovation."
)
left, right = st.columns(2)
with left:
    st.subheader("Capitaine de table")
    st.write("Saisissez les idées de votre table avec le code donné par l'organisateur.")
    st.page_link("pages/captain.py", label="Ouvrir ma table", icon="📝")
with right:
    if staff_role() == MARKETING:  # the organiser's pages are not in this session's menu
        st.subheader("Équipe marketing")
        st.write(
            "Retrouvez les cafés passés et leurs documents ; écrivez, illustrez et commentez les fiches "
            "d'observation du terrain."
        )
        st.page_link("pages/library.py", label="Bibliothèque", icon="📚")
        st.page_link("pages/fiches_exchange.py", label="Échanges et comités", icon="🗳️")
    else:
        st.subheader("Organisateur")
        st.write("Préparez un café, imprimez les QR codes, animez les tours.")
        st.page_link("pages/organiser_cafes.py", label="Espace organisateur", icon="🗂️")
st.info(RESIDENTS_WAY_IN)
