"""Organiser: privacy (RGPD) — names to mask, erasure on request, retention, audit log."""

import pandas as pd
import streamlit as st

from facilitation.domain.wording import plural, shorten
from facilitation.services import audit, rgpd
from ui.access import require_organiser, sign_out_everyone
from ui.display import literal_markdown, show_literal
from ui.organiser import current_cafe
from ui.runtime import app, end_page, settings, show_errors, store

require_organiser()
st.title("Confidentialité et journal")
cafe = current_cafe()
config = settings()
database = store()

st.header("Noms à masquer")
st.caption(
    "Masqués sur tous les écrans et dans tous les documents ; le texte original ne se lit que dans "
    "« Animer » (« Afficher le texte original », inscrit au journal)."
)
names = rgpd.masked_names(store(), cafe.id)
for name in names:
    left, right = st.columns([4, 1])
    with left:
        show_literal(name)
    if right.button("Retirer", key=f"unflag_{name}") and show_errors(
        rgpd.unflag_name, store(), cafe.id, name
    ):
        st.rerun()
with st.form("flag", clear_on_submit=True):
    name = st.text_input("Ajouter un nom à masquer", max_chars=60)
    if st.form_submit_button("Ajouter") and show_errors(
        rgpd.flag_name, store(), cafe.id, name, by_organiser=True
    ):
        st.rerun()
pending = rgpd.names_to_confirm(store(), cafe.id)
if pending:
    st.subheader("Signalés par les capitaines, à confirmer")
    st.caption("Un nom signalé par un capitaine n'est masqué qu'une fois confirmé ici.")
for name in pending:
    left, confirm, refuse = st.columns([3, 1, 1])
    with left:
        show_literal(name)
    if confirm.button("Confirmer", key=f"confirm_{name}") and show_errors(
        rgpd.confirm_name, store(), cafe.id, name
    ):
        st.rerun()
    if refuse.button("Refuser", key=f"refuse_{name}") and show_errors(
        rgpd.unflag_name, store(), cafe.id, name
    ):
        st.rerun()

st.header("Effacer sur demande")
listed = rgpd.contributions_of(store(), cafe.id)
if listed:
    by_id = {c.id: c for c in listed}
    with st.form("erase_contribution"):
        chosen = st.selectbox(
            "Contribution à effacer définitivement",
            list(by_id),
            format_func=lambda cid: shorten(by_id[cid].text, 100),
        )
        if st.form_submit_button("Effacer définitivement"):
            removed = show_errors(rgpd.erase_contribution, store(), cafe.id, chosen)
            if removed is not None:
                st.success(
                    "Contribution effacée, y compris des récoltes. "
                    f"{plural(removed, 'document généré supprimé', 'documents générés supprimés')} : "
                    "regénérez-les."
                )
with st.form("erase_cafe"):
    st.markdown("Effacer **tout le café** (contributions, récoltes, fiches, documents) : recopiez son titre.")
    typed = st.text_input("Titre du café")
    if st.form_submit_button("Effacer tout le café"):
        erased = show_errors(rgpd.erase_cafe, store(), cafe.id, confirm_title=typed)
        if erased:
            del st.query_params["cafe"]
            st.success(f"Le café « {literal_markdown(erased)} » et tout ce qui en découlait ont été effacés.")
            end_page()

st.header("Durée de conservation")
st.markdown(
    f"Les contributions brutes sont effacées **{plural(config.cafe_retention_days, 'jour')}** "
    "après la date du café "
    "(réglage `CAFE_RETENTION_DAYS`) ; synthèses, fiches et documents restent."
)
if st.button("Appliquer la durée de conservation maintenant"):
    report = show_errors(rgpd.purge_expired, store(), app().limits.retention_days)
    if report is not None:
        st.success(
            f"{plural(report.contributions, 'contribution effacée', 'contributions effacées')} "
            f"dans {plural(len(report.cafes), 'café')}."
        )

st.header("Sessions de l'équipe")
st.caption(
    "Une adresse de page organisateur ou marketing copiée, photographiée ou restée ouverte garde la "
    "session 12 h. Ce bouton ferme toutes les sessions, la vôtre comprise : il faudra entrer à "
    "nouveau le mot de passe partout."
)
if st.button("Déconnecter toutes les sessions"):
    if sign_out_everyone() is not None:
        st.rerun()

st.header("Journal d'audit")
records = audit.audit_records(store(), timezone=config.cafe_timezone, limit=500)
st.dataframe(pd.DataFrame(records, columns=audit.AUDIT_COLUMNS), hide_index=True, width="stretch")
st.download_button(
    "Exporter le journal (CSV)",
    # Built when clicked: the whole journal, newest first, for Excel.
    data=lambda: app().documents.audit_log(database, timezone=config.cafe_timezone)[1],
    file_name="journal-audit.csv",
    mime="text/csv",
)
