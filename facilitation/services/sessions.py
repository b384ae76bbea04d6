"""Staff sessions: signing in with a password, staying signed in across a reload (F5) through a
signed token, and signing out — one session (« Se déconnecter ») or everyone's at once.

A token is accepted only while it is well signed for a configured password (which gives the role),
unexpired, and its session row is not ended: a copied or bookmarked address stops working as soon
as its session is signed out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from facilitation.domain import actors
from facilitation.domain.access import make_staff_token, new_id, staff_session_expiry, staff_token_session
from facilitation.domain.model import StaffSession
from facilitation.domain.wording import plural
from facilitation.services import audit
from facilitation.services.abuse import WRONG_PASSWORD, Client, staff_role
from facilitation.services.ports import UnitOfWork

# Password hashes by role: {actors.ORGANISER: …, actors.MARKETING: …}; an empty hash opens nothing.
Passwords = Mapping[str, str]


@dataclass(frozen=True)
class SignedIn:
    """What a correct password gives: the role it opens and the token that keeps it."""

    role: str
    token: str


def sign_in(uow: UnitOfWork, password: str, passwords: Passwords, now: datetime, client: Client) -> SignedIn:
    """Check a staff password (throttled, see abuse.staff_role) and open a session, in one
    transaction; a refusal is raised after it commits, so that the failed try stays counted."""
    with uow:
        role, outcome = staff_role(
            uow,
            password,
            passwords.get(actors.ORGANISER, ""),
            now,
            client,
            marketing_hash=passwords.get(actors.MARKETING, ""),
        )
        signed = open_session(uow, role, passwords[role], now) if outcome.succeeded else None
    if signed is None:
        raise outcome.refusal(WRONG_PASSWORD)
    return signed


def open_session(uow: UnitOfWork, role: str, password_hash: str, now: datetime) -> SignedIn:
    """Record a new session of this role (inside the caller's `with uow:`) and sign its token."""
    session = StaffSession(id=new_id(), role=role, issued_at=now, expires_at=staff_session_expiry(now))
    uow.trust.add_staff_session(session)
    secret = uow.trust.link_secret()
    return SignedIn(role, make_staff_token(secret, password_hash, session.id, session.expires_at))


def _session_of(uow: UnitOfWork, token: str | None, passwords: Passwords, now: datetime):
    """(role, session) of a token signed for one of the passwords, else (None, None)."""
    if not token:
        return None, None
    secret = uow.trust.link_secret()
    for role, password_hash in passwords.items():
        session_id = staff_token_session(secret, password_hash, token, now)
        if session_id is not None:
            session = uow.trust.staff_session(session_id)
            # The row's role too: a token cannot change role even if two passwords were equal.
            if session is not None and session.role == role:
                return role, session
            return None, None
    return None, None


def session_role(uow: UnitOfWork, token: str | None, passwords: Passwords, now: datetime) -> str | None:
    """The role a token still opens, or None (forged, expired, signed out, password changed)."""
    with uow.reading():
        role, session = _session_of(uow, token, passwords, now)
    return role if session is not None and session.active(now) else None


def sign_out(uow: UnitOfWork, token: str | None, passwords: Passwords, now: datetime) -> bool:
    """End the session of this token: the token is refused from now on, wherever it was copied.

    Returns False when there was nothing to end (already signed out, expired or forged)."""
    with uow:
        role, session = _session_of(uow, token, passwords, now)
        if session is None or not uow.trust.end_staff_sessions(now, session.id):
            return False
        audit.record(uow, "déconnexion", actor=role)
    return True


def sign_out_everyone(uow: UnitOfWork, now: datetime) -> int:
    """End every open session of the organiser and the marketing team (a token may have leaked):
    every token issued before is refused, signing in again works. Returns how many were open."""
    with uow:
        ended = uow.trust.end_staff_sessions(now)
        audit.record(
            uow,
            "toutes les sessions déconnectées",
            details=plural(ended, "session ouverte fermée", "sessions ouvertes fermées"),
        )
    return ended
