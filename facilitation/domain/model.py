"""Domain model of a café concertation: plain dataclasses and vocabularies, no framework."""

from __future__ import annotations

import enum
import hashlib
import json
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from facilitation.domain.errors import InvalidInput, NotFound


class Theme(enum.StrEnum):
    """Themes of the Atelier that a café serves."""

    AMENAGEMENT_DURABLE = "aménagement durable"
    VIEILLISSEMENT = "vieillissement, handicap, précarité"
    MIEUX_VIVRE = "mieux-vivre ensemble"
    ENERGIE = "défi énergétique"
    NUMERIQUE = "numérique"
    AUTRE = "autre"


class Kind(enum.StrEnum):
    """What a contribution is."""

    IDEE = "idée"
    PROBLEME = "problème"
    PROPOSITION = "proposition"
    QUESTION = "question"


class Profile(enum.StrEnum):
    """Who spoke, as the captain noted it (optional, never a name)."""

    LOCATAIRE = "locataire"
    PERSONNE_AGEE = "personne âgée"
    FAMILLE = "famille"
    JEUNE = "jeune"
    HANDICAP = "personne en situation de handicap"
    PARTENAIRE = "partenaire"
    AUTRE = "autre"


class Source(enum.StrEnum):
    """Where a contribution was typed."""

    CAPTAIN = "capitaine"
    RESIDENT = "habitant"


@dataclass(frozen=True)
class Place:
    """Where a café is held."""

    residence: str = ""
    quartier: str = ""
    commune: str = ""

    def label(self) -> str:
        """Human-readable place, most precise first."""
        return ", ".join(part for part in (self.residence, self.quartier, self.commune) if part)


@dataclass(frozen=True)
class Cafe:
    id: str
    title: str
    held_on: date
    place: Place
    theme: Theme
    description: str
    created_at: datetime
    closed_at: datetime | None = None
    archived_at: datetime | None = None
    wall_generation: int = 0  # signed into the wall link: raising it revokes the link
    plenary_opened_at: datetime | None = None  # the plenary vote on the themes is open

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None or self.archived_at is not None


@dataclass(frozen=True)
class Round:
    id: str
    cafe_id: str
    position: int
    question: str
    planned_minutes: int
    opened_at: datetime | None = None
    closed_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None and self.closed_at is None

    def remaining(self, now: datetime) -> timedelta | None:
        """Time left before the planned end of an open round (negative once overdue)."""
        if not self.is_open or self.opened_at is None:
            return None
        return self.opened_at + timedelta(minutes=self.planned_minutes) - now


@dataclass(frozen=True)
class Table:
    id: str
    cafe_id: str
    number: int
    name: str
    captain_name: str
    code: str
    link_generation: int = 0

    def label(self) -> str:
        return f"Table {self.number}" + (f" — {self.name}" if self.name else "")


@dataclass(frozen=True)
class Tablecloth:
    """A photo of a table's paper tablecloth at the end of a round: JPEG re-encoded without metadata."""

    id: str
    cafe_id: str
    round_id: str
    table_id: str
    position: int  # 1.. in the order attached to this table × round
    added_at: datetime
    content: bytes = b""  # empty when listed without the pictures


@dataclass(frozen=True)
class Contribution:
    id: str
    cafe_id: str
    round_id: str
    table_id: str
    text: str
    source: Source
    created_at: datetime
    kind: Kind | None = None
    profile: Profile | None = None
    agreement_count: int | None = None
    supports: int = 0
    updated_at: datetime | None = None
    deleted_at: datetime | None = None
    # A phone's pseudonymous key (a hash, never the phone's own id) for residents; None for captains.
    author: str | None = None
    # The contribution of the same café, from another table or round, this one builds on.
    builds_on: str | None = None
    # Marked as a question that emerged (« question qui émerge »).
    emerging_question: bool = False


# Characters a person can legitimately type: newlines and tabs. Every other C0/C1 control (NUL,
# escape sequences) and the bidi overrides that can disguise text are refused, not silently stored.
# Other format characters (emoji joiners, soft hyphens) are legitimate.
_ALLOWED_CONTROLS = frozenset("\n\t")
_BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


def _is_forbidden(char: str) -> bool:
    if char in _ALLOWED_CONTROLS:
        return False
    return unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS


# Characters that draw nothing though they are neither spaces nor format controls (blank Braille
# pattern, Hangul fillers): a text made only of them, of spaces and of format characters is empty.
_BLANK_LETTERS = {"\u2800", "\u3164", "\uffa0", "\u115f", "\u1160"}


def _is_visible(char: str) -> bool:
    return not char.isspace() and unicodedata.category(char) != "Cf" and char not in _BLANK_LETTERS


def forbidden_character(text: str) -> str | None:
    """The first character people may not type (invisible controls, bidi overrides), if any."""
    return next((c for c in text if _is_forbidden(c)), None)


def clean_text(raw: str | None, *, max_chars: int, what: str = "La contribution") -> str:
    """Normalise and validate free text typed by a person, or raise InvalidInput in French."""
    text = unicodedata.normalize("NFC", (raw or "").replace("\r\n", "\n").replace("\r", "\n"))
    text = text.strip()
    if not any(_is_visible(c) for c in text):
        raise InvalidInput(f"{what} est vide : écrivez quelques mots avant d'envoyer.")
    if len(text) > max_chars:
        raise InvalidInput(
            f"{what} est trop longue : {len(text)} caractères pour {max_chars} au plus. "
            "Raccourcissez-la ou coupez-la en deux."
        )
    forbidden = forbidden_character(text)
    if forbidden is not None:
        raise InvalidInput(
            f"{what} contient un caractère de contrôle invisible (code {ord(forbidden):#06x}). "
            "Retapez le texte sans copier-coller depuis un autre programme."
        )
    return text


def clean_label(raw: str | None, *, what: str, max_chars: int = 200, required: bool = True) -> str:
    """Validate a short one-line label (title, question, name)."""
    if not required and not (raw or "").strip():
        return ""
    text = clean_text(raw, max_chars=max_chars, what=what)
    return " ".join(text.split())


def parse_choice(enum_type: type[enum.StrEnum], value: str | None, what: str):
    """Turn a stored or typed label into an enum member; None and '' mean not given."""
    if value is None or value == "":
        return None
    try:
        return enum_type(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum_type)
        raise InvalidInput(f"{what} inconnu : « {value} ». Choix possibles : {allowed}.") from None


@dataclass(frozen=True)
class HarvestScope:
    """What a harvest groups: one café, one of its rounds, or several cafés together."""

    cafe_ids: tuple[str, ...]
    round_id: str | None = None

    def as_dict(self) -> dict:
        return {"cafe_ids": sorted(self.cafe_ids), "round_id": self.round_id}

    def key(self) -> str:
        return hashlib.sha256(json.dumps(self.as_dict(), sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class TopicGroup:
    """A topic of a harvest version; `renamed` tells a person chose its label."""

    key: str
    label: str
    keywords: tuple[str, ...]
    contribution_ids: tuple[str, ...]
    representative_ids: tuple[str, ...]
    kept: bool = False
    renamed: bool = False
    # How well members fit: mean cosine similarity to the group's centre, from the grouping run;
    # None once a person changed the members (merge, move, set aside).
    cohesion: float | None = None
    # The key of the theme (ThemeGroup) this group is a sub-theme of; "" in versions saved before
    # themes existed.
    parent: str = ""


@dataclass(frozen=True)
class ThemeGroup:
    """A theme of a harvest version: the upper level, whose sub-themes are the topics naming it as
    their `parent`. `renamed` tells a person chose its label."""

    key: str
    label: str
    renamed: bool = False


@dataclass(frozen=True)
class HarvestVersion:
    """One saved state of a harvest. Every correction adds a version; none is overwritten."""

    id: str
    harvest_id: str
    number: int
    created_at: datetime
    author: str
    note: str
    topics: tuple[TopicGroup, ...]
    set_aside: tuple[str, ...]
    coordinates: dict  # contribution id -> [x, y] on the 2-D map
    method: dict
    # « À classer »: contributions the grouping found far from every group, for a person to place.
    unsorted: tuple[str, ...] = ()
    # Topics of the version before a re-run that carried a person's work (retained, renamed) and that
    # the new grouping did not find again: listed, and restorable, never silently dropped.
    unmatched: tuple[TopicGroup, ...] = ()
    # The themes the topics are sub-themes of, in order; empty in versions saved before themes.
    themes: tuple[ThemeGroup, ...] = ()

    def without(self, gone: set[str]) -> HarvestVersion:
        """This version with the given contribution ids erased from every topic, list and the map."""

        def kept(ids: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(i for i in ids if i not in gone)

        def scrubbed(topics: tuple[TopicGroup, ...]) -> tuple[TopicGroup, ...]:
            return tuple(
                replace(
                    t,
                    contribution_ids=kept(t.contribution_ids),
                    representative_ids=kept(t.representative_ids),
                )
                for t in topics
            )

        return replace(
            self,
            topics=scrubbed(self.topics),
            set_aside=kept(self.set_aside),
            coordinates={c: xy for c, xy in self.coordinates.items() if c not in gone},
            unsorted=kept(self.unsorted),
            unmatched=scrubbed(self.unmatched),
        )

    def topic(self, key: str) -> TopicGroup:
        for topic in self.topics:
            if topic.key == key:
                return topic
        raise NotFound("Ce groupe n'existe pas (ou plus) dans cette version.")

    def theme(self, key: str) -> ThemeGroup:
        for theme in self.themes:
            if theme.key == key:
                return theme
        raise NotFound("Ce thème n'existe pas (ou plus) dans cette version.")

    def sub_themes(self, theme_key: str) -> list[TopicGroup]:
        """The topics of a theme, in the version's order."""
        return [t for t in self.topics if t.parent == theme_key]


class Committee(enum.StrEnum):
    """The Atelier's committees that read fiches d'observation."""

    SERVICES_QUALITE = "Comité Services et Qualité"
    PROJETS_PRIORITAIRES = "Comité des Projets Prioritaires"
    MANAGEMENT_STRATEGIQUE = "Comité de Management Stratégique"


class FicheStatus(enum.StrEnum):
    """Where an observation stands in the Atelier's process."""

    NOUVELLE = "nouvelle"
    EN_ETUDE = "en étude"
    EXPERIMENTEE = "expérimentée"
    INDUSTRIALISEE = "industrialisée"
    ECARTEE = "écartée"


@dataclass(frozen=True)
class Fiche:
    """The organiser's decisions about one retained topic of a café."""

    cafe_id: str
    topic_key: str
    follow_up: str
    committee: Committee
    status: FicheStatus
    updated_at: datetime


@dataclass(frozen=True)
class StoredDocument:
    """A generated document kept for the library; regenerating adds a new version."""

    id: str
    cafe_id: str
    kind: str
    version: int
    generated_at: datetime
    filename: str
    content: bytes = b""


# -- the Atelier's exchange around fiches ------------------------------------------------------
FIELD_SOURCE = "terrain"
CAFE_SOURCE = "café"


def cafe_fiche_ref(cafe_id: str, topic_key: str) -> str:
    """How the exchange names the fiche of a café's retained topic."""
    return f"cafe/{cafe_id}/{topic_key}"


def field_fiche_ref(fiche_id: str) -> str:
    """How the exchange names a fiche written from the field."""
    return f"terrain/{fiche_id}"


@dataclass(frozen=True)
class FieldFiche:
    """An observation written by staff or a partner from the field, not from a café."""

    id: str
    title: str
    observation: str
    author: str
    observed_on: date
    place: str
    theme: Theme
    follow_up: str
    committee: Committee
    status: FicheStatus
    created_at: datetime


@dataclass(frozen=True)
class Comment:
    """One message of a fiche's thread (the Atelier's private exchange)."""

    id: str
    fiche_ref: str
    author: str
    at: datetime
    text: str


@dataclass(frozen=True)
class Decision:
    """A change of a fiche's status or committee: who decided, when, which committee."""

    id: str
    fiche_ref: str
    at: datetime
    actor: str  # the role that recorded it in the app (audit actor)
    decided_by: str  # who took the decision, as typed (a committee meeting, a person)
    committee: Committee
    status: FicheStatus
    note: str = ""


@dataclass(frozen=True)
class StaffSession:
    """One sign-in of the organiser or the marketing team; its token is refused once ended."""

    id: str
    role: str
    issued_at: datetime
    expires_at: datetime
    ended_at: datetime | None = None

    def active(self, now: datetime) -> bool:
        return self.ended_at is None and now < self.expires_at
