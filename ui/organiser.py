"""The café the organiser is working on, shared by the organiser pages (kept in the URL)."""

from __future__ import annotations

import streamlit as st

from facilitation.domain.model import Cafe, Theme
from facilitation.domain.wording import cafe_labels
from facilitation.services.cafes import CafeDetails, list_cafes
from ui.display import cafe_state
from ui.runtime import end_page, store, today

CAFE_PARAM = "cafe"


def cafe_names(cafes: list[Cafe]) -> dict[str, str]:
    """{café id: label} for every café selector: title, date and place (one wording helper,
    facilitation.domain.wording.cafe_labels), then the state (clôturé, archivé)."""
    by_id = {cafe.id: cafe for cafe in cafes}
    names = {}
    for cafe_id, label in cafe_labels(cafes).items():
        state = cafe_state(by_id[cafe_id])
        names[cafe_id] = label + (f" ({state})" if state else "")
    return names


def choose(cafe_id: str) -> None:
    st.query_params[CAFE_PARAM] = cafe_id


def current_cafe() -> Cafe:
    """Selector of the café to work on; stops the page when there is none yet."""
    cafes = list_cafes(store(), include_archived=True)
    if not cafes:
        st.info("Aucun café pour l'instant : créez-en un dans la page « Cafés ».")
        st.page_link("pages/organiser_cafes.py", label="Créer un café", icon="🗂️")
        end_page()
    by_id = {cafe.id: cafe for cafe in cafes}
    names = cafe_names(cafes)
    wanted = st.query_params.get(CAFE_PARAM)
    index = list(by_id).index(wanted) if wanted in by_id else 0
    chosen = st.selectbox("Café", list(by_id), index=index, format_func=names.get)
    choose(chosen)
    return by_id[chosen]


def cafe_details(cafe: Cafe | None = None) -> CafeDetails:
    """The café's fields, drawn inside a form (blank for a new café); returns what was typed."""
    themes = [t.value for t in Theme]
    title = st.text_input(
        "Titre", value=cafe.title if cafe else "", placeholder="Café concertation — Bien vivre aux Tilleuls"
    )
    held_on = st.date_input("Date", value=cafe.held_on if cafe else today(), format="DD/MM/YYYY")
    theme = st.selectbox("Thème de l'Atelier", themes, index=themes.index(cafe.theme.value) if cafe else 0)
    col1, col2, col3 = st.columns(3)
    residence = col1.text_input("Résidence", value=cafe.place.residence if cafe else "")
    quartier = col2.text_input("Quartier", value=cafe.place.quartier if cafe else "")
    commune = col3.text_input("Commune", value=cafe.place.commune if cafe else "")
    description = st.text_area(
        "Description montrée aux habitants",
        value=cafe.description if cafe else "",
        placeholder="Venez partager vos idées…",
    )
    return CafeDetails(title, held_on, theme, residence, quartier, commune, description)
