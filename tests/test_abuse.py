"""Abuse limits (facilitation.abuse): bursts from one phone or one table, and organiser password
guesses slowed per client and capped overall. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from facilitation.abuse import (
    GLOBAL_FAILURES_PER_MINUTE,
    SESSION_FREE_FAILURES,
    Client,
    PhoneLimiter,
    SlidingWindow,
    login_delay,
    organiser_login,
)
from facilitation.access import hash_password, new_id
from facilitation.errors import AccessDenied, NotAccepting
from facilitation.storage import open_store
from tests.conftest import make_cafe, resident, token_of


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
    assert len(store.contributions.in_cafe(cafe.id)) == 14


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
    stored_hash = hash_password("le-bon-mot-de-passe")
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


def test_a_flood_from_many_clients_is_capped_and_the_organiser_waits_a_minute_at_most(store):
    stored_hash = hash_password("le-bon-mot-de-passe")
    start = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
    checked = 0
    for i in range(100):  # a hundred different devices, within ten seconds
        try:
            organiser_login(
                store, "faux", stored_hash, start + timedelta(seconds=i / 10),
                Client(address=f"10.0.{i}.1", session=f"s{i}"),
            )  # fmt: skip
        except AccessDenied as exc:
            checked += exc.message == "Mot de passe incorrect."
    assert checked == GLOBAL_FAILURES_PER_MINUTE
    with pytest.raises(AccessDenied, match="réessayez dans"):
        organiser_login(store, "le-bon-mot-de-passe", stored_hash, start + timedelta(seconds=20), ORGANISER)
    organiser_login(store, "le-bon-mot-de-passe", stored_hash, start + timedelta(seconds=61), ORGANISER)


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
