"""Documents for the Atelier and the marketing team: generate, keep every version, find them again."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from facilitation import audit, cafes
from facilitation.access import new_id
from facilitation.cafes import get_cafe, utcnow
from facilitation.domain import Cafe, Contribution, FicheStatus, StoredDocument, Table, parse_choice
from facilitation.errors import InvalidInput, NotFound
from facilitation.harvest import find_cafes, latest_version, scope_of
from facilitation.privacy import mask_personal_data
from facilitation.records import EXPORT_COLUMNS, TOPIC_COLUMNS, contribution_records, topic_records
from facilitation.search import MAX_QUERY_WORDS, highlight, query_terms
from facilitation.storage.base import UnitOfWork
from facilitation.synthesis import cafe_synthesis, default_fiche, fiche_sheets

KINDS = {
    "synthese": "Synthèse du café (PDF)",
    "fiches": "Fiches d'observation (ZIP de PDF)",
    "cartes": "Cartes de table avec QR code (PDF)",
    "affiche_qr": "Affiche A4 des QR codes de toutes les tables (PDF)",
    "contributions_csv": "Contributions (CSV pour Excel)",
    "contributions_xlsx": "Contributions et groupes (Excel)",
    "groupes_csv": "Groupes (CSV pour Excel)",
    "cafe_json": "Export complet du café (JSON)",
}


def render(
    uow: UnitOfWork, cafe_id: str, kind: str, *, base_url: str, timezone: str, delimiter: str = ";"
) -> tuple[str, bytes]:
    """Build one document from the current data: (file name, bytes)."""
    from exports.pdf.cards import Card, table_cards_pdf, tables_poster_pdf
    from exports.pdf.fiches import fiches_zip, slug
    from exports.pdf.synthesis import synthesis_pdf
    from exports.tabular import to_csv, to_json, to_xlsx

    cafe = get_cafe(uow, cafe_id)
    stem = f"{cafe.held_on:%Y-%m-%d}-{slug(cafe.title, 40)}"
    if kind == "synthese":
        return f"synthese-{stem}.pdf", synthesis_pdf(cafe_synthesis(uow, cafe_id, timezone=timezone))
    if kind == "fiches":
        return f"fiches-{stem}.zip", fiches_zip(fiche_sheets(uow, cafe_id, timezone=timezone))
    if kind in ("cartes", "affiche_qr"):
        cards = [
            Card(table.label(), table.number, cafes.join_link(uow, cafe_id, table.number, base_url))
            for table in cafes.list_tables(uow, cafe_id)
        ]
        if kind == "affiche_qr":
            return f"affiche-qr-{stem}.pdf", tables_poster_pdf(cafe.title, cards)
        rounds = cafes.list_rounds(uow, cafe_id)
        return f"cartes-{stem}.pdf", table_cards_pdf(
            cafe.title, cafe.held_on, rounds[0].question if rounds else None, cards
        )
    if kind == "contributions_csv":
        records = contribution_records(uow, cafe_id, timezone=timezone)
        return f"contributions-{stem}.csv", to_csv(records, EXPORT_COLUMNS, delimiter=delimiter, excel=True)
    if kind == "groupes_csv":
        return f"groupes-{stem}.csv", to_csv(
            topic_records(uow, cafe_id), TOPIC_COLUMNS, delimiter=delimiter, excel=True
        )
    if kind == "contributions_xlsx":
        return f"contributions-{stem}.xlsx", to_xlsx(
            {
                "Contributions": (EXPORT_COLUMNS, contribution_records(uow, cafe_id, timezone=timezone)),
                "Groupes": (TOPIC_COLUMNS, topic_records(uow, cafe_id)),
            }
        )
    if kind == "cafe_json":
        return f"cafe-{stem}.json", to_json(full_export(uow, cafe_id, timezone=timezone))
    raise InvalidInput(f"Type de document inconnu : « {kind} ».")


def full_export(uow: UnitOfWork, cafe_id: str, *, timezone: str) -> dict:
    """The whole café as plain data: details, rounds, tables, contributions, topics, fiches."""
    cafe = get_cafe(uow, cafe_id)
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
            for r in cafes.list_rounds(uow, cafe_id)
        ],
        "tables": [
            {"numero": t.number, "nom": t.name, "capitaine": t.captain_name}
            for t in cafes.list_tables(uow, cafe_id)
        ],
        "contributions": contribution_records(uow, cafe_id, timezone=timezone),
        "groupes": topic_records(uow, cafe_id),
        "fiches": [
            {
                "groupe_id": f.topic_key,
                "suite": mask_personal_data(f.follow_up, uow.trust.masked_names(cafe_id)),
                "comite": f.committee.value,
                "statut": f.status.value,
            }
            for f in uow.documents.fiches(cafe_id)
        ],
    }


def generate(
    uow: UnitOfWork, cafe_id: str, kind: str, *, base_url: str, timezone: str, now: datetime | None = None
) -> StoredDocument:
    """Build a document and keep it in the library as its kind's next version."""
    # Built from one consistent read, outside the write lock: rendering a PDF takes seconds.
    with uow.reading():
        filename, content = render(uow, cafe_id, kind, base_url=base_url, timezone=timezone)
    with uow:
        uow.cafes.lock(cafe_id)  # two generations at once must not take the same version
        document = StoredDocument(
            id=new_id(),
            cafe_id=cafe_id,
            kind=kind,
            version=uow.documents.latest_version(cafe_id, kind) + 1,
            generated_at=now or utcnow(),
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


def single_fiche(uow: UnitOfWork, cafe_id: str, topic_key: str) -> tuple[str, bytes]:
    """One fiche d'observation as a PDF, from the current data."""
    from exports.pdf.fiches import fiche_filename, fiche_pdf

    for index, sheet in enumerate(fiche_sheets(uow, cafe_id), start=1):
        if sheet.topic.key == topic_key:
            return fiche_filename(sheet, index), fiche_pdf(sheet)
    raise NotFound("Ce groupe n'est pas retenu pour les fiches de ce café.")


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
    label: str
    latest: StoredDocument
    older: list[StoredDocument]


@dataclass(frozen=True)
class LibraryEntry:
    cafe: Cafe
    documents: list[StoredDocument]
    fiches: list[FicheEntry] = field(default_factory=list)

    @property
    def by_kind(self) -> list[DocumentVersions]:
        """The documents grouped by kind, in the order of KINDS (the synthesis first)."""
        order = list(KINDS)
        grouped: dict[str, list[StoredDocument]] = {}
        for document in sorted(self.documents, key=lambda d: (d.version, d.generated_at), reverse=True):
            grouped.setdefault(document.kind, []).append(document)
        return [
            DocumentVersions(kind, KINDS.get(kind, kind), versions[0], versions[1:])
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
    entries = []
    for topic in version.topics if version else ():
        if topic.kept:
            fiche = saved.get(topic.key) or default_fiche(cafe, topic.key, topic.label, utcnow())
            entries.append(
                FicheEntry(topic.key, topic.label, fiche.status.value, fiche.committee.value, fiche.follow_up)
            )
    return entries


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
    words = [w for w in (query or "").split() if len(w) >= 2][:MAX_QUERY_WORDS]
    terms = query_terms(" ".join(words))
    if not terms:
        raise InvalidInput("Tapez au moins un mot de deux lettres.")
    known = {c.id: c for c in find_cafes(uow, date_from=date_from, date_to=date_to, place=place, theme=theme)}
    filtered = bool(date_from or date_to or place or theme)
    found = uow.contributions.search(words, terms, list(known) if filtered else None)
    tables = {t.id: t for cafe_id in {c.cafe_id for c in found} for t in uow.cafes.tables(cafe_id)}
    return [
        SearchHit(c, known[c.cafe_id], tables[c.table_id], highlight(c.text, terms))
        for c in found
        if c.cafe_id in known and c.table_id in tables
    ]
