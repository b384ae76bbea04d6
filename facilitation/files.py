"""Files the application writes and reads: private, atomic, bounded."""

from __future__ import annotations

import errno
import gzip
import os
import secrets
import zlib
from pathlib import Path

from facilitation.errors import InvalidInput


def write_private_file(path: Path, data: bytes) -> None:
    """Write data readable by its owner only (0600), under a temporary name renamed at the end,
    so that an interruption (full disk, crash) never leaves a partial file under the final name."""
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
        raise InvalidInput(f"Impossible d'écrire {path} ({exc.strerror}).") from None


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
        raise InvalidInput(f"Impossible de lire {path} ({exc.strerror or exc}).") from None
    if len(data) > max_bytes:
        raise InvalidInput(
            f"{path} dépasse {max_bytes // 1_000_000} Mo une fois décompressé : fichier refusé "
            "(réglage CAFE_MAX_IMPORT_MB)."
        )
    return data
