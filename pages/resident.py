"""Resident's phone, opened from the table's QR code: read the question, send an idea, support others."""

import streamlit as st

from facilitation import audit, contributions
from facilitation.access import JOIN_PARAM, new_id
from facilitation.errors import CafeError
from ui.display import question, readable_type, show_literal
from ui.runtime import settings, show_errors, store
from ui.submission import feedback, restore_draft, show_draft, submit

BROWSER_PARAM = "p"

readable_type()
config = settings()
token = st.query_params.get(JOIN_PARAM, "")
context = show_errors(contributions.join_table, store(), token)
if context is None:
    show_draft("resident")
    st.stop()

# A random id kept in this phone's URL: only used to count a support once. Not a person.
browser_id = st.query_params.get(BROWSER_PARAM)
if not browser_id:
    browser_id = new_id()
    st.query_params[BROWSER_PARAM] = browser_id

st.header(context.cafe.title)
st.markdown(f"**{context.table.label()}**")
if context.cafe.description:
    show_literal(context.cafe.description)
audit.set_actor(audit.resident_link(context.table.number))
with st.expander("🔒 Vos données : ce qui est gardé, pourquoi, combien de temps"):
    st.markdown(
        "Vous participez **sans compte et sans donner votre nom**. Nous gardons seulement le texte "
        "de vos idées et l'heure d'envoi, pour préparer la synthèse du café et les propositions "
        "étudiées par l'Atelier d'innovation. Avant tout document, les adresses e-mail, numéros de "
        "téléphone, numéros de logement et noms cités sont masqués. "
        f"Les textes sont effacés **{config.cafe_retention_days} jours** après le café ; la synthèse "
        f"reste. Pour consulter ou faire effacer ce que vous avez écrit, adressez-vous à "
        f"{config.cafe_privacy_contact}."
    )
st.markdown("Ne donnez pas de nom ni d'adresse dans vos messages.")

outcome = feedback("resident")
if not context.accepting:
    st.info(context.closed_message())
    show_draft("resident")  # the round closed while they typed: their words are given back
    st.stop()

question(context.open_round.question)


def send(text: str, submission_id: str):
    return contributions.resident_submit(
        store(),
        token=token,
        text=text,
        submission_id=submission_id,
        max_chars=config.cafe_max_contribution_chars,
        browser_id=browser_id,
        per_phone=config.cafe_rate_per_phone,
        per_table=config.cafe_rate_per_table,
    )


restore_draft("resident", "resident_text")
with st.form("resident"):
    st.text_area(
        "Votre idée",
        key="resident_text",
        max_chars=config.cafe_max_contribution_chars,
        placeholder="Écrivez ici votre idée, votre remarque ou votre question.",
        height=140,
    )
    st.form_submit_button(
        "Envoyer",
        type="primary",
        width="stretch",
        on_click=submit,
        args=("resident", "resident_text", send),
    )
if outcome and outcome[0] == "error":
    st.error(outcome[1] + " Votre texte est toujours dans la case ci-dessus.")
elif outcome:
    st.success("Merci ! Votre idée a bien été envoyée. Vous pouvez en écrire une autre.")


def support(contribution_id: str) -> None:
    try:
        contributions.support(store(), token=token, contribution_id=contribution_id, browser_id=browser_id)
    except CafeError as exc:
        st.session_state["support_error"] = exc.message


@st.fragment(run_every=config.cafe_refresh_seconds)
def table_ideas() -> None:
    now = show_errors(contributions.join_table, store(), token)
    if now is None or not now.accepting:
        return
    if "support_error" in st.session_state:
        st.error(st.session_state.pop("support_error"))
    supported = contributions.supported_here(store(), now, browser_id)
    st.subheader("Les idées de la table")
    if not now.contributions:
        st.markdown("Pas encore d'idée pour ce tour. Soyez le premier ou la première !")
    for item in reversed(now.contributions):
        with st.container(border=True):
            show_literal(item.text)
            if item.id in supported:
                st.markdown(f"✓ Vous êtes d'accord · {item.supports} soutien(s)")
            else:
                st.button(
                    f"👍 Je suis d'accord ({item.supports})",
                    key=f"support_{item.id}",
                    on_click=support,
                    args=(item.id,),
                )


table_ideas()
