"""Organiser: a café's details, its rounds and its tables (before or during the café)."""

import pandas as pd
import streamlit as st

from facilitation.domain.wording import plural, shorten
from facilitation.services import cafes, synthesis
from ui.access import require_organiser
from ui.display import literal_markdown, round_state
from ui.form_keys import minted_key, renew_key
from ui.organiser import cafe_details, current_cafe
from ui.runtime import show_errors, store

require_organiser()
st.title("Préparer le café")
cafe = current_cafe()

with st.expander("Informations du café"), st.form("edit_cafe"):
    details = cafe_details(cafe)
    if st.form_submit_button("Enregistrer") and show_errors(cafes.update_cafe, store(), cafe.id, details):
        st.success("Informations enregistrées.")

st.header("Tours")
for round_ in cafes.list_rounds(store(), cafe.id):
    state = round_state(round_)
    with st.expander(f"Tour {round_.position} ({state}) — {literal_markdown(round_.question)}"):
        with st.form(f"round_{round_.id}"):
            question = st.text_area("Question", value=round_.question)
            minutes = st.number_input(
                "Durée prévue (minutes)", min_value=1, max_value=240, value=round_.planned_minutes
            )
            save, delete = st.columns(2)
            if save.form_submit_button("Enregistrer") and show_errors(
                cafes.update_round, store(), cafe.id, round_.id, question=question, planned_minutes=minutes
            ):
                st.rerun()
            if delete.form_submit_button("Supprimer ce tour") and show_errors(
                cafes.delete_round, store(), cafe.id, round_.id
            ):
                st.rerun()

round_key = minted_key("add_round")
# Questions marked as emerging at earlier cafés: a round of this one may take one up.
emerged = show_errors(synthesis.emerged_questions, store(), cafe.id) or []
with st.expander(f"Questions qui ont émergé ({plural(len(emerged), 'question')} des cafés précédents)"):
    if not emerged:
        st.caption(
            "Aucune question n'a encore été marquée « question qui émerge » dans un café précédent "
            "(par un capitaine ou depuis un téléphone)."
        )
    else:
        for item in emerged:
            st.markdown(literal_markdown(f"« {item.text} » — {item.cafe_title}, {item.held_on:%d/%m/%Y}"))
        with st.form(f"emerged_round_{round_key}"):
            picked = st.selectbox(
                "Question à reprendre",
                range(len(emerged)),
                format_func=lambda i: f"{shorten(emerged[i].text, 90)} ({emerged[i].cafe_title})",
            )
            emerged_minutes = st.number_input("Durée prévue (minutes)", min_value=1, max_value=240, value=20)
            if st.form_submit_button("Ajouter un tour avec cette question") and show_errors(
                cafes.add_round,
                store(),
                cafe.id,
                question=emerged[picked].text,
                planned_minutes=emerged_minutes,
                round_id=round_key,
            ):
                renew_key("add_round")
                st.rerun()

with st.form(f"add_round_{round_key}"):
    st.markdown("**Ajouter un tour**")
    question = st.text_area("Question posée aux tables")
    minutes = st.number_input("Durée prévue (minutes)", min_value=1, max_value=240, value=20)
    if st.form_submit_button("Ajouter le tour") and show_errors(
        cafes.add_round, store(), cafe.id, question=question, planned_minutes=minutes, round_id=round_key
    ):
        renew_key("add_round")
        st.rerun()

st.header("Tables")
tables = cafes.list_tables(store(), cafe.id)
if tables:
    st.dataframe(
        pd.DataFrame(
            {
                "Table": [t.number for t in tables],
                "Nom": [t.name for t in tables],
                "Capitaine": [t.captain_name for t in tables],
                "Code capitaine": [t.code for t in tables],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    with st.expander("Modifier une table"):
        by_number = {t.number: t for t in tables}
        number = st.selectbox("Table", list(by_number), format_func=lambda n: by_number[n].label())
        with st.form("edit_table"):
            name = st.text_input("Nom", value=by_number[number].name)
            captain = st.text_input("Capitaine", value=by_number[number].captain_name)
            if st.form_submit_button("Enregistrer") and show_errors(
                cafes.update_table, store(), cafe.id, number, name=name, captain_name=captain
            ):
                st.rerun()

table_key = minted_key("add_table")
with st.form(f"add_table_{table_key}"):
    st.markdown("**Ajouter une table**")
    col1, col2, col3 = st.columns(3)
    number = col1.number_input("Numéro", min_value=1, max_value=999, value=len(tables) + 1)
    name = col2.text_input("Nom (facultatif)")
    captain = col3.text_input("Capitaine (facultatif)")
    if st.form_submit_button("Ajouter la table") and show_errors(
        cafes.add_table, store(), cafe.id, number=number, name=name, captain_name=captain, table_id=table_key
    ):
        renew_key("add_table")
        st.rerun()
