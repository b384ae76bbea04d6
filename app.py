"""Café concertation: the router. Residents holding a table's link never get another page."""

import contextlib

import streamlit as st

from facilitation.access import JOIN_PARAM, WALL_PARAM
from facilitation.audit import MARKETING
from facilitation.first_run import FIRST_RUN_PARAM
from ui.access import FIRST_RUN_USED_KEY, navigation_role
from ui.display import hide_english_hints
from ui.runtime import PageDone

resident_link = JOIN_PARAM in st.query_params
# The wall's own link (projected, photographed): the wall of its café and nothing else.
wall_link = not resident_link and WALL_PARAM in st.query_params
# The one-time link printed at the first start: the page to choose the passwords, nothing else.
# Once used in this tab, the normal pages follow (even before the browser's address is updated).
first_run_link = (
    not resident_link
    and not wall_link
    and FIRST_RUN_PARAM in st.query_params
    and not st.session_state.get(FIRST_RUN_USED_KEY)
)

st.set_page_config(
    page_title="Café concertation",
    page_icon="☕",
    layout="centered" if resident_link else "wide",
    initial_sidebar_state="collapsed" if resident_link or wall_link else "auto",
)

if resident_link:
    # Nothing else is registered: typing another page's URL lands back on this one.
    pages = [st.Page("pages/resident_moved.py", title="Participer", icon="💬", default=True)]
    navigation = st.navigation(pages, position="hidden")
elif wall_link:
    # No staff page is registered: another page's URL lands back on the wall, which checks the link.
    pages = [st.Page("pages/wall.py", title="Mur", icon="📽️", default=True)]
    navigation = st.navigation(pages, position="hidden")
elif first_run_link:
    # The home page too, registered under the same address as in the normal menu: the page
    # switches there once the password is chosen (a page missing from the next run's menu would
    # show Streamlit's « Page not found »).
    pages = [
        st.Page("pages/first_run.py", title="Premier démarrage", icon="🔑", default=True),
        st.Page("pages/home.py", title="Accueil", icon="☕"),
    ]
    navigation = st.navigation(pages, position="hidden")
else:
    shared = [
        st.Page("pages/fiches_exchange.py", title="Échanges et comités", icon="🗳️", url_path="comites"),
        st.Page("pages/library.py", title="Bibliothèque", icon="📚", url_path="bibliotheque"),
    ]
    organiser_only = [
        st.Page("pages/organiser_cafes.py", title="Cafés", icon="🗂️", url_path="cafes"),
        st.Page("pages/organiser_prepare.py", title="Préparer", icon="🛠️", url_path="preparer"),
        st.Page("pages/organiser_run.py", title="Animer", icon="⏱️", url_path="animer"),
        st.Page("pages/organiser_qr.py", title="QR codes des tables", icon="🔳", url_path="qr"),
        st.Page("pages/wall.py", title="Mur (projection)", icon="📽️", url_path="mur"),
        st.Page("pages/organiser_harvest.py", title="Récolte", icon="🧺", url_path="recolte"),
        st.Page("pages/organiser_fiches.py", title="Fiches et documents", icon="📄", url_path="fiches"),
        st.Page("pages/organiser_privacy.py", title="Confidentialité", icon="🔒", url_path="confidentialite"),
    ]
    # The marketing team is shown only its pages, from a bookmark's first run too; the organiser's
    # stay gated all the same.
    marketing = navigation_role() == MARKETING
    navigation = st.navigation(
        {
            "Café concertation": [
                st.Page("pages/home.py", title="Accueil", icon="☕", default=True),
                st.Page("pages/captain.py", title="Ma table (capitaine)", icon="📝", url_path="capitaine"),
            ],
            "Équipe marketing" if marketing else "Organisation": shared
            if marketing
            else organiser_only + shared,
        }
    )
hide_english_hints()
with contextlib.suppress(PageDone):  # a page ended by end_page() finishes its run (see there)
    navigation.run()
