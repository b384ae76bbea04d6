"""Organiser: the fiches d'observation of a café — edit follow-up, committee, status; generate documents."""

import streamlit as st

from facilitation.adapters.clock import local_time
from facilitation.domain.model import Committee, FicheStatus
from facilitation.domain.wording import plural
from facilitation.services import synthesis
from ui.access import require_organiser
from ui.display import literal_markdown, show_literal
from ui.organiser import current_cafe
from ui.runtime import app, settings, show_errors, store

require_organiser()
st.title("Fiches d'observation et documents")
cafe = current_cafe()
config = settings()
database = store()
service = app().documents

sheets = show_errors(synthesis.fiche_sheets, store(), cafe.id) or []
if not sheets:
    st.info(
        "Aucun groupe retenu pour ce café : dans la page « Récolte », choisissez les groupes à retenir "
        "pour les fiches."
    )
committees, statuses = [c.value for c in Committee], [s.value for s in FicheStatus]
for sheet in sheets:
    label = literal_markdown(sheet.topic.label)
    with st.expander(f"{label} — {sheet.fiche.status.value} — {sheet.fiche.committee.value}"):
        st.markdown(
            f"**{plural(sheet.topic.size, 'contribution')}, {plural(sheet.topic.supports, 'soutien')}**"
        )
        for verbatim in sheet.topic.verbatims:
            show_literal(f"« {verbatim} »")
        if sheet.related:
            st.markdown("**Déjà entendu :** ")
            for related in sheet.related:
                show_literal(f"{related.held_on} · {related.cafe_title} : {related.label}")
        with st.form(f"fiche_{sheet.topic.key}"):
            follow_up = st.text_area("Suite proposée", value=sheet.fiche.follow_up)
            committee = st.selectbox(
                "Comité destinataire", committees, index=committees.index(sheet.fiche.committee.value)
            )
            status = st.selectbox("Statut", statuses, index=statuses.index(sheet.fiche.status.value))
            if st.form_submit_button("Enregistrer la fiche") and show_errors(
                synthesis.update_fiche,
                store(),
                cafe.id,
                sheet.topic.key,
                follow_up=follow_up,
                committee=committee,
                status=status,
            ):
                st.rerun()
        st.download_button(
            "Télécharger cette fiche (PDF)",
            # Built only when clicked, from the data as it is then.
            data=lambda db=database, key=sheet.topic.key: service.fiche(db, cafe.id, key)[1],
            file_name=f"fiche-{sheet.topic.key}.pdf",
            mime="application/pdf",
            key=f"dl_{sheet.topic.key}",
        )

st.header("Générer un document")
st.caption(
    "Chaque génération est gardée dans la bibliothèque avec sa date : regénérez après des corrections."
)
kind = st.selectbox("Document", service.kinds, format_func=service.label)
if st.button("Générer", type="primary"):
    with st.spinner("Génération…"):
        made = show_errors(
            service.generate,
            store(),
            cafe.id,
            kind,
        )
    if made:
        st.success(
            f"{service.label(kind)} — version {made.version} générée le "
            f"{local_time(made.generated_at, config.cafe_timezone):%d/%m/%Y à %H:%M}."
        )
        st.download_button("Télécharger", data=made.content, file_name=made.filename, key="dl_generated")
