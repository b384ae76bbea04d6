"""Use cases of the tablecloths: the paper the tables wrote and drew on, photographed per round.

A captain attaches photos of their own table for the round open now or the one just closed; the
organiser and the command line for any table × round. At most MAX_PER_TABLE_ROUND photos per table ×
round, each re-encoded without metadata (facilitation/adapters/photos.py) before any transaction opens.

The words OCR reads on a photo (facilitation/adapters/ocr.py) are only drafts: they are handed back to the
page and stored nowhere; `add_drafts` stores the ones a person confirmed, as contributions of that
table × round.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from facilitation.adapters.ocr import MAX_DRAFTS, UNAVAILABLE, OcrFailed, TextReader, draft_lines
from facilitation.adapters.photos import prepare_photo
from facilitation.domain import actors
from facilitation.domain.access import new_id
from facilitation.domain.errors import AccessDenied, InvalidInput, NotFound
from facilitation.domain.model import Contribution, Round, Source, Table, Tablecloth, clean_text
from facilitation.domain.wording import plural
from facilitation.services import audit
from facilitation.services.cafes import get_cafe, get_round, get_table, round_at
from facilitation.services.contributions import enter_table, wall_cafe
from facilitation.services.ports import UnitOfWork

MAX_PER_TABLE_ROUND = 4
CAPTAIN_ROUNDS_ONLY = (
    "Un capitaine joint les nappes de sa table pour le tour en cours ou celui qui vient de fermer."
)


@dataclass(frozen=True)
class RoundGallery:
    """The tablecloths of one round, one entry per photo, by table."""

    round_: Round
    photos: list[tuple[Table, Tablecloth]]


def captain_rounds(uow: UnitOfWork, table_code: str) -> list[Round]:
    """The rounds a captain may attach tablecloths to: the open one and the one closed last."""
    with uow.reading():
        return _captain_rounds(enter_table(uow, table_code))


def _captain_rounds(context) -> list[Round]:
    chosen = [r for r in (context.open_round, context.last_closed) if r is not None]
    return list({r.id: r for r in chosen}.values())


def attach(
    uow: UnitOfWork,
    cafe_id: str,
    *,
    table_number: int,
    round_position: int,
    photo: bytes,
    name: str = "photo",
) -> Tablecloth:
    """The organiser (or the command line) attaches a tablecloth's photo to any table × round."""
    prepared = prepare_photo(photo, name)
    with uow:
        cafe = get_cafe(uow, cafe_id)
        uow.cafes.lock(cafe.id)
        table = get_table(uow, cafe.id, table_number)
        return _store(uow, cafe.id, round_at(uow, cafe.id, round_position), table, prepared, actor=None)


def attach_as_captain(
    uow: UnitOfWork, *, table_code: str, round_id: str, photo: bytes, name: str = "photo"
) -> Tablecloth:
    """A captain attaches a photo of their own table's tablecloth (open round or the one just closed)."""
    prepared = prepare_photo(photo, name)
    with uow:
        context = enter_table(uow, table_code)
        uow.cafes.lock(context.cafe.id)
        round_ = next((r for r in _captain_rounds(context) if r.id == round_id), None)
        if round_ is None:
            raise AccessDenied(CAPTAIN_ROUNDS_ONLY)
        actor = actors.captain(context.table.number)
        return _store(uow, context.cafe.id, round_, context.table, prepared, actor=actor)


def _store(
    uow: UnitOfWork, cafe_id: str, round_: Round, table: Table, jpeg: bytes, actor: str | None
) -> Tablecloth:
    here = uow.tablecloths.in_cafe(cafe_id, round_id=round_.id, table_id=table.id)
    same = next((p for p in here if p.content == jpeg), None)
    if same is not None:
        return same  # the same file sent twice (a double click, a retry): kept once
    already = len(here)
    if already >= MAX_PER_TABLE_ROUND:
        photos = plural(already, "photo de nappe", "photos de nappe")
        raise InvalidInput(
            f"{table.label()} a déjà {photos} pour le tour {round_.position} (quatre au plus) : "
            "retirez-en une avant d'en joindre une autre."
        )
    photo = Tablecloth(
        id=new_id(),
        cafe_id=cafe_id,
        round_id=round_.id,
        table_id=table.id,
        position=uow.tablecloths.next_position(round_.id, table.id),
        added_at=uow.clock(),
        content=jpeg,
    )
    uow.tablecloths.add(photo)
    audit.record(
        uow,
        "photo de nappe ajoutée",
        cafe_id=cafe_id,
        target=f"table {table.number}, tour {round_.position}",
        details=f"{len(jpeg) // 1024} Ko",
        actor=actor,
    )
    return photo


def photos_at(
    uow: UnitOfWork, cafe_id: str, *, table_number: int, round_id: str, table_code: str | None = None
) -> list[Tablecloth]:
    """The photos of one table × round; with `table_code`, only a captain's own table and rounds."""
    with uow.reading():
        round_, table = _place(uow, cafe_id, table_number, round_id, table_code)
        return uow.tablecloths.in_cafe(cafe_id, round_id=round_.id, table_id=table.id)


def _place(
    uow: UnitOfWork, cafe_id: str, table_number: int, round_id: str, table_code: str | None
) -> tuple[Round, Table]:
    if table_code is not None:
        context = enter_table(uow, table_code)
        round_ = next((r for r in _captain_rounds(context) if r.id == round_id), None)
        if context.cafe.id != cafe_id or context.table.number != table_number or round_ is None:
            raise AccessDenied(CAPTAIN_ROUNDS_ONLY)
        return round_, context.table
    return get_round(uow, cafe_id, round_id), get_table(uow, get_cafe(uow, cafe_id).id, table_number)


def _photo(
    uow: UnitOfWork, cafe_id: str, photo_id: str, table_code: str | None
) -> tuple[Tablecloth, Round, Table]:
    """The café's photo `photo_id`; a captain's own table and rounds only. NotFound for a forged id."""
    photo = uow.tablecloths.get(photo_id) if isinstance(photo_id, str) else None
    if photo is None or photo.cafe_id != cafe_id:
        raise NotFound("Cette photo de nappe n'existe pas (ou plus) dans ce café.")
    table = next((t for t in uow.cafes.tables(cafe_id) if t.id == photo.table_id), None)
    if table is None:
        raise NotFound("Cette photo de nappe n'existe pas (ou plus) dans ce café.")
    round_, table = _place(uow, cafe_id, table.number, photo.round_id, table_code)
    return photo, round_, table


def remove(uow: UnitOfWork, cafe_id: str, photo_id: str, *, table_code: str | None = None) -> None:
    """Take a photo away (blurred, wrong table); a captain only from their own table."""
    with uow:
        photo, round_, table = _photo(uow, cafe_id, photo_id, table_code)
        uow.tablecloths.delete(photo.id)
        audit.record(
            uow,
            "photo de nappe retirée",
            cafe_id=cafe_id,
            target=f"table {table.number}, tour {round_.position}",
            actor=actors.captain(table.number) if table_code is not None else None,
        )


def read_drafts(
    uow: UnitOfWork,
    cafe_id: str,
    photo_id: str,
    reader: TextReader,
    *,
    max_chars: int,
    table_code: str | None = None,
) -> list[str]:
    """The sentences OCR reads on a photo, as drafts: returned to the page, stored nowhere.

    The photo is read in one read transaction; the (slow) reading runs after it, holding nothing."""
    if not reader.available():
        raise InvalidInput(UNAVAILABLE)
    with uow.reading():
        photo, _, _ = _photo(uow, cafe_id, photo_id, table_code)
    try:
        return draft_lines(reader.read(photo.content), max_chars)
    except OcrFailed as exc:
        raise InvalidInput(str(exc)) from None


def draft_id(photo_id: str, text: str) -> str:
    """The contribution id of a confirmed draft: the same text from the same photo is added once,
    whatever the clicks (a double « Ajouter », a page reloaded)."""
    return hashlib.sha256(f"{photo_id}\n{text}".encode()).hexdigest()[:32]


def add_drafts(
    uow: UnitOfWork,
    cafe_id: str,
    photo_id: str,
    texts: list[str],
    *,
    max_chars: int,
    table_code: str | None = None,
) -> int:
    """Store the drafts a person confirmed (and maybe corrected) as contributions of the photo's table
    × round, noted by the captain; returns how many were new. Each is checked like typed text."""
    if not texts:
        raise InvalidInput("Cochez au moins un brouillon à ajouter.")
    if len(texts) > MAX_DRAFTS:
        raise InvalidInput(f"{MAX_DRAFTS} brouillons au plus à la fois.")
    cleaned = [clean_text(text, max_chars=max_chars) for text in texts]
    added = 0
    with uow:
        uow.cafes.lock_shared(cafe_id)
        photo, round_, table = _photo(uow, cafe_id, photo_id, table_code)
        uow.contributions.lock_table(table.id)
        now = uow.clock()
        for text in cleaned:
            candidate = Contribution(
                id=draft_id(photo.id, text),
                cafe_id=cafe_id,
                round_id=round_.id,
                table_id=table.id,
                text=text,
                source=Source.CAPTAIN,
                created_at=now,
            )
            if uow.contributions.get(candidate.id) is not None or uow.contributions.find_same(candidate):
                continue
            uow.contributions.add(candidate)
            added += 1
            audit.record(
                uow,
                "contribution ajoutée depuis une nappe",
                cafe_id=cafe_id,
                target=candidate.id,
                details=f"table {table.number}, tour {round_.position}",
                actor=actors.captain(table.number) if table_code is not None else None,
            )
    return added


def round_gallery(uow: UnitOfWork, cafe_id: str) -> RoundGallery | None:
    """The wall between rounds: the latest photo of each table for the round closed last (None
    when that round has none, or no round has closed yet)."""
    with uow.reading():
        get_cafe(uow, cafe_id)
        closed = [r for r in uow.cafes.rounds(cafe_id) if r.closed_at is not None and not r.is_open]
        if not closed:
            return None
        round_ = max(closed, key=lambda r: r.closed_at)
        tables = {t.id: t for t in uow.cafes.tables(cafe_id)}
        latest: dict[str, Tablecloth] = {}
        for photo in uow.tablecloths.in_cafe(cafe_id, round_id=round_.id):
            latest[photo.table_id] = photo  # listed by position: the last one wins
    photos = sorted(((tables[p.table_id], p) for p in latest.values()), key=lambda pair: pair[0].number)
    return RoundGallery(round_, photos) if photos else None


def round_gallery_by_link(uow: UnitOfWork, token: str | None) -> RoundGallery | None:
    """`round_gallery` of the café a wall link opens (checked like the rest of the wall)."""
    with uow.reading():
        return round_gallery(uow, wall_cafe(uow, token))
