"""Organiser: run the rounds (with a countdown) and follow the café live."""

import pandas as pd
import streamlit as st

from facilitation.adapters.clock import local_time
from facilitation.domain.privacy import MASKS
from facilitation.domain.wording import plural
from facilitation.services import cafes, contributions, handover, public_address, rgpd, votes
from facilitation.services.abuse import reset_captain_tries
from ui.access import require_organiser, still_signed_in
from ui.display import literal_markdown, round_state, show_literal
from ui.live import follow_open_round
from ui.organiser import current_cafe
from ui.runtime import end_page, settings, show_errors, store
from ui.tablecloths import round_name, tablecloth_panel

ROUND_ICONS = {"ouvert": "🟢", "fermé": "✅", "à venir": "⏳"}

require_organiser()
st.title("Animer le café")
cafe = current_cafe()
timezone = settings().cafe_timezone

if cafe.is_closed:
    st.warning("Ce café est terminé : les habitants ne peuvent plus participer.")
    if st.button("Rouvrir le café") and show_errors(cafes.reopen_cafe, store(), cafe.id):
        st.rerun()

rounds = cafes.list_rounds(store(), cafe.id)
if not rounds:
    st.info("Ce café n'a pas encore de tour : ajoutez-en dans « Préparer ».")
    st.page_link("pages/organiser_prepare.py", label="Préparer le café", icon="🛠️")
    end_page()

open_now = cafes.live_round(store(), cafe.id)
# The wall has its own link, read-only and for this café only: the projected address carries no
# organiser token (whoever photographs it can watch the wall, nothing more, until it is revoked).
WALL_REVOKE_KEY = "confirm_wall_revoke"
base_url = public_address.public_base_url(store(), settings().cafe_public_base_url)
wall_address = show_errors(cafes.wall_link, store(), cafe.id, base_url)
if wall_address:
    st.link_button("Mur de projection (écran de la salle)", wall_address, icon="📽️")
with st.expander("Lien du mur : le copier, le révoquer"):
    if wall_address:
        st.caption(
            "À ouvrir sur l'ordinateur du vidéoprojecteur : il ne montre que le mur de ce café, sans "
            "rien permettre d'autre. S'il a circulé, révoquez-le : l'écran qui l'affiche se vide."
        )
        st.code(wall_address, language=None)
    if not st.session_state.get(WALL_REVOKE_KEY):
        if st.button("Révoquer le lien du mur"):
            st.session_state[WALL_REVOKE_KEY] = True
            st.rerun()
    else:
        st.warning("Le lien actuel du mur sera refusé : ouvrez ensuite le nouveau sur l'écran de la salle.")
        yes, no = st.columns(2)
        if yes.button("Oui, révoquer le lien du mur", type="primary"):
            st.session_state.pop(WALL_REVOKE_KEY, None)
            if show_errors(cafes.revoke_wall_link, store(), cafe.id, base_url):
                st.rerun()
        if no.button("Garder le lien", key="keep_wall_link"):
            st.session_state.pop(WALL_REVOKE_KEY, None)
            st.rerun()

# Another organiser tab or the command line may move on: this page follows.
clock, more = st.columns([4, 1])
with clock:
    follow_open_round(cafe.id, open_now, clock="big")
if open_now is not None:
    if more.button("+5 min", help="Prolonger le tour en cours de 5 minutes") and show_errors(
        cafes.extend_round, store(), cafe.id, open_now.id
    ):
        st.rerun()
else:
    clock.caption("Aucun tour ouvert.")

CONFIRM_KEY = "confirm_open_round"
REVEALED_KEY = "revealed_originals"  # contribution id -> original text, revealed this session


def open_chosen(round_id: str) -> None:
    st.session_state.pop(CONFIRM_KEY, None)
    if show_errors(cafes.open_round, store(), cafe.id, round_id):
        st.rerun()


st.header("Tours")
expected = cafes.next_round(rounds)
for round_ in rounds:
    col_text, col_action = st.columns([5, 1])
    state = round_state(round_)
    state = f"{ROUND_ICONS[state]} {state}"
    col_text.markdown(f"**Tour {round_.position}** · {state} · {round_.planned_minutes} min")
    with col_text:
        show_literal(round_.question)
    if round_.is_open:
        if col_action.button("Fermer", key=f"close_{round_.id}") and show_errors(
            cafes.close_round, store(), cafe.id, round_.id
        ):
            st.rerun()
    elif not cafe.is_closed and col_action.button(
        "Rouvrir" if round_.closed_at else "Ouvrir", key=f"open_{round_.id}", type="primary"
    ):
        if expected is not None and round_.id == expected.id:
            open_chosen(round_.id)
        else:
            st.session_state[CONFIRM_KEY] = round_.id  # not the next one: ask first

asked = next((r for r in rounds if r.id == st.session_state.get(CONFIRM_KEY)), None)
if asked is not None:
    expected_text = (
        f"le suivant est le tour {expected.position}" if expected else "tous les tours ont été ouverts"
    )
    closing = f" Le tour {open_now.position}, en cours, sera fermé." if open_now else ""
    st.warning(
        f"Le tour {asked.position} n'est pas le tour suivant ({expected_text}).{closing} "
        f"Ouvrir quand même le tour {asked.position} ?"
    )
    yes, no = st.columns(2)
    if yes.button(f"Oui, ouvrir le tour {asked.position}", type="primary"):
        open_chosen(asked.id)
    if no.button("Annuler"):
        st.session_state.pop(CONFIRM_KEY, None)
        st.rerun()


@st.fragment(run_every=settings().cafe_refresh_seconds)
def live_overview() -> None:
    still_signed_in()
    view = contributions.overview(store(), cafe.id)
    st.header("En direct")
    total, phones, tables_count = st.columns(3)
    total.metric("Contributions", view.total)
    phones.metric("Depuis les téléphones", view.from_residents)
    tables_count.metric("Tables", len(view.tables))
    if view.tables:
        grid = pd.DataFrame(
            [[view.counts.get((r.id, t.id), 0) for r in view.rounds] for t in view.tables],
            index=[t.label() for t in view.tables],
            columns=[f"Tour {r.position}" for r in view.rounds],
        )
        grid["Total"] = grid.sum(axis=1)
        st.dataframe(grid, width="stretch")
    who_spoke()
    st.subheader("Dernières contributions")
    tables = {t.id: t for t in view.tables}
    for item in view.latest:
        when = f"{local_time(item.created_at, timezone):%H:%M}"
        st.caption(literal_markdown(f"{when} · {tables[item.table_id].label()} · {item.source.value}"))
        moderated(item)


FLAG_ICONS = {handover.QUIET: "🔇", handover.DOMINATED: "📢"}


def who_spoke() -> None:
    """Per round (the latest first) and table: who wrote, so that a quiet or a dominated table is
    seen while there is time to go and help."""
    voices = show_errors(handover.who_spoke, store(), cafe.id)
    if not voices:
        return
    st.subheader("Qui parle ?")
    at_least = plural(handover.DOMINATED_MIN, "contribution")
    st.caption(
        f"{FLAG_ICONS[handover.QUIET]} {handover.QUIET} : la table n'a rien noté pendant ce tour. "
        f"{FLAG_ICONS[handover.DOMINATED]} {handover.DOMINATED} : un même téléphone a écrit plus de la "
        f"moitié des contributions de la table (à partir de {at_least}). "
        "Les téléphones sont comptés sans jamais être identifiés."
    )
    rows = [
        {
            "Tour": f"Tour {v.round.position}",
            "Table": v.table.label(),
            "Capitaine": v.from_captain,
            "Téléphones": v.from_phones,
            "Téléphones distincts": v.phones,
            "À regarder": f"{FLAG_ICONS[v.flag]} {v.flag}" if v.flag else "",
        }
        for v in voices
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def moderated(item) -> None:
    """A contribution as every screen shows it (masked); when something was masked, the organiser's
    « Afficher le texte original » reveals it here only, once per session and audited."""
    show_literal(item.text)
    if not any(label in item.text for label in MASKS):
        return
    revealed = st.session_state.setdefault(REVEALED_KEY, {})
    if st.toggle("Afficher le texte original", key=f"reveal_{item.id}"):
        if item.id not in revealed:
            # The fragment reruns every few seconds: one reveal, one audit row.
            revealed[item.id] = show_errors(rgpd.reveal_original, store(), cafe.id, item.id)
        if revealed[item.id] is not None:
            st.caption("Texte original (visible ici seulement) :")
            show_literal(revealed[item.id])


live_overview()

with st.expander("Nappes des tables (photos)", icon="📷"):
    st.caption(
        "Une photo par nappe (quatre au plus par table et par tour), sans ses métadonnées (lieu, "
        "appareil) : montrée sur le mur entre deux tours et dans la synthèse."
    )
    listed_tables = cafes.list_tables(store(), cafe.id)
    if not listed_tables:
        st.caption("Ce café n'a pas encore de table.")
    else:
        numbers = [t.number for t in listed_tables]
        labels = {t.number: t.label() for t in listed_tables}
        by_round = {r.id: r for r in rounds}
        table_col, round_col = st.columns(2)
        chosen_table = table_col.selectbox(
            "Table", numbers, format_func=lambda n: labels[n], key="tablecloth_table"
        )
        chosen_round = round_col.selectbox(
            "Tour",
            list(by_round),
            index=list(by_round).index(open_now.id) if open_now else 0,
            format_func=lambda rid: round_name(by_round[rid]),
            key="tablecloth_round_choice",
        )
        tablecloth_panel(cafe.id, chosen_table, by_round[chosen_round])

with st.expander("Vote en plénière sur les thèmes", expanded=cafe.plenary_opened_at is not None):
    st.caption(
        "Les téléphones affichent les thèmes de la récolte (groupes retenus, sinon tous) avec « d'accord », "
        "« pas d'accord », « je ne sais pas » ; un vote par téléphone et par thème, modifiable."
    )
    if cafe.plenary_opened_at is None:
        if not cafe.is_closed and st.button("Ouvrir le vote sur les thèmes", icon="🗳️"):
            if show_errors(votes.set_plenary, store(), cafe.id, True):
                st.rerun()
    elif st.button("Fermer le vote sur les thèmes") and show_errors(
        votes.set_plenary, store(), cafe.id, False
    ):
        st.rerun()
    for result in show_errors(votes.plenary_results, store(), cafe.id) or []:
        agreement = result.agreement
        st.markdown(
            literal_markdown(
                f"{result.theme.label} — {agreement.label_text} · {agreement.counts_text()}"
                + (f" · {agreement.reach}" if agreement.reach else "")
            )
        )

with st.expander("Contributions supprimées par les capitaines"):
    removed = contributions.deleted_contributions(store(), cafe.id)
    if not removed:
        st.caption("Aucune.")
    for item in removed:
        text_col, button_col = st.columns([5, 1])
        with text_col:
            moderated(item)
        if button_col.button("Restaurer", key=f"restore_{item.id}") and show_errors(
            contributions.restore_contribution, store(), cafe.id, item.id
        ):
            st.rerun()

with st.expander("Un capitaine ne peut pas entrer ?"):
    st.caption(
        "Après des codes erronés (les siens, ou ceux d'autres personnes sur le même réseau), un "
        "capitaine peut devoir patienter avant un nouvel essai. Remettre les essais à zéro le laisse "
        "réessayer aussitôt (inscrit au journal)."
    )
    if st.button("Remettre à zéro les essais de codes capitaine") and show_errors(
        reset_captain_tries, store(), cafe.id
    ):
        st.success("Essais remis à zéro : le capitaine peut entrer son code.")

if not cafe.is_closed and st.button("Terminer le café") and show_errors(cafes.close_cafe, store(), cafe.id):
    st.rerun()
