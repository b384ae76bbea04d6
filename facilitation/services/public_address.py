"""The installation's public address: what phones reach, hence what every QR code contains."""

from __future__ import annotations

from urllib.parse import urlsplit

from facilitation.domain.errors import InvalidInput
from facilitation.services import audit
from facilitation.services.ports import UnitOfWork, read_only

STORED_NAME = "public_base_url"
_ONLY_THIS_COMPUTER = ("localhost", "127.", "::1", "0.0.0.0")


@read_only
def public_base_url(uow: UnitOfWork, default: str) -> str:
    """The stored public address, or the CAFE_PUBLIC_BASE_URL default until one is stored."""
    return uow.trust.installation_value(STORED_NAME) or default


def address_problem(cleaned: str) -> str | None:
    """Why a cleaned address cannot be the public address (in French), or None when it can.

    Also what a restored backup's stored address is held to."""
    try:
        parts = urlsplit(cleaned)
        parts.port  # noqa: B018 -- raises ValueError on a port that is not a number
    except ValueError:
        parts = None
    usable = parts is not None and parts.scheme in ("http", "https") and bool(parts.hostname)
    usable = usable and all(char.isprintable() and not char.isspace() for char in cleaned)
    if not usable or parts.query or parts.fragment:
        return (
            "Adresse publique invalide : elle doit ressembler à http://192.168.1.20:8501 "
            "(http ou https, une machine, un port facultatif)."
        )
    if len(cleaned) > 200:
        return "Adresse publique trop longue (200 caractères au plus)."
    return None


def set_public_base_url(uow: UnitOfWork, url: str) -> str:
    """Check and store the public address used by the QR page, PNGs, cards and the command line."""
    cleaned = (url or "").strip().rstrip("/")
    problem = address_problem(cleaned)
    if problem:
        raise InvalidInput(problem)
    with uow:
        uow.trust.set_installation_value(STORED_NAME, cleaned)
        audit.record(uow, "adresse publique modifiée", target=cleaned)
    return cleaned


def only_this_computer(url: str) -> bool:
    """True when the address designates the computer itself: phones cannot open it."""
    host = (urlsplit(url).hostname or "").lower()
    return host.startswith(_ONLY_THIS_COMPUTER)
