"""The first run: with no organiser password anywhere, the server prints a one-time link (the way
Jupyter prints its token) that opens a page to choose the organiser's password, and optionally the
marketing team's. The chosen scrypt hashes are kept in the database; a setting
(CAFE_ORGANISER_PASSWORD_HASH, CAFE_MARKETING_PASSWORD_HASH) still wins when set.

A link is good until used: using it, or any organiser password existing, makes it dead. Only a
SHA-256 of its token is stored, so reading the database does not give a usable link.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import quote

from facilitation.domain import actors
from facilitation.domain.access import hash_password
from facilitation.domain.errors import AccessDenied, InvalidInput
from facilitation.services import audit, sessions
from facilitation.services.ports import UnitOfWork, read_only

FIRST_RUN_PARAM = "premier"
ROLES = (actors.ORGANISER, actors.MARKETING)
DEAD_LINK_MESSAGE = (
    "Ce lien de premier démarrage n'est plus valable : il a déjà servi, ou un mot de passe "
    "organisateur existe déjà. Entrez avec le mot de passe organisateur (page « Cafés »)."
)
CONFIGURED_MESSAGE = (
    "Le mot de passe organisateur est défini par le réglage CAFE_ORGANISER_PASSWORD_HASH : "
    "ce lien ne sert plus. Entrez avec ce mot de passe (page « Cafés »)."
)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def staff_passwords(uow: UnitOfWork, configured: Mapping[str, str]) -> dict[str, str]:
    """The scrypt hash that opens each staff role: the setting when set, else the one chosen in the
    app, else "" (that role opens nothing)."""
    if all(configured.get(role) for role in ROLES):
        return {role: configured[role] for role in ROLES}  # no read: settings win anyway
    with uow.reading():
        stored = uow.trust.staff_password_hashes()
    return {role: configured.get(role) or stored.get(role, "") for role in ROLES}


@read_only
def needs_first_run(uow: UnitOfWork, configured: Mapping[str, str]) -> bool:
    """True while no organiser password exists, neither in the settings nor in the database."""
    return not staff_passwords(uow, configured)[actors.ORGANISER]


def first_run_link(
    uow: UnitOfWork, configured: Mapping[str, str], base_url: str, now: datetime
) -> str | None:
    """A new one-time link to choose the passwords, or None when an organiser password exists."""
    if configured.get(actors.ORGANISER):
        return None
    token = secrets.token_urlsafe(24)
    with uow:
        if uow.trust.staff_password_hashes().get(actors.ORGANISER):
            return None
        uow.trust.add_first_run_link(_digest(token), now)
        audit.record(uow, "lien de premier démarrage créé", actor=actors.SYSTEM)
    return f"{base_url.rstrip('/')}/?{FIRST_RUN_PARAM}={quote(token, safe='')}"


def check_first_run_link(uow: UnitOfWork, token: str | None, configured: Mapping[str, str]) -> None:
    """Raise AccessDenied (in French) unless the link can still choose the passwords."""
    if configured.get(actors.ORGANISER):
        raise AccessDenied(CONFIGURED_MESSAGE)
    with uow.reading():
        usable = (
            bool(token)
            and not uow.trust.staff_password_hashes().get(actors.ORGANISER)
            and uow.trust.first_run_link_unused(_digest(token or ""))
        )
    if not usable:
        raise AccessDenied(DEAD_LINK_MESSAGE)


def _chosen_hash(label: str, password: str, again: str) -> str:
    if password != again:
        raise InvalidInput(f"Les deux saisies du mot de passe {label} diffèrent : tapez-les à nouveau.")
    try:
        return hash_password(password)
    except InvalidInput as exc:
        raise InvalidInput(f"Mot de passe {label} : {exc.message[0].lower()}{exc.message[1:]}") from None


def choose_passwords(
    uow: UnitOfWork,
    token: str | None,
    configured: Mapping[str, str],
    now: datetime,
    *,
    organiser: str,
    organiser_again: str,
    marketing: str = "",
    marketing_again: str = "",
) -> sessions.SignedIn:
    """Store the organiser's password (and the marketing team's, when typed) through a first-run
    link, kill the link, and sign the organiser in: one transaction, so two tabs using the same link
    at once store one password, and a refused form changes nothing."""
    check_first_run_link(uow, token, configured)
    organiser_hash = _chosen_hash("organisateur", organiser, organiser_again)
    marketing_hash = ""
    if (marketing or marketing_again) and not configured.get(actors.MARKETING):
        if marketing == organiser:
            # The organiser's password is tried first at sign-in: the same one could never open
            # the marketing role.
            raise InvalidInput(
                "Le mot de passe de l'équipe marketing doit être différent de celui de l'organisateur."
            )
        marketing_hash = _chosen_hash("de l'équipe marketing", marketing, marketing_again)
    with uow:
        if not uow.trust.use_first_run_link(_digest(token or ""), now):
            raise AccessDenied(DEAD_LINK_MESSAGE)
        if not uow.trust.add_staff_password(actors.ORGANISER, organiser_hash, now):
            raise AccessDenied(DEAD_LINK_MESSAGE)  # another first-run link was used a moment ago
        chosen = actors.ORGANISER
        if marketing_hash and uow.trust.add_staff_password(actors.MARKETING, marketing_hash, now):
            chosen += f", {actors.MARKETING}"
        audit.record(uow, "mots de passe choisis (premier démarrage)", details=chosen, actor=actors.ORGANISER)
        return sessions.open_session(uow, actors.ORGANISER, organiser_hash, now)
