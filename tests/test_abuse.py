"""Abuse limits (facilitation.services.abuse): bursts from one phone or one table, and organiser password
guesses slowed per client and capped overall. On SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from facilitation.adapters.storage import open_store
from facilitation.domain import access
from facilitation.domain.access import hash_password, new_id
from facilitation.domain.actors import ORGANISER as ORGANISER_ROLE
from facilitation.domain.errors import AccessDenied, NotAccepting
from facilitation.services import audit, cafes, sessions
from facilitation.services.abuse import (
    SESSION_FREE_FAILURES,
    Client,
    PhoneLimiter,
    SlidingWindow,
    login_delay,
    reset_captain_tries,
)
from facilitation.services.contributions import try_table_code
from tests.conftest import committed, make_cafe, resident, token_of


def test_a_burst_from_one_phone_is_refused_politely_and_normal_use_is_not(store):
    cafe, _ = make_cafe(store)
    token = token_of(store, cafe)
    phone, limiter = new_id(), PhoneLimiter(6)
    stored, refused = 0, []
    for i in range(50):
        try:
            resident(store, token, f"Idée numéro {i}", browser_id=phone, limiter=limiter, per_table=40)
            stored += 1
        except NotAccepting as exc:
            refused.append(exc.message)
    assert stored == 6 and len(refused) == 44 and "Patientez une minute" in refused[0]
    # Four other people at the same table, two ideas each: never limited.
    for person in range(4):
        for idea in range(2):
            text = f"Avis {person}-{idea}"
            resident(store, token, text, browser_id=new_id(), limiter=limiter, per_table=40)
    assert len(committed(store).contributions.in_cafe(cafe.id)) == 14


def test_the_table_limit_holds_whatever_the_phone(store):
    cafe, _ = make_cafe(store)
    token = token_of(store, cafe)
    for i in range(5):
        resident(store, token, f"Idée {i}", browser_id=new_id(), per_table=5)
    with pytest.raises(NotAccepting):
        resident(store, token, "Une de trop", browser_id=new_id(), per_table=5)


def test_sliding_window_forgets_after_a_minute():
    window = SlidingWindow(2, 60)
    window.hit("a", now=0)
    window.hit("a", now=1)
    with pytest.raises(NotAccepting):
        window.hit("a", now=30)
    window.hit("a", now=61)
    window.hit("b", now=30)


ORGANISER = Client(address="192.168.1.20", session="organisateur")


def organiser_login(store, password: str, stored_hash: str, now: datetime, client: Client) -> str:
    """A staff sign-in as the login page makes it (sessions.sign_in); the role it opens."""
    return sessions.sign_in(store, password, {ORGANISER_ROLE: stored_hash}, now, client).role


def quick_hash(password: str) -> str:
    """hash_password with scrypt's cost lowered to n = 2**10 (16 times cheaper): check_password reads
    the parameters from the stored hash, so a flood of logins is checked as in production, only
    faster. Not for the parallel tries, whose race the real hash's duration widens."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(access, "_SCRYPT_N", 2**10)
        return hash_password(password)


def test_organiser_login_slows_down_after_failures_of_the_same_client(store):
    stored_hash = hash_password("le-bon-mot-de-passe")
    start = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
    for i in range(3):
        with pytest.raises(AccessDenied, match="Mot de passe incorrect"):
            organiser_login(store, "faux", stored_hash, start + timedelta(seconds=i), ORGANISER)
    with pytest.raises(AccessDenied, match="Trop d'essais manqués : réessayez dans 2 s"):
        organiser_login(store, "le-bon-mot-de-passe", stored_hash, start + timedelta(seconds=2.5), ORGANISER)
    organiser_login(store, "le-bon-mot-de-passe", stored_hash, start + timedelta(seconds=10), ORGANISER)
    with pytest.raises(AccessDenied, match="Mot de passe incorrect"):  # a success starts afresh
        organiser_login(store, "faux", stored_hash, start + timedelta(seconds=11), ORGANISER)
    assert [login_delay(n) for n in (0, 2, 3, 4, 5, 20)] == [0, 0, 2, 4, 8, 300]


def test_strangers_on_the_cafe_wifi_cannot_keep_the_organiser_out(store):
    stored_hash = quick_hash("le-bon-mot-de-passe")
    start = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
    checked = 0
    # An hour of tries from one phone, a new session each time (a reload), every 20 s.
    for i in range(180):
        try:
            organiser_login(
                store, f"essai{i}", stored_hash, start + timedelta(seconds=20 * i),
                Client(address="192.168.1.66", session=f"s{i}"),
            )  # fmt: skip
        except AccessDenied as exc:
            checked += exc.message == "Mot de passe incorrect."
    assert checked < 40  # of 180 tries: the address is slowed down, whatever its sessions
    # The organiser, on their own laptop, enters at once.
    organiser_login(store, "le-bon-mot-de-passe", stored_hash, start + timedelta(hours=1), ORGANISER)


def test_a_flood_from_many_clients_is_capped_and_never_holds_a_client_without_failures(store):
    stored_hash = quick_hash("le-bon-mot-de-passe")
    start = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
    checked = 0
    for attempt in range(2):  # a hundred different devices, twice each, within twenty seconds
        for i in range(100):
            try:
                organiser_login(
                    store, "faux", stored_hash, start + timedelta(seconds=10 * attempt + i / 10),
                    Client(address=f"10.0.{i}.1", session=f"s{i}"),
                )  # fmt: skip
            except AccessDenied as exc:
                checked += exc.message == "Mot de passe incorrect."
    # Past the ceiling, a device that has failed waits for the minute's end: one try each.
    assert checked == 100
    with pytest.raises(AccessDenied, match="réessayez dans"):
        organiser_login(
            store, "faux", stored_hash, start + timedelta(seconds=30), Client("10.0.5.1", "s5")
        )  # fmt: skip
    # The organiser has failed nothing: strangers' failures never keep them out.
    organiser_login(store, "le-bon-mot-de-passe", stored_hash, start + timedelta(seconds=20), ORGANISER)


CAPTAIN_ADDRESS = "203.0.113.10"


def _strangers_fail(store, when: datetime, *, addresses: int, per_address: int, address: str = "") -> None:
    for n in range(addresses):
        for k in range(per_address):
            with contextlib.suppress(AccessDenied):
                try_table_code(
                    store, f"ZZZ{n:03d}{k}", Client(address or f"198.51.100.{n}", f"x{n}-{k}"), when
                )


def test_strangers_cannot_lock_a_captain_out_of_their_own_code(store):
    cafe, _ = make_cafe(store)
    code = cafes.get_table(store, cafe.id, 1).code
    start = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
    try_table_code(store, code, Client(CAPTAIN_ADDRESS, "onglet-1"), start)
    # Strangers from 31 addresses, and a prankster sharing the captain's address (the café's Wi-Fi).
    _strangers_fail(store, start + timedelta(seconds=5), addresses=31, per_address=2)
    _strangers_fail(store, start + timedelta(seconds=6), addresses=1, per_address=15, address=CAPTAIN_ADDRESS)
    # That address is slowed down for any other code...
    other = cafes.get_table(store, cafe.id, 2).code
    with pytest.raises(AccessDenied, match="réessayez dans"):
        try_table_code(store, other, Client(CAPTAIN_ADDRESS, "onglet-3"), start + timedelta(seconds=7))
    # ...but the captain reloads, or opens a new tab: their code from their address opens at once.
    context = try_table_code(store, code, Client(CAPTAIN_ADDRESS, "onglet-2"), start + timedelta(seconds=8))
    assert context.table.number == 1
    # A captain arriving from an address without failures is not held by the strangers' flood.
    assert try_table_code(store, other, Client("203.0.113.99", "t2"), start + timedelta(seconds=9))


def test_the_organiser_resets_the_captain_tries_and_it_is_audited(store):
    cafe, _ = make_cafe(store)
    code = cafes.get_table(store, cafe.id, 2).code
    start = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
    # Pranksters on the café's one address: a captain arriving there for the first time must wait.
    _strangers_fail(store, start, addresses=1, per_address=12, address=CAPTAIN_ADDRESS)
    with pytest.raises(AccessDenied, match="réessayez dans"):
        try_table_code(store, code, Client(CAPTAIN_ADDRESS, "capitaine"), start + timedelta(seconds=1))
    reset_captain_tries(store, cafe.id, start + timedelta(seconds=2))
    context = try_table_code(store, code, Client(CAPTAIN_ADDRESS, "capitaine"), start + timedelta(seconds=3))
    assert context.table.number == 2
    actions = [e["action"] for e in audit.audit_records(store, cafe_id=cafe.id, timezone="Europe/Paris")]
    assert "essais de codes capitaine remis à zéro" in actions
    # Forgiven, not exempt: new failures there count again.
    _strangers_fail(store, start + timedelta(seconds=4), addresses=1, per_address=12, address=CAPTAIN_ADDRESS)
    with pytest.raises(AccessDenied, match="réessayez dans"):
        try_table_code(store, "ABCDEF", Client(CAPTAIN_ADDRESS, "autre"), start + timedelta(seconds=5))


def test_parallel_tries_are_counted_before_they_are_checked(database_url):
    stored_hash = hash_password("le-bon-mot-de-passe")
    now = datetime.now(UTC)
    stores = [open_store(database_url) for _ in range(3)]
    barrier = threading.Barrier(30)

    def attempt(i: int) -> str:
        barrier.wait()
        try:
            organiser_login(stores[i % 3], f"faux{i}", stored_hash, now, Client("10.0.0.9", "s"))
        except AccessDenied as exc:
            return exc.message
        return "entré"

    with ThreadPoolExecutor(30) as pool:
        outcomes = list(pool.map(attempt, range(30)))
    assert outcomes.count("Mot de passe incorrect.") == SESSION_FREE_FAILURES
    assert all(o.startswith("Trop d'essais") for o in outcomes if o != "Mot de passe incorrect.")
    for store in stores:
        store.engine.dispose()


def test_a_browser_on_the_server_itself_is_counted_under_127_0_0_1():
    """Streamlit gives no address (None) for 127.0.0.1 and ::1: that was « no limit per address »."""
    from ui.access import network_address

    assert network_address(None) == "127.0.0.1"
    assert network_address("192.0.2.4") == "192.0.2.4"
    assert network_address(object()) == ""  # AppTest: no network at all


def test_the_client_address_is_read_from_the_right_and_only_behind_listed_proxies():
    from facilitation.services.abuse import client_address
    from facilitation.settings import proxy_networks

    trusted = proxy_networks("10.0.0.0/8, 127.0.0.1")
    assert client_address("198.51.100.7", "192.0.2.1", trusted) == "198.51.100.7"  # not a proxy
    assert client_address("127.0.0.1", "192.0.2.1", ()) == "127.0.0.1"  # nobody trusted by default
    assert client_address("127.0.0.1", "192.0.2.1", trusted) == "192.0.2.1"
    assert client_address("10.0.0.2", "6.6.6.6, 192.0.2.1, 10.0.0.1", trusted) == "192.0.2.1"
    assert client_address("10.0.0.2", "n'importe quoi", trusted) == "10.0.0.2"
    assert client_address("::ffff:10.0.0.2", "::ffff:192.0.2.9", trusted) == "192.0.2.9"
