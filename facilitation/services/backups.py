"""Backups and café transfers as files: written privately and atomically, read with a size bound,
and checked whole before anything is written."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from facilitation.adapters.files import read_bounded, write_private_file
from facilitation.adapters.storage.transfer import LoadReport
from facilitation.adapters.storage.validation import ImportRefused
from facilitation.domain.errors import InvalidInput
from facilitation.domain.wording import plural
from facilitation.services import audit
from facilitation.services.cafes import get_cafe
from facilitation.services.ports import UnitOfWork


def _parse(path: Path, data: bytes) -> object:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InvalidInput(f"{path} n'est pas un fichier JSON lisible.") from None


def _load(uow: UnitOfWork, path: Path, max_bytes: int, *, transfer: bool, max_text_chars: int) -> LoadReport:
    payload = _parse(path, read_bounded(path, max_bytes))
    try:
        return uow.archive.load(
            payload, transfer_only=transfer, max_text_chars=max_text_chars, now=uow.clock()
        )
    except ImportRefused as refused:
        shown = "\n- ".join(refused.errors)
        raise InvalidInput(f"Fichier refusé, rien n'a été modifié. Premières erreurs :\n- {shown}") from None


def _renewed(report: LoadReport) -> str:
    """The tables whose captain code was renewed, for the audit line (codes themselves not logged)."""
    return "".join(
        f", table {number} : code capitaine renouvelé (ancien déjà utilisé)"
        for number, _, _ in report.renewed_codes
    )


def export_transfer(uow: UnitOfWork, cafe_id: str, path: Path) -> None:
    """One café with ids and originals, to move it to another installation (holds personal data)."""
    with uow:
        get_cafe(uow, cafe_id)
        write_private_file(path, json.dumps(uow.archive.dump(cafe_id), ensure_ascii=False).encode("utf-8"))
        audit.record(uow, "café exporté pour transfert", cafe_id=cafe_id, target=path.name)


def import_transfer(uow: UnitOfWork, path: Path, *, max_bytes: int, max_text_chars: int) -> LoadReport:
    """Load a café's transfer file whole or not at all; importing it twice changes nothing."""
    with uow:
        report = _load(uow, path, max_bytes, transfer=True, max_text_chars=max_text_chars)
        details = (
            f"{plural(report.total, 'ligne ajoutée', 'lignes ajoutées')}, "
            f"{plural(report.skipped_erased, 'effacée ignorée', 'effacées ignorées')}"
        )
        audit.record(uow, "café importé", target=path.name, details=details + _renewed(report))
    return report


def backup(uow: UnitOfWork, path: Path) -> None:
    """The whole database in one gzip file readable by its owner only: one consistent snapshot,
    written with its audit line in the same transaction."""
    with uow:
        content = gzip.compress(json.dumps(uow.archive.dump(), ensure_ascii=False).encode("utf-8"))
        write_private_file(path, content)
        audit.record(uow, "sauvegarde de la base", target=path.name)


def restore(uow: UnitOfWork, path: Path, *, max_bytes: int, max_text_chars: int) -> LoadReport:
    """Add what the backup holds and the database lacks, whole or not at all."""
    with uow:
        report = _load(uow, path, max_bytes, transfer=False, max_text_chars=max_text_chars)
        audit.record(uow, "restauration de la base", target=path.name, details=_renewed(report).lstrip(", "))
    return report
