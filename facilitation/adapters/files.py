"""Files the application writes and reads: private, atomic, bounded."""

from __future__ import annotations

import errno
import gzip
import os
import secrets
import zlib
from pathlib import Path

from facilitation.domain.errors import InvalidInput

_REASONS = {
    errno.EISDIR: "c'est un dossier",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.ENOENT: "dossier ou fichier introuvable",
    errno.EACCES: "permission refusée",
    errno.EPERM: "opération non permise",
    errno.EROFS: "support en lecture seule",
    errno.ENAMETOOLONG: "nom trop long",
    errno.ENOSPC: "disque plein",
    errno.EEXIST: "existe déjà",
}


def os_reason(exc: OSError) -> str:
    """Why the system refused, in French (the system's own words, in English, otherwise)."""
    return _REASONS.get(exc.errno, exc.strerror or type(exc).__name__)


def write_private_file(path: Path, data: bytes) -> None:
    """Write data readable by its owner only (0600), under a temporary name renamed at the end,
    so that an interruption (full disk, crash) never leaves a partial file under the final name."""
    if not path.name:
        raise InvalidInput(f"« {path} » n'est pas un nom de fichier : indiquez le fichier à écrire.")
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise InvalidInput(f"Le disque est plein : {path} n'a pas été écrit.") from None
        raise InvalidInput(f"Impossible d'écrire {path} ({os_reason(exc)}).") from None


def read_bounded(path: Path, max_bytes: int) -> bytes:
    """The file's content, gunzipped when it ends in .gz, refused beyond max_bytes once decompressed."""
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as handle:
                data = handle.read(max_bytes + 1)
        else:
            with path.open("rb") as handle:
                data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise InvalidInput(f"Fichier introuvable : {path}.") from None
    except (EOFError, gzip.BadGzipFile, zlib.error):
        raise InvalidInput(f"Fichier compressé tronqué ou abîmé : {path}.") from None
    except OSError as exc:
        raise InvalidInput(f"Impossible de lire {path} ({os_reason(exc)}).") from None
    if len(data) > max_bytes:
        raise InvalidInput(
            f"{path} dépasse {max_bytes // 1_000_000} Mo une fois décompressé : fichier refusé "
            "(réglage CAFE_MAX_IMPORT_MB)."
        )
    return data
