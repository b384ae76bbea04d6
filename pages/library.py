"""Marketing team: every café and its documents, filters, and full-text search in contributions."""

import datetime as dt

import streamlit as st

from facilitation.adapters.clock import local_time
from facilitation.domain.model import FicheStatus, Theme
from facilitation.domain.word_matching import MAX_QUERY_CHARS
from facilitation.domain.wording import counted, plural
from facilitation.services import documents, library_search
from facilitation.services.harvest import CafeFilter
from ui.access import require_staff
from ui.display import literal_markdown, show_highlighted
from ui.runtime import app, settings, show_errors, store, today

require_staff()
st.title("Bibliothèque")
timezone = settings().cafe_timezone
database = store()
service = app().documents

# The same filters serve the search and the list of cafés.
col_from, col_to, col_place, col_theme, col_status = st.columns(5)
date_from = col_from.date_input("Du", value=dt.date(2020, 1, 1), format="DD/MM/YYYY")
date_to = col_to.date_input("Au", value=today() + dt.timedelta(days=365), format="DD/MM/YYYY")
place = col_place.text_input("Lieu contient")
theme = col_theme.selectbox("Thème", [t.value for t in Theme], index=None, placeholder="tous")
filters = CafeFilter(date_from, date_to, place, theme)
status = col_status.selectbox(
    "Fiches au statut", [s.value for s in FicheStatus], index=None, placeholder="tous"
)


def show_document(document, title: str) -> None:
    left, right = st.columns([4, 1])
    left.markdown(f"{title}, générée le {local_time(document.generated_at, timezone):%d/%m/%Y à %H:%M}")
    right.download_button(
        "Télécharger",
        # Read from the database only when clicked.
        data=lambda db=database, doc_id=document.id: service.download(db, doc_id).content,
        file_name=document.filename,
        key=f"doc_{document.id}",
    )


search_tab, cafes_tab = st.tabs(["Rechercher dans les contributions", "Cafés et documents"])
with search_tab:
    with st.form("search"):
        query = st.text_input("Mots recherchés", placeholder="ascenseur panne", max_chars=MAX_QUERY_CHARS)
        searched = st.form_submit_button("Rechercher")
    if searched:
        hits = show_errors(
            library_search.search,
            store(),
            query,
            filters,
        )
        if hits is not None:
            st.markdown(f"**{plural(len(hits), 'contribution trouvée', 'contributions trouvées')}**")
            for hit in hits:
                with st.container(border=True):
                    show_highlighted(hit.pieces)
                    st.caption(
                        literal_markdown(
                            f"{hit.cafe.held_on:%d/%m/%Y} · {hit.cafe.title} · {hit.cafe.place.label()} · "
                            f"{hit.table.label()}"
                        )
                    )

with cafes_tab:
    entries = (
        show_errors(
            documents.library,
            store(),
            filters,
            status=status,
        )
        or []
    )
    st.markdown(f"**{plural(len(entries), 'café')}**")
    for entry in entries:
        cafe = entry.cafe
        statuses = ", ".join(counted(n, label) for label, n in entry.fiche_statuses.items()) or "aucune fiche"
        where = literal_markdown(f"{cafe.title} — {cafe.place.label()}")
        with st.expander(f"{cafe.held_on:%d/%m/%Y} — {where} — {cafe.theme.value}"):
            st.caption(f"Fiches : {statuses}")
            for fiche in entry.fiches:
                left, right = st.columns([4, 1])
                left.markdown(
                    f"Fiche « {literal_markdown(fiche.label)} » — {fiche.status} — {fiche.committee}"
                )
                right.download_button(
                    "PDF",
                    # Built from the current data when clicked.
                    data=lambda db=database, cid=cafe.id, key=fiche.topic_key: service.fiche(db, cid, key)[1],
                    file_name=f"fiche-{fiche.topic_key}.pdf",
                    mime="application/pdf",
                    key=f"fiche_{cafe.id}_{fiche.topic_key}",
                )
            if not entry.documents:
                st.caption("Aucun document généré : générez-les depuis la page « Fiches et documents ».")
            for group in entry.by_kind(service.kinds):
                name = service.label(group.kind)
                show_document(group.latest, f"{name} — **dernière version** ({group.latest.version})")
                if group.older and st.toggle(
                    f"Voir {plural(len(group.older), 'version précédente', 'versions précédentes')}",
                    key=f"older_{cafe.id}_{group.kind}",
                ):
                    for document in group.older:
                        show_document(document, f"{name} — version {document.version}")
