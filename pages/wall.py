"""« Mur »: the room screen during the plenary. Large type, refreshing by itself, no controls.

Opened through the café's wall link (`/?ecran=…`, no organiser token, nothing else reachable) or,
by a signed-in organiser, as the « Mur » page."""

import streamlit as st

from facilitation.domain.access import WALL_PARAM
from facilitation.domain.errors import CafeError
from facilitation.services import contributions, tablecloths, votes
from ui.access import require_organiser, still_signed_in
from ui.display import literal_markdown, question, show_literal
from ui.live import follow_open_round
from ui.organiser import CAFE_PARAM
from ui.runtime import end_page, settings, store

# Any projector, from 1080p (1920×1080) to 4K (3840×2160): sizes follow the screen's width (vw,
# bounded by clamp), cards wrap onto as many rows as needed, long words break instead of overflowing
# and a long contribution shows its first four lines (stored and shown whole everywhere else), so
# that twelve cards and the question fit on the screen without scrolling.
WALL_CSS = """
<style>
h1 { font-size: clamp(2rem, 2.6vw, 6rem) !important; overflow-wrap: anywhere; }
[data-testid="stMarkdownContainer"] p {
  font-size: clamp(1.2rem, 1.45vw, 3.6rem); line-height: 1.35; overflow-wrap: anywhere;
}
[data-testid="stMarkdownContainer"] p.question { font-size: clamp(1.8rem, 2.3vw, 5.6rem); font-weight: 700; }
[data-testid="stCaptionContainer"] p { font-size: clamp(1rem, 1vw, 2.4rem); overflow-wrap: anywhere; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {
  font-size: clamp(2.5rem, 3.2vw, 8rem) !important;
}
.st-key-wall_cards { gap: clamp(0.75rem, 1vw, 2.5rem); }
/* Each card's wrapper is the flex item: four to a row on a wide screen, fewer on a narrow one. */
.st-key-wall_cards > * { flex: 1 1 clamp(15rem, 20vw, 60rem); min-width: 0; max-width: 100%; }
[class*="st-key-wall_card_"] { width: 100%; min-width: 0; }
[class*="st-key-wall_card_"] [data-testid="stMarkdownContainer"] p {
  display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 4; overflow: hidden;
}
/* Between rounds, the tablecloths of the round just closed: six to a row on a wide screen (twelve
   tables in two rows), each photo within 30 % of the screen's height, so nothing scrolls. */
.st-key-wall_tablecloths { gap: clamp(0.75rem, 1vw, 2.5rem); }
.st-key-wall_tablecloths > * { flex: 1 1 clamp(10rem, 14vw, 40rem); min-width: 0; max-width: 100%; }
.st-key-wall_tablecloths img { max-height: 30vh; width: 100%; object-fit: contain; }
[class*="st-key-wall_tablecloth_"] [data-testid="stCaptionContainer"] p {
  font-size: clamp(1.1rem, 1.2vw, 3rem); font-weight: 700;
}
h3 { font-size: clamp(1.5rem, 1.8vw, 4.5rem) !important; }
/* The whole wall on one screen, no scrolling: less empty space above and below. */
[data-testid="stMainBlockContainer"] { padding-top: 1.5vw !important; padding-bottom: 1vw !important; }
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


@st.fragment(run_every=settings().cafe_refresh_seconds)
def link_still_valid() -> None:
    """Between rounds nothing else reloads the wall: its link is checked here, so that revoking it
    blanks a screen left open (the room's, or one photographed and opened elsewhere) there too."""
    try:
        load()
    except CafeError:
        st.rerun(scope="app")  # the whole page says why


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
    try:
        gallery = (
            tablecloths.round_gallery_by_link(store(), link_token)
            if link_token is not None
            else tablecloths.round_gallery(store(), view.cafe.id)
        )
    except CafeError:
        gallery = None  # revoked this instant: the check below blanks the screen
    if gallery is not None:
        st.subheader(f"Les nappes du tour {gallery.round_.position}", anchor=False)
        with st.container(horizontal=True, key="wall_tablecloths"):
            for table, photo in gallery.photos:
                with st.container(border=True, key=f"wall_tablecloth_{photo.id}"):
                    st.image(photo.content, width="stretch")
                    st.caption(f"Table {table.number}")
    follow_open_round(view.cafe.id, None)
    if link_token is not None:
        link_still_valid()
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
    # One wrapping row of cards (not fixed columns): as many per row as the screen's width holds.
    with st.container(horizontal=True, key="wall_cards"):
        for item in now.latest:
            table = now.tables[item.table_id]
            with st.container(border=True, key=f"wall_card_{item.id}"):
                show_literal(item.text)
                supports = f" · 👍 {item.supports}" if item.supports else ""
                st.caption(literal_markdown(f"{table.label()}{supports}"))


latest_contributions()
