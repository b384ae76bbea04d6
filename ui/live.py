"""Screens that follow the café by themselves: the open round and its countdown."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from facilitation.cafes import live_round
from facilitation.domain import Round
from facilitation.errors import CafeError
from ui.display import countdown_label
from ui.runtime import settings, store


def _signature(round_: Round | None) -> tuple | None:
    # What the page draws from the round: a new round, a closing or « +5 min » all change it.
    return None if round_ is None else (round_.id, round_.opened_at, round_.planned_minutes)


def follow_open_round(cafe_id: str, shown: Round | None) -> None:
    """Rerun the whole page within CAFE_REFRESH_SECONDS once the café's open round differs from `shown`."""

    @st.fragment(run_every=settings().cafe_refresh_seconds)
    def watch_open_round() -> None:
        try:
            current = live_round(store(), cafe_id)
        except CafeError:
            return  # the database is away: keep the page (and what is typed) until it is back
        if _signature(current) != _signature(shown):
            st.rerun(scope="app")

    watch_open_round()


def countdown(round_: Round, *, big: bool = False) -> None:
    """Time left in the round, every second; overtime in red."""

    @st.fragment(run_every=1)
    def round_clock() -> None:
        remaining = round_.remaining(datetime.now(UTC))
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

    round_clock()
