"""What the documents say: a café's synthesis and its fiches d'observation, as plain data.

exports/ turns these into PDF, CSV, XLSX and ZIP; nothing here knows about layout.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from facilitation.adapters.clock import local_time
from facilitation.domain.access import new_id
from facilitation.domain.agreement import (
    CONSENSUS_SHARE,
    MIN_VOTES,
    TABLE_MIN_VOTES,
    THEME_PREFIX,
    UNCERTAIN_SHARE,
    Agreement,
    Choice,
    Label,
    Vote,
    french_percent,
)
from facilitation.domain.errors import InvalidInput, NotFound
from facilitation.domain.model import (
    Cafe,
    Committee,
    Contribution,
    Decision,
    Fiche,
    FicheStatus,
    Kind,
    Source,
    Theme,
    TopicGroup,
    cafe_fiche_ref,
    clean_text,
    parse_choice,
)
from facilitation.domain.privacy import MASKED_SUMMARY, mask_personal_data, restore_masked
from facilitation.domain.wording import plural
from facilitation.services import audit, harvest
from facilitation.services.cafes import get_cafe, list_cafes
from facilitation.services.ports import UnitOfWork, read_only
from facilitation.services.snapshot import CafeSnapshot, load_snapshot
from facilitation.services.votes import agreements
from facilitation.settings import DEFAULT_TIMEZONE

MAX_VERBATIMS = 5
AGREEMENT_NOTE = (
    "Les avis (« d'accord », « pas d'accord », « je ne sais pas ») viennent des téléphones, des votes à "
    "main levée comptés par les capitaines et du vote en plénière sur les thèmes. Un thème est en "
    f"« consensus » quand au moins {round(CONSENSUS_SHARE * 100)} % des avis vont dans le même sens et "
    f"qu'aucune table ayant donné au moins {TABLE_MIN_VOTES} avis ne s'y oppose aux deux tiers ; "
    "« incertain » quand plus "
    f"de {round(UNCERTAIN_SHARE * 100)} % répondent « je ne sais pas » ; « trop peu d'avis » sous "
    f"{MIN_VOTES} avis ; « avis partagés » sinon. Les habitants comptés sont les téléphones qui ont "
    "écrit, chacun une fois, et les idées notées par les capitaines, chacune pour une personne."
)
SUMMARY_THEMES = 8  # the one-page summary's ranking
SUMMARY_QUOTES = 3
SUMMARY_QUESTIONS = 3
SUMMARY_MARKED_QUESTIONS = 8  # marked ones all come first; beyond this many, the page would shrink


def _rounds_text(positions: list[int]) -> str:
    """« tour 2 », « tours 1–3 » (consecutive) or « tours 1, 3 »."""
    if not positions:
        return "aucun tour"
    if len(positions) == 1:
        return f"tour {positions[0]}"
    if positions == list(range(positions[0], positions[-1] + 1)):
        return f"tours {positions[0]}–{positions[-1]}"
    return "tours " + ", ".join(str(p) for p in positions)


def opinion_text(o: Agreement) -> str:
    """An agreement in one line: label, share and counts, where the « d'accord » comes from."""
    if not o.tally.total:
        return "pas encore d'avis exprimé"
    parts = [o.label_text, f"{french_percent(o.percent())} d'accord ({o.counts_text()})"]
    return " · ".join([*parts, o.reach] if o.reach else parts)


def opinion_brief(o: Agreement) -> str:
    """The same, shorter, for the one-page summary: « consensus (d'accord) · 79 % d'accord sur
    58 avis · d'accord à toutes les tables »."""
    if not o.tally.total:
        return "pas encore d'avis exprimé"
    parts = [
        o.label_text,
        f"{french_percent(o.percent())} d'accord sur {plural(o.tally.total, 'avis', 'avis')}",
    ]
    return " · ".join([*parts, o.reach] if o.reach else parts)


@dataclass(frozen=True)
class Provenance:
    """Where a theme came from. `residents` counts the phones that wrote (each once) plus the ideas
    captains took down (each said by someone; one person speaking twice at a table counts twice)."""

    residents: int
    tables: int
    rounds: tuple[int, ...]
    supports: int

    def text(self) -> str:
        """« 7 habitants · 4 tables · tours 1–2 · 23 soutiens »."""
        return " · ".join(
            (
                plural(self.residents, "habitant"),
                plural(self.tables, "table"),
                _rounds_text(list(self.rounds)),
                plural(self.supports, "soutien"),
            )
        )


@dataclass(frozen=True)
class Quote:
    """A resident's words (masked) with the table and round they were said at."""

    text: str
    table: str  # « Table 2 » (with its name when it has one)
    round: int
    supports: int
    marked: bool = False  # marked at the table (captain or phone) as a question that emerged

    @property
    def source(self) -> str:
        """« Table 2, tour 1 · 3 soutiens »."""
        cited = f"{self.table}, tour {self.round}"
        return cited + (f" · {plural(self.supports, 'soutien')}" if self.supports else "")


@dataclass(frozen=True)
class EmergedQuestion:
    """A question marked as emerging at an earlier café, masked, with the café it came from."""

    cafe_title: str
    held_on: date
    text: str


@dataclass(frozen=True)
class IdeaPath:
    """An idea that builds on one heard at another table or round (« je prolonge »), masked."""

    from_table: int
    from_round: int
    to_table: int
    to_round: int
    origin: str  # the idea built on
    idea: str  # the idea that prolongs it

    @property
    def steps(self) -> str:
        """« Table 2, tour 1 → Table 5, tour 2 »."""
        return (
            f"Table {self.from_table}, tour {self.from_round} → Table {self.to_table}, tour {self.to_round}"
        )

    @property
    def line(self) -> str:
        """« Table 2, tour 1 → Table 5, tour 2 : <the idea> »."""
        return f"{self.steps} : {self.idea}"


ORGANISER_LABEL = "l'Atelier d'innovation (organisateur du café)"

# Which committee an observation goes to by default, from the café's theme; the organiser changes it.
DEFAULT_COMMITTEE = {
    Theme.AMENAGEMENT_DURABLE: Committee.PROJETS_PRIORITAIRES,
    Theme.ENERGIE: Committee.PROJETS_PRIORITAIRES,
    Theme.VIEILLISSEMENT: Committee.SERVICES_QUALITE,
    Theme.MIEUX_VIVRE: Committee.SERVICES_QUALITE,
    Theme.NUMERIQUE: Committee.MANAGEMENT_STRATEGIQUE,
    Theme.AUTRE: Committee.SERVICES_QUALITE,
}


@dataclass(frozen=True)
class TopicSummary:
    key: str
    label: str
    size: int
    supports: int
    agreement: int
    keywords: list[str]
    verbatims: list[str]
    tables: Counter
    rounds: Counter
    provenance: Provenance
    opinion: Agreement  # votes on its ideas, shows of hands, plenary votes on the theme
    quotes: list[Quote]  # the verbatims with their table and round

    @property
    def opinion_text(self) -> str:
        """« consensus (d'accord) · 80 % d'accord (8 d'accord · 2 pas d'accord · 0 je ne sais pas) ·
        d'accord à toutes les tables », or « pas encore d'avis exprimé »."""
        return opinion_text(self.opinion)


@dataclass(frozen=True)
class ThemeSummary:
    """A theme (the upper level of a harvest) with its sub-themes: its provenance and agreement are
    those of all its sub-themes' ideas and plenary votes together."""

    key: str
    label: str
    size: int
    provenance: Provenance
    opinion: Agreement
    topics: list[TopicSummary]  # its sub-themes, largest first

    @property
    def opinion_text(self) -> str:
        return opinion_text(self.opinion)


@dataclass(frozen=True)
class RoundSummary:
    position: int
    question: str
    contributions: int
    from_residents: int
    topics: list[tuple[str, int]]  # retained topics present in this round, with counts


@dataclass(frozen=True)
class RoundTablecloths:
    """A round's tablecloths for the synthesis: (« Table N », JPEG) by table, then as attached."""

    position: int
    question: str
    photos: list[tuple[str, bytes]]


@dataclass(frozen=True)
class CafeSynthesis:
    cafe: Cafe
    organiser: str
    generated_at: datetime
    figures: dict[str, int]
    rounds: list[RoundSummary]
    table_labels: list[str]
    topics: list[TopicSummary]  # retained for the syntheses and the fiches, largest first
    others: list[TopicSummary]  # every other group residents spoke of, largest first
    set_aside: list[str]
    unsorted: list[str]  # « À classer »: not yet placed by a person
    method_note: str
    harvested: bool
    ranking: list[TopicSummary] = field(default_factory=list)  # the summary: by support and agreement
    strongest: list[tuple[str, Quote]] = field(default_factory=list)  # (theme label, quote)
    questions: list[Quote] = field(default_factory=list)  # marked as emerging first, then those noticed
    paths: list[IdeaPath] = field(default_factory=list)  # ideas that travelled, in round order
    themes: list[ThemeSummary] = field(default_factory=list)  # every group under its theme, largest first
    tablecloths: list[RoundTablecloths] = field(default_factory=list)  # rounds with photos, in order


@dataclass(frozen=True)
class RelatedTopic:
    cafe_title: str
    held_on: str
    label: str


@dataclass(frozen=True)
class FicheSheet:
    cafe: Cafe
    fiche: Fiche
    topic: TopicSummary
    related: list[RelatedTopic] = field(default_factory=list)
    generated_at: datetime | None = None


@dataclass(frozen=True)
class _Sources:
    """Table labels, round positions and agreements, read once for every topic of a synthesis."""

    names: list[str]
    table_label: dict[str, str]  # table id -> label
    round_position: dict[str, int]
    opinions: dict[str, Agreement]  # topic key -> agreement

    def quote(self, c: Contribution) -> Quote:
        return Quote(
            text=mask_personal_data(c.text, self.names),
            table=self.table_label[c.table_id],
            round=self.round_position[c.round_id],
            supports=c.supports,
            marked=c.emerging_question,
        )


def _provenance(members: list[Contribution], round_position: dict[str, int]) -> Provenance:
    phones = {c.author for c in members if c.source is Source.RESIDENT and c.author}
    taken_down = sum(1 for c in members if not (c.source is Source.RESIDENT and c.author))
    return Provenance(
        residents=len(phones) + taken_down,
        tables=len({c.table_id for c in members}),
        rounds=tuple(sorted({round_position[c.round_id] for c in members})),
        supports=sum(c.supports for c in members),
    )


def _summary(topic: harvest.TopicView, sources: _Sources) -> TopicSummary:
    names = sources.names
    quotes = [sources.quote(c) for c in topic.representatives][:MAX_VERBATIMS]
    return TopicSummary(
        key=topic.topic.key,
        # Labels and keywords of a version made before a name was flagged may still carry it.
        label=mask_personal_data(topic.topic.label, names),
        size=topic.size,
        supports=topic.supports,
        agreement=topic.agreement,
        keywords=[mask_personal_data(k, names) for k in topic.topic.keywords[:8]],
        verbatims=[q.text for q in quotes],
        tables=topic.tables,
        rounds=topic.rounds,
        provenance=_provenance(topic.contributions, sources.round_position),
        opinion=sources.opinions[topic.topic.key],
        quotes=quotes,
    )


def _rank(topic: TopicSummary) -> tuple:
    # Support first (what the room pushed), then how far it agrees: a consensus « for » before a
    # divided theme, « against » last; size breaks ties.
    o = topic.opinion
    agreed = o.label is Label.CONSENSUS and o.side is Choice.AGREE
    against = o.label is Label.CONSENSUS and o.side is Choice.DISAGREE
    return (-(topic.supports + o.tally.agree), not agreed, against, -o.percent(), -topic.size)


def _sources(snapshot: CafeSnapshot, topics: list[harvest.TopicView], votes: list[Vote]) -> _Sources:
    groups = {t.topic.key: [c.id for c in t.contributions] for t in topics}
    return _Sources(
        names=snapshot.masked_names,
        table_label={t.id: t.label() for t in snapshot.tables},
        round_position={r.id: r.position for r in snapshot.rounds},
        opinions=agreements(votes, groups),
    )


@dataclass(frozen=True)
class TopicReading:
    """What the harvest page says of a group beside its members: provenance and agreement."""

    provenance: Provenance
    opinion: Agreement

    @property
    def opinion_text(self) -> str:
        return opinion_text(self.opinion)


def _theme_members(theme: harvest.ThemeView) -> list[str]:
    """What a theme's votes are given on: its sub-themes' ideas and the sub-themes themselves."""
    return [c.id for c in theme.contributions] + [THEME_PREFIX + t.topic.key for t in theme.topics]


def _themes(
    snapshot: CafeSnapshot, view: harvest.HarvestView, summaries: dict[str, TopicSummary], sources: _Sources
) -> list[ThemeSummary]:
    opinions = agreements(snapshot.votes, {t.theme.key: _theme_members(t) for t in view.themes})
    return [
        ThemeSummary(
            key=theme.theme.key,
            label=mask_personal_data(theme.theme.label, sources.names),
            size=theme.size,
            provenance=_provenance(theme.contributions, sources.round_position),
            opinion=opinions[theme.theme.key],
            topics=[summaries[t.topic.key] for t in theme.topics if t.topic.key in summaries],
        )
        for theme in view.themes
        if theme.size
    ]


def theme_readings(uow: UnitOfWork, view: harvest.HarvestView) -> dict[str, TopicReading]:
    """Provenance and agreement of every theme of a harvest view, by theme key."""
    with uow.reading():
        listed = [v for cafe_id in view.data.cafes for v in uow.contributions.votes_in(cafe_id)]
    positions = {rid: r.position for rid, r in view.data.rounds.items()}
    opinions = agreements(listed, {t.theme.key: _theme_members(t) for t in view.themes})
    return {
        t.theme.key: TopicReading(_provenance(t.contributions, positions), opinions[t.theme.key])
        for t in view.themes
    }


def harvest_readings(uow: UnitOfWork, view: harvest.HarvestView) -> dict[str, TopicReading]:
    """Provenance and agreement of every group of a harvest view, by topic key (votes of every café
    of the scope; a table counts as its number, whatever the café)."""
    with uow.reading():
        listed = [v for cafe_id in view.data.cafes for v in uow.contributions.votes_in(cafe_id)]
    positions = {rid: r.position for rid, r in view.data.rounds.items()}
    opinions = agreements(listed, {t.topic.key: [c.id for c in t.contributions] for t in view.topics})
    return {
        t.topic.key: TopicReading(_provenance(t.contributions, positions), opinions[t.topic.key])
        for t in view.topics
    }


def quote_source(view: harvest.HarvestView, c: Contribution) -> str:
    """« Table 2 — Les Lilas, tour 1 »: where and when a quoted contribution was said."""
    return f"{view.data.tables[c.table_id].label()}, tour {view.data.rounds[c.round_id].position}"


def _is_question(c: Contribution) -> bool:
    return c.kind is Kind.QUESTION or c.text.rstrip().endswith("?")


def _questions(listed: list[Contribution], set_aside_ids: set[str]) -> list[Contribution]:
    """The questions that emerged: every one marked at a table first (a person chose it), then, to
    fill up to SUMMARY_QUESTIONS, those that read as questions; each list by supports."""
    kept = [c for c in listed if c.id not in set_aside_ids]
    marked = sorted((c for c in kept if c.emerging_question), key=lambda c: -c.supports)
    noticed = sorted(
        (c for c in kept if not c.emerging_question and _is_question(c)), key=lambda c: -c.supports
    )
    return marked[:SUMMARY_MARKED_QUESTIONS] + noticed[: max(0, SUMMARY_QUESTIONS - len(marked))]


def paths_of(snapshot: CafeSnapshot) -> list[IdeaPath]:
    """Every idea of the café that builds on another live one, masked, in round then table order."""
    by_id = {c.id: c for c in snapshot.contributions}
    tables = {t.id: t.number for t in snapshot.tables}
    rounds = {r.id: r.position for r in snapshot.rounds}
    names = snapshot.masked_names
    paths = [
        IdeaPath(
            from_table=tables[origin.table_id],
            from_round=rounds[origin.round_id],
            to_table=tables[c.table_id],
            to_round=rounds[c.round_id],
            origin=mask_personal_data(origin.text, names),
            idea=mask_personal_data(c.text, names),
        )
        for c in snapshot.contributions
        if (origin := by_id.get(c.builds_on or "")) is not None
    ]
    return sorted(paths, key=lambda p: (p.to_round, p.to_table, p.from_round, p.from_table))


@read_only
def idea_paths(uow: UnitOfWork, cafe_id: str) -> list[IdeaPath]:
    """The paths of the café's ideas across tables and rounds (for the harvest page's chart)."""
    return paths_of(load_snapshot(uow, cafe_id))


def emerged_questions(uow: UnitOfWork, cafe_id: str, *, limit: int = 40) -> list[EmergedQuestion]:
    """Questions marked as emerging in the other cafés held up to this one's date, masked, the most
    recent café first (then the most supported): offered as this café's round questions."""
    with uow.reading():
        cafe = get_cafe(uow, cafe_id)
        earlier = {c.id: c for c in uow.cafes.list_all() if c.id != cafe_id and c.held_on <= cafe.held_on}
        marked = [c for c in uow.contributions.emerging_questions() if c.cafe_id in earlier]
        marked.sort(key=lambda c: (earlier[c.cafe_id].held_on, c.supports), reverse=True)
        names = {cid: uow.trust.masked_names(cid) for cid in {c.cafe_id for c in marked[:limit]}}
        return [
            EmergedQuestion(
                earlier[c.cafe_id].title,
                earlier[c.cafe_id].held_on,
                mask_personal_data(c.text, names[c.cafe_id]),
            )
            for c in marked[:limit]
        ]


@read_only
def cafe_synthesis(
    uow: UnitOfWork, cafe_id: str, *, timezone: str = DEFAULT_TIMEZONE, now: datetime | None = None
) -> CafeSynthesis:
    """Everything the synthesis of a café reports, from its latest harvest version."""
    return summarise(load_snapshot(uow, cafe_id), timezone=timezone, now=now)


def summarise(
    snapshot: CafeSnapshot, *, timezone: str = DEFAULT_TIMEZONE, now: datetime | None = None
) -> CafeSynthesis:
    """The synthesis of a café read in `snapshot`.

    Dates are given in the café's time zone: a document made at 00:12 on the 27th says the 27th.
    """
    cafe, rounds, tables = snapshot.cafe, snapshot.rounds, snapshot.tables
    listed, names, view = snapshot.contributions, snapshot.masked_names, snapshot.harvest
    from_residents = sum(c.source is Source.RESIDENT for c in listed)
    retained = [t for t in view.topics if t.topic.kept] if view else []
    topic_of = {
        cid: mask_personal_data(t.topic.label, names) for t in retained for cid in t.topic.contribution_ids
    }
    round_summaries = []
    for round_ in rounds:
        in_round = [c for c in listed if c.round_id == round_.id]
        counts = Counter(topic_of[c.id] for c in in_round if c.id in topic_of)
        round_summaries.append(
            RoundSummary(
                position=round_.position,
                question=round_.question,
                contributions=len(in_round),
                from_residents=sum(c.source is Source.RESIDENT for c in in_round),
                topics=counts.most_common(),
            )
        )
    if view is None:
        method = (
            "Les idées de ce café n'ont pas encore été regroupées : elles sont comptées, mais pas encore "
            f"classées par sujet. Avant tout document, sont masqués : {MASKED_SUMMARY}."
        )
    else:
        readings = view.version.number - 1
        reviewed = (
            f"puis relues par {ORGANISER_LABEL}, qui a pu renommer, réunir, séparer ou mettre de côté des "
            f"groupes ({plural(readings, 'modification enregistrée', 'modifications enregistrées')}, "
            f"dernière le {local_time(view.version.created_at, timezone):%d/%m/%Y})"
            if readings
            else f"puis présentées telles quelles par {ORGANISER_LABEL}"
        )
        method = (
            "Les idées ont été regroupées automatiquement par proximité de sens : un programme, qui "
            f"fonctionne sans internet, rapproche celles qui emploient des mots voisins, {reviewed}. "
            "Les phrases citées sont celles des habitants, telles qu'ils les ont dites ou écrites ; avant "
            f"impression, sont masqués : {MASKED_SUMMARY}. {AGREEMENT_NOTE}"
        )
    sources = _sources(snapshot, view.topics if view else [], snapshot.votes)
    kept = [_summary(t, sources) for t in sorted(retained, key=lambda t: -t.size)]
    others = [
        _summary(t, sources)
        for t in sorted(view.topics if view else [], key=lambda t: -t.size)
        if not t.topic.kept and t.size
    ]
    ranking = sorted([*kept, *others], key=_rank)[:SUMMARY_THEMES]
    strongest = sorted(
        ((t.label, q) for t in ranking for q in t.quotes[:2]), key=lambda pair: -pair[1].supports
    )[:SUMMARY_QUOTES]
    set_aside_ids = {c.id for c in view.set_aside} if view else set()
    questions = _questions(listed, set_aside_ids)
    return CafeSynthesis(
        cafe=cafe,
        organiser=ORGANISER_LABEL,
        generated_at=local_time(now or snapshot.taken_at, timezone),
        figures={
            "contributions": len(listed),
            "tables": len(tables),
            "rounds": len(rounds),
            "from_residents": from_residents,
            "from_captains": len(listed) - from_residents,
            "supports": sum(c.supports for c in listed),
            "set_aside": len(view.set_aside) if view else 0,
        },
        rounds=round_summaries,
        table_labels=[t.label() for t in tables],
        topics=kept,
        others=others,
        set_aside=[mask_personal_data(c.text, names) for c in view.set_aside] if view else [],
        unsorted=[mask_personal_data(c.text, names) for c in view.unsorted] if view else [],
        method_note=method,
        harvested=view is not None,
        ranking=ranking,
        strongest=strongest,
        questions=[sources.quote(c) for c in questions],
        paths=paths_of(snapshot),
        themes=_themes(snapshot, view, {t.key: t for t in [*kept, *others]}, sources) if view else [],
        tablecloths=_tablecloths(snapshot),
    )


def _tablecloths(snapshot: CafeSnapshot) -> list[RoundTablecloths]:
    """Each round that has tablecloth photos, with them captioned by their table's number."""
    number = {t.id: t.number for t in snapshot.tables}
    rounds = []
    for round_ in snapshot.rounds:
        photos = sorted(
            (p for p in snapshot.tablecloths if p.round_id == round_.id),
            key=lambda p: (number.get(p.table_id, 0), p.position),
        )
        if photos:
            captioned = [(f"Table {number[p.table_id]}", p.content) for p in photos if p.table_id in number]
            rounds.append(RoundTablecloths(round_.position, round_.question, captioned))
    return rounds


def default_fiche(cafe: Cafe, topic_key: str, label: str, now: datetime) -> Fiche:
    """The fiche of a retained topic before the organiser edits it."""
    return Fiche(
        cafe_id=cafe.id,
        topic_key=topic_key,
        follow_up=f"Étudier avec les habitants de {cafe.place.label()} une réponse à « {label} ».",
        committee=DEFAULT_COMMITTEE[cafe.theme],
        status=FicheStatus.NOUVELLE,
        updated_at=now,
    )


@read_only
def earlier_topics(uow: UnitOfWork, cafe: Cafe, names: list[str]) -> list[tuple[Cafe, TopicGroup]]:
    """Every topic of the latest harvest of each café held before this one (keywords only),
    with the names flagged in either café (`names`: this one's) masked."""
    earlier = []
    for other in list_cafes(uow, include_archived=True):
        if other.id == cafe.id or other.held_on > cafe.held_on:
            continue
        version = harvest.latest_version(uow, harvest.scope_of([other.id]))
        both = [*names, *uow.trust.masked_names(other.id)]
        earlier += (
            [(other, replace(topic, label=mask_personal_data(topic.label, both))) for topic in version.topics]
            if version
            else []
        )
    return earlier


def _related(topic: TopicSummary, earlier: list[tuple[Cafe, TopicGroup]]) -> list[RelatedTopic]:
    """Earlier topics sharing at least two keywords with this one."""
    words = set(topic.keywords)
    return [
        RelatedTopic(other.title, other.held_on.strftime("%d/%m/%Y"), candidate.label)
        for other, candidate in earlier
        if len(words & set(candidate.keywords)) >= 2
    ][:8]


def _fiches(snapshot: CafeSnapshot, synthesis: CafeSynthesis) -> dict[str, Fiche]:
    """The fiche of each retained topic: as the organiser saved it, or the defaults."""
    return {
        topic.key: snapshot.fiches.get(topic.key)
        or default_fiche(synthesis.cafe, topic.key, topic.label, synthesis.generated_at)
        for topic in synthesis.topics
    }


@read_only
def fiche_sheets(
    uow: UnitOfWork, cafe_id: str, *, timezone: str = DEFAULT_TIMEZONE, now: datetime | None = None
) -> list[FicheSheet]:
    """One fiche d'observation per retained topic of the café (defaults until the organiser edits)."""
    return sheets(uow, load_snapshot(uow, cafe_id), timezone=timezone, now=now)


def sheets(
    uow: UnitOfWork, snapshot: CafeSnapshot, *, timezone: str = DEFAULT_TIMEZONE, now: datetime | None = None
) -> list[FicheSheet]:
    """The fiches of the café read in `snapshot`, each with the related topics of earlier cafés."""
    with uow.reading():
        earlier = earlier_topics(uow, snapshot.cafe, snapshot.masked_names)
    synthesis = summarise(snapshot, timezone=timezone, now=now)
    fiches = {
        key: replace(fiche, follow_up=mask_personal_data(fiche.follow_up, snapshot.masked_names))
        for key, fiche in _fiches(snapshot, synthesis).items()
    }
    return [
        FicheSheet(
            cafe=synthesis.cafe,
            fiche=fiches[topic.key],
            topic=topic,
            related=_related(topic, earlier),
            generated_at=synthesis.generated_at,
        )
        for topic in synthesis.topics
    ]


def update_fiche(
    uow: UnitOfWork,
    cafe_id: str,
    topic_key: str,
    *,
    follow_up: str,
    committee: str,
    status: str,
    now: datetime | None = None,
) -> Fiche:
    """The organiser edits the follow-up, committee and status of a retained topic's fiche.

    The form shows the masked follow-up: each « [… masqué] » left in it gets its original back."""
    snapshot = load_snapshot(uow, cafe_id)
    synthesis = summarise(snapshot)
    current = _fiches(snapshot, synthesis).get(topic_key)
    if current is None:
        raise NotFound("Ce groupe n'est pas retenu pour les fiches de ce café.")
    chosen_committee = parse_choice(Committee, committee, "Comité")
    chosen_status = parse_choice(FicheStatus, status, "Statut")
    if chosen_committee is None or chosen_status is None:
        raise InvalidInput("Choisissez un comité et un statut.")
    fiche = replace(
        current,
        follow_up=restore_masked(
            clean_text(follow_up, max_chars=2000, what="La suite proposée"),
            current.follow_up,
            snapshot.masked_names,
        ),
        committee=chosen_committee,
        status=chosen_status,
        updated_at=now or uow.clock(),
    )
    with uow:
        uow.documents.save_fiche(fiche)
        if (fiche.status, fiche.committee) != (current.status, current.committee):
            uow.exchange.add_decision(
                Decision(
                    id=new_id(),
                    fiche_ref=cafe_fiche_ref(cafe_id, topic_key),
                    at=fiche.updated_at,
                    actor=audit.current_actor(),
                    decided_by=audit.current_actor(),
                    committee=fiche.committee,
                    status=fiche.status,
                    note="Modifiée depuis la page des fiches du café.",
                )
            )
        audit.record(
            uow,
            "fiche modifiée",
            cafe_id=cafe_id,
            # The fiche's reference, not its topic's label: made of residents' words, which the log
            # would keep after their erasure.
            target=cafe_fiche_ref(cafe_id, topic_key),
            details=f"{fiche.status.value} · {fiche.committee.value}",
        )
    return fiche
