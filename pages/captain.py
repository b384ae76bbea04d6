"""Captain's laptop: record what the table says, as fast as people talk."""

import streamlit as st

from facilitation.adapters.clock import local_time
from facilitation.domain.model import Kind, Profile, Source
from facilitation.domain.wording import shorten
from facilitation.services import contributions, rgpd, votes
from ui.access import captain_context, leave_table
from ui.capture import TABLE_KEY, capture_bar, or_none, question_shown, table_shown
from ui.display import literal_markdown, question, readable_type, show_literal
from ui.handover import handover_panel
from ui.live import follow_open_round
from ui.runtime import end_page, settings, show_errors, store
from ui.tablecloths import captain_tablecloths

config = settings()
# The capture bar needs no database: drawn before anything that may stop the page (database down),
# it keeps what the captain is typing. The first time, it waits until the table is known.
bar_drawn = TABLE_KEY in st.session_state
if bar_drawn:
    capture_bar(config)
context = captain_context()
readable_type()
cafe_id, table_number = context.cafe.id, context.table.number
table_shown(cafe_id, table_number)
if not bar_drawn:
    capture_bar(config)

head, leave = st.columns([4, 1])
head.title(literal_markdown(context.table.label()), anchor=False)
head.caption(literal_markdown(f"{context.cafe.title} · code {context.table.code}"))
if leave.button("Changer de table"):
    leave_table()
    st.rerun()

if not context.accepting:
    st.info(context.closed_message())
    question_shown(None, context.box_closed_reason())  # the box closes, what is typed stays in it
    follow_open_round(cafe_id, None)  # the waiting screen wakes up by itself
    if not context.cafe.is_closed:
        handover_panel(cafe_id, table_number, context.last_closed, None)
        # between rounds: the tablecloth of the round just closed
        captain_tablecloths(cafe_id, table_number, context.table.code)
    end_page()

st.caption(f"Tour {context.open_round.position}")
question(context.open_round.question)
question_shown(context.open_round.id)
follow_open_round(cafe_id, context.open_round, clock="small")
handover_panel(cafe_id, table_number, context.last_closed, context.open_round)


@st.fragment(run_every=config.cafe_refresh_seconds)
def table_list() -> None:
    now = contributions.table_context(store(), cafe_id, table_number)
    st.subheader(f"Contributions de la table ({len(now.contributions)})")
    for item in reversed(now.contributions):
        icon = "📱" if item.source is Source.RESIDENT else "📝"
        details = [f"{local_time(item.created_at, config.cafe_timezone):%H:%M}", item.source.value]
        details += [v.value for v in (item.kind, item.profile) if v]
        if item.agreement_count is not None:
            details.append(f"{item.agreement_count} d'accord")
        if item.supports:
            details.append(f"👍 {item.supports}")
        if item.builds_on:
            details.append("↪ prolonge une idée d'une autre table")
        if item.emerging_question:
            details.append("❓ question qui émerge")
        with st.container(border=True):
            show_literal(item.text)
            st.caption(f"{icon} " + " · ".join(details))


table_list()
captain_tablecloths(cafe_id, table_number, context.table.code)

with st.expander("Un nom a été cité ? Le masquer dans les documents"):
    with st.form("flag_name", clear_on_submit=True):
        name = st.text_input("Nom ou prénom à masquer", max_chars=60)
        if st.form_submit_button("Masquer ce nom") and show_errors(rgpd.flag_name, store(), cafe_id, name):
            st.success(
                "Nom signalé : il sera masqué dans la synthèse, les fiches et les exports dès que "
                "l'organisateur l'aura confirmé."
            )

current = contributions.table_context(store(), cafe_id, table_number).contributions
noted = {c.id: c for c in reversed(current)}  # the newest first in every list below


def short(contribution_id: str) -> str:
    return shorten(noted[contribution_id].text, 80)


if current:
    with st.expander("Corriger ou supprimer une contribution"):
        chosen = st.selectbox("Contribution", list(noted), format_func=short)
        item = noted[chosen]
        with st.form(f"edit_{chosen}"):
            text = st.text_area("Texte", value=item.text, max_chars=config.cafe_max_contribution_chars)
            # A « aucun » choice: a type or profile noted by mistake can be removed.
            kinds, profiles = [None, *(k.value for k in Kind)], [None, *(p.value for p in Profile)]
            kind = st.selectbox(
                "Type", kinds, index=kinds.index(item.kind.value if item.kind else None), format_func=or_none
            )
            profile = st.selectbox(
                "Profil",
                profiles,
                index=profiles.index(item.profile.value if item.profile else None),
                format_func=or_none,
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

    with st.expander("Elle prolonge une idée d'une autre table ? C'est une question qui émerge ?"):
        st.caption(
            "Choisissez la contribution, puis l'idée entendue à une autre table ou à un tour précédent "
            "qu'elle prolonge (tapez quelques mots pour la trouver), ou cochez « question qui émerge »."
        )
        picked = st.selectbox(
            "Contribution de la table", list(noted), format_func=short, key="travel_contribution"
        )
        earlier = show_errors(contributions.ideas_to_link, store(), context.table.code, picked) or []
        options = {
            None: "— aucune —",
            **{h.contribution.id: f"{h.where} : {shorten(h.contribution.text, 90)}" for h in earlier},
        }
        chosen_now = noted[picked].builds_on if noted[picked].builds_on in options else None
        with st.form(f"travel_{picked}"):
            builds_on = st.selectbox(
                "Elle prolonge l'idée",
                list(options),
                index=list(options).index(chosen_now),
                format_func=options.get,
            )
            marked = st.checkbox("C'est une question qui émerge", value=noted[picked].emerging_question)
            if st.form_submit_button("Enregistrer") and show_errors(
                contributions.annotate_contribution,
                store(),
                table_code=context.table.code,
                contribution_id=picked,
                builds_on=builds_on,
                emerging_question=marked,
            ):
                st.rerun()

    with st.expander("Vote à main levée sur une idée"):
        st.caption(
            "Lisez une idée à voix haute, comptez les mains : d'accord, pas d'accord, je ne sais pas. "
            "Un nouveau comptage remplace le précédent."
        )
        counted = votes.hands_of(store(), context)
        with st.form("hands"):
            voted = st.selectbox("Idée", list(noted), format_func=short, key="hands_idea")
            agree_col, disagree_col, unsure_col = st.columns(3)
            hands_for = agree_col.number_input("D'accord", min_value=0, max_value=500, key="hands_agree")
            hands_against = disagree_col.number_input(
                "Pas d'accord", min_value=0, max_value=500, key="hands_disagree"
            )
            hands_unsure = unsure_col.number_input(
                "Je ne sais pas", min_value=0, max_value=500, key="hands_unsure"
            )
            if st.form_submit_button("Enregistrer le vote") and show_errors(
                votes.record_hands,
                store(),
                cafe_id=cafe_id,
                table_number=table_number,
                contribution_id=voted,
                agree=hands_for,
                disagree=hands_against,
                unsure=hands_unsure,
            ):
                st.rerun()
        for cid, tally in counted.items():
            if cid in noted:
                st.caption(
                    literal_markdown(
                        f"{shorten(noted[cid].text, 60)} : {tally.agree} d'accord · {tally.disagree} pas "
                        f"d'accord · {tally.unsure} je ne sais pas"
                    )
                )
