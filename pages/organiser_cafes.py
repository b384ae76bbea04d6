"""Organiser: list, create and archive cafés."""

import pandas as pd
import streamlit as st

from facilitation.services import cafes
from ui.access import require_organiser
from ui.display import cafe_state, literal_markdown
from ui.form_keys import minted_key, renew_key
from ui.organiser import cafe_details, cafe_names, choose
from ui.runtime import end_page, show_errors, store

require_organiser()
st.title("Cafés concertation")

existing = cafes.list_cafes(store(), include_archived=True)

create_key = minted_key("create_cafe")
with st.expander("➕ Créer un café", expanded=not existing), st.form(f"create_cafe_{create_key}"):
    details = cafe_details()
    if st.form_submit_button("Créer le café", type="primary"):
        created = show_errors(cafes.create_cafe, store(), details, cafe_id=create_key)
        if created:
            renew_key("create_cafe")
            choose(created.id)
            title = literal_markdown(created.title)
            st.success(f"Café créé : {title}. Ajoutez ses tours et ses tables dans « Préparer ».")
            existing = cafes.list_cafes(store(), include_archived=True)

show_archived = st.toggle("Montrer les cafés archivés")
shown = [c for c in existing if show_archived or c.archived_at is None]
if not shown:
    st.info("Aucun café à afficher.")
    end_page()

st.dataframe(
    pd.DataFrame(
        {
            "Date": [c.held_on.strftime("%d/%m/%Y") for c in shown],
            "Titre": [c.title for c in shown],
            "Lieu": [c.place.label() for c in shown],
            "Thème": [c.theme.value for c in shown],
            "État": [cafe_state(c) or "en préparation / en cours" for c in shown],
            "Identifiant": [c.id for c in shown],
        }
    ),
    hide_index=True,
    width="stretch",
)

st.subheader("Archiver")
by_id = {c.id: c for c in shown}
target = st.selectbox("Café", list(by_id), format_func=cafe_names(shown).get)
archived = by_id[target].archived_at is not None
if st.button("Désarchiver" if archived else "Archiver ce café"):
    if show_errors(cafes.set_archived, store(), target, not archived):
        st.rerun()
