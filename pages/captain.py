"""Captain's laptop: record what the table says, as fast as people talk."""

import streamlit as st

from facilitation import contributions, rgpd
from facilitation.domain import Kind, Profile, Source
from ui.access import captain_context, leave_table
from ui.display import literal_markdown, local_time, question, readable_type, show_literal
from ui.runtime import settings, show_errors, store
from ui.submission import feedback, restore_draft, submit

context = captain_context()
readable_type()
config = settings()
cafe_id, table_number = context.cafe.id, context.table.number

head, leave = st.columns([4, 1])
head.title(literal_markdown(context.table.label()), anchor=False)
head.caption(literal_markdown(f"{context.cafe.title} · code {context.table.code}"))
if leave.button("Changer de table"):
    leave_table()
    st.rerun()

if not context.accepting:
    st.info(context.closed_message())
else:
    st.caption(f"Tour {context.open_round.position}")
    question(context.open_round.question)

    def store_capture(text: str, submission_id: str):
        return contributions.submit_contribution(
            store(),
            cafe_id=cafe_id,
            table_number=table_number,
            text=text,
            source=Source.CAPTAIN,
            submission_id=submission_id,
            max_chars=config.cafe_max_contribution_chars,
            kind=st.session_state.get("capture_kind"),
            profile=st.session_state.get("capture_profile"),
            agreement_count=st.session_state.get("capture_agreement"),
        )

    restore_draft("capture", "capture_text")
    with st.form("capture", enter_to_submit=True):
        st.text_input(
            "Contribution",
            key="capture_text",
            max_chars=config.cafe_max_contribution_chars,
            placeholder="Tapez ce qui est dit, puis Entrée",
        )
        kind_col, profile_col, agree_col = st.columns(3)
        kind_col.selectbox(
            "Type", [k.value for k in Kind], index=None, key="capture_kind", placeholder="facultatif"
        )
        profile_col.selectbox(
            "Profil", [p.value for p in Profile], index=None, key="capture_profile", placeholder="facultatif"
        )
        agree_col.number_input(
            "Combien sont d'accord ?", min_value=0, max_value=500, value=None, key="capture_agreement"
        )
        st.form_submit_button(
            "Enregistrer (Entrée)",
            type="primary",
            on_click=submit,
            args=(
                "capture",
                "capture_text",
                store_capture,
                ("capture_kind", "capture_profile", "capture_agreement"),
            ),
        )
    outcome = feedback("capture")
    if outcome and outcome[0] == "error":
        st.error(outcome[1])
    elif outcome:
        st.toast("Contribution enregistrée.", icon="✅")

    @st.fragment(run_every=config.cafe_refresh_seconds)
    def table_list() -> None:
        now = contributions.table_context(store(), cafe_id, table_number)
        st.subheader(f"Contributions de la table ({len(now.contributions)})")
        for item in reversed(now.contributions):
            icon = "📱" if item.source is Source.RESIDENT else "📝"
            details = [local_time(item.created_at, config.cafe_timezone), item.source.value]
            details += [v.value for v in (item.kind, item.profile) if v]
            if item.agreement_count is not None:
                details.append(f"{item.agreement_count} d'accord")
            if item.supports:
                details.append(f"👍 {item.supports}")
            with st.container(border=True):
                show_literal(item.text)
                st.caption(f"{icon} " + " · ".join(details))

    table_list()

    with st.expander("Un nom a été cité ? Le masquer dans les documents"):
        with st.form("flag_name", clear_on_submit=True):
            name = st.text_input("Nom ou prénom à masquer", max_chars=60)
            if st.form_submit_button("Masquer ce nom") and show_errors(
                rgpd.flag_name, store(), cafe_id, name
            ):
                st.success("Ce nom sera masqué dans la synthèse, les fiches et les exports.")

    current = contributions.table_context(store(), cafe_id, table_number).contributions
    if current:
        with st.expander("Corriger ou supprimer une contribution"):
            by_id = {c.id: c for c in reversed(current)}
            chosen = st.selectbox(
                "Contribution",
                list(by_id),
                format_func=lambda cid: by_id[cid].text[:80] + ("…" if len(by_id[cid].text) > 80 else ""),
            )
            item = by_id[chosen]
            with st.form(f"edit_{chosen}"):
                text = st.text_area("Texte", value=item.text, max_chars=config.cafe_max_contribution_chars)
                kinds, profiles = [k.value for k in Kind], [p.value for p in Profile]
                kind = st.selectbox("Type", kinds, index=kinds.index(item.kind.value) if item.kind else None)
                profile = st.selectbox(
                    "Profil", profiles, index=profiles.index(item.profile.value) if item.profile else None
                )
                agreement = st.number_input(
                    "Combien sont d'accord ?", min_value=0, max_value=500, value=item.agreement_count
                )
                save, delete = st.columns(2)
                if save.form_submit_button("Enregistrer la correction") and show_errors(
                    contributions.edit_contribution,
                    store(),
                    table_code=context.table.code,
                    contribution_id=chosen,
                    text=text,
                    max_chars=config.cafe_max_contribution_chars,
                    kind=kind,
                    profile=profile,
                    agreement_count=agreement,
                ):
                    st.rerun()
                if delete.form_submit_button("Supprimer"):
                    show_errors(
                        contributions.delete_contribution,
                        store(),
                        table_code=context.table.code,
                        contribution_id=chosen,
                    )
                    st.rerun()
