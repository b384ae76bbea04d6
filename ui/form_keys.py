"""Idempotency keys of the organiser's create forms: a double click creates one café, one table."""

from __future__ import annotations

import streamlit as st

from facilitation.domain.access import new_id


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
