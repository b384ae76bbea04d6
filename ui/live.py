"""Screens that follow the café by themselves: the open round and its countdown."""

from __future__ import annotations

import streamlit as st

from facilitation.domain.errors import CafeError
from facilitation.domain.model import Round
from facilitation.services.cafes import live_round
from ui.display import countdown_label
from ui.runtime import now, store


def _signature(round_: Round | None) -> tuple | None:
    # What the page draws from the round: a new round, a closing or « +5 min » all change it.
    return None if round_ is None else (round_.id, round_.opened_at, round_.planned_minutes)


# How often a screen asks which round is open: a query of a few rows, cheap enough every second,
# so that every screen shows a new question well within CAFE_REFRESH_SECONDS.
ROUND_CHECK_SECONDS = 1


def follow_open_round(cafe_id: str, shown: Round | None, *, clock: str | None = None) -> None:
    """Rerun the whole page as soon as the café's open round differs from `shown` (checked every second).

    With clock="small" or "big", also draws the time left in `shown`, overtime in red.
    """

    @st.fragment(run_every=ROUND_CHECK_SECONDS)
    def live_round_view() -> None:
        try:
            current = live_round(store(), cafe_id)
        except CafeError:
            current = shown  # the database is away: keep the page (and what is typed) until it is back
        if _signature(current) != _signature(shown):
            st.rerun(scope="app")
        if clock and shown is not None:
            _draw_clock(shown, big=clock == "big")

    live_round_view()


def _draw_clock(round_: Round, *, big: bool) -> None:
    remaining = round_.remaining(now())
    if remaining is None:
        return
    seconds = remaining.total_seconds()
    label = countdown_label(seconds)
    heading = "### " if big else ""
    if seconds < 0:
        st.markdown(f"{heading}:red[**⏱ Tour {round_.position} : temps {label}**]")
    elif big:
        st.metric(f"Temps restant — tour {round_.position}", label)
    else:
        st.markdown(f"⏱ {label} restantes")
