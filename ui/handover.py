"""The host's handover on the captain's screen: shown at each change of round, hidden by the captain,
reopened with one button, printable as a one-page PDF."""

from __future__ import annotations

import streamlit as st

from facilitation.domain.model import Round
from facilitation.domain.wording import plural
from facilitation.services import handover
from ui.display import literal_markdown, show_literal
from ui.runtime import app, show_errors, store

# (closed round id, open round id or "") of the handover the captain hid: a new change of round
# (a round closes, the next one opens) shows it again.
HIDDEN_KEY = "handover_hidden"
SHOWN_IDEAS = 10


def handover_panel(cafe_id: str, table_number: int, closed: Round | None, open_now: Round | None) -> None:
    """The briefing for the newcomers after `closed` (nothing before the first round closes)."""
    if closed is None or (open_now is not None and open_now.id == closed.id):
        return
    moment = (closed.id, open_now.id if open_now else "")
    if st.session_state.get(HIDDEN_KEY) == moment:
        if st.button(f"🤝 Revoir le passage de relais du tour {closed.position}", key="handover_show"):
            st.session_state.pop(HIDDEN_KEY, None)
            st.rerun()
        return
    briefing = show_errors(handover.handover, store(), cafe_id, table_number, closed.position)
    if briefing is None:
        return
    with st.container(border=True, key="handover"):
        st.subheader(f"🤝 Passage de relais — tour {closed.position}", anchor=False)
        st.caption(
            "À dire aux nouveaux venus de la table : ce qu'elle a dit au tour "
            f"{closed.position}, les idées les plus soutenues d'abord."
        )
        _ideas(briefing)
        st.markdown("**Thèmes abordés**")
        for label, count in briefing.themes:
            st.markdown(literal_markdown(f"• {label} ({plural(count, 'idée')})"))
        if briefing.themes_note:
            st.caption(briefing.themes_note)
        following = briefing.following
        if following is not None and following.is_open:
            st.markdown(f"**Question du tour {following.position}**")
            show_literal(following.question)
        elif following is not None:
            # Not before the organiser opens it: the screen would seem to ask it already.
            st.caption(
                f"La question du tour {following.position} s'affichera ici dès que l'animateur "
                "ouvrira ce tour."
            )
        else:
            st.caption("C'était le dernier tour.")
        download, hide = st.columns(2)
        download.download_button(
            "Imprimer (PDF d'une page)",
            data=lambda: app().documents.handover(store(), cafe_id, table_number, closed.position)[1],
            file_name=app().documents.handover_filename(briefing),
            mime="application/pdf",
            icon="🖨️",
            key="handover_pdf",
            on_click="ignore",  # built when clicked; the page is not drawn again
        )
        if hide.button("Masquer le passage de relais", key="handover_hide"):
            st.session_state[HIDDEN_KEY] = moment
            st.rerun()


def _ideas(briefing: handover.Handover) -> None:
    if not briefing.ideas:
        st.info("Aucune idée n'a été notée à cette table pendant ce tour.")
        return
    st.markdown(f"**Ce que la table a dit ({plural(len(briefing.ideas), 'idée')})**")
    for idea in briefing.ideas[:SHOWN_IDEAS]:
        show_literal(f"« {idea.contribution.text} »")
        details = [d for d in (handover.support_text(idea), idea.theme) if d]
        if details:
            st.caption(literal_markdown(" · ".join(details)))
    left = len(briefing.ideas) - SHOWN_IDEAS
    if left > 0:
        st.caption(f"… et {plural(left, 'autre idée', 'autres idées')}, moins soutenues.")
