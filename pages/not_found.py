"""An address no page carries (a mistyped link, an old bookmark): say so in French, point the way."""

import streamlit as st

from facilitation.domain.actors import MARKETING
from ui.access import RESIDENTS_WAY_IN, staff_role

st.title("Page introuvable")
st.write(
    "Cette adresse ne correspond à aucune page de Café concertation : le lien est peut-être mal "
    "recopié ou ancien. Choisissez où aller :"
)
st.page_link("pages/home.py", label="Accueil", icon="☕")
st.page_link("pages/captain.py", label="Ma table (capitaine)", icon="📝")
if staff_role() == MARKETING:  # the organiser's pages are not in this session's menu
    st.page_link("pages/library.py", label="Bibliothèque", icon="📚")
else:
    st.page_link("pages/organiser_cafes.py", label="Espace organisateur", icon="🗂️")
st.info(RESIDENTS_WAY_IN)
