"""Harvest use cases: group a scope's contributions into topics, and let a person correct them.

Every run and every correction saves a new HarvestVersion; earlier versions stay readable and can be
restored. Re-running the grouping carries over what a person decided: contributions set aside stay
aside, and a renamed or kept topic keeps its label and mark when the new grouping finds it again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from facilitation import audit
from facilitation.access import new_id
from facilitation.cafes import get_cafe, get_round, list_cafes, utcnow
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
from facilitation.errors import InvalidInput, NotFound
from facilitation.privacy import mask_personal_data
from facilitation.search import plain
from facilitation.storage.base import UnitOfWork
from facilitation.topics import Grouping, TopicGrouper
from facilitation.topics.embeddings import Embedder
from facilitation.topics.guided import guided_grouping
from facilitation.wording import plural

ORGANISER = "organisateur"
# A new topic takes over a person's label when it shares at least this much with the old topic.
_SAME_TOPIC_JACCARD = 0.5


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


def _save(
    store: UnitOfWork,
    scope: HarvestScope,
    previous: HarvestVersion | None,
    note: str,
    *,
    topics: Iterable[TopicGroup],
    set_aside: Iterable[str],
    coordinates: dict,
    method: dict,
    now: datetime | None = None,
) -> HarvestVersion:
    now = now or utcnow()
    with store:
        version = HarvestVersion(
            id=new_id(),
            harvest_id=previous.harvest_id if previous else store.harvests.id_for(scope, now),
            number=(previous.number + 1) if previous else 1,
            created_at=now,
            author=ORGANISER,
            note=note,
            topics=tuple(t for t in topics if t.contribution_ids),
            set_aside=tuple(set_aside),
            coordinates=coordinates,
            method=method,
        )
        store.harvests.add_version(version)
        for cafe_id in scope.cafe_ids:
            # Notes quote topic labels, which a person may have typed with a name in them.
            logged = mask_personal_data(note, store.trust.masked_names(cafe_id))
            audit.record(
                store,
                "récolte enregistrée",
                cafe_id=cafe_id,
                target=f"version {version.number}",
                details=logged,
            )
    return version


def _jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    a, b = set(a), set(b)
    return len(a & b) / len(a | b) if a | b else 0.0


def _carry_over(topic: TopicGroup, previous: HarvestVersion | None) -> TopicGroup:
    if previous is None:
        return topic
    best = max(
        previous.topics, key=lambda old: _jaccard(old.contribution_ids, topic.contribution_ids), default=None
    )
    if best is None or _jaccard(best.contribution_ids, topic.contribution_ids) < _SAME_TOPIC_JACCARD:
        return topic
    return replace(
        topic,
        label=best.label if best.renamed else topic.label,
        renamed=best.renamed,
        kept=best.kept,
    )


def _topics_from(grouping: Grouping, ids: list[str], prefix: str = "t") -> list[TopicGroup]:
    return [
        TopicGroup(
            key=f"{prefix}{topic.id + 1}",
            label=topic.label,
            keywords=tuple(topic.keywords),
            contribution_ids=tuple(ids[i] for i in topic.members),
            representative_ids=tuple(ids[i] for i in topic.representatives),
            cohesion=topic.cohesion,
        )
        for topic in grouping.topics
    ]


def run_harvest(
    store: UnitOfWork,
    grouper: TopicGrouper,
    scope: HarvestScope,
    *,
    n_topics: int | None = None,
    now: datetime | None = None,
) -> HarvestVersion:
    """Group the scope's contributions into topics and save it as a new version."""
    data = scope_data(store, scope)
    previous = latest_version(store, scope)
    set_aside = [cid for cid in (previous.set_aside if previous else ()) if cid in data.contributions]
    to_group = [c for c in data.contributions.values() if c.id not in set(set_aside)]
    if len(to_group) < 2:
        raise InvalidInput(
            f"Il faut au moins deux contributions pour grouper ({len(to_group)} dans ce périmètre)."
        )
    if n_topics is not None and not 1 <= n_topics <= len(to_group):
        raise InvalidInput(f"Le nombre de groupes doit être entre 1 et {len(to_group)}.")
    ids = [c.id for c in to_group]
    grouping = grouper.group([data.masked_text(c.id) for c in to_group], n_topics)
    topics = [_carry_over(t, previous) for t in _topics_from(grouping, ids)]
    note = f"Regroupement automatique : {len(topics)} groupes ({grouping.method.get('engine', '')})"
    return _save(
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
        now=now,
    )


def _current(store: UnitOfWork, scope: HarvestScope) -> HarvestVersion:
    version = latest_version(store, scope)
    if version is None:
        raise NotFound("Aucune récolte pour ce périmètre : lancez d'abord le regroupement.")
    return version


def _edit(
    store: UnitOfWork, scope: HarvestScope, note: str, topics, set_aside=None, **changes
) -> HarvestVersion:
    current = _current(store, scope)
    return _save(
        store,
        scope,
        current,
        note,
        topics=topics,
        set_aside=current.set_aside if set_aside is None else set_aside,
        coordinates=current.coordinates,
        method=current.method | changes,
    )


def rename_topic(store: UnitOfWork, scope: HarvestScope, key: str, label: str) -> HarvestVersion:
    """Give a topic the label a person chose."""
    current = _current(store, scope)
    old = current.topic(key)
    new_label = clean_label(label, what="Le nom du groupe", max_chars=120)
    topics = [replace(t, label=new_label, renamed=True) if t.key == key else t for t in current.topics]
    return _edit(store, scope, f"« {old.label} » renommé en « {new_label} »", topics)


def merge_topics(store: UnitOfWork, scope: HarvestScope, keys: list[str], label: str = "") -> HarvestVersion:
    """Merge two or more topics into the first one."""
    current = _current(store, scope)
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
    )
    gone = {t.key for t in merged[1:]}
    topics = [combined if t.key == first.key else t for t in current.topics if t.key not in gone]
    names = " + ".join(f"« {t.label} »" for t in merged)
    return _edit(store, scope, f"Fusion de {names}", topics)


def split_topic(
    store: UnitOfWork, grouper: TopicGrouper, scope: HarvestScope, key: str, parts: int = 2
) -> HarvestVersion:
    """Re-group one topic's contributions into `parts` new topics."""
    current = _current(store, scope)
    topic = current.topic(key)
    if not 2 <= parts <= len(topic.contribution_ids):
        raise InvalidInput(
            f"Ce groupe compte {plural(len(topic.contribution_ids), 'contribution')} : "
            "impossible de le couper en autant de parties."
        )
    data = scope_data(store, scope)
    ids = [cid for cid in topic.contribution_ids if cid in data.contributions]
    grouping = grouper.group([data.masked_text(cid) for cid in ids], parts)
    taken = {t.key for t in current.topics}
    pieces = []
    for piece in _topics_from(grouping, ids, prefix=f"{key}."):
        suffix = 1
        while piece.key in taken:
            piece, suffix = replace(piece, key=f"{piece.key}.{suffix}"), suffix + 1
        pieces.append(piece)
    topics = []
    for t in current.topics:
        topics.extend(pieces if t.key == key else [t])
    return _edit(store, scope, f"« {topic.label} » coupé en {len(pieces)} groupes", topics)


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


def move_contribution(
    store: UnitOfWork, scope: HarvestScope, contribution_id: str, to_key: str
) -> HarvestVersion:
    """Move a contribution (grouped or set aside) into another topic."""
    current = _current(store, scope)
    target = current.topic(to_key)
    if not any(contribution_id in t.contribution_ids for t in current.topics) and (
        contribution_id not in current.set_aside
    ):
        raise NotFound("Cette contribution ne fait pas partie de cette récolte.")
    topics = [
        replace(t, contribution_ids=(*t.contribution_ids, contribution_id), cohesion=None)
        if t.key == to_key
        else t
        for t in _without(current.topics, contribution_id)
    ]
    set_aside = [c for c in current.set_aside if c != contribution_id]
    return _edit(store, scope, f"Contribution déplacée vers « {target.label} »", topics, set_aside)


def set_aside(store: UnitOfWork, scope: HarvestScope, contribution_id: str) -> HarvestVersion:
    """Put a contribution aside as off-topic (kept, but out of every topic)."""
    current = _current(store, scope)
    if not any(contribution_id in t.contribution_ids for t in current.topics):
        raise NotFound("Cette contribution n'est dans aucun groupe de cette récolte.")
    return _edit(
        store,
        scope,
        "Contribution mise de côté (hors sujet)",
        _without(current.topics, contribution_id),
        (*current.set_aside, contribution_id),
    )


def set_kept(store: UnitOfWork, scope: HarvestScope, keys: Iterable[str]) -> HarvestVersion:
    """Mark exactly these topics as kept for the syntheses (they become fiches d'observation)."""
    current = _current(store, scope)
    wanted = set(keys)
    for key in wanted:
        current.topic(key)
    topics = [replace(t, kept=t.key in wanted) for t in current.topics]
    kept = plural(len(wanted), "groupe retenu", "groupes retenus")
    return _edit(store, scope, f"{kept} pour les fiches", topics)


def restore_version(store: UnitOfWork, scope: HarvestScope, number: int) -> HarvestVersion:
    """Make an earlier version current again (as a new version: history is never rewritten)."""
    old = next((v for v in versions(store, scope) if v.number == number), None)
    if old is None:
        raise NotFound(f"La version {number} n'existe pas.")
    return _edit(store, scope, f"Retour à la version {number}", old.topics, old.set_aside)


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
    ungrouped: list[Contribution]  # arrived after the grouping ran


def view(data: ScopeData, version: HarvestVersion) -> HarvestView:
    """Figures of every topic of a version (contributions deleted since are left out)."""
    known = data.contributions
    placed = {cid for t in version.topics for cid in t.contribution_ids} | set(version.set_aside)

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


NO_THEME_KEY = "aucun"
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
    now: datetime | None = None,
) -> HarvestVersion:
    """Map the scope's contributions onto named topics; those that fit none are grouped apart."""
    data = scope_data(store, scope)
    previous = latest_version(store, scope)
    aside = [cid for cid in (previous.set_aside if previous else ()) if cid in data.contributions]
    to_map = [c for c in data.contributions.values() if c.id not in set(aside)]
    result = guided_grouping([data.masked_text(c.id) for c in to_map], targets, embedder=embedder)
    position = {c.id: i for i, c in enumerate(to_map)}
    topics = []
    for index, (label, description) in enumerate([*targets, (NO_THEME_LABEL, "")]):
        wanted = None if index == len(targets) else index
        members = [c.id for c, a in zip(to_map, result.assignments, strict=True) if a == wanted]
        if wanted is not None:
            members.sort(key=lambda cid: -result.similarities[position[cid], index])
        topics.append(
            TopicGroup(
                key=f"g{index + 1}" if wanted is not None else NO_THEME_KEY,
                label=label,
                keywords=tuple(description.split()[:10]),
                contribution_ids=tuple(members),
                representative_ids=tuple(members[:5]),
                renamed=True,  # named by a person: a later automatic run keeps these names
            )
        )
    matched = sum(a is not None for a in result.assignments)
    return _save(
        store,
        scope,
        previous,
        f"Regroupement guidé sur {len(targets)} thèmes : {matched}/{len(to_map)} contributions placées",
        topics=topics,
        set_aside=aside,
        coordinates=previous.coordinates if previous else {},
        method={"engine": "guidé", "targets": [label for label, _ in targets]},
        now=now,
    )
