"""Harvest use cases: group a scope's contributions into topics, and let a person correct them.

Every run and every correction saves a new HarvestVersion; earlier versions stay readable and can be
restored. A correction is one writer transaction: it reads the latest version once, applies the pure
model (model.py) and saves the next number, so that a concurrent save makes it fail instead of being
overwritten. A run reads in one read transaction, then groups outside any transaction (it may take
seconds and must hold no database lock meanwhile), then saves.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from facilitation.domain import harvest_versions as model
from facilitation.domain.errors import Conflict, InvalidInput, NotFound
from facilitation.domain.harvest_versions import RerunPlan
from facilitation.domain.model import (
    Cafe,
    Contribution,
    HarvestScope,
    HarvestVersion,
    Round,
    Table,
    Theme,
    ThemeGroup,
    TopicGroup,
    clean_label,
    parse_choice,
)
from facilitation.domain.privacy import MASKS, mask_personal_data
from facilitation.domain.word_matching import plain
from facilitation.domain.wording import plural
from facilitation.services import audit
from facilitation.services.cafes import get_cafe, get_round, list_cafes
from facilitation.services.ports import UnitOfWork, read_only

if TYPE_CHECKING:  # numpy, scikit-learn, spaCy: seconds to import, only grouping needs them
    import numpy as np

    from facilitation.adapters.topics import TopicGrouper
    from facilitation.adapters.topics.embeddings import Embedder

STALE_VERSION = (
    "Quelqu'un vient d'enregistrer une autre version de ce regroupement : "
    "rechargez la page et refaites votre correction."
)
NO_THEME_LABEL = "Ne correspond à aucun thème proposé"
# How a re-run groups, said in its version's method.
KEPT_GROUPS = "groupes actuels gardés, nouvelles contributions placées"


def _masked(contribution: Contribution, masked_names: dict[str, list[str]]) -> str:
    """The text as documents show it: grouping reads this, so that no label, keyword or
    representative quote can carry a flagged name, a phone number or an address."""
    return mask_personal_data(contribution.text, masked_names.get(contribution.cafe_id, ()))


_MASK_LABELS = re.compile("|".join(re.escape(label) for label in MASKS))


def _for_grouping(masked: str) -> str:
    """What the grouper reads: the masked text with each « [… masqué] » label as « … ». The labels
    say nothing of the theme; read as words they became keywords and group names (« Masqué,
    téléphone »). « … » holds no word, and a text that was only a phone number stays non-empty."""
    return _MASK_LABELS.sub("…", masked)


@dataclass(frozen=True)
class ScopeData:
    """The contributions of a scope, with what is needed to describe them."""

    scope: HarvestScope
    cafes: dict[str, Cafe]
    rounds: dict[str, Round]
    tables: dict[str, Table]
    contributions: dict[str, Contribution]
    masked_names: dict[str, list[str]] = field(default_factory=dict)  # café id -> flagged names

    def masked_text(self, contribution_id: str) -> str:
        """The contribution's text with personal data masked, as grouping reads it."""
        return _masked(self.contributions[contribution_id], self.masked_names)


@dataclass(frozen=True)
class CafeFilter:
    """Which cafés a choice keeps, as a filter form sends it: a date range, a place (any part,
    accents aside) and a theme (a Theme's value). The defaults keep every café."""

    date_from: date | None = None
    date_to: date | None = None
    place: str = ""
    theme: str | None = None

    @property
    def narrows(self) -> bool:
        """Whether any filter is set."""
        return bool(self.date_from or self.date_to or self.place or self.theme)


@read_only
def find_cafes(uow: UnitOfWork, filters: CafeFilter | None = None) -> list[Cafe]:
    """Cafés (archived included) kept by the filters (every café without them)."""
    filters = filters or CafeFilter()
    date_from, date_to = filters.date_from, filters.date_to
    wanted_theme = parse_choice(Theme, filters.theme, "Thème")
    needle = plain(filters.place.strip())
    return [
        cafe
        for cafe in list_cafes(uow, include_archived=True)
        if (date_from is None or cafe.held_on >= date_from)
        and (date_to is None or cafe.held_on <= date_to)
        and (not needle or needle in plain(cafe.place.label()))
        and (wanted_theme is None or cafe.theme is wanted_theme)
    ]


def scope_of(cafe_ids: Iterable[str], round_id: str | None = None) -> HarvestScope:
    """A scope, checked: at least one café; a round only with a single café."""
    ids = tuple(sorted(set(cafe_ids)))
    if not ids:
        raise InvalidInput("Choisissez au moins un café à récolter.")
    if round_id and len(ids) != 1:
        raise InvalidInput("Un tour ne peut être choisi que pour un seul café.")
    return HarvestScope(cafe_ids=ids, round_id=round_id or None)


def _live(uow: UnitOfWork, scope: HarvestScope) -> tuple[dict[str, Contribution], dict[str, list[str]]]:
    """The scope's live contributions by id, and each café's flagged names."""
    contributions, names = {}, {}
    for cafe_id in scope.cafe_ids:
        names[cafe_id] = uow.trust.masked_names(cafe_id)
        contributions.update({c.id: c for c in uow.contributions.in_cafe(cafe_id, round_id=scope.round_id)})
    return contributions, names


def scope_data(uow: UnitOfWork, scope: HarvestScope) -> ScopeData:
    """Load the live contributions of the scope, with their cafés, rounds and tables."""
    cafes, rounds, tables = {}, {}, {}
    with uow.reading():
        for cafe_id in scope.cafe_ids:
            cafes[cafe_id] = get_cafe(uow, cafe_id)
            rounds.update({r.id: r for r in uow.cafes.rounds(cafe_id)})
            tables.update({t.id: t for t in uow.cafes.tables(cafe_id)})
            if scope.round_id:
                get_round(uow, cafe_id, scope.round_id)
        contributions, names = _live(uow, scope)
    return ScopeData(scope, cafes, rounds, tables, contributions, names)


def latest_version(uow: UnitOfWork, scope: HarvestScope) -> HarvestVersion | None:
    """The scope's current version (one payload read); None before the first run."""
    with uow.reading():
        harvest_id = uow.harvests.find(scope)
        return uow.harvests.latest(harvest_id) if harvest_id else None


def versions(uow: UnitOfWork, scope: HarvestScope) -> list[HarvestVersion]:
    """Every saved version of the scope's harvest, oldest first."""
    with uow.reading():
        harvest_id = uow.harvests.find(scope)
        return uow.harvests.versions(harvest_id) if harvest_id else []


def _store_version(uow: UnitOfWork, scope: HarvestScope, version: HarvestVersion) -> HarvestVersion:
    """Save the version and its audit rows in one transaction; a concurrent save of the same
    number is refused (Conflict), never overwritten."""
    with uow:
        if not version.harvest_id:
            version = replace(version, harvest_id=uow.harvests.id_for(scope, version.created_at))
        try:
            uow.harvests.add_version(version)
        except Conflict:
            raise Conflict(STALE_VERSION) from None
        for cafe_id in scope.cafe_ids:
            # Not the version's note: it quotes topic labels, made of residents' words, which the
            # log would keep after their erasure (the version itself shows the note).
            audit.record(uow, "récolte enregistrée", cafe_id=cafe_id, target=f"version {version.number}")
    return version


def text_key(text: str) -> str:
    """The hash a cached vector is kept under: any edit of the text makes a new one."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ContributionVectors:
    """The sentence vectors of a scope's contributions, kept in the database between runs."""

    def __init__(self, uow: UnitOfWork, ids_by_text: dict[str, list[str]]) -> None:
        self.uow = uow
        self.ids_by_text = ids_by_text

    def known(self, model: str, texts: list[str]) -> dict[str, np.ndarray]:
        wanted = {cid: text_key(text) for text in texts for cid in self.ids_by_text.get(text, ())}
        with self.uow.reading():  # asked by the grouper mid-run, outside the run's reads and writes
            found = self.uow.vectors.load(model, wanted)
        known = {}
        for text in texts:
            vector = next((found[c] for c in self.ids_by_text.get(text, ()) if c in found), None)
            if vector is not None:
                known[text] = vector
        return known

    def remember(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        rows = {
            cid: (text_key(text), vector)
            for text, vector in vectors.items()
            for cid in self.ids_by_text.get(text, ())
        }
        with self.uow:  # a transaction of its own: kept even when the run is then refused
            self.uow.vectors.save(model, rows)


def _vector_cache(uow: UnitOfWork, ids: list[str], texts: list[str]) -> ContributionVectors:
    ids_by_text: dict[str, list[str]] = {}
    for cid, text in zip(ids, texts, strict=True):
        ids_by_text.setdefault(text, []).append(cid)
    return ContributionVectors(uow, ids_by_text)


# -- themes -------------------------------------------------------------------------------------
def _themed(
    topics: list[TopicGroup], themes_before: Iterable[ThemeGroup], text_of: dict[str, str]
) -> tuple[list[TopicGroup], list[ThemeGroup]]:
    """A run's topics each under a theme, and the themes. A topic that has a current theme keeps it
    (a re-run never undoes a person's theme work); a new one joins the current theme whose words are
    closest to its own; the rest are clustered into new themes, titled from their members' words."""
    themes = list(themes_before)
    known = {t.key for t in themes}
    topics = list(topics)
    orphans = [i for i, t in enumerate(topics) if t.parent not in known]
    if not orphans:
        return topics, themes
    from facilitation.adapters.topics import themes as theming

    def texts(topic: TopicGroup) -> list[str]:
        return [text_of.get(cid, "") for cid in topic.contribution_ids]

    if themes:
        members = [[text for t in topics if t.parent == theme.key for text in texts(t)] for theme in themes]
        near = theming.nearest([texts(topics[i]) for i in orphans], members)
        for i, n in zip(orphans, near, strict=True):
            if n is not None:
                topics[i] = replace(topics[i], parent=themes[n].key)
        orphans = [i for i, n in zip(orphans, near, strict=True) if n is None]
    if not orphans:
        return topics, themes
    clusters: dict[int, list[int]] = {}
    for i, number in zip(orphans, theming.cluster([texts(topics[i]) for i in orphans]), strict=True):
        clusters.setdefault(number, []).append(i)
    names = theming.titles(
        [[text for i in group for text in texts(topics[i])] for group in clusters.values()]
    )
    for group, name in zip(clusters.values(), names, strict=True):
        largest = max(group, key=lambda i: len(topics[i].contribution_ids))
        themes.append(ThemeGroup(key=model.new_theme_key(), label=name or topics[largest].label))
        for i in group:
            topics[i] = replace(topics[i], parent=themes[-1].key)
    return topics, themes


# -- runs ---------------------------------------------------------------------------------------
def _planned(
    uow: UnitOfWork,
    grouper: TopicGrouper,
    scope: HarvestScope,
    *,
    n_topics: int | None,
    afresh: bool,
    now: datetime | None,
) -> RerunPlan:
    """The plan of an automatic run."""
    with uow.reading():
        data = scope_data(uow, scope)
        history = versions(uow, scope)  # all of them: no key of any version is minted again
    previous = history[-1] if history else None
    set_aside = [cid for cid in (previous.set_aside if previous else ()) if cid in data.contributions]
    to_group = [c for c in data.contributions.values() if c.id not in set(set_aside)]
    if len(to_group) < 2:
        raise InvalidInput(
            f"Il faut au moins deux contributions pour grouper ({len(to_group)} dans ce périmètre)."
        )
    if n_topics is not None and not 1 <= n_topics <= len(to_group):
        raise InvalidInput(f"Le nombre de groupes doit être entre 1 et {len(to_group)}.")
    ids = [c.id for c in to_group]
    # Without « à neuf » nor a new number of groups, a re-run keeps the current groups and places
    # only what is new: with nothing new, there is nothing to do (model.keep_groups).
    keeping = previous is not None and not afresh and n_topics is None and bool(previous.topics)
    if keeping and model.nothing_new(previous, ids):
        return RerunPlan(previous, [], unchanged=True)
    texts = [_for_grouping(data.masked_text(cid)) for cid in ids]  # masked once: grouping and cache
    grouping = grouper.group(
        texts,
        n_topics,
        cache=_vector_cache(uow, ids, texts),
        start_from=model.start_from(previous, ids) if keeping else None,
    )
    found = model.topics_from(grouping, ids, model.fresh_keys(history))
    unsorted = [ids[i] for i in grouping.unsorted]
    if keeping:
        topics, unsorted = model.keep_groups(previous, found, unsorted, ids)
        lost = list(previous.unmatched)
        added = len(set(ids) - model.placed_ids(previous))
        placed = plural(added, "nouvelle contribution placée", "nouvelles contributions placées")
        note = f"Relance : groupes gardés, {placed}"
    else:
        topics, lost = model.carry_over(found, previous)
        note = f"Regroupement automatique : {plural(len(topics), 'groupe')}"
    topics, themes = _themed(topics, previous.themes if previous else (), dict(zip(ids, texts, strict=True)))
    if unsorted:
        note += f", {plural(len(unsorted), 'contribution')} à classer"
    if lost and not keeping:
        note += f", {plural(len(lost), 'groupe')} d'avant non retrouvé" + ("s" if len(lost) > 1 else "")
    version = model.next_version(
        previous,
        note,
        now=now or uow.clock(),
        topics=topics,
        set_aside=set_aside,
        coordinates={
            cid: [float(x), float(y)] for cid, (x, y) in zip(ids, grouping.coordinates, strict=True)
        },
        method=grouping.method | {"clustering": KEPT_GROUPS, "topics": len(topics)}
        if keeping
        else grouping.method,
        unsorted=unsorted,
        unmatched=lost,
        themes=themes,
    )
    return RerunPlan.after(previous, version)


def plan_harvest(
    uow: UnitOfWork,
    grouper: TopicGrouper,
    scope: HarvestScope,
    *,
    n_topics: int | None = None,
    afresh: bool = False,
    now: datetime | None = None,
) -> RerunPlan:
    """Group the scope's contributions into topics without saving: the version a run would save.

    Unless `afresh` or a number of groups is asked, the current groups are kept and only new
    contributions are placed; with nothing new, the plan is the current version, `unchanged`.
    """
    return _planned(uow, grouper, scope, n_topics=n_topics, afresh=afresh, now=now)


def run_harvest(
    uow: UnitOfWork,
    grouper: TopicGrouper,
    scope: HarvestScope,
    *,
    n_topics: int | None = None,
    afresh: bool = False,
    confirmed: str | None = None,
    now: datetime | None = None,
) -> HarvestVersion:
    """Group the scope's contributions into topics and save it as a new version.

    Raises ConfirmationNeeded when retained groups would change, unless `confirmed` is the token of
    that very outcome (`ConfirmationNeeded.plan.token`). With nothing new since the current version
    (and neither `afresh` nor `n_topics`), nothing is saved: the current version is returned.
    """
    plan = _planned(uow, grouper, scope, n_topics=n_topics, afresh=afresh, now=now)
    if plan.unchanged:
        return plan.version
    return _store_version(uow, scope, plan.confirmed_version(confirmed))


def parse_named_topics(text: str) -> list[tuple[str, str]]:
    """Topics named by the facilitator, one per line: 'Nom' or 'Nom : mots qui le décrivent'."""
    targets = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        label, _, description = line.partition(":")
        targets.append(
            (
                clean_label(label, what="Le nom du thème", max_chars=120),
                clean_label(description, what="La description", max_chars=500, required=False),
            )
        )
    if not targets:
        raise InvalidInput("Nommez au moins un thème, un par ligne (« Nom : mots-clés »).")
    if len({label.casefold() for label, _ in targets}) != len(targets):
        raise InvalidInput("Deux thèmes portent le même nom.")
    return targets


def run_guided_harvest(
    uow: UnitOfWork,
    scope: HarvestScope,
    targets: list[tuple[str, str]],
    *,
    embedder: Embedder | None = None,
    confirmed: str | None = None,
    now: datetime | None = None,
) -> HarvestVersion:
    """Map the scope's contributions onto named topics; those that fit none are grouped apart.

    Like `run_harvest`, it carries a person's work over and asks confirmation before changing
    retained groups.
    """
    with uow.reading():
        data = scope_data(uow, scope)
        history = versions(uow, scope)  # all of them: no key of any version is minted again
    previous = history[-1] if history else None
    aside = [cid for cid in (previous.set_aside if previous else ()) if cid in data.contributions]
    to_map = [c for c in data.contributions.values() if c.id not in set(aside)]
    ids = [c.id for c in to_map]
    texts = [_for_grouping(data.masked_text(cid)) for cid in ids]  # masked once: grouping and cache
    from facilitation.adapters.topics.guided import guided_grouping

    result = guided_grouping(
        texts,
        targets,
        embedder=embedder,
        cache=_vector_cache(uow, ids, texts) if ids else None,
    )
    position = {cid: i for i, cid in enumerate(ids)}
    keys = model.fresh_keys(history)
    topics = []
    for index, (label, description) in enumerate([*targets, (NO_THEME_LABEL, "")]):
        wanted = None if index == len(targets) else index
        members = [cid for cid, a in zip(ids, result.assignments, strict=True) if a == wanted]
        if wanted is not None:
            members.sort(key=lambda cid: -result.similarities[position[cid], index])
        topics.append(
            TopicGroup(
                key=next(keys),
                label=label,
                keywords=tuple(description.split()[:10]),
                contribution_ids=tuple(members),
                representative_ids=tuple(members[:5]),
                renamed=True,  # named by a person: a later automatic run keeps these names
            )
        )
    topics, lost = model.carry_over([t for t in topics if t.contribution_ids], previous)
    topics, themes = _themed(topics, previous.themes if previous else (), dict(zip(ids, texts, strict=True)))
    matched = sum(a is not None for a in result.assignments)
    version = model.next_version(
        previous,
        f"Regroupement guidé sur {plural(len(targets), 'thème')} : "
        f"{matched} sur {plural(len(to_map), 'contribution placée', 'contributions placées')}",
        now=now or uow.clock(),
        topics=topics,
        set_aside=aside,
        coordinates=previous.coordinates if previous else {},
        method={"engine": "guidé", "targets": [label for label, _ in targets]},
        unmatched=lost,
        themes=themes,
    )
    plan = RerunPlan.after(previous, version)
    return _store_version(uow, scope, plan.confirmed_version(confirmed))


# -- corrections --------------------------------------------------------------------------------
def _checked(latest: HarvestVersion | None, based_on: int | None) -> HarvestVersion:
    """The version a correction starts from: its number + 1 is what the correction saves, so a
    concurrent save makes it fail instead of being overwritten. `based_on` is the version the person
    was looking at; a newer one means they corrected something out of date."""
    if latest is None:
        raise NotFound("Aucune récolte pour ce périmètre : lancez d'abord le regroupement.")
    if based_on is not None and latest.number != based_on:
        raise Conflict(STALE_VERSION)
    return latest


def _corrected(
    uow: UnitOfWork,
    scope: HarvestScope,
    based_on: int | None,
    correction: Callable[[HarvestVersion, datetime], HarvestVersion],
) -> HarvestVersion:
    """Apply a person's correction to the latest version and save the result as the next one.

    Read, checked against `based_on` and saved in one writer transaction: a save landing in
    between cannot be overwritten (it is refused as a Conflict instead)."""
    with uow:
        current = _checked(latest_version(uow, scope), based_on)
        return _store_version(uow, scope, correction(current, uow.clock()))


def rename_topic(
    uow: UnitOfWork, scope: HarvestScope, key: str, label: str, *, based_on: int | None = None
) -> HarvestVersion:
    """Give a topic the label a person chose."""
    return _corrected(uow, scope, based_on, lambda current, now: model.rename(current, key, label, now=now))


def merge_topics(
    uow: UnitOfWork, scope: HarvestScope, keys: list[str], label: str = "", *, based_on: int | None = None
) -> HarvestVersion:
    """Merge two or more topics into the first one (which keeps its key, hence its fiche)."""
    return _corrected(uow, scope, based_on, lambda current, now: model.merge(current, keys, label, now=now))


def split_topic(
    uow: UnitOfWork,
    grouper: TopicGrouper,
    scope: HarvestScope,
    key: str,
    parts: int = 2,
    *,
    based_on: int | None = None,
) -> HarvestVersion:
    """Re-group one topic's contributions into `parts` new topics (each with a new key)."""
    with uow.reading():
        history = versions(uow, scope)  # all of them: no key of any version is minted again
        current = _checked(history[-1] if history else None, based_on)
        topic = model.topic_to_split(current, key, parts)
        contributions, names = _live(uow, scope)
    ids = [cid for cid in topic.contribution_ids if cid in contributions]
    texts = [_for_grouping(_masked(contributions[cid], names)) for cid in ids]  # grouping and cache
    grouping = grouper.group(
        texts,
        parts,
        cache=_vector_cache(uow, ids, texts),
        leave_unsorted=False,  # the person asked for these parts: every member goes in one
    )
    pieces = model.topics_from(grouping, ids, model.fresh_keys(history))
    return _store_version(uow, scope, model.split(current, key, pieces, now=uow.clock()))


def move_contribution(
    uow: UnitOfWork, scope: HarvestScope, contribution_id: str, to_key: str, *, based_on: int | None = None
) -> HarvestVersion:
    """Move a contribution (grouped, « à classer » or set aside) into a topic."""
    return _corrected(
        uow, scope, based_on, lambda current, now: model.move(current, contribution_id, to_key, now=now)
    )


def set_aside(
    uow: UnitOfWork, scope: HarvestScope, contribution_id: str, *, based_on: int | None = None
) -> HarvestVersion:
    """Put a contribution aside as off-topic (kept, but out of every topic)."""
    return _corrected(
        uow, scope, based_on, lambda current, now: model.put_aside(current, contribution_id, now=now)
    )


def set_kept(
    uow: UnitOfWork, scope: HarvestScope, keys: Iterable[str], *, based_on: int | None = None
) -> HarvestVersion:
    """Mark exactly these topics as kept for the syntheses (they become fiches d'observation)."""
    return _corrected(uow, scope, based_on, lambda current, now: model.keep(current, keys, now=now))


def restore_unmatched(
    uow: UnitOfWork, scope: HarvestScope, key: str, *, based_on: int | None = None
) -> HarvestVersion:
    """Bring back a group the last re-run did not find, with its key, title and mark: its members
    (those still in the scope) leave the groups they had joined."""
    return _corrected(uow, scope, based_on, lambda current, now: model.bring_back(current, key, now=now))


def restore_version(uow: UnitOfWork, scope: HarvestScope, number: int) -> HarvestVersion:
    """Make an earlier version current again (as a new version: history is never rewritten)."""
    with uow:
        history = versions(uow, scope)  # the latest is its last: read once with the others
        return _store_version(uow, scope, model.return_to(history, number, now=uow.clock()))


def rename_theme(
    uow: UnitOfWork, scope: HarvestScope, key: str, label: str, *, based_on: int | None = None
) -> HarvestVersion:
    """Give a theme the label a person chose."""
    return _corrected(
        uow, scope, based_on, lambda current, now: model.rename_theme(current, key, label, now=now)
    )


def merge_themes(
    uow: UnitOfWork, scope: HarvestScope, keys: list[str], label: str = "", *, based_on: int | None = None
) -> HarvestVersion:
    """Merge two or more themes into the first one: their sub-themes all go under it."""
    return _corrected(
        uow, scope, based_on, lambda current, now: model.merge_themes(current, keys, label, now=now)
    )


def split_theme(
    uow: UnitOfWork,
    scope: HarvestScope,
    key: str,
    topic_keys: list[str],
    label: str = "",
    *,
    based_on: int | None = None,
) -> HarvestVersion:
    """Split a theme: the chosen sub-themes leave it and form a new theme."""
    return _corrected(
        uow, scope, based_on, lambda current, now: model.split_theme(current, key, topic_keys, label, now=now)
    )


def move_topic_to_theme(
    uow: UnitOfWork, scope: HarvestScope, key: str, theme_key: str, *, based_on: int | None = None
) -> HarvestVersion:
    """Move a sub-theme (a topic) under another theme."""
    return _corrected(
        uow, scope, based_on, lambda current, now: model.move_topic(current, key, theme_key, now=now)
    )
