"""Harvest use cases: group a scope's contributions into topics, and let a person correct them.

Every run and every correction saves a new HarvestVersion; earlier versions stay readable and can be
restored. Re-running the grouping never drops a person's work silently:
- it starts from the current groups (merges, splits and moves included), so few contributions move;
- each new group is matched one-to-one with an old group by shared members; a matched group keeps
  the old key (its fiche, comments and decisions follow it), its person-chosen title and its mark;
- an old retained or renamed group found nowhere is listed in the new version and can be restored;
- when a re-run would change retained groups, it first says how and waits for confirmation.
Topic keys are never reused within a harvest: a key names one group for good.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime

import numpy as np

from facilitation import audit
from facilitation.access import new_id
from facilitation.audit import ORGANISER
from facilitation.cafes import get_cafe, get_round, list_cafes
from facilitation.clock import utcnow
from facilitation.domain import (
    Cafe,
    Contribution,
    HarvestScope,
    HarvestVersion,
    Round,
    Table,
    Theme,
    TopicGroup,
    clean_label,
    parse_choice,
)
from facilitation.errors import Conflict, InvalidInput, NotFound
from facilitation.privacy import mask_personal_data
from facilitation.search import plain
from facilitation.storage.base import UnitOfWork
from facilitation.topics import Grouping, TopicGrouper
from facilitation.topics.embeddings import Embedder, text_key
from facilitation.topics.guided import guided_grouping
from facilitation.wording import plural

# A new topic takes over a person's label when it shares at least this much with the old topic.
_SAME_TOPIC_JACCARD = 0.5
# A re-run starts from the current groups while they already hold this share of the contributions;
# past that (a first harvest after round 1, re-run after round 3), it groups afresh.
RESTART_SHARE = 0.8


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
        """The text as documents show it: grouping reads this, so that no label, keyword or
        representative quote can carry a flagged name, a phone number or an address."""
        contribution = self.contributions[contribution_id]
        return mask_personal_data(contribution.text, self.masked_names.get(contribution.cafe_id, ()))

    def all_masked_names(self) -> list[str]:
        return [name for names in self.masked_names.values() for name in names]


def find_cafes(
    store: UnitOfWork,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    place: str = "",
    theme: str | None = None,
) -> list[Cafe]:
    """Cafés (archived included) filtered by date range, place (any part, accents aside), theme."""
    wanted_theme = parse_choice(Theme, theme, "Thème")
    needle = plain(place.strip())
    return [
        cafe
        for cafe in list_cafes(store, include_archived=True)
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


def scope_data(store: UnitOfWork, scope: HarvestScope) -> ScopeData:
    """Load the live contributions of the scope."""
    cafes, rounds, tables, found, names = {}, {}, {}, {}, {}
    for cafe_id in scope.cafe_ids:
        cafes[cafe_id] = get_cafe(store, cafe_id)
        names[cafe_id] = store.trust.masked_names(cafe_id)
        rounds.update({r.id: r for r in store.cafes.rounds(cafe_id)})
        tables.update({t.id: t for t in store.cafes.tables(cafe_id)})
        if scope.round_id:
            get_round(store, cafe_id, scope.round_id)
        found.update({c.id: c for c in store.contributions.in_cafe(cafe_id, round_id=scope.round_id)})
    return ScopeData(scope, cafes, rounds, tables, found, names)


def latest_version(store: UnitOfWork, scope: HarvestScope) -> HarvestVersion | None:
    harvest_id = store.harvests.find(scope)
    return store.harvests.latest(harvest_id) if harvest_id else None


def versions(store: UnitOfWork, scope: HarvestScope) -> list[HarvestVersion]:
    """Every saved version of the scope's harvest, oldest first."""
    harvest_id = store.harvests.find(scope)
    return store.harvests.versions(harvest_id) if harvest_id else []


def _new_version(
    store: UnitOfWork,
    scope: HarvestScope,
    previous: HarvestVersion | None,
    note: str,
    *,
    topics: Iterable[TopicGroup],
    set_aside: Iterable[str],
    coordinates: dict,
    method: dict,
    unsorted: Iterable[str] = (),
    unmatched: Iterable[TopicGroup] = (),
    now: datetime | None = None,
) -> HarvestVersion:
    now = now or utcnow()
    return HarvestVersion(
        id=new_id(),
        harvest_id=previous.harvest_id if previous else "",  # created with the first version
        number=(previous.number + 1) if previous else 1,
        created_at=now,
        author=ORGANISER,
        note=note,
        topics=tuple(t for t in topics if t.contribution_ids),
        set_aside=tuple(set_aside),
        coordinates=coordinates,
        method=method,
        unsorted=tuple(unsorted),
        unmatched=tuple(unmatched),
    )


def _store_version(store: UnitOfWork, scope: HarvestScope, version: HarvestVersion) -> HarvestVersion:
    """Save the version and its audit rows in one transaction; a concurrent save of the same
    number is refused (Conflict), never overwritten."""
    with store:
        if not version.harvest_id:
            version = replace(version, harvest_id=store.harvests.id_for(scope, version.created_at))
        try:
            store.harvests.add_version(version)
        except Conflict:
            raise Conflict(STALE_VERSION) from None
        for cafe_id in scope.cafe_ids:
            # Notes quote topic labels, which a person may have typed with a name in them.
            logged = mask_personal_data(version.note, store.trust.masked_names(cafe_id))
            audit.record(
                store,
                "récolte enregistrée",
                cafe_id=cafe_id,
                target=f"version {version.number}",
                details=logged,
            )
    return version


def _save(
    store: UnitOfWork, scope: HarvestScope, previous: HarvestVersion | None, note: str, **parts
) -> HarvestVersion:
    return _store_version(store, scope, _new_version(store, scope, previous, note, **parts))


def _jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    a, b = set(a), set(b)
    return len(a & b) / len(a | b) if a | b else 0.0


def _match_previous(previous: HarvestVersion, topics: list[TopicGroup]) -> dict[str, TopicGroup]:
    """New topic key -> the old topic it continues: one-to-one, by shared members.

    Only contributions the old version had placed count, so a group that grew with new
    contributions is still recognised.
    """
    from scipy.optimize import linear_sum_assignment

    placed = {cid for t in previous.topics for cid in t.contribution_ids}
    placed |= set(previous.set_aside) | set(previous.unsorted)
    if not previous.topics or not topics:
        return {}
    overlap = [
        [_jaccard(old.contribution_ids, set(new.contribution_ids) & placed) for old in previous.topics]
        for new in topics
    ]
    rows, cols = linear_sum_assignment(overlap, maximize=True)
    return {
        topics[r].key: previous.topics[c]
        for r, c in zip(rows, cols, strict=True)
        if overlap[r][c] >= _SAME_TOPIC_JACCARD
    }


def _carry_over(
    topics: list[TopicGroup], previous: HarvestVersion | None
) -> tuple[list[TopicGroup], list[TopicGroup]]:
    """The new topics with what a person decided on the old ones, and the old ones a person had
    worked on (retained or renamed) that no new topic continues."""
    if previous is None:
        return topics, []
    matches = _match_previous(previous, topics)
    carried = []
    for topic in topics:
        old = matches.get(topic.key)
        if old is None:
            carried.append(topic)
            continue
        person_named = old.renamed and not topic.renamed  # a guided run's names are a person's too
        carried.append(
            replace(
                topic,
                key=old.key,
                label=old.label if person_named else topic.label,
                renamed=old.renamed or topic.renamed,
                kept=old.kept,
            )
        )
    continued = {old.key for old in matches.values()}
    lost = [t for t in previous.topics if t.key not in continued and (t.kept or t.renamed)]
    return carried, lost


_KEY_NUMBER = re.compile(r"[a-z]+(\d+)")


def _key_minter(history: list[HarvestVersion]) -> Iterator[str]:
    """Fresh topic keys, never used before in this harvest (a key names one group for good)."""
    used = [
        int(match.group(1))
        for version in history
        for topic in (*version.topics, *version.unmatched)
        if (match := _KEY_NUMBER.match(topic.key))
    ]
    return (f"t{number}" for number in itertools.count(max(used, default=0) + 1))


def _topics_from(grouping: Grouping, ids: list[str], keys: Iterator[str]) -> list[TopicGroup]:
    return [
        TopicGroup(
            key=next(keys),
            label=topic.label,
            keywords=tuple(topic.keywords),
            contribution_ids=tuple(ids[i] for i in topic.members),
            representative_ids=tuple(ids[i] for i in topic.representatives),
            cohesion=topic.cohesion,
        )
        for topic in grouping.topics
    ]


class ContributionVectors:
    """The sentence vectors of a scope's contributions, kept in the database between runs."""

    def __init__(self, store: UnitOfWork, ids_by_text: dict[str, list[str]]) -> None:
        self.store = store
        self.ids_by_text = ids_by_text

    def known(self, model: str, texts: list[str]) -> dict[str, np.ndarray]:
        wanted = {cid: text_key(text) for text in texts for cid in self.ids_by_text.get(text, ())}
        found = self.store.vectors.load(model, wanted)
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
        with self.store:  # a transaction of its own: kept even when the run is then refused
            self.store.vectors.save(model, rows)


def _vector_cache(store: UnitOfWork, ids: list[str], texts: list[str]) -> ContributionVectors:
    ids_by_text: dict[str, list[str]] = {}
    for cid, text in zip(ids, texts, strict=True):
        ids_by_text.setdefault(text, []).append(cid)
    return ContributionVectors(store, ids_by_text)


def _start_from(previous: HarvestVersion | None, ids: list[str]) -> list[int | None] | None:
    """Each contribution's group in the previous version, when that version still describes most of
    the scope; otherwise (None) the grouping starts afresh."""
    if previous is None:
        return None
    group_of = {cid: index for index, t in enumerate(previous.topics) for cid in t.contribution_ids}
    start = [group_of.get(cid) for cid in ids]
    if sum(g is not None for g in start) < RESTART_SHARE * len(ids):
        return None
    return start


@dataclass(frozen=True)
class RerunPlan:
    """What a re-run would save, and how it would change the groups a person retained."""

    version: HarvestVersion
    changes: list[str]  # one French sentence per retained group that would change

    @property
    def token(self) -> str:
        """What the person confirms: a different outcome needs a new confirmation."""
        return hashlib.sha256("\n".join(self.changes).encode("utf-8")).hexdigest()[:16]


class ConfirmationNeeded(InvalidInput):
    """A re-run would change retained groups: the person must see how, then confirm."""

    def __init__(self, plan: RerunPlan) -> None:
        super().__init__(
            "Relancer le regroupement changerait des groupes retenus pour les fiches : "
            + " ; ".join(plan.changes)
            + ". Confirmez pour relancer."
        )
        self.plan = plan


def _retained_changes(previous: HarvestVersion | None, version: HarvestVersion) -> list[str]:
    """How the re-run changes retained groups: lost, or contributions moving in or out of them.

    New contributions joining a retained group are what a re-run is for: they need no confirmation.
    """
    if previous is None:
        return []
    placed_before = {cid for t in previous.topics for cid in t.contribution_ids}
    placed_before |= set(previous.unsorted)
    new_by_key = {t.key: t for t in version.topics}
    changes = []
    for old in previous.topics:
        if not old.kept:
            continue
        new = new_by_key.get(old.key)
        if new is None:
            changes.append(f"« {old.label} » ne serait plus retrouvé (il resterait listé, restaurable)")
            continue
        left = len(set(old.contribution_ids) - set(new.contribution_ids))
        joined = len((set(new.contribution_ids) - set(old.contribution_ids)) & placed_before)
        if left or joined:
            moves = [f"{plural(joined, 'contribution')} d'un autre groupe en plus"] if joined else []
            moves += [f"{plural(left, 'contribution')} en moins"] if left else []
            changes.append(f"« {old.label} » : {' et '.join(moves)}")
    return changes


def plan_harvest(
    store: UnitOfWork,
    grouper: TopicGrouper,
    scope: HarvestScope,
    *,
    n_topics: int | None = None,
    afresh: bool = False,
    now: datetime | None = None,
) -> RerunPlan:
    """Group the scope's contributions into topics without saving: the version a run would save.

    The grouping starts from the current groups unless `afresh` or a new number of groups is asked.
    """
    data = scope_data(store, scope)
    history = versions(store, scope)
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
    texts = [data.masked_text(cid) for cid in ids]  # masked once: grouping and cache
    grouping = grouper.group(
        texts,
        n_topics,
        cache=_vector_cache(store, ids, texts),
        start_from=None if afresh else _start_from(previous, ids),
    )
    topics, lost = _carry_over(_topics_from(grouping, ids, _key_minter(history)), previous)
    unsorted = [ids[i] for i in grouping.unsorted]
    note = f"Regroupement automatique : {plural(len(topics), 'groupe')}"
    if unsorted:
        note += f", {plural(len(unsorted), 'contribution')} à classer"
    if lost:
        note += f", {plural(len(lost), 'groupe')} d'avant non retrouvé" + ("s" if len(lost) > 1 else "")
    version = _new_version(
        store,
        scope,
        previous,
        note,
        topics=topics,
        set_aside=set_aside,
        coordinates={
            cid: [float(x), float(y)] for cid, (x, y) in zip(ids, grouping.coordinates, strict=True)
        },
        method=grouping.method,
        unsorted=unsorted,
        unmatched=lost,
        now=now,
    )
    return RerunPlan(version, _retained_changes(previous, version))


def run_harvest(
    store: UnitOfWork,
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
    that very outcome (`ConfirmationNeeded.plan.token`).
    """
    plan = plan_harvest(store, grouper, scope, n_topics=n_topics, afresh=afresh, now=now)
    return _confirm_and_store(store, scope, plan, confirmed)


def _confirm_and_store(
    store: UnitOfWork, scope: HarvestScope, plan: RerunPlan, confirmed: str | None
) -> HarvestVersion:
    if plan.changes and confirmed != plan.token:
        raise ConfirmationNeeded(plan)
    return _store_version(store, scope, plan.version)


STALE_VERSION = (
    "Quelqu'un vient d'enregistrer une autre version de ce regroupement : "
    "rechargez la page et refaites votre correction."
)


def _current(store: UnitOfWork, scope: HarvestScope, based_on: int | None = None) -> HarvestVersion:
    """The version a correction starts from, read once: its number + 1 is what the correction
    saves, so a concurrent save makes it fail instead of being overwritten. `based_on` is the
    version the person was looking at; a newer one means they corrected something out of date."""
    version = latest_version(store, scope)
    if version is None:
        raise NotFound("Aucune récolte pour ce périmètre : lancez d'abord le regroupement.")
    if based_on is not None and version.number != based_on:
        raise Conflict(STALE_VERSION)
    return version


def _edit(
    store: UnitOfWork,
    scope: HarvestScope,
    current: HarvestVersion,
    note: str,
    topics: Iterable[TopicGroup],
    *,
    set_aside: Iterable[str] | None = None,
    unsorted: Iterable[str] | None = None,
    unmatched: Iterable[TopicGroup] | None = None,
) -> HarvestVersion:
    return _save(
        store,
        scope,
        current,
        note,
        topics=topics,
        set_aside=current.set_aside if set_aside is None else set_aside,
        coordinates=current.coordinates,
        method=current.method,
        unsorted=current.unsorted if unsorted is None else unsorted,
        unmatched=current.unmatched if unmatched is None else unmatched,
    )


def rename_topic(
    store: UnitOfWork, scope: HarvestScope, key: str, label: str, *, based_on: int | None = None
) -> HarvestVersion:
    """Give a topic the label a person chose."""
    current = _current(store, scope, based_on)
    old = current.topic(key)
    new_label = clean_label(label, what="Le nom du groupe", max_chars=120)
    topics = [replace(t, label=new_label, renamed=True) if t.key == key else t for t in current.topics]
    return _edit(store, scope, current, f"« {old.label} » renommé en « {new_label} »", topics)


def merge_topics(
    store: UnitOfWork, scope: HarvestScope, keys: list[str], label: str = "", *, based_on: int | None = None
) -> HarvestVersion:
    """Merge two or more topics into the first one (which keeps its key, hence its fiche)."""
    current = _current(store, scope, based_on)
    if len(set(keys)) < 2:
        raise InvalidInput("Choisissez au moins deux groupes à fusionner.")
    merged = [current.topic(k) for k in dict.fromkeys(keys)]
    first = merged[0]
    combined = replace(
        first,
        label=clean_label(label, what="Le nom du groupe", max_chars=120) if label.strip() else first.label,
        renamed=bool(label.strip()) or first.renamed,
        keywords=tuple(dict.fromkeys(k for t in merged for k in t.keywords))[:10],
        contribution_ids=tuple(cid for t in merged for cid in t.contribution_ids),
        representative_ids=tuple(cid for t in merged for cid in t.representative_ids)[:5],
        kept=any(t.kept for t in merged),
        cohesion=None,
    )
    gone = {t.key for t in merged[1:]}
    topics = [combined if t.key == first.key else t for t in current.topics if t.key not in gone]
    names = " + ".join(f"« {t.label} »" for t in merged)
    return _edit(store, scope, current, f"Fusion de {names}", topics)


def split_topic(
    store: UnitOfWork,
    grouper: TopicGrouper,
    scope: HarvestScope,
    key: str,
    parts: int = 2,
    *,
    based_on: int | None = None,
) -> HarvestVersion:
    """Re-group one topic's contributions into `parts` new topics (each with a new key)."""
    current = _current(store, scope, based_on)
    topic = current.topic(key)
    if not 2 <= parts <= len(topic.contribution_ids):
        raise InvalidInput(
            f"Ce groupe compte {plural(len(topic.contribution_ids), 'contribution')} : "
            "impossible de le couper en autant de parties."
        )
    data = scope_data(store, scope)
    ids = [cid for cid in topic.contribution_ids if cid in data.contributions]
    texts = [data.masked_text(cid) for cid in ids]  # masked once: grouping and cache
    grouping = grouper.group(
        texts,
        parts,
        cache=_vector_cache(store, ids, texts),
        leave_unsorted=False,  # the person asked for these parts: every member goes in one
    )
    pieces = _topics_from(grouping, ids, _key_minter(versions(store, scope)))
    topics = []
    for t in current.topics:
        topics.extend(pieces if t.key == key else [t])
    return _edit(store, scope, current, f"« {topic.label} » coupé en {len(pieces)} groupes", topics)


def _without(topics: Iterable[TopicGroup], contribution_id: str) -> list[TopicGroup]:
    return [
        replace(
            t,
            contribution_ids=tuple(c for c in t.contribution_ids if c != contribution_id),
            representative_ids=tuple(c for c in t.representative_ids if c != contribution_id),
            cohesion=None if contribution_id in t.contribution_ids else t.cohesion,
        )
        for t in topics
    ]


def _placed(version: HarvestVersion, contribution_id: str) -> bool:
    return (
        any(contribution_id in t.contribution_ids for t in version.topics)
        or contribution_id in version.set_aside
        or contribution_id in version.unsorted
    )


def move_contribution(
    store: UnitOfWork, scope: HarvestScope, contribution_id: str, to_key: str, *, based_on: int | None = None
) -> HarvestVersion:
    """Move a contribution (grouped, « à classer » or set aside) into a topic."""
    current = _current(store, scope, based_on)
    target = current.topic(to_key)
    if not _placed(current, contribution_id):
        raise NotFound("Cette contribution ne fait pas partie de cette récolte.")
    topics = [
        replace(t, contribution_ids=(*t.contribution_ids, contribution_id), cohesion=None)
        if t.key == to_key
        else t
        for t in _without(current.topics, contribution_id)
    ]
    return _edit(
        store,
        scope,
        current,
        f"Contribution déplacée vers « {target.label} »",
        topics,
        set_aside=[c for c in current.set_aside if c != contribution_id],
        unsorted=[c for c in current.unsorted if c != contribution_id],
    )


def set_aside(
    store: UnitOfWork, scope: HarvestScope, contribution_id: str, *, based_on: int | None = None
) -> HarvestVersion:
    """Put a contribution aside as off-topic (kept, but out of every topic)."""
    current = _current(store, scope, based_on)
    if contribution_id in current.set_aside or not _placed(current, contribution_id):
        raise NotFound("Cette contribution n'est dans aucun groupe de cette récolte.")
    return _edit(
        store,
        scope,
        current,
        "Contribution mise de côté (hors sujet)",
        _without(current.topics, contribution_id),
        set_aside=(*current.set_aside, contribution_id),
        unsorted=[c for c in current.unsorted if c != contribution_id],
    )


def set_kept(
    store: UnitOfWork, scope: HarvestScope, keys: Iterable[str], *, based_on: int | None = None
) -> HarvestVersion:
    """Mark exactly these topics as kept for the syntheses (they become fiches d'observation)."""
    current = _current(store, scope, based_on)
    wanted = set(keys)
    for key in wanted:
        current.topic(key)
    topics = [replace(t, kept=t.key in wanted) for t in current.topics]
    kept = plural(len(wanted), "groupe retenu", "groupes retenus")
    return _edit(store, scope, current, f"{kept} pour les fiches", topics)


def restore_unmatched(
    store: UnitOfWork, scope: HarvestScope, key: str, *, based_on: int | None = None
) -> HarvestVersion:
    """Bring back a group the last re-run did not find, with its key, title and mark: its members
    (those still in the scope) leave the groups they had joined."""
    current = _current(store, scope, based_on)
    old = next((t for t in current.unmatched if t.key == key), None)
    if old is None:
        raise NotFound("Ce groupe n'est pas dans la liste des groupes non retrouvés.")
    members = [cid for cid in old.contribution_ids if _placed(current, cid)]
    if not members:
        raise InvalidInput("Aucune contribution de ce groupe n'est encore dans ce périmètre.")
    topics = list(current.topics)
    for cid in members:
        topics = _without(topics, cid)
    restored = replace(
        old,
        contribution_ids=tuple(members),
        representative_ids=tuple(c for c in old.representative_ids if c in members) or tuple(members[:5]),
        cohesion=None,
    )
    return _edit(
        store,
        scope,
        current,
        f"« {old.label} » rétabli",
        [*topics, restored],
        set_aside=[c for c in current.set_aside if c not in members],
        unsorted=[c for c in current.unsorted if c not in members],
        unmatched=[t for t in current.unmatched if t.key != key],
    )


def restore_version(store: UnitOfWork, scope: HarvestScope, number: int) -> HarvestVersion:
    """Make an earlier version current again (as a new version: history is never rewritten)."""
    old = next((v for v in versions(store, scope) if v.number == number), None)
    if old is None:
        raise NotFound(f"La version {number} n'existe pas.")
    return _edit(
        store,
        scope,
        _current(store, scope),
        f"Retour à la version {number}",
        old.topics,
        set_aside=old.set_aside,
        unsorted=old.unsorted,
        unmatched=old.unmatched,
    )


# -- reading ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TopicView:
    """A topic with its figures, ready to show or print."""

    topic: TopicGroup
    contributions: list[Contribution]
    representatives: list[Contribution]
    supports: int
    agreement: int
    tables: Counter  # table label -> count
    rounds: Counter  # "Tour n" -> count
    cafes: Counter  # café id -> count

    @property
    def size(self) -> int:
        return len(self.contributions)


@dataclass(frozen=True)
class HarvestView:
    data: ScopeData
    version: HarvestVersion
    topics: list[TopicView]
    set_aside: list[Contribution]
    unsorted: list[Contribution]  # « À classer »: far from every group, for a person to place
    ungrouped: list[Contribution]  # arrived after the grouping ran


def view(data: ScopeData, version: HarvestVersion) -> HarvestView:
    """Figures of every topic of a version (contributions deleted since are left out)."""
    known = data.contributions
    placed = {cid for t in version.topics for cid in t.contribution_ids}
    placed |= set(version.set_aside) | set(version.unsorted)

    def table_label(c: Contribution) -> str:
        table = data.tables[c.table_id]
        prefix = f"{data.cafes[c.cafe_id].title} · " if len(data.cafes) > 1 else ""
        return prefix + table.label()

    topics = []
    for topic in version.topics:
        members = [known[cid] for cid in topic.contribution_ids if cid in known]
        topics.append(
            TopicView(
                topic=topic,
                contributions=members,
                representatives=[known[cid] for cid in topic.representative_ids if cid in known]
                or members[:5],
                supports=sum(c.supports for c in members),
                agreement=sum(c.agreement_count or 0 for c in members),
                tables=Counter(table_label(c) for c in members),
                rounds=Counter(f"Tour {data.rounds[c.round_id].position}" for c in members),
                cafes=Counter(c.cafe_id for c in members),
            )
        )
    return HarvestView(
        data=data,
        version=version,
        topics=topics,
        set_aside=[known[cid] for cid in version.set_aside if cid in known],
        unsorted=[known[cid] for cid in version.unsorted if cid in known],
        ungrouped=[c for cid, c in known.items() if cid not in placed],
    )


def harvest_view(store: UnitOfWork, scope: HarvestScope, number: int | None = None) -> HarvestView | None:
    """The latest (or a given) version of the scope's harvest with its figures; None if never run."""
    all_versions = versions(store, scope)
    if not all_versions:
        return None
    chosen = (
        all_versions[-1] if number is None else next((v for v in all_versions if v.number == number), None)
    )
    if chosen is None:
        raise NotFound(f"La version {number} n'existe pas.")
    return view(scope_data(store, scope), chosen)


NO_THEME_LABEL = "Ne correspond à aucun thème proposé"


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
    store: UnitOfWork,
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
    data = scope_data(store, scope)
    history = versions(store, scope)
    previous = history[-1] if history else None
    aside = [cid for cid in (previous.set_aside if previous else ()) if cid in data.contributions]
    to_map = [c for c in data.contributions.values() if c.id not in set(aside)]
    ids = [c.id for c in to_map]
    texts = [data.masked_text(cid) for cid in ids]  # masked once: grouping and cache
    result = guided_grouping(
        texts,
        targets,
        embedder=embedder,
        cache=_vector_cache(store, ids, texts) if ids else None,
    )
    position = {cid: i for i, cid in enumerate(ids)}
    keys = _key_minter(history)
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
    topics, lost = _carry_over([t for t in topics if t.contribution_ids], previous)
    matched = sum(a is not None for a in result.assignments)
    version = _new_version(
        store,
        scope,
        previous,
        f"Regroupement guidé sur {len(targets)} thèmes : {matched}/{len(to_map)} contributions placées",
        topics=topics,
        set_aside=aside,
        coordinates=previous.coordinates if previous else {},
        method={"engine": "guidé", "targets": [label for label, _ in targets]},
        unmatched=lost,
        now=now,
    )
    return _confirm_and_store(
        store, scope, RerunPlan(version, _retained_changes(previous, version)), confirmed
    )
