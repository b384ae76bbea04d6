"""The Atelier's exchange: every fiche (cafés and field), its thread, its committee decisions."""

import streamlit as st

from facilitation.adapters.clock import local_time
from facilitation.adapters.photos import MAX_PHOTOS
from facilitation.domain.access import new_id
from facilitation.domain.actors import ORGANISER
from facilitation.domain.model import Committee, FicheStatus, Theme
from facilitation.domain.wording import plural
from facilitation.services import exchange
from ui.access import require_staff
from ui.display import literal_markdown, show_literal
from ui.runtime import app, settings, show_errors, store, today

role = require_staff()
# The marketing team writes field fiches (with their photos) and comments, under its own name in the
# audit log; only the organiser records a committee's decision.
organiser = role == ORGANISER
st.title("Fiches d'observation : échanges et comités")
timezone = settings().cafe_timezone
committees, statuses = [c.value for c in Committee], [s.value for s in FicheStatus]

all_tab, agenda_tab, new_tab = st.tabs(
    ["Toutes les fiches", "Ordre du jour d'un comité", "Nouvelle fiche de terrain"]
)

with all_tab:
    left, right = st.columns(2)
    committee = left.selectbox("Comité", committees, index=None, placeholder="tous")
    status = right.selectbox("Statut", statuses, index=None, placeholder="tous")
    cards = show_errors(exchange.all_fiches, store(), committee=committee, status=status) or []
    st.markdown(f"**{plural(len(cards), 'fiche')}**")
    for card in cards:
        heading = f"{card.title} — {card.source} — {card.status.value} — {card.committee.value}"
        with st.expander(literal_markdown(heading)):
            signed = card.signature[:1].upper() + card.signature[1:]
            facts = f"{signed} · {card.where} · {card.when:%d/%m/%Y} · {card.theme.value}"
            st.caption(literal_markdown(facts))
            show_literal(card.summary)
            pictures = exchange.fiche_photos(store(), card.ref)
            if pictures:
                st.image(pictures, width=220)
            if len(pictures) < MAX_PHOTOS:
                with st.form(f"photos_{card.ref}", clear_on_submit=True):
                    added = st.file_uploader(
                        f"Ajouter des photos ({MAX_PHOTOS} au plus par fiche)",
                        type="image",  # any image; the use case refuses in French what is no photo
                        accept_multiple_files=True,
                    )
                    if st.form_submit_button("Ajouter les photos") and show_errors(
                        exchange.add_photos,
                        store(),
                        card.ref,
                        [(file.name, file.getvalue()) for file in added or []],
                    ):
                        st.rerun()
            if card.follow_up:
                st.markdown("**Suite proposée**")
                show_literal(card.follow_up)
            history = exchange.decisions(store(), card.ref)
            if history:
                st.markdown("**Décisions**")
                for decision in history:
                    when = local_time(decision.at, timezone).strftime("%d/%m/%Y à %H:%M")
                    show_literal(
                        f"{when} — {decision.status.value}, {decision.committee.value} — décidé par "
                        f"{decision.decided_by} (saisi par {decision.actor})"
                        + (f" : {decision.note}" if decision.note else "")
                    )
            st.markdown("**Échanges**")
            thread = exchange.comments(store(), card.ref)
            if not thread:
                st.caption("Pas encore de commentaire.")
            for comment in thread:
                with st.container(border=True):
                    when = f"{local_time(comment.at, timezone):%d/%m/%Y à %H:%M}"
                    st.caption(literal_markdown(f"{comment.author} — {when}"))
                    show_literal(comment.text)
            with st.form(f"comment_{card.ref}", clear_on_submit=True):
                author = st.text_input("Votre nom", max_chars=120)
                text = st.text_area("Commentaire", max_chars=exchange.MAX_COMMENT_CHARS)
                if st.form_submit_button("Publier le commentaire") and show_errors(
                    exchange.add_comment, store(), card.ref, author=author, text=text
                ):
                    st.rerun()
            if not organiser:
                continue
            with st.form(f"decide_{card.ref}"):
                st.markdown("**Enregistrer une décision**")
                chosen_status = st.selectbox(
                    "Nouveau statut", statuses, index=statuses.index(card.status.value)
                )
                chosen_committee = st.selectbox(
                    "Comité", committees, index=committees.index(card.committee.value), key=f"c_{card.ref}"
                )
                decided_by = st.text_input("Décidé par", placeholder="Comité du 3 décembre, présidé par …")
                note = st.text_area("Note", height=80)
                if st.form_submit_button("Enregistrer la décision") and show_errors(
                    exchange.decide,
                    store(),
                    card.ref,
                    status=chosen_status,
                    committee=chosen_committee,
                    decided_by=decided_by,
                    note=note,
                ):
                    st.rerun()


def new_field_fiche_form() -> None:
    # Minted when the form is drawn: a double click on « Créer » makes one fiche.
    st.session_state.setdefault("field_fiche_id", new_id())
    with st.form("field_fiche"):
        title = st.text_input("Titre", max_chars=200)
        observation = st.text_area("Observation", max_chars=exchange.MAX_OBSERVATION_CHARS, height=160)
        author_col, date_col = st.columns(2)
        author = author_col.text_input("Auteur (nom, service ou partenaire)", max_chars=120)
        observed_on = date_col.date_input("Date de l'observation", value=today(), format="DD/MM/YYYY")
        place_col, theme_col, committee_col = st.columns(3)
        place = place_col.text_input("Lieu (résidence, quartier, commune)", max_chars=200)
        theme = theme_col.selectbox("Thème de l'Atelier", [t.value for t in Theme], index=None)
        committee_choice = committee_col.selectbox(
            "Comité destinataire", committees, index=None, placeholder="selon le thème"
        )
        follow_up = st.text_area("Suite proposée (facultatif)", height=80)
        attached = st.file_uploader(
            # Any image may be picked (phones show their gallery): the use case refuses in French what
            # is not a JPEG, PNG or WebP photo, where Streamlit would refuse an extension in English.
            "Photos (facultatif, 4 au plus)",
            type="image",
            accept_multiple_files=True,
        )
        if st.form_submit_button("Créer la fiche", type="primary"):
            created = show_errors(
                exchange.create_field_fiche,
                store(),
                title=title,
                observation=observation,
                author=author,
                observed_on=observed_on,
                place=place,
                theme=theme,
                committee=committee_choice,
                follow_up=follow_up,
                photos=[(file.name, file.getvalue()) for file in attached or []],
                fiche_id=st.session_state["field_fiche_id"],
            )
            if created:
                st.session_state["field_fiche_id"] = new_id()
                done = f"Fiche « {created.title} » créée : elle attend le {created.committee.value}."
                st.success(literal_markdown(done))


with new_tab:
    new_field_fiche_form()

with agenda_tab:
    chosen = st.selectbox("Comité", committees, key="agenda_committee")
    agenda = show_errors(exchange.committee_agenda, store(), chosen)
    if agenda:
        st.markdown(f"**{plural(len(agenda.fiches), 'fiche')} en attente d'une décision**")
        for number, card in enumerate(agenda.fiches, start=1):
            show_literal(f"{number}. {card.title} — {card.signature}, {card.where}, {card.when:%d/%m/%Y}")
            for line in agenda.figures.get(card.ref, []):  # a café's fiche: its provenance and agreement
                st.caption(literal_markdown(line))
        st.download_button(
            "Télécharger l'ordre du jour (PDF)",
            data=lambda: app().documents.agenda(store(), agenda)[1],
            file_name=app().documents.agenda_filename(agenda),
            mime="application/pdf",
        )
