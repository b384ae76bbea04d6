"""Café concertation: the router. Residents holding a table's link never get another page.

Every run registers the same pages under the same addresses, whoever is signed in: an address
typed, bookmarked, reloaded or sent by a colleague always finds its page (which then checks who
may see it), and an address no page carries opens a French « page introuvable », never
Streamlit's English « Page not found » dialog."""

import contextlib

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from facilitation.domain.access import JOIN_PARAM, WALL_PARAM
from facilitation.domain.actors import MARKETING
from facilitation.services.first_run import FIRST_RUN_PARAM
from ui.access import FIRST_RUN_USED_KEY, navigation_role
from ui.french import french_interface
from ui.navigation import unknown_address
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

# (script, title, icon, address) of every page but the home page.
CAFE_PAGES = [("pages/captain.py", "Ma table (capitaine)", "📝", "capitaine")]
ORGANISER_PAGES = [
    ("pages/organiser_cafes.py", "Cafés", "🗂️", "cafes"),
    ("pages/organiser_prepare.py", "Préparer", "🛠️", "preparer"),
    ("pages/organiser_run.py", "Animer", "⏱️", "animer"),
    ("pages/organiser_qr.py", "QR codes des tables", "🔳", "qr"),
    ("pages/wall.py", "Mur (projection)", "📽️", "mur"),
    ("pages/organiser_harvest.py", "Récolte", "🧺", "recolte"),
    ("pages/organiser_fiches.py", "Fiches et documents", "📄", "fiches"),
    ("pages/organiser_privacy.py", "Confidentialité", "🔒", "confidentialite"),
]
SHARED_PAGES = [
    ("pages/fiches_exchange.py", "Échanges et comités", "🗳️", "comites"),
    ("pages/library.py", "Bibliothèque", "📚", "bibliotheque"),
]
ADDRESSES = {address for *_, address in CAFE_PAGES + ORGANISER_PAGES + SHARED_PAGES}
unknown = unknown_address(ADDRESSES)


def only(script: str, title: str, icon: str) -> StreamlitPage:
    """A link that opens one page: that page is the default, and every other address (known or
    not) is registered hidden as that same page, so it lands back there instead of elsewhere."""
    aliases = [
        st.Page(script, title=title, icon=icon, url_path=address, visibility="hidden")
        for address in sorted(ADDRESSES | ({unknown} if unknown else set()))
    ]
    return st.navigation([st.Page(script, title=title, icon=icon, default=True), *aliases], position="hidden")


def pages(entries: list[tuple[str, str, str, str]], *, hidden: bool = False) -> list[StreamlitPage]:
    visibility = "hidden" if hidden else "visible"
    return [
        st.Page(script, title=title, icon=icon, url_path=address, visibility=visibility)
        for script, title, icon, address in entries
    ]


if resident_link:
    navigation = only("pages/resident_moved.py", "Participer", "💬")
elif wall_link:
    # No staff page runs: another page's address lands back on the wall, which checks the link.
    navigation = only("pages/wall.py", "Mur", "📽️")
elif first_run_link:
    # The home page too, registered under the same address as in the normal menu: the page
    # switches there once the password is chosen.
    first_run_pages = [
        st.Page("pages/first_run.py", title="Premier démarrage", icon="🔑", default=True),
        st.Page("pages/home.py", title="Accueil", icon="☕"),
    ]
    navigation = st.navigation(first_run_pages, position="hidden")
else:
    # The marketing team is shown only its pages, from a bookmark's first run too; the organiser's
    # stay registered (an address still opens them, and their gate refuses) but out of its menu.
    marketing = navigation_role() == MARKETING
    cafe = [st.Page("pages/home.py", title="Accueil", icon="☕", default=True), *pages(CAFE_PAGES)]
    if unknown:
        cafe.append(
            st.Page(
                "pages/not_found.py",
                title="Page introuvable",
                icon="❓",
                url_path=unknown,
                visibility="hidden",
            )
        )
    staff = (
        pages(SHARED_PAGES) + pages(ORGANISER_PAGES, hidden=True)
        if marketing
        else pages(ORGANISER_PAGES) + pages(SHARED_PAGES)
    )
    navigation = st.navigation(
        {"Café concertation": cafe, "Équipe marketing" if marketing else "Organisation": staff}
    )
french_interface()  # Streamlit's own English words, in French on every page
with contextlib.suppress(PageDone):  # a page ended by end_page() finishes its run (see there)
    navigation.run()
