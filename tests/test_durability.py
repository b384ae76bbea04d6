"""Never lose a contribution: concurrent submits and supports, SIGKILL mid-burst, outage mid-session.
On the real SQLite file and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from facilitation.adapters.storage import open_store
from facilitation.domain.access import new_id
from facilitation.domain.errors import CafeError
from facilitation.domain.model import Source
from facilitation.services import cafes, contributions, votes
from tests.conftest import ROOT, committed, make_cafe, token_of


def test_fifty_simultaneous_resident_submits_store_exactly_fifty_rows(database_url):
    setup = open_store(database_url)
    cafe, _ = make_cafe(setup, tables=4)
    tokens = [token_of(setup, cafe, 1 + i % 4) for i in range(50)]
    barrier = threading.Barrier(50)
    stores = [open_store(database_url) for _ in range(5)]  # as several app instances would

    def submit(i: int) -> str:
        barrier.wait()
        return contributions.resident_submit(
            stores[i % 5],
            token=tokens[i],
            submission=contributions.Submission(
                text=f"Idée simultanée {i}", submission_id=new_id(), max_chars=2000
            ),
        ).contribution.id

    with ThreadPoolExecutor(50) as pool:
        ids = list(pool.map(submit, range(50)))
    stored = committed(setup).contributions.in_cafe(cafe.id)
    assert len(stored) == 50 and {c.id for c in stored} == set(ids)
    assert sorted(c.text for c in stored) == sorted(f"Idée simultanée {i}" for i in range(50))
    for store in (setup, *stores):
        store.engine.dispose()


def test_concurrent_supports_and_double_submits_are_counted_exactly(database_url):
    setup = open_store(database_url)
    cafe, _ = make_cafe(setup)
    token = token_of(setup, cafe)
    idea = contributions.resident_submit(
        setup,
        token=token,
        submission=contributions.Submission(text="Un banc", submission_id=new_id(), max_chars=2000),
    )
    same_submission = new_id()
    barrier = threading.Barrier(60)

    def act(i: int) -> None:
        barrier.wait()
        if i < 50:  # 50 phones support, phone 0..9 twice each
            votes.vote(
                setup, token=token, item=idea.contribution.id, choice="d'accord", browser_id=f"p{i % 40}"
            )
        else:  # 10 retries of one submission
            contributions.resident_submit(
                setup,
                token=token,
                submission=contributions.Submission(
                    text="Retry", submission_id=same_submission, max_chars=2000
                ),
            )

    with ThreadPoolExecutor(60) as pool:
        list(pool.map(act, range(60)))
    assert committed(setup).contributions.get(idea.contribution.id).supports == 40
    assert [c.text for c in committed(setup).contributions.in_cafe(cafe.id)].count("Retry") == 1
    setup.engine.dispose()


def test_killing_the_writer_mid_burst_loses_nothing_acknowledged(database_url):
    setup = open_store(database_url)
    cafe, _ = make_cafe(setup)
    writer = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "burst_writer.py"), database_url, token_of(setup, cafe)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )
    acknowledged = []
    deadline = time.monotonic() + 60
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        acknowledged.append(writer.stdout.readline().strip())
    writer.send_signal(signal.SIGKILL)  # no cleanup, no flush: as a crash or a pulled plug of the app
    writer.wait()
    acknowledged += [line.strip() for line in writer.stdout.read().splitlines() if line.strip()]
    assert len(acknowledged) >= 40
    stored = {c.id for c in committed(open_store(database_url)).contributions.in_cafe(cafe.id)}
    assert set(acknowledged) <= stored
    assert len(stored) - len(acknowledged) <= 1  # at most the one in flight, committed but not printed


def test_a_concurrent_burst_never_gets_past_the_tables_limit(database_url):
    """Counted and stored in one transaction under the table's lock: 60 at once, 40 allowed, 40 in."""
    from facilitation.domain.errors import NotAccepting

    store = open_store(database_url)
    cafe, _ = make_cafe(store)
    token = token_of(store, cafe)

    def send(i: int) -> bool:
        try:
            contributions.resident_submit(
                store,
                token=token,
                submission=contributions.Submission(
                    text=f"Rafale {i}", submission_id=new_id(), max_chars=2000
                ),
                browser_id=new_id(),
                per_table=40,
            )
        except NotAccepting:
            return False
        return True

    with ThreadPoolExecutor(max_workers=16) as pool:
        accepted = list(pool.map(send, range(60)))
    assert sum(accepted) == 40 and len(committed(store).contributions.in_cafe(cafe.id)) == 40
    store.engine.dispose()


def test_a_round_closing_among_many_submits_files_each_under_a_round_open_at_its_insert(database_url):
    """The round a contribution belongs to is decided in the transaction that stores it: a round
    closed (or replaced) concurrently never receives a contribution stamped after its closing."""
    setup = open_store(database_url)
    stores = [open_store(database_url) for _ in range(4)]  # as several app instances would
    for attempt in range(3):  # the window is narrow: several runs to hit it
        cafe, rounds = make_cafe(setup, tables=4)
        tokens = [token_of(setup, cafe, 1 + i % 4) for i in range(4)]
        barrier = threading.Barrier(41)

        def submit(i: int, cafe=cafe, rounds=rounds, tokens=tokens, barrier=barrier) -> str:
            store = stores[i % 4]
            barrier.wait()
            try:
                if i % 2:
                    contributions.resident_submit(
                        store,
                        token=tokens[i % 4],
                        submission=contributions.Submission(
                            text=f"Idée {i}", submission_id=new_id(), max_chars=2000, round_id=rounds[0].id
                        ),
                    )
                else:
                    contributions.submit_contribution(
                        store,
                        cafe_id=cafe.id,
                        table_number=1 + i % 4,
                        submission=contributions.Submission(
                            text=f"Phrase {i}",
                            submission_id=new_id(),
                            max_chars=2000,
                            # Half the captains' entries carry no round: they go wherever is open.
                            round_id=rounds[0].id if i % 4 else None,
                        ),
                        source=Source.CAPTAIN,
                    )
            except CafeError as exc:
                return exc.message
            return "stored"

        def change_round(cafe=cafe, rounds=rounds, barrier=barrier, attempt=attempt) -> None:
            barrier.wait()
            time.sleep(0.005 * attempt)
            if attempt == 1:
                cafes.open_round(setup, cafe.id, rounds[1].id)  # closes round 1 in the same step
            else:
                cafes.close_round(setup, cafe.id, rounds[0].id)

        with ThreadPoolExecutor(41) as pool:
            changing = pool.submit(change_round)
            answers = list(pool.map(submit, range(40)))
            changing.result()
        by_id = {r.id: r for r in committed(setup).cafes.rounds(cafe.id)}
        stored = committed(setup).contributions.in_cafe(cafe.id)
        assert len(stored) == answers.count("stored")
        for item in stored:
            round_ = by_id[item.round_id]
            assert round_.opened_at <= item.created_at, item
            assert round_.closed_at is None or item.created_at <= round_.closed_at, (item, round_)
        for answer in answers:
            refused = answer.startswith(("Aucun tour n'est ouvert", "La question a changé"))
            assert answer == "stored" or refused, answer
    for store in (setup, *stores):
        store.engine.dispose()
