"""The harvest's pure model: a person's corrections, and how a re-run carries their work over.

Functions take domain values and return new ones: no unit of work, no database, no clock (the
caller passes `now`). A correction returns the next version of the harvest (its number + 1); the
use cases in service.py load the current version and save what these functions return.

Re-running the grouping never undoes a person's work:
- a re-run keeps the current groups as they are (merges, splits, moves, titles, marks, « À classer »):
  only contributions new since the last version are placed, each into the current group its
  grouping neighbours belong to, into a new group when its neighbours are all new too, or « À
  classer »; with nothing new, it changes nothing and saves nothing (`keep_groups`);
- « Regrouper à neuf » (or a new number of groups) recomputes everything; each new group is then
  matched one-to-one with an old group by shared members; a matched group keeps the old key (its
  fiche, comments and decisions follow it), its person-chosen title and its mark;
- an old retained or renamed group found nowhere is listed in the new version and can be restored;
- when a run would change retained groups, it first says how and waits for confirmation.
Topic keys are never reused within a harvest: a key names one group for good.

Two levels: each topic (a sub-theme) names its theme in `parent`; the version lists the themes. A
theme lives as long as one topic names it. A re-run never moves a topic to another theme: topics
kept or continued keep their `parent`, only new topics are given one (service.py, `_themed`).
Themes are corrected like topics: renamed, merged, split (some of its sub-themes form a new theme),
a sub-theme moved to another theme; each correction is a new version.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from facilitation.domain.access import new_id
from facilitation.domain.actors import ORGANISER
from facilitation.domain.errors import InvalidInput, NotFound
from facilitation.domain.model import HarvestVersion, ThemeGroup, TopicGroup, clean_label
from facilitation.domain.wording import plural


class FoundTopic(Protocol):
    """One topic as a grouping found it (facilitation.adapters.topics' Topic has this shape)."""

    label: str
    keywords: Sequence[str]
    members: Sequence[int]  # indices of the grouped texts
    representatives: Sequence[int]
    cohesion: float


class FoundGrouping(Protocol):
    """What a grouping returns, as far as the harvest's versions need it."""

    @property
    def topics(self) -> Sequence[FoundTopic]: ...


# A new topic takes over a person's label when it shares at least this much with the old topic.
_SAME_TOPIC_JACCARD = 0.5


def next_version(
    previous: HarvestVersion | None,
    note: str,
    *,
    now: datetime,
    topics: Iterable[TopicGroup],
    set_aside: Iterable[str],
    coordinates: dict,
    method: dict,
    unsorted: Iterable[str] = (),
    unmatched: Iterable[TopicGroup] = (),
    themes: Iterable[ThemeGroup] = (),
) -> HarvestVersion:
    """The version that follows `previous` (the first one when None); empty topics are dropped,
    and so are themes left without a topic."""
    topics = tuple(t for t in topics if t.contribution_ids)
    used = {t.parent for t in topics}
    return HarvestVersion(
        id=new_id(),
        harvest_id=previous.harvest_id if previous else "",  # the first save creates the harvest
        number=(previous.number + 1) if previous else 1,
        created_at=now,
        author=ORGANISER,
        note=note,
        topics=topics,
        set_aside=tuple(set_aside),
        coordinates=coordinates,
        method=method,
        unsorted=tuple(unsorted),
        unmatched=tuple(unmatched),
        themes=tuple(t for t in themes if t.key in used),
    )


def _corrected(
    current: HarvestVersion,
    note: str,
    topics: Iterable[TopicGroup],
    *,
    now: datetime,
    set_aside: Iterable[str] | None = None,
    unsorted: Iterable[str] | None = None,
    unmatched: Iterable[TopicGroup] | None = None,
    themes: Iterable[ThemeGroup] | None = None,
) -> HarvestVersion:
    """The next version after a correction: the map and the method stay those of the last run."""
    return next_version(
        current,
        note,
        now=now,
        topics=topics,
        set_aside=current.set_aside if set_aside is None else set_aside,
        coordinates=current.coordinates,
        method=current.method,
        unsorted=current.unsorted if unsorted is None else unsorted,
        unmatched=current.unmatched if unmatched is None else unmatched,
        themes=current.themes if themes is None else themes,
    )


# -- corrections ---------------------------------------------------------------------------------
def rename(current: HarvestVersion, key: str, label: str, *, now: datetime) -> HarvestVersion:
    """Give a topic the label a person chose (a later re-run keeps it)."""
    old = current.topic(key)
    new_label = clean_label(label, what="Le nom du groupe", max_chars=120)
    topics = [replace(t, label=new_label, renamed=True) if t.key == key else t for t in current.topics]
    return _corrected(current, f"« {old.label} » renommé en « {new_label} »", topics, now=now)


def merge(current: HarvestVersion, keys: list[str], label: str = "", *, now: datetime) -> HarvestVersion:
    """Merge two or more topics into the first one (which keeps its key, hence its fiche)."""
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
    return _corrected(current, f"Fusion de {names}", topics, now=now)


def topic_to_split(current: HarvestVersion, key: str, parts: int) -> TopicGroup:
    """The topic to cut into `parts`, checked before any grouping is spent on it."""
    topic = current.topic(key)
    if not 2 <= parts <= len(topic.contribution_ids):
        raise InvalidInput(
            f"Ce groupe compte {plural(len(topic.contribution_ids), 'contribution')} : "
            "impossible de le couper en autant de parties."
        )
    return topic


def split(current: HarvestVersion, key: str, pieces: list[TopicGroup], *, now: datetime) -> HarvestVersion:
    """Replace a topic by the pieces it was re-grouped into (each with a fresh key)."""
    topic = current.topic(key)
    pieces = [replace(piece, parent=topic.parent) for piece in pieces]  # they stay in its theme
    topics = [piece for t in current.topics for piece in (pieces if t.key == key else [t])]
    return _corrected(current, f"« {topic.label} » coupé en {plural(len(pieces), 'groupe')}", topics, now=now)


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


def move(current: HarvestVersion, contribution_id: str, to_key: str, *, now: datetime) -> HarvestVersion:
    """Move a contribution (grouped, « à classer » or set aside) into a topic."""
    target = current.topic(to_key)
    if not _placed(current, contribution_id):
        raise NotFound("Cette contribution ne fait pas partie de cette récolte.")
    topics = [
        replace(t, contribution_ids=(*t.contribution_ids, contribution_id), cohesion=None)
        if t.key == to_key
        else t
        for t in _without(current.topics, contribution_id)
    ]
    return _corrected(
        current,
        f"Contribution déplacée vers « {target.label} »",
        topics,
        now=now,
        set_aside=[c for c in current.set_aside if c != contribution_id],
        unsorted=[c for c in current.unsorted if c != contribution_id],
    )


def put_aside(current: HarvestVersion, contribution_id: str, *, now: datetime) -> HarvestVersion:
    """Put a contribution aside as off-topic (kept, but out of every topic)."""
    if contribution_id in current.set_aside or not _placed(current, contribution_id):
        raise NotFound("Cette contribution n'est dans aucun groupe de cette récolte.")
    return _corrected(
        current,
        "Contribution mise de côté (hors sujet)",
        _without(current.topics, contribution_id),
        now=now,
        set_aside=(*current.set_aside, contribution_id),
        unsorted=[c for c in current.unsorted if c != contribution_id],
    )


def keep(current: HarvestVersion, keys: Iterable[str], *, now: datetime) -> HarvestVersion:
    """Mark exactly these topics as kept for the syntheses (the others lose their mark)."""
    wanted = set(keys)
    for key in wanted:
        current.topic(key)
    topics = [replace(t, kept=t.key in wanted) for t in current.topics]
    kept = plural(len(wanted), "groupe retenu", "groupes retenus")
    return _corrected(current, f"{kept} pour les fiches", topics, now=now)


def bring_back(current: HarvestVersion, key: str, *, now: datetime) -> HarvestVersion:
    """Restore a group the last re-run did not find, with its key, title and mark: its members
    (those still in the version) leave the groups and lists they had joined."""
    old = next((t for t in current.unmatched if t.key == key), None)
    if old is None:
        raise NotFound("Ce groupe n'est pas dans la liste des groupes non retrouvés.")
    members = [cid for cid in old.contribution_ids if _placed(current, cid)]
    if not members:
        raise InvalidInput("Aucune contribution de ce groupe n'est encore dans ce périmètre.")
    topics = list(current.topics)
    for cid in members:
        topics = _without(topics, cid)
    themes = list(current.themes)
    if not any(theme.key == old.parent for theme in themes):
        # Its theme went with it: it comes back as a theme of its own, named after it.
        themes.append(ThemeGroup(key=new_theme_key(), label=old.label))
        old = replace(old, parent=themes[-1].key)
    restored = replace(
        old,
        contribution_ids=tuple(members),
        representative_ids=tuple(c for c in old.representative_ids if c in members) or tuple(members[:5]),
        cohesion=None,
    )
    return _corrected(
        current,
        f"« {old.label} » rétabli",
        [*topics, restored],
        now=now,
        set_aside=[c for c in current.set_aside if c not in members],
        unsorted=[c for c in current.unsorted if c not in members],
        unmatched=[t for t in current.unmatched if t.key != key],
        themes=themes,
    )


def return_to(history: list[HarvestVersion], number: int, *, now: datetime) -> HarvestVersion:
    """An earlier version made current again, as a new version after the last one of `history`
    (oldest first): history is never rewritten."""
    old = next((v for v in history if v.number == number), None)
    if old is None:
        raise NotFound(f"La version {number} n'existe pas.")
    return _corrected(
        history[-1],
        f"Retour à la version {number}",
        old.topics,
        now=now,
        set_aside=old.set_aside,
        unsorted=old.unsorted,
        unmatched=old.unmatched,
        themes=old.themes,
    )


# -- theme corrections ----------------------------------------------------------------------------
def new_theme_key() -> str:
    """A theme key never met before (random: themes are born in corrections, which see one version)."""
    return "h" + new_id()[:12]


def _theme_label(label: str) -> str:
    return clean_label(label, what="Le nom du thème", max_chars=120)


def rename_theme(current: HarvestVersion, key: str, label: str, *, now: datetime) -> HarvestVersion:
    """Give a theme the label a person chose."""
    old = current.theme(key)
    new_label = _theme_label(label)
    themes = [replace(t, label=new_label, renamed=True) if t.key == key else t for t in current.themes]
    return _corrected(
        current, f"Thème « {old.label} » renommé en « {new_label} »", current.topics, now=now, themes=themes
    )


def merge_themes(
    current: HarvestVersion, keys: list[str], label: str = "", *, now: datetime
) -> HarvestVersion:
    """Merge two or more themes into the first one: their sub-themes all go under it."""
    if len(set(keys)) < 2:
        raise InvalidInput("Choisissez au moins deux thèmes à fusionner.")
    merged = [current.theme(k) for k in dict.fromkeys(keys)]
    first = merged[0]
    gone = {t.key for t in merged[1:]}
    if label.strip():
        first = replace(first, label=_theme_label(label), renamed=True)
    themes = [first if t.key == first.key else t for t in current.themes if t.key not in gone]
    topics = [replace(t, parent=first.key) if t.parent in gone else t for t in current.topics]
    names = " + ".join(f"« {t.label} »" for t in merged)
    return _corrected(current, f"Fusion des thèmes {names}", topics, now=now, themes=themes)


def split_theme(
    current: HarvestVersion, key: str, topic_keys: list[str], label: str = "", *, now: datetime
) -> HarvestVersion:
    """Split a theme: the chosen sub-themes leave it and form a new theme (named `label`, or after
    the largest of them)."""
    theme = current.theme(key)
    members = {t.key for t in current.sub_themes(key)}
    leaving = [current.topic(k) for k in dict.fromkeys(topic_keys)]
    if not leaving or any(t.key not in members for t in leaving) or len(leaving) == len(members):
        raise InvalidInput(
            "Choisissez une partie seulement des sous-thèmes de ce thème : ils formeront le nouveau thème."
        )
    largest = max(leaving, key=lambda t: len(t.contribution_ids))
    new = ThemeGroup(
        key=new_theme_key(),
        label=_theme_label(label) if label.strip() else largest.label,
        renamed=bool(label.strip()),
    )
    moving = {t.key for t in leaving}
    topics = [replace(t, parent=new.key) if t.key in moving else t for t in current.topics]
    themes = [piece for t in current.themes for piece in ([t, new] if t.key == key else [t])]
    return _corrected(
        current,
        f"Thème « {theme.label} » coupé : {plural(len(leaving), 'sous-thème')} vers « {new.label} »",
        topics,
        now=now,
        themes=themes,
    )


def move_topic(current: HarvestVersion, key: str, theme_key: str, *, now: datetime) -> HarvestVersion:
    """Move a sub-theme (a topic) under another theme."""
    topic = current.topic(key)
    target = current.theme(theme_key)
    if topic.parent == theme_key:
        raise InvalidInput(f"« {topic.label} » est déjà dans le thème « {target.label} ».")
    topics = [replace(t, parent=theme_key) if t.key == key else t for t in current.topics]
    return _corrected(current, f"« {topic.label} » déplacé vers le thème « {target.label} »", topics, now=now)


# -- a re-run: new groups that carry a person's work over ------------------------------------------
_KEY_NUMBER = re.compile(r"[a-z]+(\d+)")


def fresh_keys(history: Iterable[HarvestVersion]) -> Iterator[str]:
    """Topic keys never used before in this harvest (a key names one group for good)."""
    used = [
        int(match.group(1))
        for version in history
        for topic in (*version.topics, *version.unmatched)
        if (match := _KEY_NUMBER.match(topic.key))
    ]
    return (f"t{number}" for number in itertools.count(max(used, default=0) + 1))


def topics_from(grouping: FoundGrouping, ids: list[str], keys: Iterator[str]) -> list[TopicGroup]:
    """The grouping's topics as TopicGroups: `ids[i]` is the contribution of the grouping's text i."""
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


def start_from(previous: HarvestVersion | None, ids: list[str]) -> list[int | None] | None:
    """Each contribution's group in the previous version (-1: « À classer », None: new), for the
    grouping to start from; None before the first version or when it has no group."""
    if previous is None or not previous.topics:
        return None
    group_of = {cid: index for index, t in enumerate(previous.topics) for cid in t.contribution_ids}
    group_of |= {cid: -1 for cid in previous.unsorted}
    return [group_of.get(cid) for cid in ids]


def placed_ids(version: HarvestVersion) -> set[str]:
    """The contributions a version has placed: in a group, « À classer » or set aside."""
    return (
        {cid for t in version.topics for cid in t.contribution_ids}
        | set(version.unsorted)
        | set(version.set_aside)
    )


def nothing_new(previous: HarvestVersion | None, ids: Iterable[str]) -> bool:
    """True when the version already places exactly these contributions (set-asides apart): a
    re-run would have nothing to do."""
    if previous is None or not previous.topics:
        return False
    placed = {cid for t in previous.topics for cid in t.contribution_ids} | set(previous.unsorted)
    return placed == set(ids)


def keep_groups(
    previous: HarvestVersion, topics: list[TopicGroup], unsorted: Iterable[str], ids: Iterable[str]
) -> tuple[list[TopicGroup], list[str]]:
    """A re-run's groups: the current ones untouched, plus the new contributions placed.

    `topics` and `unsorted` are what the grouping found over `ids` (the scope's contributions, set
    asides apart). A contribution the previous version placed stays where it is, whatever the
    grouping says: a person's moves, merges, titles and marks survive. A new one joins the current
    group most of its grouping neighbours are in; when they are all new, the new ones form a new
    group; the grouping's « À classer » stay « À classer ». Contributions gone from the scope
    (hidden, erased) leave their group.
    """
    in_scope = set(ids)
    known = placed_ids(previous)
    group_of = {cid: t.key for t in previous.topics for cid in t.contribution_ids}
    joining: dict[str, list[str]] = {}
    new_topics = []
    for topic in topics:
        fresh = [cid for cid in topic.contribution_ids if cid not in known]
        if not fresh:
            continue
        neighbours = Counter(group_of[cid] for cid in topic.contribution_ids if cid in group_of)
        if neighbours:
            # The most common current group; on a tie, the first one met (grouping's order).
            joining.setdefault(neighbours.most_common(1)[0][0], []).extend(fresh)
        else:
            representatives = tuple(cid for cid in topic.representative_ids if cid in fresh)
            new_topics.append(
                replace(topic, contribution_ids=tuple(fresh), representative_ids=representatives)
            )
    kept = []
    for topic in previous.topics:
        members = tuple(cid for cid in topic.contribution_ids if cid in in_scope)
        added = tuple(joining.get(topic.key, ()))
        if members == topic.contribution_ids and not added:
            kept.append(topic)
            continue
        representatives = tuple(cid for cid in topic.representative_ids if cid in in_scope) or members[:5]
        kept.append(
            replace(
                topic, contribution_ids=members + added, representative_ids=representatives, cohesion=None
            )
        )
    waiting = [cid for cid in previous.unsorted if cid in in_scope]
    waiting += [cid for cid in unsorted if cid not in known]
    return kept + new_topics, waiting


def _jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    a, b = set(a), set(b)
    return len(a & b) / len(a | b) if a | b else 0.0


def _match_previous(previous: HarvestVersion, topics: list[TopicGroup]) -> dict[str, TopicGroup]:
    """New topic key -> the old topic it continues: one-to-one, by shared members.

    Only contributions the old version had placed count, so a group that grew with new
    contributions is still recognised.
    """
    from scipy.optimize import linear_sum_assignment  # loaded with the first re-run only

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


def carry_over(
    topics: list[TopicGroup], previous: HarvestVersion | None
) -> tuple[list[TopicGroup], list[TopicGroup]]:
    """The new topics with what a person decided on the old ones (key, title, mark), and the old
    ones a person had worked on (retained or renamed) that no new topic continues."""
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
                parent=old.parent,  # a continued group stays in its theme
            )
        )
    continued = {old.key for old in matches.values()}
    lost = [t for t in previous.topics if t.key not in continued and (t.kept or t.renamed)]
    return carried, lost


def retained_changes(previous: HarvestVersion | None, version: HarvestVersion) -> list[str]:
    """How a re-run changes retained groups, one French sentence each: lost, or contributions
    moving in or out of them.

    New contributions joining a retained group are what a re-run is for: they need no confirmation.
    """
    if previous is None:
        return []
    placed_before = {cid for t in previous.topics for cid in t.contribution_ids}
    placed_before |= set(previous.unsorted)
    still_placed = placed_ids(version)
    new_by_key = {t.key: t for t in version.topics}
    changes = []
    for old in previous.topics:
        if not old.kept:
            continue
        new = new_by_key.get(old.key)
        if new is None:
            changes.append(f"« {old.label} » ne serait plus retrouvé (il resterait listé, restaurable)")
            continue
        # A contribution gone from the scope (hidden, erased) is not the run's doing: only moves count.
        left = len((set(old.contribution_ids) - set(new.contribution_ids)) & still_placed)
        joined = len((set(new.contribution_ids) - set(old.contribution_ids)) & placed_before)
        if left or joined:
            moves = [f"{plural(joined, 'contribution')} d'un autre groupe en plus"] if joined else []
            moves += [f"{plural(left, 'contribution')} en moins"] if left else []
            changes.append(f"« {old.label} » : {' et '.join(moves)}")
    return changes


@dataclass(frozen=True)
class RerunPlan:
    """What a re-run would save, and how it would change the groups a person retained."""

    version: HarvestVersion
    changes: list[str]  # one French sentence per retained group that would change
    # Nothing new since `version`, the current one: the run saves nothing and asks nothing.
    unchanged: bool = False

    @classmethod
    def after(cls, previous: HarvestVersion | None, version: HarvestVersion) -> RerunPlan:
        """The plan to save `version` after `previous`."""
        return cls(version, retained_changes(previous, version))

    @property
    def token(self) -> str:
        """What the person confirms: a different outcome needs a new confirmation."""
        return hashlib.sha256("\n".join(self.changes).encode("utf-8")).hexdigest()[:16]

    def confirmed_version(self, confirmed: str | None) -> HarvestVersion:
        """The version to save; ConfirmationNeeded while it changes retained groups and
        `confirmed` is not the token of this very outcome."""
        if self.unchanged:
            return self.version
        if self.changes and confirmed != self.token:
            raise ConfirmationNeeded(self)
        return self.version


class ConfirmationNeeded(InvalidInput):
    """A re-run would change retained groups: the person must see how, then confirm."""

    def __init__(self, plan: RerunPlan) -> None:
        super().__init__(
            "Relancer le regroupement changerait des groupes retenus pour les fiches : "
            + " ; ".join(plan.changes)
            + ". Confirmez pour relancer."
        )
        self.plan = plan
