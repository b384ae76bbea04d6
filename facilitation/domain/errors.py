"""The domain's one exception family. Messages are French and shown to users as they are."""

from __future__ import annotations


class CafeError(Exception):
    """Base class: something the user can understand and act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(CafeError):
    """Text or values refused before anything is written."""


class AlreadySent(InvalidInput):
    """New words posted with the submission id of an idea already stored."""


class NotFound(CafeError):
    """A café, round, table or contribution that does not exist."""


class NotAccepting(CafeError):
    """The café or round does not accept contributions right now."""


class RoundChanged(NotAccepting):
    """The round a text was typed for is no longer the open one: the question has changed."""


class Conflict(CafeError):
    """Someone saved the same thing first (a concurrent save, a duplicate): reload and redo."""

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or "Quelqu'un vient d'enregistrer une autre modification au même moment : "
            "rechargez la page et refaites votre changement."
        )


class ConfigurationError(CafeError, ValueError):
    """A setting with a value the application cannot use (a ValueError, for callers that parse)."""


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


def database_full(where: str) -> StorageUnavailable:
    """The database's disk is full: nothing of the failed transaction was kept."""
    return StorageUnavailable(
        f"Le disque de la base de données est plein ({where}) : rien n'a été enregistré. "
        "Libérez de la place puis réessayez.",
        NOTHING_SAVED,
    )


def database_unreachable(where: str) -> StorageUnavailable:
    """The database did not answer: nothing of the failed transaction was kept."""
    return StorageUnavailable(
        f"La base de données ne répond pas ({where}). Rien n'a été enregistré : réessayez dans un instant.",
        NOTHING_SAVED,
    )
