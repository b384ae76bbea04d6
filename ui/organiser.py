"""The café the organiser is working on, shared by the organiser pages (kept in the URL)."""

from __future__ import annotations

import streamlit as st

from facilitation.cafes import list_cafes
from facilitation.domain import Cafe
from ui.runtime import store

CAFE_PARAM = "cafe"


def cafe_label(cafe: Cafe) -> str:
    state = " (archivé)" if cafe.archived_at else " (terminé)" if cafe.closed_at else ""
    return f"{cafe.held_on:%d/%m/%Y} — {cafe.title}{state}"


def choose(cafe_id: str) -> None:
    st.query_params[CAFE_PARAM] = cafe_id


def current_cafe() -> Cafe:
    """Selector of the café to work on; stops the page when there is none yet."""
    cafes = list_cafes(store(), include_archived=True)
    if not cafes:
        st.info("Aucun café pour l'instant : créez-en un dans la page « Cafés ».")
        st.page_link("pages/organiser_cafes.py", label="Créer un café", icon="🗂️")
        st.stop()
    by_id = {cafe.id: cafe for cafe in cafes}
    wanted = st.query_params.get(CAFE_PARAM)
    index = list(by_id).index(wanted) if wanted in by_id else 0
    chosen = st.selectbox(
        "Café", list(by_id), index=index, format_func=lambda cafe_id: cafe_label(by_id[cafe_id])
    )
    choose(chosen)
    return by_id[chosen]
