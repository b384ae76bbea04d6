"""« Mur »: the room screen during the plenary. Large type, refreshing by itself, no controls.

Opened through the café's wall link (`/?ecran=…`, no organiser token, nothing else reachable) or,
by a signed-in organiser, as the « Mur » page."""

import streamlit as st

from facilitation import contributions, votes
from facilitation.access import WALL_PARAM
from facilitation.errors import CafeError
from ui.access import require_organiser, still_signed_in
from ui.display import literal_markdown, question, show_literal
from ui.live import follow_open_round
from ui.organiser import CAFE_PARAM
from ui.runtime import end_page, settings, store

WALL_CSS = """
<style>
[data-testid="stMarkdownContainer"] p { font-size: 1.9rem; line-height: 1.4; }
[data-testid="stMarkdownContainer"] p.question { font-size: 3rem; font-weight: 700; }
[data-testid="stCaptionContainer"] p { font-size: 1.3rem; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * { font-size: 4rem !important; }
/* A room screen: no navigation, no menu, nothing to click. */
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header { display: none !important; }
</style>
"""

link_token = st.query_params.get(WALL_PARAM)
if link_token is None:
    # The organiser's own page: signed in, but the address it projects carries no organiser token.
    require_organiser(projected=True)
st.html(WALL_CSS)
if link_token is None:
    cafe_id = st.query_params.get(CAFE_PARAM)
    if not cafe_id:
        st.info("Ouvrez le mur depuis la page « Animer » : il montre le café choisi là-bas.")
        end_page()


def load() -> contributions.Wall:
    """The wall to show; through the wall link, checked again each time (revoking it blanks the screen)."""
    if link_token is not None:
        return contributions.wall_by_link(store(), link_token)
    return contributions.wall(store(), cafe_id)


try:
    view = load()
except CafeError as exc:
    st.error(exc.message)
    end_page()

st.title(literal_markdown(view.cafe.title), anchor=False)


@st.fragment(run_every=settings().cafe_refresh_seconds)
def plenary_themes() -> None:
    """The themes put to the plenary vote, with the phones' answers so far."""
    st.subheader("Votez sur votre téléphone : êtes-vous d'accord avec chaque thème ?", anchor=False)
    for result in votes.plenary_results(store(), view.cafe.id):
        with st.container(border=True):
            show_literal(result.theme.label)
            st.caption(literal_markdown(result.agreement.counts_text()))


if view.cafe.plenary_opened_at is not None and not view.cafe.is_closed:
    plenary_themes()
if view.open_round is None:
    st.info(
        "Le prochain tour va commencer." if not view.cafe.is_closed else "Merci pour votre participation !"
    )
    follow_open_round(view.cafe.id, None)
    end_page()

st.caption(f"Tour {view.open_round.position}")
question(view.open_round.question)
follow_open_round(view.cafe.id, view.open_round, clock="big")


@st.fragment(run_every=settings().cafe_refresh_seconds)
def latest_contributions() -> None:
    if link_token is None:
        still_signed_in()  # the organiser's own page: it stops with the session
    try:
        now = load()
    except CafeError:
        st.rerun(scope="app")  # the whole page says why (link revoked, database away)
    columns = st.columns(3)
    for index, item in enumerate(now.latest):
        table = now.tables[item.table_id]
        with columns[index % 3], st.container(border=True):
            show_literal(item.text)
            supports = f" · 👍 {item.supports}" if item.supports else ""
            st.caption(literal_markdown(f"{table.label()}{supports}"))


latest_contributions()
