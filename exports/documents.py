"""Every kind of document a café produces, in one table: its label, its file name and its builder.

`facilitation.services.documents` keeps and lists the generated versions; it receives `render` (bound to the
settings by the composition root) and never imports this package.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from exports.pdf.cards import Card, table_cards_pdf, tables_poster_pdf
from exports.pdf.fiches import fiche_filename, fiche_pdf, fiches_zip, slug
from exports.pdf.handover import handover_filename, handover_pdf
from exports.pdf.synthesis import synthesis_pdf
from exports.tabular import to_csv, to_json, to_xlsx
from facilitation.domain.errors import InvalidInput, NotFound
from facilitation.services import cafes, handover
from facilitation.services.documents import DocumentBuilders, DocumentRenderer, full_export
from facilitation.services.ports import UnitOfWork
from facilitation.services.public_address import public_base_url
from facilitation.services.records import (
    EXPORT_COLUMNS,
    HEADERS,
    TOPIC_COLUMNS,
    contribution_records,
    topic_records,
)
from facilitation.services.snapshot import CafeSnapshot, load_snapshot
from facilitation.services.synthesis import fiche_sheets, sheets, summarise

if TYPE_CHECKING:
    from facilitation.adapters.topics.csv_input import TableGrouping, TextTable


@dataclass(frozen=True)
class Request:
    """What a builder reads: the café, where the QR codes point, the display timezone."""

    store: UnitOfWork
    cafe_id: str
    base_url: str
    timezone: str
    delimiter: str = ";"

    @cached_property
    def snapshot(self) -> CafeSnapshot:
        """The café's data, read once for every part of the document."""
        return load_snapshot(self.store, self.cafe_id)


@dataclass(frozen=True)
class DocumentKind:
    """One kind of document: shown as `label`, saved as `{prefix}-{date}-{title}.{extension}`."""

    label: str
    prefix: str
    extension: str
    build: Callable[[Request], bytes]


def _cards(request: Request) -> list[Card]:
    store, cafe_id = request.store, request.cafe_id
    return [
        Card(table.label(), table.number, cafes.join_link(store, cafe_id, table.number, request.base_url))
        for table in request.snapshot.tables
    ]


def _table_cards(request: Request) -> bytes:
    cafe, rounds = request.snapshot.cafe, request.snapshot.rounds
    first_question = rounds[0].question if rounds else None
    return table_cards_pdf(cafe.title, cafe.held_on, first_question, _cards(request))


def _poster(request: Request) -> bytes:
    return tables_poster_pdf(request.snapshot.cafe.title, _cards(request))


def _contributions(request: Request) -> list[dict]:
    return contribution_records(request.snapshot, timezone=request.timezone)


def _workbook(request: Request) -> bytes:
    return to_xlsx(
        {
            "Contributions": (EXPORT_COLUMNS, _contributions(request)),
            "Groupes": (TOPIC_COLUMNS, topic_records(request.snapshot)),
        },
        HEADERS,
    )


# In this order in the page's list and in the library (the synthesis first).
DOCUMENT_KINDS: dict[str, DocumentKind] = {
    "synthese": DocumentKind(
        "Synthèse du café (PDF)",
        "synthese",
        "pdf",
        lambda r: synthesis_pdf(summarise(r.snapshot, timezone=r.timezone)),
    ),
    "fiches": DocumentKind(
        "Fiches d'observation (ZIP de PDF)",
        "fiches",
        "zip",
        lambda r: fiches_zip(sheets(r.store, r.snapshot, timezone=r.timezone)),
    ),
    "cartes": DocumentKind("Cartes de table avec QR code (PDF)", "cartes", "pdf", _table_cards),
    "affiche_qr": DocumentKind(
        "Affiche A4 des QR codes de toutes les tables (PDF)", "affiche-qr", "pdf", _poster
    ),
    "contributions_csv": DocumentKind(
        "Contributions (CSV pour Excel)",
        "contributions",
        "csv",
        lambda r: to_csv(
            _contributions(r), EXPORT_COLUMNS, delimiter=r.delimiter, excel=True, headers=HEADERS
        ),
    ),
    "contributions_xlsx": DocumentKind(
        "Contributions et groupes (Excel)", "contributions", "xlsx", _workbook
    ),
    "groupes_csv": DocumentKind(
        "Groupes (CSV pour Excel)",
        "groupes",
        "csv",
        lambda r: to_csv(
            topic_records(r.snapshot), TOPIC_COLUMNS, delimiter=r.delimiter, excel=True, headers=HEADERS
        ),
    ),
    "cafe_json": DocumentKind(
        "Export complet du café (JSON)",
        "cafe",
        "json",
        lambda r: to_json(full_export(r.snapshot, timezone=r.timezone)),
    ),
}


def label(kind: str) -> str:
    """The French name of a kind (the kind itself for one this version no longer builds)."""
    known = DOCUMENT_KINDS.get(kind)
    return known.label if known else kind


def render(
    store: UnitOfWork, cafe_id: str, kind: str, *, base_url: str, timezone: str, delimiter: str = ";"
) -> tuple[str, bytes]:
    """Build one document from the current data: (file name, bytes)."""
    document_kind = DOCUMENT_KINDS.get(kind)
    if document_kind is None:
        raise InvalidInput(f"Type de document inconnu : « {kind} ».")
    request = Request(store, cafe_id, base_url, timezone, delimiter)
    content = document_kind.build(request)
    cafe = request.snapshot.cafe
    filename = (
        f"{document_kind.prefix}-{cafe.held_on:%Y-%m-%d}-{slug(cafe.title, 40)}.{document_kind.extension}"
    )
    return filename, content


def renderer(*, timezone: str, base_url: str = "", default_base_url: str = "") -> DocumentRenderer:
    """`render` bound to the settings, for `facilitation.services.documents.generate`.

    The QR codes point at `base_url` when given, else at the stored public address read at each
    call (the organiser may change it while the app runs), else at `default_base_url`.
    """

    def render_kind(store: UnitOfWork, cafe_id: str, kind: str) -> tuple[str, bytes]:
        url = base_url or public_base_url(store, default_base_url)
        return render(store, cafe_id, kind, base_url=url, timezone=timezone)

    return render_kind


def single_fiche(store: UnitOfWork, cafe_id: str, topic_key: str) -> tuple[str, bytes]:
    """One fiche d'observation as a PDF, from the current data: (file name, bytes)."""
    for index, sheet in enumerate(fiche_sheets(store, cafe_id), start=1):
        if sheet.topic.key == topic_key:
            return fiche_filename(sheet, index), fiche_pdf(sheet)
    raise NotFound("Ce groupe n'est pas retenu pour les fiches de ce café.")


def table_handover(
    store: UnitOfWork, cafe_id: str, table_number: int, round_position: int
) -> tuple[str, bytes]:
    """One table's handover after a round, as a one-page PDF: (file name, bytes)."""
    briefing = handover.handover(store, cafe_id, table_number, round_position)
    return handover_filename(briefing), handover_pdf(briefing)


def all_handovers(store: UnitOfWork, cafe_id: str, round_position: int) -> list[tuple[str, bytes]]:
    """Every table's handover after a round (one read), by table number: [(file name, bytes)]."""
    return [
        (handover_filename(b), handover_pdf(b)) for b in handover.handovers(store, cafe_id, round_position)
    ]


def _exported(store: UnitOfWork, cafe_id: str, data_format: str, timezone: str) -> bytes:
    records = contribution_records(load_snapshot(store, cafe_id), timezone=timezone)
    return to_json(records) if data_format == "json" else to_csv(records, EXPORT_COLUMNS, headers=HEADERS)


def _grouped_table(table: TextTable, grouped: TableGrouping, excel: bool) -> tuple[bytes, bytes]:
    from exports.grouped_table import write_rows, write_topics

    return write_rows(table, grouped, excel=excel), write_topics(table, grouped, excel=excel)


def builders(*, timezone: str, default_base_url: str = "") -> DocumentBuilders:
    """Every builder of this package bound to the settings, for `facilitation.services.documents.Documents`
    (the composition root builds it once)."""
    from exports.pdf.agenda import agenda_pdf
    from exports.qr import labelled_qr_png

    def render_at(store: UnitOfWork, cafe_id: str, kind: str, base_url: str) -> tuple[str, bytes]:
        return render(store, cafe_id, kind, base_url=base_url, timezone=timezone)

    return DocumentBuilders(
        render=renderer(timezone=timezone, default_base_url=default_base_url),
        render_at=render_at,
        fiche=single_fiche,
        agenda=lambda agenda: agenda_pdf(agenda, timezone),
        agenda_name=lambda agenda: f"ordre-du-jour-{slug(agenda.committee.value)}.pdf",
        table=lambda records, columns: to_csv(records, columns, delimiter=";", excel=True),
        qr_png=labelled_qr_png,
        export=lambda store, cafe_id, data_format: _exported(store, cafe_id, data_format, timezone),
        handover=table_handover,
        handovers=all_handovers,
        handover_name=handover_filename,
        grouped_table=_grouped_table,
        labels={kind: document_kind.label for kind, document_kind in DOCUMENT_KINDS.items()},
    )
