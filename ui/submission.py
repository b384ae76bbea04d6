"""The submit step shared by the captain's and the resident's forms.

The text lives in session state until it is stored: on any error it stays in the field, so nothing
typed is lost. A repeated submit of the text just stored (double click, retried request) reuses the
same submission id, which the database stores once.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st

from facilitation.access import new_id
from facilitation.contributions import SubmitResult
from facilitation.errors import CafeError

_LAST = "_last_submission"
# A second click this soon after a success, on a field the first click emptied, is the same click.
_DOUBLE_CLICK_SECONDS = 3.0


def submission_id(form_key: str, text: str) -> str:
    last = st.session_state.get(_LAST, {}).get(form_key)
    if last and last[1] == text.strip():
        return last[0]
    return new_id()


def submit(
    form_key: str,
    text_key: str,
    store_it: Callable[[str, str], SubmitResult],
    reset_keys: tuple[str, ...] = (),
) -> None:
    """Widget callback: store the text; on success clear the fields, on failure keep them."""
    text = st.session_state.get(text_key, "") or ""
    last = st.session_state.get(_LAST, {}).get(form_key)
    if not text.strip() and last and time.monotonic() - last[2] < _DOUBLE_CLICK_SECONDS:
        st.session_state[f"{form_key}_feedback"] = ("success", last[3])
        return
    sid = submission_id(form_key, text)
    try:
        result = store_it(text, sid)
    except CafeError as exc:
        # Kept outside the widget: if the next run cannot draw the form (database down, round
        # closed), Streamlit drops the widget's value, not this draft.
        st.session_state[f"{form_key}_draft"] = text
        st.session_state[f"{form_key}_feedback"] = ("error", exc.message)
        return
    st.session_state.pop(f"{form_key}_draft", None)
    st.session_state.setdefault(_LAST, {})[form_key] = (sid, text.strip(), time.monotonic(), result)
    st.session_state[text_key] = ""
    for key in reset_keys:
        st.session_state.pop(key, None)
    st.session_state[f"{form_key}_feedback"] = ("success", result)


def restore_draft(form_key: str, text_key: str) -> None:
    """Put back unsent text into an empty field (call before drawing the field)."""
    draft = st.session_state.get(f"{form_key}_draft")
    if draft and not st.session_state.get(text_key):
        st.session_state[text_key] = draft


def show_draft(form_key: str) -> None:
    """When the form cannot be drawn: give the unsent text back so that it can be copied."""
    draft = st.session_state.get(f"{form_key}_draft")
    if draft:
        st.markdown("Votre texte n'a pas été envoyé. Le voici, pour ne pas le perdre :")
        st.code(draft, language=None, wrap_lines=True)


def feedback(form_key: str) -> tuple[str, object] | None:
    """The outcome of the last submit of this form, shown once."""
    return st.session_state.pop(f"{form_key}_feedback", None)


def minted_key(form_name: str) -> str:
    """Idempotency key of a create form, minted when the form is first drawn.

    The form's key includes it: once the creation succeeded, `renew_key` draws a new form, so a
    second click that the browser sent on the old one matches no widget and creates nothing, and a
    click processed twice reaches the use case with the same key, which stores it once.
    """
    slot = f"_minted_{form_name}"
    if slot not in st.session_state:
        st.session_state[slot] = new_id()
    return st.session_state[slot]


def renew_key(form_name: str) -> None:
    """After a successful creation: the next form drawn gets a new key."""
    st.session_state.pop(f"_minted_{form_name}", None)
