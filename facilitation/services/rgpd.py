"""Privacy use cases (RGPD): names to mask, erasure on request, retention of raw contributions."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from facilitation.domain.errors import InvalidInput, NotFound
from facilitation.domain.model import Contribution, HarvestVersion, TopicGroup, clean_label
from facilitation.domain.wording import plural
from facilitation.services import audit
from facilitation.services.cafes import get_cafe, list_cafes
from facilitation.services.contributions import shown
from facilitation.services.ports import UnitOfWork, read_only


def flag_name(uow: UnitOfWork, cafe_id: str, name: str, *, by_organiser: bool = False) -> list[str]:
    """A name someone said aloud, to mask in every document and export of the café.

    The organiser's flag applies at once; a captain's waits for the organiser's confirmation, so
    that no captain can blank a common word (« le ») everywhere. Returns the names in force.
    """
    clean = clean_label(name, what="Le nom à masquer", max_chars=60)
    if len(clean) < 2:
        raise InvalidInput("Le nom à masquer doit compter au moins deux lettres.")
    with uow:
        get_cafe(uow, cafe_id)
        uow.trust.add_masked_name(cafe_id, clean, confirmed=by_organiser)
        action = (
            "nom signalé pour masquage" if by_organiser else "nom signalé, à confirmer par l'organisateur"
        )
        audit.record(uow, action, cafe_id=cafe_id)  # the name itself is not logged
        return uow.trust.masked_names(cafe_id)


def confirm_name(uow: UnitOfWork, cafe_id: str, name: str) -> list[str]:
    """The organiser confirms a captain's flag: the name is masked from now on."""
    with uow:
        if name not in uow.trust.masked_names(cafe_id, confirmed=False):
            raise NotFound("Ce nom n'attend plus de confirmation.")
        uow.trust.add_masked_name(cafe_id, name, confirmed=True)
        audit.record(uow, "nom à masquer confirmé", cafe_id=cafe_id)
        return uow.trust.masked_names(cafe_id)


def unflag_name(uow: UnitOfWork, cafe_id: str, name: str) -> list[str]:
    """Stop masking a name (or turn down a captain's flag)."""
    with uow:
        uow.trust.remove_masked_name(cafe_id, name)
        audit.record(uow, "nom retiré du masquage", cafe_id=cafe_id)
        return uow.trust.masked_names(cafe_id)


@read_only
def masked_names(uow: UnitOfWork, cafe_id: str) -> list[str]:
    """Names masked in the café's documents."""
    return uow.trust.masked_names(cafe_id)


@read_only
def names_to_confirm(uow: UnitOfWork, cafe_id: str) -> list[str]:
    """Names captains flagged that the organiser has not confirmed yet."""
    return uow.trust.masked_names(cafe_id, confirmed=False)


def erase_contribution(uow: UnitOfWork, cafe_id: str, contribution_id: str) -> int:
    """Delete a contribution for good, on request, with every copy of its text: harvests (its id,
    and its own words in topic names, keywords and notes), the café's generated documents (which may
    quote it: removed, to be regenerated), its words in the café's fiches (« suite proposée »,
    comments, decision notes), the audit log's text about it, and the bytes the deleted rows leave
    in the database files. The audit log keeps
    who erased which contribution, and when. Returns how many documents were removed."""
    with uow:
        contribution = uow.contributions.get(contribution_id)
        if contribution is None or contribution.cafe_id != cafe_id:
            raise NotFound("Cette contribution n'existe pas dans ce café.")
        uow.trust.record_erasure("contribution", cafe_id, [contribution_id], uow.clock())
        redact = _redactor([contribution.text], _texts_kept_beside(uow, [contribution]))
        _delete_contributions(uow, [contribution_id], redact)
        removed = uow.documents.delete_for_cafe(cafe_id)
        for fiche in uow.documents.fiches(cafe_id):  # the default « suite proposée » quotes the label
            if (follow_up := redact(fiche.follow_up)) != fiche.follow_up:
                uow.documents.save_fiche(replace(fiche, follow_up=follow_up))
        uow.exchange.redact_cafe(cafe_id, redact)
        uow.audit.redact(cafe_id, redact)
        audit.record(
            uow,
            "contribution effacée (demande RGPD)",
            cafe_id=cafe_id,
            target=contribution_id,
            details=f"{plural(removed, 'document généré supprimé', 'documents générés supprimés')}",
        )
    _wipe(uow, cafe_id)
    return removed


ERASED_WORD = "[effacé]"


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def _folded(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word.casefold()) if not unicodedata.combining(c))


def _redactor(erased: list[str], kept: list[str]) -> Callable[[str], str]:
    """A function that blanks, in a text derived from contributions (a topic's name, a harvest note,
    a comment, an audit row), the words of the `erased` texts that none of the `kept` ones has."""
    gone = {_folded(w) for text in erased for w in _words(text)}
    gone -= {_folded(w) for text in kept for w in _words(text)}

    def redact(text: str) -> str:
        if not gone or not text:
            return text
        return re.sub(r"\w+", lambda m: ERASED_WORD if _folded(m.group()) in gone else m.group(), text)

    return redact


def _texts_kept_beside(uow: UnitOfWork, erased: list[Contribution]) -> list[str]:
    """What could also have given a word to a topic name, a note or a comment about the erased
    contributions' café: the other contributions of the cafés harvested with it, their titles and
    questions."""
    cafe_ids = {c.cafe_id for c in erased}
    for scope in uow.harvests.scopes().values():
        if cafe_ids & set(scope.cafe_ids):
            cafe_ids |= set(scope.cafe_ids)
    gone_ids = {c.id for c in erased}
    kept = []
    for cafe_id in cafe_ids:
        kept += [
            c.text for c in uow.contributions.in_cafe(cafe_id, include_deleted=True) if c.id not in gone_ids
        ]
        if (cafe := uow.cafes.get(cafe_id)) is not None:
            kept += [cafe.title, *(r.question for r in uow.cafes.rounds(cafe_id))]
    return kept


def _delete_contributions(
    uow: UnitOfWork, ids: list[str], redact: Callable[[str], str] | None = None
) -> None:
    """Delete contributions for good, scrub their ids out of every harvest version (and, through
    `redact`, their words out of its topics' names, keywords and note), and blank the audit log's
    text about them."""
    uow.contributions.delete(ids)
    uow.audit.forget_text(targets=ids)
    gone = set(ids)
    for version in uow.harvests.versions():
        scrubbed = version.without(gone)
        if redact is not None:
            scrubbed = _redacted(scrubbed, redact)
        if scrubbed != version:
            uow.harvests.replace_payload(scrubbed)


def _redacted(version: HarvestVersion, redact: Callable[[str], str]) -> HarvestVersion:
    def topics(groups: tuple[TopicGroup, ...]) -> tuple[TopicGroup, ...]:
        return tuple(
            replace(
                t,
                label=redact(t.label),
                keywords=tuple(k for k in t.keywords if redact(k) == k),
            )
            for t in groups
        )

    return replace(
        version, note=redact(version.note), topics=topics(version.topics), unmatched=topics(version.unmatched)
    )


def _wipe(uow: UnitOfWork, cafe_id: str | None) -> None:
    """Overwrite what the committed erasure left in the database files; when a reader older than
    the erasure kept some of it, say so in the audit log (the next erasure's wipe takes it)."""
    if not uow.wipe_erased():
        with uow:
            audit.record(
                uow,
                "effacement : fichiers à réécrire",
                cafe_id=cafe_id,
                details="Une lecture commencée avant l'effacement durait encore : des copies restent "
                "dans les fichiers de la base, au plus tard jusqu'au prochain effacement.",
            )


def erase_cafe(uow: UnitOfWork, cafe_id: str, *, confirm_title: str) -> str:
    """Delete a whole café and everything derived from it; the title must be typed to confirm.

    The audit log keeps when the café was erased, by whom, and its title; its other rows about the
    café keep who did what and when, without their text."""
    with uow:
        cafe = get_cafe(uow, cafe_id)
        if confirm_title.strip() != cafe.title:
            raise InvalidInput("Pour confirmer, recopiez exactement le titre du café.")
        uow.trust.record_erasure("cafe", cafe_id, [cafe_id], uow.clock())
        # Harvests over several cafés included: they group this café's words too.
        for harvest_id, scope in uow.harvests.scopes().items():
            if cafe_id in scope.cafe_ids:
                uow.harvests.delete(harvest_id)
        uow.contributions.delete_for_cafe(cafe_id)
        uow.documents.delete_for_cafe(cafe_id, fiches_too=True)
        uow.exchange.forget_cafe(cafe_id)
        uow.tablecloths.delete_for_cafe(cafe_id)
        uow.trust.forget_cafe(cafe_id)
        uow.cafes.delete(cafe_id)
        uow.audit.forget_text(cafe_id=cafe_id)
        audit.record(uow, "café effacé", cafe_id=cafe_id, target=cafe.title)
    _wipe(uow, cafe_id)
    return cafe.title


def contributions_of(uow: UnitOfWork, cafe_id: str) -> list:
    """Every contribution of the café, deleted ones included (for erasure on request), masked as
    every list shows them (the original: « Afficher le texte original » on « Animer »)."""
    with uow.reading():
        return shown(uow, cafe_id, uow.contributions.in_cafe(get_cafe(uow, cafe_id).id, include_deleted=True))


MAX_RETENTION_DAYS = 36_500  # a century: beyond, the date arithmetic overflows


@dataclass(frozen=True)
class PurgeReport:
    cafes: list[str]
    contributions: int


def purge_expired(
    uow: UnitOfWork, retention_days: int, *, today: date | None = None, now: datetime | None = None
) -> PurgeReport:
    """Delete the raw contributions of cafés held more than `retention_days` ago.

    Syntheses, fiches and generated documents stay (their verbatims were masked when produced), and
    so do topic names in harvests; the audit log's text about the deleted contributions goes, and
    the bytes they leave in the database files are overwritten.
    """
    if not 1 <= retention_days <= MAX_RETENTION_DAYS:
        raise InvalidInput(
            f"La durée de conservation doit être comprise entre 1 et {MAX_RETENTION_DAYS} jours."
        )
    limit = (today or (now or uow.clock()).date()) - timedelta(days=retention_days)
    purged, count, wiped = [], 0, False
    for cafe in list_cafes(uow, include_archived=True):
        if cafe.held_on >= limit:
            continue
        with uow:  # one café at a time: a long purge does not hold the write lock throughout
            ids = [c.id for c in uow.contributions.in_cafe(cafe.id, include_deleted=True)]
            # The tablecloths' photos are residents' words as written: they go with the contributions.
            photos = uow.tablecloths.delete_for_cafe(cafe.id)
            if photos:
                audit.record(
                    uow,
                    "photos de nappes purgées (durée de conservation)",
                    cafe_id=cafe.id,
                    details=f"{plural(photos, 'photo')}, café du {cafe.held_on:%d/%m/%Y}",
                )
                wiped = True
            if ids:
                _delete_contributions(uow, ids)
                purged.append(cafe.title)
                count += len(ids)
                audit.record(
                    uow,
                    "contributions purgées (durée de conservation)",
                    cafe_id=cafe.id,
                    details=f"{plural(len(ids), 'contribution')}, café du {cafe.held_on:%d/%m/%Y}",
                )
    if purged or wiped:
        _wipe(uow, None)
    return PurgeReport(purged, count)


def reveal_original(uow: UnitOfWork, cafe_id: str, contribution_id: str) -> str:
    """The organiser's moderation view: a contribution exactly as typed, personal data included.

    The only place the original is shown; each reveal is written to the audit log (who, which
    contribution, when — never the text)."""
    with uow:
        contribution = uow.contributions.get(contribution_id)
        if contribution is None or contribution.cafe_id != cafe_id:
            raise NotFound("Cette contribution n'existe pas dans ce café.")
        audit.record(uow, "texte original affiché (modération)", cafe_id=cafe_id, target=contribution_id)
    return contribution.text
