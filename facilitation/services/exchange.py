"""Fiches d'observation as the Atelier's exchange: fiches from the field, threads, committees.

The Atelier's fiches come from cafés (a retained group of a harvest) and from the field (staff and
partners). Each has a comment thread — the private exchange the Atelier ran on a blog — and a
status decided by a committee: nouvelle → en étude → expérimentée → industrialisée, or écartée.
Every change of status or committee is kept with who decided it, when and in which committee.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from facilitation.adapters.photos import MAX_PHOTOS, prepare_photos
from facilitation.domain.access import new_id
from facilitation.domain.errors import InvalidInput, NotFound
from facilitation.domain.model import (
    CAFE_SOURCE,
    FIELD_SOURCE,
    Comment,
    Committee,
    Decision,
    FicheStatus,
    FieldFiche,
    Theme,
    cafe_fiche_ref,
    clean_label,
    clean_text,
    field_fiche_ref,
    parse_choice,
)
from facilitation.domain.privacy import mask_personal_data
from facilitation.domain.wording import plural
from facilitation.services import audit, documents, synthesis
from facilitation.services.cafes import get_cafe
from facilitation.services.ports import UnitOfWork, read_only

# What a committee still has to look at: the agenda of its next meeting.
AWAITING = (FicheStatus.NOUVELLE, FicheStatus.EN_ETUDE)
MAX_OBSERVATION_CHARS = 5000
LATEST_TIME_ZONE = timedelta(hours=14)  # UTC+14: where the calendar day begins first
MAX_COMMENT_CHARS = 3000


@dataclass(frozen=True)
class FicheCard:
    """One fiche, whatever its source, as the exchange lists it."""

    ref: str
    source: str  # CAFE_SOURCE or FIELD_SOURCE
    title: str
    where: str
    when: date
    theme: Theme
    author: str
    summary: str  # the observation, or the café group's size
    follow_up: str
    committee: Committee
    status: FicheStatus

    @property
    def signature(self) -> str:
        """Who wrote the fiche, as the exchange and the agenda say it: « écrite par Agence Lyon Est »,
        « issue du café « Vivre aux Tilleuls » »."""
        return f"issue du {self.author}" if self.source == CAFE_SOURCE else f"écrite par {self.author}"


def _cafe_cards(uow: UnitOfWork) -> list[FicheCard]:
    cards = []
    for entry in documents.library(uow):
        for fiche in entry.fiches:
            cafe = entry.cafe
            cards.append(
                FicheCard(
                    ref=cafe_fiche_ref(cafe.id, fiche.topic_key),
                    source=CAFE_SOURCE,
                    title=fiche.label,
                    where=cafe.place.label(),
                    when=cafe.held_on,
                    theme=cafe.theme,
                    author=f"café « {cafe.title} »",
                    summary=f"Groupe de contributions du café « {cafe.title} ».",
                    follow_up=fiche.follow_up,
                    committee=Committee(fiche.committee),
                    status=FicheStatus(fiche.status),
                )
            )
    return cards


def _field_card(fiche: FieldFiche) -> FicheCard:
    # What staff wrote from the field may quote a resident: shown masked like every text (the
    # author, a member of staff or a partner, is the fiche's signature and stays).
    return FicheCard(
        ref=field_fiche_ref(fiche.id),
        source=FIELD_SOURCE,
        title=mask_personal_data(fiche.title),
        where=mask_personal_data(fiche.place),
        when=fiche.observed_on,
        theme=fiche.theme,
        author=fiche.author,
        summary=mask_personal_data(fiche.observation),
        follow_up=mask_personal_data(fiche.follow_up),
        committee=fiche.committee,
        status=fiche.status,
    )


@read_only
def all_fiches(
    uow: UnitOfWork, *, committee: str | None = None, status: str | None = None
) -> list[FicheCard]:
    """Every fiche, from cafés and from the field, newest first, filtered by committee and status."""
    wanted_committee = parse_choice(Committee, committee, "Comité")
    wanted_status = parse_choice(FicheStatus, status, "Statut")
    cards = _cafe_cards(uow) + [_field_card(f) for f in uow.exchange.list_field_fiches()]
    return sorted(
        (
            card
            for card in cards
            if (wanted_committee is None or card.committee is wanted_committee)
            and (wanted_status is None or card.status is wanted_status)
        ),
        key=lambda card: card.when,
        reverse=True,
    )


@read_only
def find_fiche(uow: UnitOfWork, ref: str) -> FicheCard:
    """One fiche by its reference, or NotFound in French."""
    for card in all_fiches(uow):
        if card.ref == ref:
            return card
    raise NotFound("Cette fiche n'existe pas (ou son groupe n'est plus retenu).")


def create_field_fiche(
    uow: UnitOfWork,
    *,
    title: str,
    observation: str,
    author: str,
    observed_on: date,
    place: str,
    theme: str,
    committee: str | None = None,
    follow_up: str = "",
    photos: Sequence[tuple[str, bytes]] = (),
    fiche_id: str | None = None,
    now: datetime | None = None,
) -> FieldFiche:
    """A fiche written from the field by staff or a partner (source « terrain »).

    `photos` are (file name, bytes) pairs, stored re-encoded (see facilitation.adapters.photos); `fiche_id`,
    minted when the form was drawn, makes a double click create one fiche.
    """
    now = now or uow.clock()
    # Checked in the order of the form, so that the first message is about the first field.
    clean_title = clean_label(title, what="Le titre")
    clean_observation = clean_text(observation, max_chars=MAX_OBSERVATION_CHARS, what="L'observation")
    clean_author = clean_label(author, what="L'auteur", max_chars=120)
    # `now` is UTC while the form offers today's date where the person is (Paris is already
    # tomorrow from 22:00 or 23:00 UTC): only a date after today in every time zone (UTC+14) is future.
    if observed_on > (now + LATEST_TIME_ZONE).date():
        raise InvalidInput("La date d'observation ne peut pas être dans le futur.")
    clean_place = clean_label(place, what="Le lieu")
    prepared = prepare_photos(list(photos))
    chosen_theme = parse_choice(Theme, theme, "Thème")
    if chosen_theme is None:
        raise InvalidInput("Choisissez le thème de l'Atelier concerné.")
    fiche = FieldFiche(
        id=fiche_id or new_id(),
        title=clean_title,
        observation=clean_observation,
        author=clean_author,
        observed_on=observed_on,
        place=clean_place,
        theme=chosen_theme,
        follow_up=clean_text(follow_up, max_chars=2000, what="La suite proposée")
        if follow_up.strip()
        else "",
        committee=parse_choice(Committee, committee, "Comité") or synthesis.DEFAULT_COMMITTEE[chosen_theme],
        status=FicheStatus.NOUVELLE,
        created_at=now,
    )
    with uow:
        if fiche_id is not None and (existing := uow.exchange.get_field_fiche(fiche_id)) is not None:
            return existing
        uow.exchange.add_field_fiche(fiche)
        uow.exchange.add_photos(field_fiche_ref(fiche.id), prepared)
        # References, never titles, in the log: a title may hold a resident's words or a name,
        # which the log would keep after their erasure (facilitation/services/rgpd.py).
        audit.record(uow, "fiche de terrain créée", target=field_fiche_ref(fiche.id))
    return fiche


def add_comment(uow: UnitOfWork, ref: str, *, author: str, text: str, now: datetime | None = None) -> Comment:
    """A message in a fiche's thread."""
    card = find_fiche(uow, ref)
    comment = Comment(
        id=new_id(),
        fiche_ref=card.ref,
        author=clean_label(author, what="Votre nom", max_chars=120),
        at=now or uow.clock(),
        text=clean_text(text, max_chars=MAX_COMMENT_CHARS, what="Le commentaire"),
    )
    with uow:
        uow.exchange.add_comment(comment)
        audit.record(uow, "fiche commentée", cafe_id=_cafe_of(card), target=card.ref)
    return comment


def _names_of(uow: UnitOfWork, ref: str) -> list[str]:
    """The names flagged in the café a fiche comes from (none for a field fiche)."""
    if ref.startswith("cafe/"):  # cafe_fiche_ref
        return uow.trust.masked_names(ref.split("/", 2)[1])
    return []


def _cafe_of(card: FicheCard) -> str | None:
    """The café of a café's fiche (its erasure clears the fiche's rows of the log), else None."""
    return None if card.source == FIELD_SOURCE else card.ref.split("/")[1]


def comments(uow: UnitOfWork, ref: str) -> list[Comment]:
    """A fiche's thread, oldest first, personal data masked."""
    with uow.reading():
        thread, names = uow.exchange.list_comments(ref), _names_of(uow, ref)
    return [replace(c, text=mask_personal_data(c.text, names)) for c in thread]


def decide(
    uow: UnitOfWork,
    ref: str,
    *,
    status: str,
    committee: str,
    decided_by: str,
    note: str = "",
    now: datetime | None = None,
) -> Decision:
    """Record a committee's decision on a fiche and apply its status and committee."""
    card = find_fiche(uow, ref)
    chosen_status = parse_choice(FicheStatus, status, "Statut")
    chosen_committee = parse_choice(Committee, committee, "Comité")
    if chosen_status is None or chosen_committee is None:
        raise InvalidInput("Choisissez un statut et un comité.")
    decision = Decision(
        id=new_id(),
        fiche_ref=card.ref,
        at=now or uow.clock(),
        actor=audit.current_actor(),
        decided_by=clean_label(decided_by, what="« Décidé par »"),
        committee=chosen_committee,
        status=chosen_status,
        note=clean_text(note, max_chars=2000, what="La note") if note.strip() else "",
    )
    with uow:
        if card.source == FIELD_SOURCE:
            fiche_id = card.ref.removeprefix("terrain/")
            uow.exchange.set_field_fiche_decision(fiche_id, chosen_committee.value, chosen_status.value)
        else:
            _, cafe_id, topic_key = card.ref.split("/", 2)
            saved = {f.topic_key: f for f in uow.documents.fiches(cafe_id)}
            current = saved.get(topic_key) or synthesis.default_fiche(
                get_cafe(uow, cafe_id), topic_key, card.title, decision.at
            )
            uow.documents.save_fiche(
                replace(current, committee=chosen_committee, status=chosen_status, updated_at=decision.at)
            )
        uow.exchange.add_decision(decision)
        audit.record(
            uow,
            "décision sur une fiche",
            cafe_id=_cafe_of(card),
            target=card.ref,
            details=f"{chosen_status.value} · {chosen_committee.value} · {decision.decided_by}",
        )
    return decision


def add_photos(uow: UnitOfWork, ref: str, photos: Sequence[tuple[str, bytes]]) -> int:
    """Photos from the field added to a fiche (MAX_PHOTOS in all), stored re-encoded like a new
    fiche's (see facilitation.adapters.photos); returns how many the fiche now has."""
    card = find_fiche(uow, ref)
    if not photos:
        raise InvalidInput("Choisissez au moins une photo.")
    prepared = prepare_photos(list(photos))
    with uow:
        already = len(uow.exchange.list_photos(card.ref))
        if already + len(prepared) > MAX_PHOTOS:
            room = MAX_PHOTOS - already
            raise InvalidInput(
                f"Quatre photos au plus par fiche : celle-ci en a déjà {already}, "
                + (f"ajoutez-en {room} au plus." if room else "aucune ne peut être ajoutée.")
            )
        uow.exchange.add_photos(card.ref, prepared)
        audit.record(
            uow,
            "photos ajoutées à une fiche",
            cafe_id=_cafe_of(card),
            target=card.ref,
            details=plural(len(prepared), "photo"),
        )
    return already + len(prepared)


@read_only
def fiche_photos(uow: UnitOfWork, ref: str) -> list[bytes]:
    """A fiche's photos (JPEG), in the order they were attached."""
    return uow.exchange.list_photos(ref)


def decisions(uow: UnitOfWork, ref: str) -> list[Decision]:
    """A fiche's decisions, oldest first, their notes masked."""
    with uow.reading():
        history, names = uow.exchange.list_decisions(ref), _names_of(uow, ref)
    return [replace(d, note=mask_personal_data(d.note, names)) for d in history]


@dataclass(frozen=True)
class Agenda:
    """What a committee has to look at: its fiches still « nouvelle » or « en étude »."""

    committee: Committee
    generated_at: datetime
    fiches: list[FicheCard]
    # For a café's fiche (by ref): its figures (provenance, agreement) and residents' words with
    # their table and round, so that the committee reads what was said, not only a title.
    figures: dict[str, list[str]] = field(default_factory=dict)
    quotes: dict[str, list[synthesis.Quote]] = field(default_factory=dict)


AGENDA_QUOTES = 3


@read_only
def committee_agenda(uow: UnitOfWork, committee: str, *, now: datetime | None = None) -> Agenda:
    """The fiches awaiting a committee, oldest observation first (the order of a meeting)."""
    chosen = parse_choice(Committee, committee, "Comité")
    if chosen is None:
        raise InvalidInput("Choisissez un comité.")
    waiting = [card for card in all_fiches(uow, committee=chosen.value) if card.status in AWAITING]
    figures: dict[str, list[str]] = {}
    quotes: dict[str, list[synthesis.Quote]] = {}
    read: dict[str, dict[str, synthesis.TopicSummary]] = {}
    for card in waiting:
        cafe_id = _cafe_of(card)
        if cafe_id is None:
            continue
        if cafe_id not in read:  # one reading per café, masked like every document
            summary = synthesis.cafe_synthesis(uow, cafe_id)
            read[cafe_id] = {t.key: t for t in [*summary.topics, *summary.others]}
        topic = read[cafe_id].get(card.ref.split("/", 2)[2])
        if topic is not None:
            figures[card.ref] = [topic.provenance.text(), f"Avis : {topic.opinion_text}"]
            quotes[card.ref] = topic.quotes[:AGENDA_QUOTES]
    return Agenda(chosen, now or uow.clock(), sorted(waiting, key=lambda card: card.when), figures, quotes)
