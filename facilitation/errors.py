"""The domain's one exception family. Messages are French and shown to users as they are."""

from __future__ import annotations


class CafeError(Exception):
    """Base class: something the user can understand and act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(CafeError):
    """Text or values refused before anything is written."""


class NotFound(CafeError):
    """A café, round, table or contribution that does not exist."""


class NotAccepting(CafeError):
    """The café or round does not accept contributions right now."""


class RoundChanged(NotAccepting):
    """The round a text was typed for is no longer the open one: the question has changed."""


class AccessDenied(CafeError):
    """A link, code or password that does not grant access."""


class StaleForm(AccessDenied):
    """A form this server did not draw, or drew for other values (cross-site or tampered)."""


SERVICE_UNAVAILABLE = "Le service est momentanément indisponible. Réessayez dans un instant."
NOTHING_SAVED = (
    "Le service est momentanément indisponible : rien n'a été enregistré. Réessayez dans un instant."
)


class StorageUnavailable(CafeError):
    """The database cannot be reached or written.

    `message` is what anyone may read (a phone, a captain); `detail` names the database, without
    credentials, for the organiser and the command line only.
    """

    def __init__(self, detail: str, message: str = SERVICE_UNAVAILABLE) -> None:
        super().__init__(message)
        self.detail = detail
