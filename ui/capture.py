"""The captain's capture bar: one Enter, one contribution, the field free again at once.

`st.chat_input` clears in the browser as soon as Enter is pressed and delivers each entry once, so
a captain can type the next sentence straight away (a form's text input waits for the server and
merges what was typed meanwhile). Each entry carries the round whose question the captain saw.
"""

from __future__ import annotations

import streamlit as st

from facilitation.access import new_id
from facilitation.contributions import submit_contribution
from facilitation.domain import Kind, Profile, Source
from facilitation.errors import CafeError
from facilitation.settings import Settings
from ui.runtime import store_or_raise

TEXT_KEY = "capture_text"
TABLE_KEY = "capture_table"  # (café id, table number) of the last table page drawn
_DRAFT_KEY = "capture_draft"
_GIVE_BACK = "capture_give_back"
_ROUND_KEY = "capture_round_id"
_OPTIONAL_KEYS = ("capture_kind", "capture_profile", "capture_agreement")
_PIN = "{}_pinned"
_FEEDBACK = "capture_feedback"
_FOCUS = "capture_focus"

# The script's text never changes, so that the staff pages' Content-Security-Policy allows exactly
# it, by hash (serve.py); the number in the element beside it changes each time, so that the
# browser draws the block again and runs the script again. In a block: run twice, a top-level const
# would be declared twice.
FOCUS_SCRIPT = """
{
  const field = document.querySelector('[data-testid="stChatInputTextArea"]');
  if (field) { field.focus(); }
}
"""
_FOCUS_HTML = '<span hidden data-focus="{nonce}"></span><script>{script}</script>'


def question_shown(round_id: str | None) -> None:
    """Call once the round's question (or the waiting screen) is drawn: entries now carry it.

    Set after drawing, not before: a run interrupted before the new question reached the screen
    leaves the entries tied to the question the captain could still read. None (the waiting screen)
    is kept as "": an entry typed there is refused if a round opened meanwhile.
    """
    st.session_state[_ROUND_KEY] = round_id or ""


def or_none(value: str | None) -> str:
    """Label of a choice, with « — aucun — » for no choice (to remove a type or a profile)."""
    return "— aucun —" if value is None else value


def _ask_focus() -> None:
    st.session_state[_FOCUS] = st.session_state.get(_FOCUS, 0) + 1


def table_shown(cafe_id: str, table_number: int) -> None:
    """Call once the table's page is drawn: entries go to this table, even if the next run fails."""
    st.session_state[TABLE_KEY] = (cafe_id, table_number)


def _capture(max_chars: int) -> None:
    """chat_input callback: store the entry; on refusal (database down included) keep it and give it back."""
    text = st.session_state.get(TEXT_KEY) or ""
    if not text.strip() or TABLE_KEY not in st.session_state:
        return
    st.session_state.pop(_FEEDBACK, None)
    cafe_id, table_number = st.session_state[TABLE_KEY]
    try:
        result = submit_contribution(
            store_or_raise(),
            cafe_id=cafe_id,
            table_number=table_number,
            text=text,
            source=Source.CAPTAIN,
            # One chat_input entry is delivered once: a fresh id per entry is the entry's identity.
            submission_id=new_id(),
            max_chars=max_chars,
            kind=st.session_state.get("capture_kind"),
            profile=st.session_state.get("capture_profile"),
            agreement_count=st.session_state.get("capture_agreement"),
            round_id=st.session_state.get(_ROUND_KEY),
        )
    except CafeError as exc:
        # Kept apart from the widget, with the message, until the next entry: given back into the
        # field, and shown for copying, even if reruns come in between.
        st.session_state[_DRAFT_KEY] = text
        st.session_state[_GIVE_BACK] = True
        st.session_state[_FEEDBACK] = ("error", exc.message)
        return
    st.session_state.pop(_DRAFT_KEY, None)
    for key in _OPTIONAL_KEYS:
        if not st.session_state.get(_PIN.format(key)):
            st.session_state.pop(key, None)
    message = (
        "Contribution enregistrée."
        if result.created
        else "Déjà enregistrée : cette table a déjà envoyé ce texte pendant ce tour."
    )
    st.session_state[_FEEDBACK] = ("success" if result.created else "info", message)
    _ask_focus()


def _optional_field(column, key: str, draw) -> None:
    with column:
        draw()
        st.checkbox(
            "📌 Garder",
            key=_PIN.format(key),
            on_change=_ask_focus,
            help="Garder ce choix pour les contributions suivantes ; sinon il se vide après chacune.",
        )


def capture_bar(config: Settings) -> None:
    """Optional fields and the text field, pinned at the bottom of the captain's page.

    Needs no database: drawn first on every run once a table was shown, it survives an outage that
    stops the rest of the page, with what is being typed in it.
    """
    draft = st.session_state.get(_DRAFT_KEY)
    giving_back = st.session_state.get(_GIVE_BACK)
    if giving_back:
        st.session_state[TEXT_KEY] = draft  # back into the field, for the captain to check and resend
    feedback = st.session_state.get(_FEEDBACK)
    if feedback and feedback[0] != "error":
        del st.session_state[_FEEDBACK]  # a confirmation is shown once; a refusal stays until the next entry
    with st.bottom:
        if feedback and feedback[0] == "error":
            st.error(feedback[1])
            if draft:
                st.caption(
                    "Votre texte est revenu dans le champ ci-dessous. Le voici aussi, pour le copier :"
                )
                st.code(draft, language=None, wrap_lines=True)
        kind_col, profile_col, agree_col = st.columns(3)
        _optional_field(
            kind_col,
            "capture_kind",
            lambda: st.selectbox(
                "Type",
                [k.value for k in Kind],
                index=None,
                key="capture_kind",
                placeholder="facultatif",
                on_change=_ask_focus,
            ),
        )
        _optional_field(
            profile_col,
            "capture_profile",
            lambda: st.selectbox(
                "Profil",
                [p.value for p in Profile],
                index=None,
                key="capture_profile",
                placeholder="facultatif",
                on_change=_ask_focus,
            ),
        )
        _optional_field(
            agree_col,
            "capture_agreement",
            lambda: st.number_input(
                "Combien sont d'accord ?",
                min_value=0,
                max_value=500,
                value=None,
                key="capture_agreement",
                on_change=_ask_focus,
            ),
        )
        st.chat_input(
            "Tapez ce qui est dit, puis Entrée",
            key=TEXT_KEY,
            max_chars=config.cafe_max_contribution_chars,
            on_submit=_capture,
            args=(config.cafe_max_contribution_chars,),
        )
    if giving_back:
        # Only now that the field has been drawn with it: an interrupted run gives it back again.
        del st.session_state[_GIVE_BACK]
    if feedback and feedback[0] != "error":
        st.toast(feedback[1], icon="✅" if feedback[0] == "success" else "ℹ️")
    if st.session_state.get(_FOCUS):
        focus = _FOCUS_HTML.format(nonce=st.session_state[_FOCUS], script=FOCUS_SCRIPT)
        st.html(focus, unsafe_allow_javascript=True)
