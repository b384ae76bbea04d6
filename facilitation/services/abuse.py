"""Resisting misuse: submit rate limits, who a client is, and slower logins after failures."""

from __future__ import annotations

import hmac
import ipaddress
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from facilitation.domain.access import check_password
from facilitation.domain.actors import MARKETING, ORGANISER
from facilitation.domain.errors import AccessDenied, NotAccepting
from facilitation.services import audit
from facilitation.services.ports import read_only

RATE_LIMIT_MESSAGE = (
    "Vous avez envoyé beaucoup d'idées en très peu de temps. Merci ! Patientez une minute avant "
    "d'envoyer la suivante : votre texte est gardé dans la case."
)
SUPPORT_RATE_MESSAGE = (
    "Beaucoup de « d'accord » en très peu de temps : patientez une minute, puis recommencez."
)
# A phone may support several ideas for each one it sends.
SUPPORTS_PER_SUBMIT = 5
# Limits are the phone's (its cookie). The address is only a coarse ceiling, sized for a whole café
# behind one address: the venue's Wi-Fi going out through one public address to a hosted server.
PHONES_PER_ADDRESS = 100
# +1 on one idea from one address per hour: only the phones of that idea's table can see it, and a
# table seats far fewer people than this.
SUPPORTS_PER_IDEA_PER_ADDRESS = 30

ProxyNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:1.2.3.4 is 1.2.3.4
    return mapped or address


def is_trusted_proxy(peer: str, trusted: Sequence[ProxyNetwork]) -> bool:
    """Whether the connection comes from one of the listed reverse proxies."""
    address = _ip(peer)
    return address is not None and any(address in network for network in trusted)


def client_address(peer: str, forwarded_for: str, trusted: Sequence[ProxyNetwork]) -> str:
    """The address a client is counted under.

    The connection's own address, whatever it is (127.0.0.1 included), unless it is a listed proxy:
    then the nearest address in X-Forwarded-For that is not a listed proxy, read from the right
    (each proxy appends the address it saw; anything further left was written by the client).
    """
    if not forwarded_for or not is_trusted_proxy(peer, trusted):
        return peer
    nearest = peer
    for hop in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
        address = _ip(hop)
        if address is None:
            return nearest  # garbage written by the client: the last proxy's view stands
        nearest = str(address)
        if not any(address in network for network in trusted):
            return nearest
    return nearest


class SlidingWindow:
    """At most `limit` events per key within `seconds` (in this process; thread-safe)."""

    def __init__(self, limit: int, seconds: float = 60.0) -> None:
        self.limit, self.seconds = limit, seconds
        self._events: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._hits = 0

    def _forget_quiet_keys(self, now: float) -> None:
        # Keys are phones and addresses: without this, memory would grow with every new visitor.
        quiet = [
            key for key, events in self._events.items() if not events or now - events[-1] >= self.seconds
        ]
        for key in quiet:
            del self._events[key]

    def __len__(self) -> int:
        """How many keys are remembered (for tests)."""
        return len(self._events)

    def hit(self, key: str, now: float | None = None, message: str = RATE_LIMIT_MESSAGE) -> None:
        """Count one event for the key, or raise NotAccepting(message) if the limit is reached."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._hits += 1
            if self._hits % 1000 == 0:
                self._forget_quiet_keys(now)
            events = self._events[key]
            while events and now - events[0] >= self.seconds:
                events.popleft()
            if len(events) >= self.limit:
                raise NotAccepting(message)
            events.append(now)


class PhoneLimiter:
    """The minute limits of residents' phones and of their network addresses, for one app.

    Counted in this process's memory (the per-table limit, counted in the database, is the one
    shared by every instance); built once by the composition root, never a module global, so that
    two apps (two tests, two configurations) never share counts.
    """

    def __init__(self, per_phone: int) -> None:
        self.per_phone = per_phone
        self._ideas = SlidingWindow(per_phone)
        # The address is the backstop for a script that drops its cookie to look like a new phone.
        self._ideas_per_address = SlidingWindow(per_phone * PHONES_PER_ADDRESS)
        # A phone may support several ideas for each one it sends.
        self._supports = SlidingWindow(per_phone * SUPPORTS_PER_SUBMIT)
        self._supports_per_address = SlidingWindow(per_phone * SUPPORTS_PER_SUBMIT * PHONES_PER_ADDRESS)
        # However many cookies a script throws away, one address gets a table's worth of +1 on one
        # idea per hour.
        self._supports_per_idea_address = SlidingWindow(SUPPORTS_PER_IDEA_PER_ADDRESS, 3600.0)

    def count_idea(self, cafe_id: str, phone: str, address: str = "") -> None:
        """Count one idea sent by a phone; NotAccepting past the minute's limits."""
        self._ideas.hit(f"{cafe_id}:{phone}")
        if address:
            self._ideas_per_address.hit(f"{cafe_id}:@{address}")

    def count_support(self, cafe_id: str, contribution_id: str, phone: str, address: str = "") -> None:
        """Count one +1 of a phone; NotAccepting past the minute's (and the idea's hour) limits."""
        self._supports.hit(f"{cafe_id}:{phone}", message=SUPPORT_RATE_MESSAGE)
        if address:
            self._supports_per_address.hit(f"{cafe_id}:@{address}", message=SUPPORT_RATE_MESSAGE)
            self._supports_per_idea_address.hit(f"{contribution_id}:@{address}", message=SUPPORT_RATE_MESSAGE)


@dataclass(frozen=True)
class Client:
    """Who is trying a password or a code: the network address and the app session.

    Callers that know neither (the command line, tests) share one anonymous session.
    """

    address: str = ""
    session: str = "anonyme"


@dataclass(frozen=True)
class LoginHistory:
    """Recent failed tries of one scope ("organiser", "captain"), read under a lock."""

    session_failures: int
    session_last: datetime | None
    address_failures: int
    address_last: datetime | None
    global_failures: int  # in the last GLOBAL_WINDOW, every client together
    global_oldest: datetime | None
    # This address already opened the very code it is typing now (a captain coming back).
    known_code: bool = False


# After these failures, each new try from the same session (or address) waits 2, 4, 8… seconds, at
# most MAX_DELAY_SECONDS. An address gets more free tries: several people may share it (a proxy).
SESSION_FREE_FAILURES = 3
ADDRESS_FREE_FAILURES = 10
MAX_DELAY_SECONDS = 300
FAILURE_WINDOW = timedelta(minutes=30)
# Past this many failures per minute, every client together, a client that has failed itself waits
# for the minute to end: a slow ceiling for attacks from many devices. A client without failures of
# its own (the captain arriving, the organiser) is never held by it: strangers cannot lock it out.
GLOBAL_FAILURES_PER_MINUTE = 30
GLOBAL_WINDOW = timedelta(minutes=1)
# An address that opened a table with its code is not delayed when it types that code again (F5,
# a new tab) for this long, whatever others typed: the limit is per address and code.
KNOWN_CODE_WINDOW = timedelta(hours=12)


def login_delay(failures: int, free_failures: int = SESSION_FREE_FAILURES) -> int:
    """Seconds to wait after this many consecutive failures."""
    if failures < free_failures:
        return 0
    return min(MAX_DELAY_SECONDS, 2 ** (failures - free_failures + 1))


def wait_before_try(history: LoginHistory, now: datetime) -> int:
    """Whole seconds this client must still wait before its next try (0: it may try now)."""
    if history.known_code:
        return 0
    ends = []
    for failures, last, free in (
        (history.session_failures, history.session_last, SESSION_FREE_FAILURES),
        (history.address_failures, history.address_last, ADDRESS_FREE_FAILURES),
    ):
        delay = login_delay(failures, free)
        if delay and last is not None:
            ends.append(last + timedelta(seconds=delay))
    failed_itself = history.session_failures > 0 or history.address_failures > 0
    if (
        failed_itself
        and history.global_failures >= GLOBAL_FAILURES_PER_MINUTE
        and history.global_oldest is not None
    ):
        ends.append(history.global_oldest + GLOBAL_WINDOW)
    remaining = max(((end - now).total_seconds() for end in ends), default=0)
    return int(remaining) + 1 if remaining > 0 else 0


def captain_code_key(secret: str, normalised_code: str) -> str:
    """A keyed hash of a typed captain code: lets an address's earlier success be recognised
    without ever storing a code."""
    return hmac.new(secret.encode(), f"code capitaine:{normalised_code}".encode(), "sha256").hexdigest()[:32]


def guarded_try(
    uow, scope: str, client: Client, now: datetime, check: Callable[[], bool], code_key: str = ""
) -> Try:
    """Count the try as a failure and check it only if this client may try now, inside the caller's
    writer transaction (`with uow:`): the count, the check and the outcome are one atomic step, so
    that parallel tries cannot slip through together.

    `code_key` (captain codes: `captain_code_key`) lets an address that opened this code before
    try it again without waiting. The caller raises after its transaction (`Try.refusal`), so that a
    failure stays counted.
    """
    uow.trust.lock_logins()
    wait = wait_before_try(login_history(uow, scope, client, now, code_key), now)
    if wait:
        return Try(wait=wait, succeeded=False)
    attempt_id = uow.trust.add_login_attempt(scope, client.session, client.address, now, code_key)
    succeeded = check()
    if succeeded:
        uow.trust.mark_login_succeeded(attempt_id)
    return Try(wait=0, succeeded=succeeded)


@dataclass(frozen=True)
class Try:
    """A guarded try: refused unchecked while the client must wait, else checked."""

    wait: int  # whole seconds still to wait; 0 when the try was checked
    succeeded: bool

    def refusal(self, wrong: str) -> AccessDenied | None:
        """The error to raise once the transaction has ended (`wrong`: a failed check's message)."""
        if self.wait:
            return AccessDenied(f"Trop d'essais manqués : réessayez dans {self.wait} s.")
        return None if self.succeeded else AccessDenied(wrong)


@read_only
def login_history(uow, scope: str, client: Client, now: datetime, code_key: str = "") -> LoginHistory:
    """The recent failures of this client's session and address (since its last success there, and
    since the organiser last forgave them all) and of everybody, that decide how long it must wait."""
    reset = uow.trust.last_reset(scope)

    def since_last_success(who: str, value: str) -> tuple[int, datetime | None]:
        if not value:
            return 0, None
        start = max(now - FAILURE_WINDOW, reset or now - FAILURE_WINDOW)
        last_success = uow.trust.last_success(scope, who, value, start)
        count, _, last = uow.trust.failures(scope, max(start, last_success or start), who, value)
        return count, last

    everybody, oldest, _ = uow.trust.failures(scope, max(now - GLOBAL_WINDOW, reset or now - GLOBAL_WINDOW))
    known = bool(
        code_key
        and client.address
        and uow.trust.opened_here(scope, client.address, code_key, now - KNOWN_CODE_WINDOW)
    )
    return LoginHistory(
        *since_last_success("session", client.session),
        *since_last_success("address", client.address),
        everybody,
        oldest,
        known,
    )


def reset_captain_tries(uow, cafe_id: str, now: datetime | None = None) -> datetime:
    """The organiser forgives every failed captain code so far: a captain kept waiting (their own
    typos, or strangers sharing their address) may try again at once. Written to the audit log.

    Every failure is forgiven, not one table's: a wrong code names no table, and letting only one
    table's code through a delay would let a waiting client probe that code at full speed.
    Returns when the tries were forgiven."""
    when = now or uow.clock()
    with uow:
        uow.trust.lock_logins()
        uow.trust.reset_logins("captain", when)
        audit.record(uow, "essais de codes capitaine remis à zéro", cafe_id=cafe_id)
    return when


WRONG_PASSWORD = "Mot de passe incorrect."


def staff_role(
    uow,
    password: str,
    stored_hash: str,
    now: datetime,
    client: Client = Client(),
    *,
    marketing_hash: str = "",
) -> tuple[str, Try]:
    """The role a staff password opens ("" if none) and the guarded try, inside the caller's
    `with uow:` (which raises `Try.refusal` after committing, so that a failure stays counted)."""
    role: list[str] = []

    def matches() -> bool:
        for name, candidate in ((ORGANISER, stored_hash), (MARKETING, marketing_hash)):
            if candidate and check_password(password, candidate):
                role.append(name)
                return True
        return False

    outcome = guarded_try(uow, "organiser", client, now, matches)
    return (role[0] if role else ""), outcome
