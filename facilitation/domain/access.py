"""Who may enter: signed resident links, captains' table codes, the organiser's password."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from facilitation.domain.errors import AccessDenied, InvalidInput, StaleForm

JOIN_PARAM = "t"  # printed cards of the first version carry /?t=<token>: the server redirects them
JOIN_PATH = "/j/"
_SIGNATURE_BYTES = 16
# No 0/O, 1/I/L: captains read their code off a sheet of paper.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
FORGED_LINK_MESSAGE = (
    "Ce lien n'est pas valable. Scannez à nouveau le QR code posé sur votre table, "
    "ou demandez de l'aide au capitaine de table."
)


@dataclass(frozen=True)
class JoinClaim:
    """What a verified resident link grants: one table of one café, for one link generation."""

    cafe_id: str
    table_number: int
    generation: int = 0


def _signature(secret: str, payload: str) -> str:
    digest = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:_SIGNATURE_BYTES]).rstrip(b"=").decode()


def make_join_token(secret: str, cafe_id: str, table_number: int, generation: int = 0) -> str:
    """Token carried by a table's QR code: café, table, link generation and an HMAC over them."""
    payload = f"{cafe_id}.{table_number}.{generation}"
    return f"{payload}.{_signature(secret, payload)}"


def join_url(base_url: str, token: str) -> str:
    """Resident link for a token, on the public base URL phones can reach."""
    return f"{base_url.rstrip('/')}{JOIN_PATH}{quote(token, safe='')}"


def form_nonce(secret: str, *parts: str) -> str:
    """Proof that a form was drawn by this server for these values (link, submission id, phone).

    A page on another site can neither read our forms nor compute this, so a cross-site POST is
    refused even when it knows a table's link.
    """
    return _signature(secret, "form\x1f" + "\x1f".join(parts))


STALE_FORM_MESSAGE = (
    "Ce formulaire a expiré ou ne vient pas de cette page. Votre texte n'a pas été envoyé : il est "
    "gardé dans la case. Appuyez à nouveau sur « Envoyer »."
)


def check_form_nonce(secret: str, nonce: str | None, *parts: str) -> None:
    """Raise StaleForm unless the nonce was made by form_nonce for the same parts."""
    if not nonce or not hmac.compare_digest(form_nonce(secret, *parts).encode(), nonce.encode()):
        raise StaleForm(STALE_FORM_MESSAGE)


def verify_join_token(secret: str, token: str | None) -> JoinClaim:
    """Check a token's signature; raise AccessDenied with a plain French message otherwise."""
    parts = (token or "").strip().split(".")
    if len(parts) != 4 or not parts[1].isdigit() or not parts[2].isdigit():
        raise AccessDenied(FORGED_LINK_MESSAGE)
    cafe_id, table, generation, signature = parts
    expected = _signature(secret, f"{cafe_id}.{table}.{generation}")
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise AccessDenied(FORGED_LINK_MESSAGE)
    return JoinClaim(cafe_id=cafe_id, table_number=int(table), generation=int(generation))


# The organiser stays signed in across a reload (F5) for this long, through a signed token.
ORGANISER_SESSION_HOURS = 12


def _organiser_key(link_secret: str, password_hash: str) -> str:
    # Changing the password or the link secret ends every organiser session.
    return hmac.new(link_secret.encode(), f"organiser:{password_hash}".encode(), hashlib.sha256).hexdigest()


def staff_session_expiry(now: datetime) -> datetime:
    """When a sign-in made now stops being accepted."""
    return now + timedelta(hours=ORGANISER_SESSION_HOURS)


def make_staff_token(link_secret: str, password_hash: str, session_id: str, expires: datetime) -> str:
    """Token given after a correct password: its session, its expiry and an HMAC over them.

    The session id lets the server refuse it before it expires (sign-out); the HMAC binds it to the
    password that opened it, hence to a role."""
    stamp = int(expires.timestamp())
    key = _organiser_key(link_secret, password_hash)
    return f"{session_id}.{stamp}.{_signature(key, f'staff.{session_id}.{stamp}')}"


def staff_token_session(link_secret: str, password_hash: str, token: str | None, now: datetime) -> str | None:
    """The session id of an unexpired token signed for this password and installation, else None."""
    parts = (token or "").split(".")
    if len(parts) != 3 or not password_hash:
        return None
    session_id, stamp, signature = parts
    if not stamp.isdigit() or int(stamp) < now.timestamp() or not session_id:
        return None
    expected = _signature(_organiser_key(link_secret, password_hash), f"staff.{session_id}.{stamp}")
    return session_id if hmac.compare_digest(expected.encode(), signature.encode()) else None


# The wall link: the room screen of one café, read-only. Nothing else is reachable with it.
WALL_PARAM = "ecran"
FORGED_WALL_MESSAGE = (
    "Ce lien de mur n'est pas valable : il a peut-être été remplacé. Demandez le lien actuel à "
    "l'organisateur (page « Animer »)."
)


def make_wall_token(secret: str, cafe_id: str, generation: int) -> str:
    """Token of a café's wall link: café, wall link generation and an HMAC over them.

    Signed apart from the residents' links (another prefix): a table's token never opens a wall."""
    return f"{cafe_id}.{generation}.{_signature(secret, f'mur.{cafe_id}.{generation}')}"


def verify_wall_token(secret: str, token: str | None) -> tuple[str, int]:
    """(café id, generation) of a well-signed wall token; AccessDenied in French otherwise."""
    parts = (token or "").strip().split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        raise AccessDenied(FORGED_WALL_MESSAGE)
    cafe_id, generation, signature = parts
    expected = _signature(secret, f"mur.{cafe_id}.{generation}")
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise AccessDenied(FORGED_WALL_MESSAGE)
    return cafe_id, int(generation)


def wall_url(base_url: str, token: str) -> str:
    """The wall link for a token: the app's home address, which then shows only that wall."""
    return f"{base_url.rstrip('/')}/?{WALL_PARAM}={quote(token, safe='')}"


def new_table_code(length: int = 6) -> str:
    """Short random code a captain types to enter their table."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(length))


def normalise_table_code(raw: str | None) -> str:
    """Accept codes typed in lower case or with spaces."""
    return "".join((raw or "").split()).upper()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def new_id() -> str:
    """Stable unique identifier, generated where the object is born (e.g. at submit time)."""
    return secrets.token_hex(16)


# Passwords: scrypt from the standard library, parameters stored with the hash so they can evolve.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


def hash_password(password: str) -> str:
    """Hash for CAFE_ORGANISER_PASSWORD_HASH."""
    if len(password) < 8:
        raise InvalidInput("Le mot de passe doit compter au moins 8 caractères.")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored_hash: str) -> bool:
    """True when the password matches the stored scrypt hash."""
    try:
        scheme, n, r, p, salt, digest = stored_hash.split("$")
        if scheme != "scrypt":
            return False
        candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    except ValueError:
        return False
    return hmac.compare_digest(candidate.hex(), digest)
