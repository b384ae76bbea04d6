"""Documents for the Atelier and the marketing team: generate, keep every version, find them again."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from facilitation.domain.access import new_id
from facilitation.domain.errors import InvalidInput, NotFound
from facilitation.domain.model import Cafe, FicheStatus, StoredDocument, parse_choice
from facilitation.domain.privacy import mask_personal_data
from facilitation.services import audit
from facilitation.services.harvest import CafeFilter, find_cafes, latest_version, scope_of
from facilitation.services.ports import UnitOfWork, read_only
from facilitation.services.records import contribution_records, topic_records
from facilitation.services.snapshot import CafeSnapshot
from facilitation.services.synthesis import default_fiche

if TYPE_CHECKING:  # exchange lists the library's documents: imported for the type only
    from facilitation.adapters.topics.csv_input import TableGrouping, TextTable
    from facilitation.services.exchange import Agenda
    from facilitation.services.handover import Handover

# (unit of work, café id, kind) → (file name, bytes): the builders live in `exports`, which depends
# on this package; the composition root binds them to the settings and hands them to `generate`.
DocumentRenderer = Callable[[UnitOfWork, str, str], tuple[str, bytes]]


@dataclass(frozen=True)
class DocumentBuilders:
    """The builders of every document, handed in by the composition root (they live in `exports`,
    which this package never imports), bound to the settings (time zone, public address)."""

    render: DocumentRenderer  # a kind of document of a café, its QR codes at the public address
    render_at: Callable[[UnitOfWork, str, str, str], tuple[str, bytes]]  # … at a given address
    fiche: Callable[[UnitOfWork, str, str], tuple[str, bytes]]  # one fiche d'observation (PDF)
    agenda: Callable[[Agenda], bytes]  # a committee's agenda (PDF)
    agenda_name: Callable[[Agenda], str]  # … and its file name
    table: Callable[[list[dict], list[str]], bytes]  # records as a CSV file for Excel
    qr_png: Callable[[str, str], bytes]  # a link's QR code with its caption (PNG)
    export: Callable[[UnitOfWork, str, str], bytes]  # a café's contributions as « csv » or « json »
    handover: Callable[[UnitOfWork, str, int, int], tuple[str, bytes]]  # a table's, after a round (PDF)
    handovers: Callable[[UnitOfWork, str, int], list[tuple[str, bytes]]]  # every table's, one read
    handover_name: Callable[[Handover], str]  # the file name of a table's handover
    grouped_table: Callable[[TextTable, TableGrouping, bool], tuple[bytes, bytes]]  # rows, topics (CSV)
    labels: dict[str, str]  # kind → French label, in the order the pages list them


class Documents:
    """The one way to a document: every file a page or the command line hands out is built here and
    written to the audit log (« document généré », « document téléchargé », « export »)."""

    def __init__(self, builders: DocumentBuilders) -> None:
        self._builders = builders

    @property
    def kinds(self) -> list[str]:
        """Every kind a café's documents can be, in display order."""
        return list(self._builders.labels)

    def label(self, kind: str) -> str:
        """The French name of a kind (the kind itself for one this version no longer builds)."""
        return self._builders.labels.get(kind, kind)

    def generate(self, uow: UnitOfWork, cafe_id: str, kind: str) -> StoredDocument:
        """Build a document and keep it in the library as its kind's next version (audited)."""
        return generate(uow, cafe_id, kind, render=self._builders.render)

    def download(self, uow: UnitOfWork, document_id: str) -> StoredDocument:
        """A kept document with its bytes (audited)."""
        return download(uow, document_id)

    def build(
        self, uow: UnitOfWork, cafe_id: str, kind: str, *, base_url: str | None = None
    ) -> tuple[str, bytes]:
        """A document of the café from the current data, not kept: (file name, bytes), audited.
        `base_url`: where its QR codes point (else the stored public address)."""
        return _audited(
            uow,
            cafe_id,
            lambda: (
                self._builders.render_at(uow, cafe_id, kind, base_url)
                if base_url
                else self._builders.render(uow, cafe_id, kind)
            ),
        )

    def fiche(self, uow: UnitOfWork, cafe_id: str, topic_key: str) -> tuple[str, bytes]:
        """One fiche d'observation as a PDF from the current data, audited."""
        return _audited(uow, cafe_id, lambda: self._builders.fiche(uow, cafe_id, topic_key))

    def handover(
        self, uow: UnitOfWork, cafe_id: str, table_number: int, round_position: int
    ) -> tuple[str, bytes]:
        """A table's handover after a round as a one-page PDF (the captain's « Imprimer »), audited."""
        return _audited(
            uow, cafe_id, lambda: self._builders.handover(uow, cafe_id, table_number, round_position)
        )

    def handover_filename(self, briefing: Handover) -> str:
        """The file name a table's handover is saved under."""
        return self._builders.handover_name(briefing)

    def handovers(self, uow: UnitOfWork, cafe_id: str, round_position: int) -> list[tuple[str, bytes]]:
        """Every table's handover after a round, by table number (the command line's), audited once."""
        with uow.reading():
            written = self._builders.handovers(uow, cafe_id, round_position)
        if written:
            with uow:
                audit.record(
                    uow,
                    "document généré",
                    cafe_id=cafe_id,
                    target=f"passage de relais, tour {round_position}",
                )
        return written

    def agenda(self, uow: UnitOfWork, agenda: Agenda) -> tuple[str, bytes]:
        """A committee's agenda as a PDF, audited."""
        return _audited(uow, None, lambda: (self.agenda_filename(agenda), self._builders.agenda(agenda)))

    def agenda_filename(self, agenda: Agenda) -> str:
        """The file name a committee's agenda is saved under."""
        return self._builders.agenda_name(agenda)

    def export(self, uow: UnitOfWork, cafe_id: str, data_format: str) -> bytes:
        """A café's contributions as plain CSV or JSON (the command line's export), audited."""
        if data_format not in ("csv", "json"):
            raise InvalidInput("Format d'export inconnu : csv ou json.")
        with uow.reading():
            content = self._builders.export(uow, cafe_id, data_format)
        with uow:
            audit.record(uow, "export", cafe_id=cafe_id, target=f"contributions ({data_format})")
        return content

    def audit_log(self, uow: UnitOfWork, *, timezone: str) -> tuple[str, bytes, int]:
        """The whole audit log, newest first, as a CSV file for Excel: (file name, bytes, events);
        the export itself is logged."""
        with uow:
            records = audit.audit_records(uow, timezone=timezone)
            audit.record(uow, "export", target="journal d'audit")
        return "journal-audit.csv", self._builders.table(records, audit.AUDIT_COLUMNS), len(records)

    def grouped_table(self, table: TextTable, grouped: TableGrouping, *, excel: bool) -> tuple[bytes, bytes]:
        """A CSV file grouped by the command line's `topics`: its rows with their group, and the groups.
        Not logged: the file is the user's own, nothing stored is read."""
        return self._builders.grouped_table(table, grouped, excel)

    def qr_png(self, link: str, caption: str) -> bytes:
        """A link's QR code as shown on the organiser's screen (the link itself, no personal data)."""
        return self._builders.qr_png(link, caption)


def _audited(
    uow: UnitOfWork, cafe_id: str | None, build: Callable[[], tuple[str, bytes]]
) -> tuple[str, bytes]:
    # Built from one consistent read, outside the write lock (rendering a PDF takes seconds), then
    # logged: a document that failed to build is not logged as given out.
    with uow.reading():
        filename, content = build()
    with uow:
        audit.record(uow, "document généré", cafe_id=cafe_id, target=filename)
    return filename, content


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
    uow: UnitOfWork, filters: CafeFilter | None = None, *, status: str | None = None
) -> list[LibraryEntry]:
    """Every café with its documents, filtered; `status` keeps cafés with a fiche in that status."""
    wanted = parse_choice(FicheStatus, status, "Statut")
    entries = []
    for cafe in find_cafes(uow, filters):
        fiches = _fiches_of(uow, cafe)
        if wanted is not None and all(f.status != wanted.value for f in fiches):
            continue
        entries.append(LibraryEntry(cafe, uow.documents.in_cafe(cafe.id), fiches))
    return entries
