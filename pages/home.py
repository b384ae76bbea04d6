"""Welcome page: who are you?"""

import streamlit as st

from facilitation.audit import MARKETING
from ui.access import staff_role

st.title("☕ Café concertation")
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
st.info("Habitants : scannez le QR code posé sur votre table pour participer depuis votre téléphone.")
