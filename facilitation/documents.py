"""Documents for the Atelier and the marketing team: generate, keep every version, find them again."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from facilitation import audit
from facilitation.access import new_id
from facilitation.domain import Cafe, Contribution, FicheStatus, StoredDocument, Table, parse_choice
from facilitation.errors import InvalidInput, NotFound
from facilitation.harvest import find_cafes, latest_version, scope_of
from facilitation.privacy import mask_personal_data
from facilitation.records import contribution_records, topic_records
from facilitation.search import MAX_QUERY_WORDS, highlight, query_problem, query_terms, stem
from facilitation.snapshot import CafeSnapshot
from facilitation.storage.base import UnitOfWork, read_only
from facilitation.synthesis import default_fiche

# (unit of work, café id, kind) → (file name, bytes): the builders live in `exports`, which depends
# on this package; the composition root binds them to the settings and hands them to `generate`.
DocumentRenderer = Callable[[UnitOfWork, str, str], tuple[str, bytes]]


def full_export(snapshot: CafeSnapshot, *, timezone: str) -> dict:
    """The whole café as plain data: details, rounds, tables, contributions, topics, fiches."""
    cafe = snapshot.cafe
    return {
        "format": "cafe-concertation/1",
        "cafe": {
            "id": cafe.id,
            "titre": cafe.title,
            "date": cafe.held_on.isoformat(),
            "residence": cafe.place.residence,
            "quartier": cafe.place.quartier,
            "commune": cafe.place.commune,
            "theme": cafe.theme.value,
            "description": cafe.description,
        },
        "tours": [
            {"numero": r.position, "question": r.question, "duree_minutes": r.planned_minutes}
            for r in snapshot.rounds
        ],
        "tables": [{"numero": t.number, "nom": t.name, "capitaine": t.captain_name} for t in snapshot.tables],
        "contributions": contribution_records(snapshot, timezone=timezone),
        "groupes": topic_records(snapshot),
        "fiches": [
            {
                "groupe_id": f.topic_key,
                "suite": mask_personal_data(f.follow_up, snapshot.masked_names),
                "comite": f.committee.value,
                "statut": f.status.value,
            }
            for f in snapshot.fiches.values()
        ],
    }


def generate(
    uow: UnitOfWork, cafe_id: str, kind: str, *, render: DocumentRenderer, now: datetime | None = None
) -> StoredDocument:
    """Build a document with `render` and keep it in the library as its kind's next version."""
    # Built from one consistent read, outside the write lock: rendering a PDF takes seconds.
    with uow.reading():
        filename, content = render(uow, cafe_id, kind)
    with uow:
        uow.cafes.lock(cafe_id)  # two generations at once must not take the same version
        document = StoredDocument(
            id=new_id(),
            cafe_id=cafe_id,
            kind=kind,
            version=uow.documents.latest_version(cafe_id, kind) + 1,
            generated_at=now or uow.clock(),
            filename=filename,
            content=content,
        )
        uow.documents.add(document)
        audit.record(uow, "document généré", cafe_id=cafe_id, target=filename)
    return document


def download(uow: UnitOfWork, document_id: str) -> StoredDocument:
    """A stored document with its bytes (each download is an export, so it is logged)."""
    with uow:
        document = uow.documents.get(document_id)
        if document is None:
            raise NotFound("Ce document n'existe pas (ou plus).")
        audit.record(uow, "document téléchargé", cafe_id=document.cafe_id, target=document.filename)
    return document


@dataclass(frozen=True)
class FicheEntry:
    topic_key: str
    label: str
    status: str
    committee: str
    follow_up: str


@dataclass(frozen=True)
class DocumentVersions:
    """One kind of document of a café: its latest version, then the older ones (newest first)."""

    kind: str
    latest: StoredDocument
    older: list[StoredDocument]


@dataclass(frozen=True)
class LibraryEntry:
    cafe: Cafe
    documents: list[StoredDocument]
    fiches: list[FicheEntry] = field(default_factory=list)

    def by_kind(self, order: Sequence[str]) -> list[DocumentVersions]:
        """The documents grouped by kind, kinds in `order` (unknown ones last)."""
        order = list(order)
        grouped: dict[str, list[StoredDocument]] = {}
        for document in sorted(self.documents, key=lambda d: (d.version, d.generated_at), reverse=True):
            grouped.setdefault(document.kind, []).append(document)
        return [
            DocumentVersions(kind, versions[0], versions[1:])
            for kind, versions in sorted(
                grouped.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)
            )
        ]

    @property
    def fiche_statuses(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for fiche in self.fiches:
            counts[fiche.status] = counts.get(fiche.status, 0) + 1
        return counts


def _fiches_of(uow: UnitOfWork, cafe: Cafe) -> list[FicheEntry]:
    """The café's retained topics with their fiche's status (defaults before any edit).

    Read from the latest harvest version, not from a full synthesis: the library lists every café.
    """
    version = latest_version(uow, scope_of([cafe.id]))
    saved = {f.topic_key: f for f in uow.documents.fiches(cafe.id)}
    names = uow.trust.masked_names(cafe.id) if version else []
    entries = []
    for topic in version.topics if version else ():
        if topic.kept:
            label = mask_personal_data(topic.label, names)  # shown to the marketing team: masked
            fiche = saved.get(topic.key) or default_fiche(cafe, topic.key, label, uow.clock())
            follow_up = mask_personal_data(fiche.follow_up, names)
            entries.append(FicheEntry(topic.key, label, fiche.status.value, fiche.committee.value, follow_up))
    return entries


@read_only
def library(
    uow: UnitOfWork,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    place: str = "",
    theme: str | None = None,
    status: str | None = None,
) -> list[LibraryEntry]:
    """Every café with its documents, filtered; `status` keeps cafés with a fiche in that status."""
    wanted = parse_choice(FicheStatus, status, "Statut")
    entries = []
    for cafe in find_cafes(uow, date_from=date_from, date_to=date_to, place=place, theme=theme):
        fiches = _fiches_of(uow, cafe)
        if wanted is not None and all(f.status != wanted.value for f in fiches):
            continue
        entries.append(LibraryEntry(cafe, uow.documents.in_cafe(cafe.id), fiches))
    return entries


@dataclass(frozen=True)
class SearchHit:
    contribution: Contribution
    cafe: Cafe
    table: Table
    pieces: list[tuple[str, bool]]  # the text, cut so that matching words are marked True


def search(
    uow: UnitOfWork,
    query: str,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    place: str = "",
    theme: str | None = None,
) -> list[SearchHit]:
    """Contributions of the cafés kept by the filters containing every word of the query, best first.

    Accents, case and plurals do not matter (« agees » finds « âgées »).
    """
    problem = query_problem(query or "")
    if problem is not None:
        raise InvalidInput(problem)
    words = [w for w in (query or "").split() if len(w) >= 2][:MAX_QUERY_WORDS]
    terms = query_terms(" ".join(words))
    if not terms:
        raise InvalidInput("Tapez au moins un mot de deux lettres.")
    with uow.reading():
        cafes = find_cafes(uow, date_from=date_from, date_to=date_to, place=place, theme=theme)
        known = {c.id: c for c in cafes}
        filtered = bool(date_from or date_to or place or theme)
        found = uow.contributions.search(words, terms, list(known) if filtered else None)
        cafe_ids = {c.cafe_id for c in found}
        tables = {t.id: t for cafe_id in cafe_ids for t in uow.cafes.tables(cafe_id)}
        names = {cafe_id: uow.trust.masked_names(cafe_id) for cafe_id in cafe_ids}
    hits = []
    for c in found:
        if c.cafe_id not in known or c.table_id not in tables:
            continue
        # Shown masked; a contribution is listed only when every word of the query is in what is
        # shown: found through a masked word (a name, a phone number typed as the query, even next
        # to a shown word: « chauffage Durand »), a hit would tell who wrote about whom.
        shown = replace(c, text=mask_personal_data(c.text, names[c.cafe_id]))
        pieces = highlight(shown.text, terms)
        if {stem(piece) for piece, matched in pieces if matched} >= set(terms):
            hits.append(SearchHit(shown, known[c.cafe_id], tables[c.table_id], pieces))
    return hits
