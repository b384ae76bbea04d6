"""Organiser: the harvest — group contributions into topics, correct the grouping, see charts."""

import datetime as dt

import streamlit as st

from facilitation.adapters import charts
from facilitation.adapters.clock import local_time
from facilitation.adapters.topics.guided import atelier_targets
from facilitation.domain.errors import CafeError
from facilitation.domain.model import Theme
from facilitation.domain.wording import decimal, plural, shorten
from facilitation.services import cafes, harvest, synthesis
from ui.access import require_organiser
from ui.display import literal_markdown, show_literal
from ui.organiser import cafe_names, current_cafe
from ui.runtime import embedder, end_page, grouper, settings, show_error, show_errors, store, today

require_organiser()
st.title("Récolte")
timezone = settings().cafe_timezone

# -- scope -------------------------------------------------------------------------------------
several = st.radio("Périmètre", ["Un café", "Plusieurs cafés"], horizontal=True) == "Plusieurs cafés"
if several:
    col_from, col_to, col_place, col_theme = st.columns(4)
    date_from = col_from.date_input("Du", value=today() - dt.timedelta(days=365), format="DD/MM/YYYY")
    date_to = col_to.date_input("Au", value=today(), format="DD/MM/YYYY")
    place = col_place.text_input("Lieu contient")
    theme = col_theme.selectbox("Thème", [t.value for t in Theme], index=None, placeholder="tous")
    found = (
        show_errors(harvest.find_cafes, store(), harvest.CafeFilter(date_from, date_to, place, theme)) or []
    )
    by_id = {c.id: c for c in found}
    chosen = st.multiselect("Cafés", list(by_id), default=list(by_id), format_func=cafe_names(found).get)
    round_id = None
else:
    cafe = current_cafe()
    rounds = {r.id: r for r in cafes.list_rounds(store(), cafe.id)}
    round_id = st.selectbox(
        "Tour",
        [None, *rounds],
        format_func=lambda rid: "Tous les tours" if rid is None else f"Tour {rounds[rid].position}",
    )
    chosen = [cafe.id]
scope = show_errors(harvest.scope_of, chosen, round_id)
if scope is None:
    end_page()

# -- run ---------------------------------------------------------------------------------------
PENDING_KEY = "harvest_rerun_to_confirm"


def launch(run, *args, **options):
    """Run a grouping; when it would change retained groups, keep it to confirm instead."""
    try:
        return run(*args, **options)
    except harvest.ConfirmationNeeded as asked:
        st.session_state[PENDING_KEY] = (scope, run, args, options, asked.plan.token, asked.plan.changes)
    except CafeError as exc:
        show_error(exc)
    return None


with st.expander("Lancer un regroupement", expanded=harvest.latest_version(store(), scope) is None):
    method = st.radio(
        "Méthode",
        ["Automatique (BERTopic)", "Sur les thèmes de l'Atelier", "Sur des thèmes que je nomme"],
    )
    automatic = method.startswith("Automatique")
    if automatic:
        auto_count = st.checkbox("Nombre de groupes choisi automatiquement", value=True)
        count = (
            None if auto_count else st.number_input("Nombre de groupes", min_value=1, max_value=50, value=6)
        )
        afresh = st.checkbox(
            "Regrouper à neuf",
            help="Sans cette case, la relance garde les groupes actuels (vos fusions, coupes, "
            "déplacements et titres compris) et ne place que les nouvelles contributions.",
        )
    elif method.startswith("Sur des thèmes"):
        named = st.text_area(
            "Un thème par ligne, avec des mots qui le décrivent",
            placeholder="Chauffage : radiateurs, froid, facture\nPropreté : déchets, encombrants",
        )
    st.caption(
        "Chaque regroupement enregistre une nouvelle version ; vos corrections restent dans l'historique. "
        "Les groupes retenus, renommés et leurs fiches suivent leur groupe ; si une relance doit changer "
        "un groupe retenu, elle vous le dit avant d'enregistrer."
    )
    done = None
    current = harvest.latest_version(store(), scope)
    if st.button("Lancer le regroupement", type="primary"):
        st.session_state.pop(PENDING_KEY, None)
        with st.spinner(
            "Regroupement en cours… quelques secondes pour un café, une minute pour des milliers."
        ):
            if automatic:
                done = launch(harvest.run_harvest, store(), grouper(), scope, n_topics=count, afresh=afresh)
            elif method.startswith("Sur les thèmes"):
                done = launch(
                    harvest.run_guided_harvest, store(), scope, atelier_targets(), embedder=embedder()
                )
            else:
                targets = show_errors(harvest.parse_named_topics, named)
                done = targets and launch(
                    harvest.run_guided_harvest, store(), scope, targets, embedder=embedder()
                )
    pending = st.session_state.get(PENDING_KEY)
    if pending and pending[0] == scope:
        _, run, args, options, token, changes = pending
        st.warning(
            "Cette relance changerait des groupes retenus pour les fiches :\n"
            + "\n".join(f"- {literal_markdown(change)}" for change in changes)
        )
        confirm, cancel = st.columns(2)
        if confirm.button("Confirmer la relance", type="primary"):
            st.session_state.pop(PENDING_KEY)
            with st.spinner("Regroupement en cours…"):
                done = launch(run, *args, **(options | {"confirmed": token}))
        if cancel.button("Ne pas relancer"):
            st.session_state.pop(PENDING_KEY)
            st.rerun()
    if done and current is not None and done.id == current.id:
        st.info(
            f"Rien de nouveau depuis la version {done.number} : les groupes restent tels quels. "
            "Cochez « Regrouper à neuf » pour tout recalculer."
        )
    elif done:
        st.success(f"Version {done.number} enregistrée : {literal_markdown(done.note)}.")

history = harvest.versions(store(), scope)
if not history:
    st.info("Pas encore de récolte pour ce périmètre.")
    end_page()

numbers = [v.number for v in reversed(history)]
by_number = {v.number: v for v in history}
number = st.selectbox(
    "Version",
    numbers,
    format_func=lambda n: (
        f"Version {n} — {local_time(by_number[n].created_at, timezone):%d/%m %H:%M} — {by_number[n].note}"
    ),
)
current = harvest.harvest_view(store(), scope, number)
latest = number == history[-1].number
if not latest:
    st.warning("Vous regardez une version ancienne. Les corrections s'appliquent à la dernière version.")
    if st.button(f"Revenir à la version {number}") and show_errors(
        harvest.restore_version, store(), scope, number
    ):
        st.rerun()

total = sum(t.size for t in current.topics)
cols = st.columns(5)
cols[0].metric("Contributions groupées", total)
cols[1].metric("Groupes", len(current.topics))
cols[2].metric("À classer", len(current.unsorted))
cols[3].metric("Mises de côté", len(current.set_aside))
cols[4].metric("Retenus pour les fiches", sum(t.topic.kept for t in current.topics))
if current.ungrouped:
    st.info(
        f"{plural(len(current.ungrouped), 'contribution arrivée', 'contributions arrivées')} après ce "
        "regroupement : "
        "relancez-le pour les inclure."
    )

# -- topics ------------------------------------------------------------------------------------
readings = synthesis.harvest_readings(store(), current)
theme_readings = synthesis.theme_readings(store(), current)


def show_topic(topic: harvest.TopicView) -> None:
    """A sub-theme in its expander: figures, provenance, agreement, quotes, every member."""
    kept = "⭐ " if topic.topic.kept else ""
    label = literal_markdown(topic.topic.label)
    figures = f"{plural(topic.size, 'contribution')}, {plural(topic.supports, 'soutien')}"
    with st.expander(f"{kept}{label} — {figures}"):
        if topic.topic.cohesion is not None:
            st.markdown(
                f"**Cohésion :** {decimal(topic.topic.cohesion)} (similarité moyenne des contributions au "
                "centre du groupe, de 0 à 1 ; recalculée à la prochaine relance après une correction)"
            )
        reading = readings[topic.topic.key]
        st.markdown(
            literal_markdown(f"{reading.provenance.text()} — avis : {reading.opinion_text}"),
        )
        # Secondary to the title.
        st.markdown("**Mots-clés :** " + literal_markdown(", ".join(topic.topic.keywords) or "—"))
        st.markdown(
            "**Tables :** "
            + literal_markdown(", ".join(f"{name} ({n})" for name, n in topic.tables.most_common()))
            + "  \n**Tours :** "
            + ", ".join(f"{name} ({n})" for name, n in sorted(topic.rounds.items()))
            + (f"  \n**Nombre d'accord (capitaines) :** {topic.agreement}" if topic.agreement else "")
        )
        if topic.representatives:  # the most central contribution first: the group's quote
            st.markdown("**Citation (la plus centrale) :**")
            show_literal(f"« {topic.representatives[0].text} »")
            st.caption(literal_markdown(synthesis.quote_source(current, topic.representatives[0])))
        if topic.representatives[1:]:
            st.markdown("**Autres contributions représentatives :**")
            for item in topic.representatives[1:]:
                show_literal(f"« {item.text} »")
                st.caption(literal_markdown(synthesis.quote_source(current, item)))
        others = [c for c in topic.contributions if c not in topic.representatives]
        if others:
            st.markdown(f"**Autres contributions du groupe ({len(others)}) :**")
            for item in others:
                show_literal(f"« {item.text} »")


for theme in current.themes:  # each theme, then its sub-themes (largest first)
    st.subheader(literal_markdown(theme.theme.label), anchor=False)
    reading = theme_readings[theme.theme.key]
    st.markdown(
        literal_markdown(
            f"{plural(len(theme.topics), 'sous-thème')} · {plural(theme.size, 'contribution')} · "
            f"{reading.provenance.text()} — avis : {reading.opinion_text}"
        )
    )
    for topic in theme.topics:
        show_topic(topic)

if current.unsorted:
    with st.expander(f"À classer ({len(current.unsorted)})", expanded=latest):
        st.caption(
            "Ces contributions ne ressemblent assez à aucun groupe : placez-les dans un groupe "
            "(onglet « Déplacer ») ou mettez-les de côté."
        )
        for item in current.unsorted:
            show_literal(f"« {item.text} »")
if current.set_aside:
    with st.expander(f"Mises de côté ({len(current.set_aside)})"):
        for item in current.set_aside:
            show_literal(item.text)
if current.version.unmatched:
    st.warning(
        "La dernière relance n'a pas retrouvé ces groupes sur lesquels vous aviez travaillé. Ils restent "
        "listés ici ; « Rétablir » les reforme avec leurs contributions, leur nom et leur fiche."
    )
    for lost in current.version.unmatched:
        mark = "⭐ retenu, " if lost.kept else ""
        line, action = st.columns([4, 1])
        line.markdown(
            f"{literal_markdown(lost.label)} ({mark}{plural(len(lost.contribution_ids), 'contribution')})"
        )
        if (
            latest
            and action.button("Rétablir", key=f"restore-{lost.key}")
            and show_errors(
                harvest.restore_unmatched, store(), scope, lost.key, based_on=current.version.number
            )
        ):
            st.rerun()

# -- corrections -------------------------------------------------------------------------------
if latest:
    st.header("Corriger")
    keys = {t.topic.key: t.topic.label for t in current.topics}
    in_topics = {c.id: c for c in current.unsorted}
    in_topics |= {c.id: c for t in current.topics for c in t.contributions}
    in_topics |= {c.id: c for c in current.set_aside}
    based_on = current.version.number  # a correction made on an out-of-date screen is refused

    def short(cid: str) -> str:
        return shorten(in_topics[cid].text, 90)

    def correct(button: str, correction, *details) -> None:
        """The form's button: the correction is made on the version on screen, then the new one shows."""
        if st.form_submit_button(button) and show_errors(
            correction, store(), scope, *details, based_on=based_on
        ):
            st.rerun()

    rename_tab, merge_tab, split_tab, move_tab, aside_tab, keep_tab, themes_tab = st.tabs(
        ["Renommer", "Fusionner", "Couper", "Déplacer", "Mettre de côté", "Retenir pour les fiches", "Thèmes"]
    )
    with rename_tab, st.form("rename"):
        key = st.selectbox("Groupe", list(keys), format_func=keys.get)
        label = st.text_input("Nouveau nom")
        correct("Renommer", harvest.rename_topic, key, label)
    with merge_tab, st.form("merge"):
        chosen_keys = st.multiselect("Groupes à fusionner", list(keys), format_func=keys.get)
        label = st.text_input("Nom du groupe fusionné (facultatif)")
        correct("Fusionner", harvest.merge_topics, chosen_keys, label)
    with split_tab, st.form("split"):
        key = st.selectbox("Groupe à couper", list(keys), format_func=keys.get)
        parts = st.number_input("En combien de groupes", min_value=2, max_value=10, value=2)
        if st.form_submit_button("Couper (regroupe ce groupe seul)") and show_errors(
            harvest.split_topic, store(), grouper(), scope, key, int(parts), based_on=based_on
        ):
            st.rerun()
    with move_tab, st.form("move"):
        contribution = st.selectbox("Contribution", list(in_topics), format_func=short)
        key = st.selectbox("Vers le groupe", list(keys), format_func=keys.get)
        correct("Déplacer", harvest.move_contribution, contribution, key)
    with aside_tab, st.form("aside"):
        grouped = [c.id for c in current.unsorted]
        grouped += [cid for t in current.topics for cid in t.topic.contribution_ids if cid in in_topics]
        contribution = st.selectbox("Contribution hors sujet", grouped, format_func=short)
        correct("Mettre de côté", harvest.set_aside, contribution)
    with keep_tab, st.form("keep"):
        kept_keys = st.multiselect(
            "Groupes retenus (ils deviendront des fiches d'observation)",
            list(keys),
            default=[t.topic.key for t in current.topics if t.topic.kept],
            format_func=keys.get,
        )
        correct("Enregistrer la sélection", harvest.set_kept, kept_keys)
    # Themes: the upper level. Renaming, merging, splitting (some sub-themes form a new theme) and
    # moving a sub-theme to another theme each save a new version, which a re-run keeps.
    themes = {t.key: t.label for t in current.version.themes}
    with themes_tab:
        if not themes:
            st.caption(
                "Cette version date d'avant les thèmes : « Regrouper à neuf », ou une relance qui place de "
                "nouvelles contributions, les formera."
            )
        else:
            with st.form("rename-theme"):
                key = st.selectbox("Thème", list(themes), format_func=themes.get)
                label = st.text_input("Nouveau nom du thème")
                correct("Renommer le thème", harvest.rename_theme, key, label)
            with st.form("merge-themes"):
                chosen_keys = st.multiselect("Thèmes à fusionner", list(themes), format_func=themes.get)
                label = st.text_input("Nom du thème fusionné (facultatif)")
                correct("Fusionner les thèmes", harvest.merge_themes, chosen_keys, label)
            with st.form("split-theme"):
                key = st.selectbox("Thème à couper", list(themes), format_func=themes.get)
                leaving = st.multiselect(
                    "Sous-thèmes qui forment le nouveau thème", list(keys), format_func=keys.get
                )
                label = st.text_input("Nom du nouveau thème (facultatif)")
                correct("Couper le thème", harvest.split_theme, key, leaving, label)
            with st.form("move-topic"):
                key = st.selectbox("Sous-thème", list(keys), format_func=keys.get)
                theme_key = st.selectbox("Vers le thème", list(themes), format_func=themes.get)
                correct("Déplacer le sous-thème", harvest.move_topic_to_theme, key, theme_key)

# -- charts ------------------------------------------------------------------------------------
st.header("Graphiques")
figures = {
    "Tailles": charts.topic_sizes,
    "Groupes × tables": charts.topic_by_table,
    "Groupes × tours": charts.topic_by_round,
    "Carte": charts.contribution_map,
}
PATHS_TAB = "Parcours des idées"
paths = None
if len(current.data.cafes) > 1:
    figures["Évolution"] = charts.topics_over_time
else:
    # The paths of the café's ideas across tables and tours (« je prolonge »), read for this tab.
    paths = show_errors(synthesis.idea_paths, store(), next(iter(current.data.cafes))) or []
    figures[PATHS_TAB] = lambda _view: charts.idea_paths(paths)
for (name, draw), tab in zip(figures.items(), st.tabs(list(figures)), strict=True):
    with tab:
        if name == PATHS_TAB and not paths:
            st.info(
                "Aucune idée n'a encore été notée comme prolongeant une idée d'une autre table ou d'un "
                "autre tour (« je prolonge » sur les téléphones, ou par le capitaine)."
            )
        st.plotly_chart(draw(current), width="stretch")
