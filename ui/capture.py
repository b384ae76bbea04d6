"""The captain's capture bar: one Enter, one contribution, in order, at any typing speed.

The text field is a small component of ours (ui/capture_box): the browser keeps a queue of the
sentences entered, each with its own id and the round whose question was on screen, and sends the
whole unacknowledged queue until the server acknowledges each id. Streamlit's chat_input lost the
middle one of three entries sent with no pause; a queue sent whole cannot lose one, and the ids make
a resend harmless. The field is never rewritten by the server, so what is typed meanwhile stays.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from facilitation.domain.errors import CafeError, StorageUnavailable
from facilitation.domain.model import Kind, Profile, Source
from facilitation.domain.wording import plural
from facilitation.services.contributions import Submission, submit_contribution
from facilitation.settings import Settings
from ui.runtime import store_or_raise

BOX_KEY = "capture_box"
TABLE_KEY = "capture_table"  # (café id, table number) of the last table page drawn
_ROUND_KEY = "capture_round"  # (round id or "", reason it is closed or "") of the question on screen
_DRAWN_KEY = "capture_drawn_round"  # what the bar was drawn with in this run
_DONE = "capture_done"  # entry id -> its acknowledgement, the latest last
_NOTICE = "capture_notice"
_OPTIONAL_KEYS = ("capture_kind", "capture_profile", "capture_agreement")
_PIN = "{}_pinned"
_FOCUS = "capture_focus"
_KEPT_ACKS = 200

_BOX_FILES = str(Path(__file__).parent / "capture_box")


def _box(**kwargs):
    # Declared on each run, not at import: serve.py imports this module before Streamlit's runtime
    # (and its component registry, which serves the files) exists.
    return components.declare_component("capture_box", path=_BOX_FILES)(**kwargs)


# The script's text never changes, so that the staff pages' Content-Security-Policy allows exactly
# it, by hash (serve.py); the number in the element beside it changes each time, so that the
# browser draws the block again and runs the script again. In a block: run twice, a top-level const
# would be declared twice. The field is in the component's frame (same origin).
FOCUS_SCRIPT = """
{
  const frame = document.querySelector('iframe[src*="capture_box"]');
  const field = frame && frame.contentDocument && frame.contentDocument.getElementById('box');
  if (field && !field.disabled) { frame.focus(); field.focus(); }
}
"""
_FOCUS_HTML = '<span hidden data-focus="{nonce}"></span><script>{script}</script>'


def question_shown(round_id: str | None, closed_reason: str = "") -> None:
    """Call once the round's question (or the waiting screen, with why nothing is open) is drawn:
    entries typed from now on carry it.

    Set after drawing, not before: a run interrupted before the new question reached the screen
    leaves the entries tied to the question the captain could still read. The bar is drawn at the
    top of the page: if it showed another round, the page is drawn again at once (the box opens or
    closes well within the 2 s promised).
    """
    shown = (round_id or "", "" if round_id else closed_reason)
    st.session_state[_ROUND_KEY] = shown
    if st.session_state.get(_DRAWN_KEY, shown) != shown:
        st.rerun()


def or_none(value: str | None) -> str:
    """Label of a choice, with « — aucun — » for no choice (to remove a type or a profile)."""
    return "— aucun —" if value is None else value


def _ask_focus() -> None:
    st.session_state[_FOCUS] = st.session_state.get(_FOCUS, 0) + 1


def table_shown(cafe_id: str, table_number: int) -> None:
    """Call once the table's page is drawn: entries go to this table, even if the next run fails."""
    st.session_state[TABLE_KEY] = (cafe_id, table_number)


def _entries() -> list[dict]:
    value = st.session_state.get(BOX_KEY)
    entries = value.get("entries") if isinstance(value, dict) else None
    return [e for e in entries or [] if isinstance(e, dict) and isinstance(e.get("id"), str)]


def _store_entries(max_chars: int) -> None:
    """Store, in the order typed, the entries not yet acknowledged; each is acknowledged once decided.

    Runs before the optional fields are drawn, so that they can be emptied after the sentence they
    labelled (an emptied widget is sent back to the browser; only a value set before the widget is
    drawn is). A database away acknowledges nothing: the browser sends the queue again."""
    done: dict = st.session_state.setdefault(_DONE, {})
    new = [e for e in _entries() if e["id"] not in done]
    if not new or TABLE_KEY not in st.session_state:
        return
    cafe_id, table_number = st.session_state[TABLE_KEY]
    stored = 0
    for entry in new:
        try:
            result = submit_contribution(
                store_or_raise(),
                cafe_id=cafe_id,
                table_number=table_number,
                submission=Submission(
                    text=str(entry.get("text") or ""),
                    submission_id=entry["id"],
                    max_chars=max_chars,
                    kind=st.session_state.get("capture_kind"),
                    profile=st.session_state.get("capture_profile"),
                    agreement_count=st.session_state.get("capture_agreement"),
                    round_id=str(entry.get("round") or ""),
                ),
                source=Source.CAPTAIN,
            )
        except StorageUnavailable as exc:
            st.session_state[_NOTICE] = exc.message + " Vos phrases sont gardées et renvoyées seules."
            break  # the next ones wait too: their order is kept
        except CafeError as exc:
            done[entry["id"]] = {"id": entry["id"], "ok": False, "message": exc.message}
            continue
        done[entry["id"]] = {"id": entry["id"], "ok": True, "message": ""}
        stored += result.created
        # One sentence labelled: the fields not pinned are emptied, in the browser too.
        for key in _OPTIONAL_KEYS:
            if not st.session_state.get(_PIN.format(key)):
                st.session_state[key] = None
    else:
        st.session_state[_NOTICE] = (
            f"{plural(stored, 'contribution enregistrée', 'contributions enregistrées')}."
            if stored
            else "Déjà enregistrée : cette table a déjà envoyé ce texte pendant ce tour."
            if all(done[e["id"]]["ok"] for e in new)
            else ""
        )
    for old in list(done)[:-_KEPT_ACKS]:
        del done[old]


def _optional_field(column, key: str, draw) -> None:
    with column:
        draw()
        pinned = st.checkbox(
            "📌 Garder",
            key=_PIN.format(key),
            on_change=_ask_focus,
            help="Garder ce choix pour les contributions suivantes ; sinon il se vide après chacune.",
        )
        if pinned:  # visible: a label kept for the next sentences is not a surprise
            st.caption("📌 gardé pour les phrases suivantes")


def _optional_choice(column, key: str, label: str, choices: type[Enum]) -> None:
    """One of the `choices`, or none: the field may stay empty."""
    _optional_field(
        column,
        key,
        lambda: st.selectbox(
            label,
            [choice.value for choice in choices],
            index=None,
            key=key,
            placeholder="facultatif",
            on_change=_ask_focus,
        ),
    )


def capture_bar(config: Settings) -> None:
    """Optional fields and the text field, pinned at the bottom of the captain's page.

    Needs no database to be drawn: drawn first on every run once a table was shown, it survives an
    outage that stops the rest of the page, with what is being typed in it.
    """
    _store_entries(config.cafe_max_contribution_chars)
    round_id, reason = st.session_state.get(_ROUND_KEY, ("", ""))
    st.session_state[_DRAWN_KEY] = (round_id, reason)
    with st.bottom:
        kind_col, profile_col, agree_col = st.columns(3)
        _optional_choice(kind_col, "capture_kind", "Type", Kind)
        _optional_choice(profile_col, "capture_profile", "Profil", Profile)
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
        cafe_id, table_number = st.session_state.get(TABLE_KEY, ("", 0))
        _box(
            table=f"{cafe_id}:{table_number}",
            round=round_id,
            open=bool(round_id),
            reason=reason or "Aucun tour n'est ouvert : attendez le tour suivant.",
            max_chars=config.cafe_max_contribution_chars,
            acked=list(st.session_state.get(_DONE, {}).values())[-50:],
            notice=st.session_state.get(_NOTICE, ""),
            key=BOX_KEY,
            default=None,
        )
    if st.session_state.get(_FOCUS):
        focus = _FOCUS_HTML.format(nonce=st.session_state[_FOCUS], script=FOCUS_SCRIPT)
        st.html(focus, unsafe_allow_javascript=True)
