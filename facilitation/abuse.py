"""Resisting misuse: submit rate limits and a slower organiser login after failures."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from datetime import datetime, timedelta

from facilitation.access import check_password
from facilitation.errors import AccessDenied, NotAccepting

RATE_LIMIT_MESSAGE = (
    "Vous avez envoyé beaucoup d'idées en très peu de temps. Merci ! Patientez une minute avant "
    "d'envoyer la suivante : votre texte est gardé dans la case."
)
SUPPORT_RATE_MESSAGE = (
    "Beaucoup de « d'accord » en très peu de temps : patientez une minute, puis recommencez."
)
# A phone may support several ideas for each one it sends; phones sharing one address (a family's
# box, a proxy that hides addresses) get a few phones' worth together.
SUPPORTS_PER_SUBMIT = 5
PHONES_PER_ADDRESS = 4


class SlidingWindow:
    """At most `limit` events per key within `seconds` (in this process; thread-safe)."""

    def __init__(self, limit: int, seconds: float = 60.0) -> None:
        self.limit, self.seconds = limit, seconds
        self._events: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, key: str, now: float | None = None, message: str = RATE_LIMIT_MESSAGE) -> None:
        """Count one event for the key, or raise NotAccepting(message) if the limit is reached."""
        now = time.monotonic() if now is None else now
        with self._lock:
            events = self._events[key]
            while events and now - events[0] >= self.seconds:
                events.popleft()
            if len(events) >= self.limit:
                raise NotAccepting(message)
            events.append(now)


def check_table_rate(store, table_id: str, limit: int, now: datetime) -> None:
    """Refuse when the table's link received `limit` resident contributions in the last minute.

    Counted in the database, so that it holds across several app instances.
    """
    if store.count_recent_resident_contributions(table_id, now - timedelta(minutes=1)) >= limit:
        raise NotAccepting(RATE_LIMIT_MESSAGE)


# Login: after FREE_FAILURES failed passwords, each new try waits 2, 4, 8… seconds (at most 5 min).
FREE_FAILURES = 3
MAX_DELAY_SECONDS = 300
FAILURE_WINDOW = timedelta(minutes=30)


def login_delay(failures: int) -> int:
    """Seconds to wait after this many consecutive failures."""
    if failures < FREE_FAILURES:
        return 0
    return min(MAX_DELAY_SECONDS, 2 ** (failures - FREE_FAILURES + 1))


def organiser_login(store, password: str, stored_hash: str, now: datetime) -> None:
    """Check the organiser password; slower and slower after failures, shared by all instances."""
    failures, last_failure = store.recent_login_failures(now - FAILURE_WINDOW)
    wait = login_delay(failures)
    if last_failure is not None and wait and now < last_failure + timedelta(seconds=wait):
        remaining = int((last_failure + timedelta(seconds=wait) - now).total_seconds()) + 1
        raise AccessDenied(f"Trop d'essais manqués : réessayez dans {remaining} s.")
    succeeded = check_password(password, stored_hash)
    store.add_login_attempt(now, succeeded)
    if not succeeded:
        raise AccessDenied("Mot de passe incorrect.")
