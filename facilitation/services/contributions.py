"""Use cases at the tables: captains and residents add contributions and support them."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from facilitation.domain import actors
from facilitation.domain.access import (
    FORGED_WALL_MESSAGE,
    JoinClaim,
    check_form_nonce,
    normalise_table_code,
    verify_join_token,
    verify_wall_token,
)
from facilitation.domain.errors import (
    AccessDenied,
    AlreadySent,
    InvalidInput,
    NotAccepting,
    NotFound,
    RoundChanged,
)
from facilitation.domain.model import (
    Cafe,
    Contribution,
    Kind,
    Profile,
    Round,
    Source,
    Table,
    clean_text,
    parse_choice,
)
from facilitation.domain.privacy import mask_personal_data, restore_masked
from facilitation.services import audit
from facilitation.services.abuse import (
    RATE_LIMIT_MESSAGE,
    Client,
    PhoneLimiter,
    captain_code_key,
    guarded_try,
)
from facilitation.services.cafes import get_cafe, get_table, open_round_of
from facilitation.services.ports import UnitOfWork, read_only

MAX_AGREEMENT_COUNT = 500
UNKNOWN_TABLE_CODE = "Code de table inconnu. Vérifiez le code donné par l'organisateur."
# How many ideas heard at earlier tables a phone is offered to build on (the most recent first).
HEARD_IDEAS = 30
_CONTRIBUTION_ID = re.compile(r"[0-9a-f]{32}")
UNKNOWN_IDEA_MESSAGE = (
    "L'idée que vous voulez prolonger n'est pas parmi celles de vos tables précédentes dans ce café. "
    "Rien n'a été envoyé : choisissez une idée dans la liste."
)


@dataclass(frozen=True)
class Visit:
    """A table a phone joined while a round was open there: the ideas it could hear."""

    table_number: int
    round_id: str


@dataclass(frozen=True)
class HeardIdea:
    """An idea offered to build on, with where it was said (« Table 2, tour 1 »), masked."""

    contribution: Contribution
    where: str


@dataclass(frozen=True)
class TableState:
    """A table, its café and the round open there right now."""

    cafe: Cafe
    table: Table
    open_round: Round | None
    last_closed: Round | None  # the round closed last, if any: named when nothing is open

    @property
    def accepting(self) -> bool:
        return self.open_round is not None and not self.cafe.is_closed

    def closed_message(self) -> str:
        """Why nothing can be added now, in plain French."""
        if self.cafe.is_closed:
            return "Ce café est terminé. Merci pour votre participation !"
        closed = f" : le tour {self.last_closed.position} est fermé" if self.last_closed else ""
        return (
            f"Aucun tour n'est ouvert pour le moment{closed}. Attendez que l'animateur lance le tour suivant."
        )

    def box_closed_reason(self) -> str:
        """The short reason written over a disabled capture box (« Le tour 2 est fermé : … »)."""
        if self.cafe.is_closed:
            return "Ce café est terminé : la saisie est fermée."
        if self.last_closed:
            return f"Le tour {self.last_closed.position} est fermé : attendez le tour suivant."
        return "Aucun tour n'a encore commencé : attendez le premier tour."


@dataclass(frozen=True)
class TableContext(TableState):
    """What a captain or a resident sees of their table: also the open round's contributions there
    (all of them, or the most recent few: `total` says how many there are in all)."""

    contributions: list[Contribution]
    total: int | None = None

    @property
    def contribution_count(self) -> int:
        """How many contributions the open round has at this table, listed or not."""
        return len(self.contributions) if self.total is None else self.total


@dataclass(frozen=True)
class Submission:
    """A contribution as its author's form sends it, checked by the use case that stores it.

    `submission_id` is drawn when the form is (a retry or a double tap sends it again);
    `round_id` is the round whose question the author saw ("" when they saw none, None when the
    form does not say); `builds_on` the idea it prolongs (« je prolonge »)."""

    text: str
    submission_id: str
    max_chars: int
    kind: str | None = None
    profile: str | None = None
    agreement_count: int | str | None = None
    round_id: str | None = None
    builds_on: str | None = None
    emerging_question: bool = False


@dataclass(frozen=True)
class SubmitResult:
    contribution: Contribution
    # False when nothing new was stored: the same submission id (retry, double click) or the same
    # text already stored from this table in this round.
    created: bool


def _locate(uow: UnitOfWork, cafe_id: str, table_number: int) -> TableState:
    cafe = get_cafe(uow, cafe_id)
    table = get_table(uow, cafe_id, table_number)
    rounds = uow.cafes.rounds(cafe_id)
    open_now = None if cafe.is_closed else next((r for r in rounds if r.is_open), None)
    closed = [r for r in rounds if r.closed_at is not None]
    last_closed = max(closed, key=lambda r: r.closed_at, default=None)
    return TableState(cafe, table, open_now, last_closed)


@read_only
def shown(uow: UnitOfWork, cafe_id: str, listed: list[Contribution]) -> list[Contribution]:
    """Contributions as every screen shows them: personal data masked (the stored text is untouched;
    only the organiser's moderation view reveals it, see rgpd.reveal_original)."""
    if not listed:
        return []
    names = uow.trust.masked_names(cafe_id)
    return [replace(c, text=mask_personal_data(c.text, names)) for c in listed]


def _with_contributions(uow: UnitOfWork, state: TableState, latest: int | None = None) -> TableContext:
    current = state.open_round
    if current is None:
        empty_total = 0 if latest is not None else None
        return TableContext(state.cafe, state.table, None, state.last_closed, [], empty_total)
    where = {"round_id": current.id, "table_id": state.table.id}
    listed = shown(uow, state.cafe.id, uow.contributions.in_cafe(state.cafe.id, latest=latest, **where))
    if latest is None:
        return TableContext(state.cafe, state.table, current, state.last_closed, listed)
    total = len(listed) if len(listed) < latest else uow.contributions.count(state.cafe.id, **where)
    return TableContext(state.cafe, state.table, current, state.last_closed, listed, total)


def table_context(uow: UnitOfWork, cafe_id: str, table_number: int) -> TableContext:
    """The table with its café, the open round and that round's contributions at this table."""
    with uow.reading():
        return _with_contributions(uow, _locate(uow, cafe_id, table_number))


def enter_table(uow: UnitOfWork, code: str) -> TableContext:
    """A captain enters their table with its short code."""
    with uow.reading():
        table = uow.cafes.table_by_code(normalise_table_code(code))
        if table is None:
            raise AccessDenied(UNKNOWN_TABLE_CODE)
        cafe = get_cafe(uow, table.cafe_id)
        if cafe.archived_at is not None:
            raise AccessDenied("Ce café est archivé : sa saisie est fermée.")
        return table_context(uow, table.cafe_id, table.number)


def try_table_code(uow: UnitOfWork, code: str, client: Client, now: datetime | None = None) -> TableContext:
    """A typed (or linked) captain code: throttled per session and address like the organiser's
    password, and every refusal is written to the audit log — one transaction, whose refusal is
    raised once it has committed (the failed try and its audit line stay)."""
    normalised = normalise_table_code(code)
    with uow:
        outcome = guarded_try(
            uow,
            "captain",
            client,
            now or uow.clock(),
            lambda: uow.cafes.table_by_code(normalised) is not None,
            code_key=captain_code_key(uow.trust.link_secret(), normalised),
        )
        refused = outcome.refusal(UNKNOWN_TABLE_CODE)
        if refused is None:
            try:
                context = enter_table(uow, normalised)
            except AccessDenied as exc:  # an archived café: the try stays counted as it was
                refused = exc
            else:
                audit.record(
                    uow,
                    "capitaine entré à sa table",
                    cafe_id=context.cafe.id,
                    actor=actors.captain(context.table.number),
                )
        elif not outcome.wait:
            audit.record(uow, "code capitaine refusé")
    if refused is not None:
        raise refused
    return context


def join_table(uow: UnitOfWork, token: str | None, latest: int | None = None) -> TableContext:
    """A resident opens a table's QR link; forged or unknown links are refused.

    Polled by every phone every few seconds: a read-only transaction, which never waits for the
    captains' writes. With `latest`, only that many of the most recent contributions are read (and
    their total counted): a flooded table costs a phone what a calm one does."""
    with uow.reading():
        claim = verify_join_token(uow.trust.link_secret(), token)
        return _with_contributions(uow, _claimed_state(uow, claim), latest)


def _claimed_state(uow: UnitOfWork, claim: JoinClaim) -> TableState:
    try:
        state = _locate(uow, claim.cafe_id, claim.table_number)
    except NotFound:
        raise AccessDenied(
            "Ce lien ne correspond à aucune table d'un café en cours. "
            "Scannez à nouveau le QR code posé sur votre table."
        ) from None
    if state.cafe.archived_at is not None:
        raise AccessDenied("Ce café est terminé et archivé. Merci pour votre participation !")
    if state.table.link_generation != claim.generation:
        raise AccessDenied(
            "Ce QR code n'est plus valable : il a été remplacé. Demandez le nouveau au capitaine de table."
        )
    return state


def count_of_people(value: int | str, label: str) -> int:
    """A number of people typed in the field `label` (0 to MAX_AGREEMENT_COUNT), or InvalidInput
    in French naming that field."""
    try:
        count = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"« {label} » doit être un nombre.") from None
    if not 0 <= count <= MAX_AGREEMENT_COUNT:
        raise InvalidInput(f"« {label} » doit être entre 0 et {MAX_AGREEMENT_COUNT}.")
    return count


def _agreement(value: int | str | None) -> int | None:
    if value is None or value == "":
        return None
    return count_of_people(value, "Combien sont d'accord ?")


def submit_contribution(
    uow: UnitOfWork,
    *,
    cafe_id: str,
    table_number: int,
    submission: Submission,
    source: Source,
    now: datetime | None = None,
) -> SubmitResult:
    """Store a contribution exactly once in the open round.

    Idempotent on the submission id, and the same text from the same table in one round is stored
    once. With a round id (the round whose question the author saw; "" when they saw no question),
    a submit arriving after that round closed is refused with RoundChanged instead of being filed
    under another question.
    """
    return _submit(uow, cafe_id, lambda: _locate(uow, cafe_id, table_number), submission, source, now)


def _submit(
    uow: UnitOfWork,
    cafe_id: str,
    locate: Callable[[], TableState],
    submission: Submission,
    source: Source,
    now: datetime | None,
    *,
    admit_new: Callable[[TableState], None] | None = None,
    table_limit: int | None = None,
    author: str | None = None,
    may_build_on: Callable[[TableState, Contribution], bool] | None = None,
) -> SubmitResult:
    """Validate, answer a retry as the first time, else admit (rate limits) and store once.

    `table_limit` caps a table's resident contributions per minute, checked as they are stored.
    `may_build_on` says whether the author heard the idea the submission builds on."""
    builds_on, submission_id = submission.builds_on or None, submission.submission_id
    if builds_on is not None and not _CONTRIBUTION_ID.fullmatch(builds_on):
        raise InvalidInput(UNKNOWN_IDEA_MESSAGE)
    if not submission_id or len(submission_id) > 32 or not submission_id.isalnum():
        raise InvalidInput("Identifiant d'envoi invalide : rechargez la page.")
    clean = clean_text(submission.text, max_chars=submission.max_chars)
    chosen_kind = parse_choice(Kind, submission.kind, "Type")
    chosen_profile = parse_choice(Profile, submission.profile, "Profil")
    agreement = _agreement(submission.agreement_count)
    round_id = submission.round_id
    with uow:
        # The round is read and the contribution stored in this one transaction, with the café's
        # rounds held: a round closing meanwhile waits, so nothing lands in a round already closed.
        uow.cafes.lock_shared(cafe_id)
        state = locate()
        # Submits of one table one after the other, so that two taps with different ids cannot
        # both pass the same-text check below.
        uow.contributions.lock_table(state.table.id)
        existing = uow.contributions.get(submission_id)
        if existing is not None:
            if existing.table_id != state.table.id:
                raise InvalidInput("Identifiant d'envoi déjà utilisé ailleurs : rechargez la page.")
            # A retried submit: answer as the first time, whatever the round's state now.
            return SubmitResult(existing, created=False)
        if not state.accepting or state.open_round is None:
            raise NotAccepting(state.closed_message() + " Votre texte n'a pas été envoyé.")
        if round_id is not None and state.open_round.id != round_id:
            raise RoundChanged(
                f"La question a changé : le tour {state.open_round.position} est ouvert. Votre texte n'a "
                "pas été envoyé ; il est gardé. Lisez la nouvelle question avant de l'envoyer."
            )
        candidate = Contribution(
            id=submission_id,
            cafe_id=state.cafe.id,
            round_id=state.open_round.id,
            table_id=state.table.id,
            text=clean,
            source=Source(source),
            created_at=now or uow.clock(),
            kind=chosen_kind,
            profile=chosen_profile,
            agreement_count=agreement,
            author=author,
            emerging_question=bool(submission.emerging_question),
        )
        if builds_on is not None:
            target = _idea_to_build_on(uow, candidate, builds_on)
            if may_build_on is not None and not may_build_on(state, target):
                raise InvalidInput(UNKNOWN_IDEA_MESSAGE)
            candidate = replace(candidate, builds_on=target.id)
        # The same text already sent from this table in this round (by this captain, or this
        # phone: two residents may say the same thing) is answered as stored, not stored twice.
        same = uow.contributions.find_same(candidate)
        if same is not None:
            return SubmitResult(same, created=False)
        if admit_new is not None:
            # Counted only for a text that is about to be stored: a retry is answered above, and a
            # refusal for a closed or changed round costs nothing.
            admit_new(state)
        if table_limit is not None and candidate.source is Source.RESIDENT:
            # Counted under the table's lock: a concurrent burst cannot slip past the limit.
            since = candidate.created_at - timedelta(minutes=1)
            if uow.contributions.count_since(candidate.table_id, Source.RESIDENT, since) >= table_limit:
                raise NotAccepting(RATE_LIMIT_MESSAGE)
        uow.contributions.add(candidate)
        contribution = uow.contributions.get(candidate.id)
        audit.record(
            uow,
            "contribution ajoutée",
            cafe_id=state.cafe.id,
            target=contribution.id,
            actor=_actor_of(source, state.table.number),
        )
    return SubmitResult(contribution, True)


def _actor_of(source: Source, table_number: int) -> str:
    # Derived from the credential that reached the use case, not from the page: a form callback
    # runs before the page has said who is there.
    if Source(source) is Source.CAPTAIN:
        return actors.captain(table_number)
    return actors.resident_link(table_number)


def resident_submit(
    uow: UnitOfWork,
    *,
    token: str,
    submission: Submission,
    browser_id: str = "",
    limiter: PhoneLimiter | None = None,
    per_table: int | None = None,
    client_address: str = "",
    nonce: str | None = None,
    now: datetime | None = None,
    visits: tuple[Visit, ...] | Callable[[str], tuple[Visit, ...]] = (),
) -> SubmitResult:
    """A resident's contribution, through their table's signed link, within the rate limits.

    One writer transaction from the link's check to the stored idea: a round closing meanwhile
    waits for it, so an idea never lands in a round that has just closed. The submission's round is
    the one whose question the resident was shown: if another round is open now, the text is
    refused rather than filed under a question its author never read. `nonce` (the phone's form)
    must be the one this server drew for this link and submission id; new words posted under the id
    of an idea already stored are refused with AlreadySent, not answered « already stored ». The
    idea it builds on (« je prolonge ») must be one of `visits`, the tables this phone joined
    earlier (or a function that reads them from a cookie signed with the link secret this
    transaction reads).
    """
    phone = browser_id or submission.submission_id
    with uow:
        secret = uow.trust.link_secret()
        if nonce is not None:
            check_form_nonce(secret, nonce, token, submission.submission_id)
        claim = verify_join_token(secret, token)
        _claimed_state(uow, claim)  # a revoked or unknown link is refused before the text is judged
        heard_at = visits(secret) if callable(visits) else visits  # a signed cookie: checked here
        _refuse_other_text_under_a_sent_id(uow, submission)

        def admit(state: TableState) -> None:
            if limiter is not None:
                limiter.count_idea(claim.cafe_id, phone, client_address)

        return _submit(
            uow,
            claim.cafe_id,
            # Read again once the café's rounds are held (`_submit`): the round may have changed.
            lambda: _claimed_state(uow, claim),
            submission,
            Source.RESIDENT,
            now,
            admit_new=admit,
            table_limit=per_table,
            author=supporter_key(claim.cafe_id, phone),
            may_build_on=lambda state, idea: _heard(uow, state, heard_at, idea),
        )


def _refuse_other_text_under_a_sent_id(uow: UnitOfWork, submission: Submission) -> None:
    """A form already sent, sent again with other words (a page restored by the back button):
    answering « already stored » would lose the new words."""
    sent = uow.contributions.get(submission.submission_id) if submission.submission_id else None
    if sent is None:
        return
    try:
        same = sent.text == clean_text(submission.text, max_chars=submission.max_chars)
    except InvalidInput:
        return  # `_submit` explains what is wrong with the text
    if not same:
        raise AlreadySent(
            "Ce formulaire avait déjà servi à envoyer une idée. Votre nouveau texte n'a pas encore été "
            "envoyé : il est dans la case. Appuyez à nouveau sur « Envoyer »."
        )


def _idea_to_build_on(uow: UnitOfWork, candidate: Contribution, builds_on: str) -> Contribution:
    """The live idea of the same café, said at another table or in another round, or InvalidInput."""
    target = uow.contributions.get(builds_on)
    if (
        target is None
        or target.deleted_at is not None
        or target.cafe_id != candidate.cafe_id
        or target.id == candidate.id
        or (target.table_id, target.round_id) == (candidate.table_id, candidate.round_id)
    ):
        raise InvalidInput(UNKNOWN_IDEA_MESSAGE)
    return target


def _visited_pairs(uow: UnitOfWork, state: TableState, visits: tuple[Visit, ...]) -> set[tuple[str, str]]:
    """(table id, round id) of the visits, this café's only, the table and round of now left out."""
    tables = {t.number: t.id for t in uow.cafes.tables(state.cafe.id)}
    rounds = {r.id for r in uow.cafes.rounds(state.cafe.id)}
    here = (state.table.id, state.open_round.id if state.open_round else "")
    pairs = {(tables.get(v.table_number, ""), v.round_id) for v in visits}
    return {(t, r) for t, r in pairs if t and r in rounds and (t, r) != here}


def _heard(uow: UnitOfWork, state: TableState, visits: tuple[Visit, ...], idea: Contribution) -> bool:
    return (idea.table_id, idea.round_id) in _visited_pairs(uow, state, visits)


def _where(uow: UnitOfWork, cafe_id: str) -> Callable[[Contribution], str]:
    """« Table 2, tour 1 » for a contribution of the café."""
    tables = {t.id: t.number for t in uow.cafes.tables(cafe_id)}
    rounds = {r.id: r.position for r in uow.cafes.rounds(cafe_id)}
    return lambda c: f"Table {tables.get(c.table_id, '?')}, tour {rounds.get(c.round_id, '?')}"


@read_only
def heard_at(uow: UnitOfWork, state: TableState, visits: tuple[Visit, ...]) -> list[HeardIdea]:
    """The ideas a phone at this table may build on: those of the tables it joined earlier in this
    café (other cafés' visits, and the table and round of now, left out), masked, the most recent
    first (HEARD_IDEAS at most)."""
    pairs = _visited_pairs(uow, state, visits)
    listed = [
        c
        for table_id, round_id in pairs
        for c in uow.contributions.in_cafe(state.cafe.id, round_id=round_id, table_id=table_id)
    ]
    listed.sort(key=lambda c: (c.created_at, c.id), reverse=True)
    where = _where(uow, state.cafe.id)
    return [HeardIdea(c, where(c)) for c in shown(uow, state.cafe.id, listed[:HEARD_IDEAS])]


def ideas_to_link(uow: UnitOfWork, table_code: str, contribution_id: str) -> list[HeardIdea]:
    """For a captain: the café's ideas a contribution of their table may build on — said at another
    table or in another round, up to the contribution's round — masked, the most recent first."""
    with uow.reading():
        context = enter_table(uow, table_code)
        contribution = _table_contribution(uow, context.table, contribution_id)
        positions = {r.id: r.position for r in uow.cafes.rounds(context.cafe.id)}
        upto = positions.get(contribution.round_id, 0)
        listed = [
            c
            for c in uow.contributions.in_cafe(context.cafe.id)
            if positions.get(c.round_id, 0) <= upto
            and (c.table_id, c.round_id) != (contribution.table_id, contribution.round_id)
        ]
        listed.sort(key=lambda c: (c.created_at, c.id), reverse=True)
        where = _where(uow, context.cafe.id)
        return [HeardIdea(c, where(c)) for c in shown(uow, context.cafe.id, listed)]


def annotate_contribution(
    uow: UnitOfWork,
    *,
    table_code: str,
    contribution_id: str,
    builds_on: str | None,
    emerging_question: bool,
) -> Contribution:
    """A captain says which earlier idea a contribution of their table builds on (None: none) and
    whether it is a question that emerged; each change is written to the audit log."""
    if builds_on and not _CONTRIBUTION_ID.fullmatch(builds_on):
        raise InvalidInput(UNKNOWN_IDEA_MESSAGE)
    with uow:
        context = enter_table(uow, table_code)
        contribution = _table_contribution(uow, context.table, contribution_id)
        target = _idea_to_build_on(uow, contribution, builds_on).id if builds_on else None
        updated = replace(contribution, builds_on=target, emerging_question=bool(emerging_question))
        if updated == contribution:
            return contribution
        uow.contributions.update(updated)
        actor = actors.captain(context.table.number)
        if updated.builds_on != contribution.builds_on:
            audit.record(
                uow,
                "contribution reliée à l'idée qu'elle prolonge",
                cafe_id=contribution.cafe_id,
                target=contribution_id,
                details=f"prolonge {target}" if target else "lien retiré",
                actor=actor,
            )
        if updated.emerging_question != contribution.emerging_question:
            action = "question qui émerge marquée" if emerging_question else "question qui émerge retirée"
            audit.record(uow, action, cafe_id=contribution.cafe_id, target=contribution_id, actor=actor)
    return updated


def supporter_key(cafe_id: str, browser_id: str) -> str:
    """Pseudonymous key of a phone for one café: enough to count a support once, nothing more."""
    return hashlib.sha256(f"{cafe_id}:{browser_id}".encode()).hexdigest()[:32]


@read_only
def shown_at_table(uow: UnitOfWork, state: TableState, contribution_id: str) -> Contribution:
    """The idea a phone acts on (+1, vote), if it is still one of its table's open round."""
    if not state.accepting:
        raise NotAccepting(state.closed_message())
    assert state.open_round is not None
    idea = uow.contributions.get(contribution_id)
    if (
        idea is None
        or idea.deleted_at is not None
        or (idea.table_id, idea.round_id) != (state.table.id, state.open_round.id)
    ):
        raise NotFound("Cette idée n'est plus affichée à votre table.")
    return idea


def supported_here(uow: UnitOfWork, context: TableContext, browser_id: str) -> set[str]:
    """Ids of the listed contributions this phone already supported."""
    key = supporter_key(context.cafe.id, browser_id)
    with uow.reading():
        return uow.contributions.supported_by(key, [c.id for c in context.contributions])


def _table_contribution(uow: UnitOfWork, table: Table, contribution_id: str) -> Contribution:
    contribution = uow.contributions.get(contribution_id)
    if contribution is None or contribution.table_id != table.id:
        raise NotFound("Cette contribution n'existe pas à votre table.")
    return contribution


def edit_contribution(
    uow: UnitOfWork,
    *,
    table_code: str,
    contribution_id: str,
    text: str,
    max_chars: int,
    kind: str | None = None,
    profile: str | None = None,
    agreement_count: int | str | None = None,
    now: datetime | None = None,
) -> Contribution:
    """A captain corrects a contribution of their own table.

    The captain saw and corrected the masked text: each label left in it gets the hidden original
    piece back, so that a corrected typo never replaces a resident's words with « [… masqué] »."""
    changed = {
        "text": clean_text(text, max_chars=max_chars),
        "kind": parse_choice(Kind, kind, "Type"),
        "profile": parse_choice(Profile, profile, "Profil"),
        "agreement_count": _agreement(agreement_count),
        "updated_at": now or uow.clock(),
    }
    with uow:
        return _edit(uow, table_code, contribution_id, changed)


def _hidden_kept(uow: UnitOfWork, contribution: Contribution, changed: dict) -> dict:
    """The correction with each « [… masqué] » the captain left given its original back."""
    if "text" not in changed:
        return changed
    names = uow.trust.masked_names(contribution.cafe_id)
    return {**changed, "text": restore_masked(changed["text"], contribution.text, names)}


def _edit(uow: UnitOfWork, table_code: str, contribution_id: str, changed: dict) -> Contribution:
    context = enter_table(uow, table_code)
    contribution = _table_contribution(uow, context.table, contribution_id)
    changed = _hidden_kept(uow, contribution, changed)
    updated = replace(contribution, **changed)
    uow.contributions.update(updated)
    # Who corrected which contribution, and when; never the text, before or after: the log would
    # keep a copy of words a resident may ask to erase (facilitation/services/rgpd.py).
    unchanged = "texte inchangé (type, profil ou nombre d'accord)"
    changes = "texte corrigé" if updated.text != contribution.text else unchanged
    action = (
        "contribution d'habitant corrigée par le capitaine"
        if contribution.source is Source.RESIDENT
        else "contribution modifiée"
    )
    audit.record(
        uow,
        action,
        cafe_id=contribution.cafe_id,
        target=contribution_id,
        details=changes,
        actor=actors.captain(context.table.number),
    )
    return updated


def delete_contribution(
    uow: UnitOfWork, *, table_code: str, contribution_id: str, now: datetime | None = None
) -> None:
    """A captain removes a contribution; it stays recoverable by the organiser."""
    with uow:
        context = enter_table(uow, table_code)
        contribution = _table_contribution(uow, context.table, contribution_id)
        uow.contributions.update(replace(contribution, deleted_at=now or uow.clock()))
        audit.record(
            uow,
            "contribution supprimée (récupérable)",
            cafe_id=contribution.cafe_id,
            target=contribution_id,
            actor=actors.captain(context.table.number),
        )


def restore_contribution(uow: UnitOfWork, cafe_id: str, contribution_id: str) -> Contribution:
    """The organiser brings back a deleted contribution."""
    with uow:
        contribution = uow.contributions.get(contribution_id)
        if contribution is None or contribution.cafe_id != cafe_id:
            raise NotFound("Cette contribution n'existe pas dans ce café.")
        restored = replace(contribution, deleted_at=None)
        uow.contributions.update(restored)
        audit.record(uow, "contribution restaurée", cafe_id=cafe_id, target=contribution_id)
    return restored


def deleted_contributions(uow: UnitOfWork, cafe_id: str) -> list[Contribution]:
    """Contributions removed by captains, for the organiser to review (masked)."""
    with uow.reading():
        listed = uow.contributions.in_cafe(cafe_id, include_deleted=True)
        return shown(uow, cafe_id, [c for c in listed if c.deleted_at is not None])


@dataclass(frozen=True)
class Overview:
    """Live figures of a café for the organiser."""

    cafe: Cafe
    rounds: list[Round]
    tables: list[Table]
    counts: Counter  # (round_id, table_id) -> contributions
    latest: list[Contribution]
    total: int
    from_residents: int


def overview(uow: UnitOfWork, cafe_id: str, *, latest: int = 10) -> Overview:
    """Contributions per table and round, and the latest ones."""
    with uow.reading():
        cafe = get_cafe(uow, cafe_id)
        listed = uow.contributions.in_cafe(cafe_id)
        rounds, tables = uow.cafes.rounds(cafe_id), uow.cafes.tables(cafe_id)
        newest = shown(uow, cafe_id, list(reversed(listed[-latest:])))
    return Overview(
        cafe=cafe,
        rounds=rounds,
        tables=tables,
        counts=Counter((c.round_id, c.table_id) for c in listed),
        latest=newest,
        total=len(listed),
        from_residents=sum(c.source is Source.RESIDENT for c in listed),
    )


@dataclass(frozen=True)
class Wall:
    """What the room screen shows: the open question and the latest contributions of every table."""

    cafe: Cafe
    open_round: Round | None
    tables: dict[str, Table]  # by id
    latest: list[Contribution]


def wall_cafe(uow: UnitOfWork, token: str | None) -> str:
    """The café a wall link opens; AccessDenied (in French) for a forged, revoked or dead link."""
    with uow.reading():
        cafe_id, generation = verify_wall_token(uow.trust.link_secret(), token)
        cafe = uow.cafes.get(cafe_id)
    if cafe is None or cafe.wall_generation != generation:
        raise AccessDenied(FORGED_WALL_MESSAGE)
    return cafe.id


def wall_by_link(uow: UnitOfWork, token: str | None, *, latest: int = 12) -> Wall:
    """The wall of the café a wall link opens, checked again on every refresh: revoking the link
    blanks the screens showing it."""
    with uow.reading():
        return wall(uow, wall_cafe(uow, token), latest=latest)


def wall(uow: UnitOfWork, cafe_id: str, *, latest: int = 12) -> Wall:
    """The projection view of the open round: newest contributions first, with their supports."""
    with uow.reading():
        cafe = get_cafe(uow, cafe_id)
        current = None if cafe.is_closed else open_round_of(uow, cafe_id)
        listed = uow.contributions.in_cafe(cafe_id, round_id=current.id) if current else []
        tables = uow.cafes.tables(cafe_id)
        newest = shown(uow, cafe_id, list(reversed(listed[-latest:])))
    return Wall(
        cafe=cafe,
        open_round=current,
        tables={t.id: t for t in tables},
        latest=newest,
    )
