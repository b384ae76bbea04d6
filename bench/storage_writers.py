"""100 concurrent writers on the storage and use-case layer, SQLite file and PostgreSQL.

Each writer thread submits `--each` resident contributions through the real use case (signed link,
validation, idempotent insert) and supports one idea; reports throughput, p50/p95 latency per submit
and lost writes. PostgreSQL: TEST_POSTGRES_URL or the local server (skipped if unreachable).

    .venv/bin/python -m bench.storage_writers [--writers 100] [--each 10]
"""

from __future__ import annotations

import json
import os
import secrets
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.common import bench_parser, write_results
from facilitation.adapters.storage import open_store
from facilitation.domain.access import new_id
from facilitation.services import cafes, contributions, votes

ROOT = Path(__file__).resolve().parent.parent

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def run(database_url: str, writers: int, each: int) -> dict:
    store = open_store(database_url)
    cafe = cafes.create_cafe(
        store, cafes.CafeDetails(title="Café de charge", held_on=date.today(), theme="autre", commune="Lyon")
    )
    for number in range(1, 11):
        cafes.add_table(store, cafe.id, number=number)
    round_ = cafes.add_round(store, cafe.id, question="Q ?", planned_minutes=30)
    cafes.open_round(store, cafe.id, round_.id)
    tokens = [cafes.join_link(store, cafe.id, t, "http://x").split("/j/")[1] for t in range(1, 11)]
    first = contributions.resident_submit(
        store,
        token=tokens[0],
        submission=contributions.Submission(text="Idée à soutenir", submission_id=new_id(), max_chars=2000),
    ).contribution
    barrier = threading.Barrier(writers)
    latencies: list[float] = []
    acknowledged: list[str] = []
    lock = threading.Lock()

    def writer(index: int) -> None:
        barrier.wait()
        for i in range(each):
            submission = new_id()
            start = time.perf_counter()
            contributions.resident_submit(
                store,
                token=tokens[index % 10],
                submission=contributions.Submission(
                    text=f"Écrivain {index} idée {i}", submission_id=submission, max_chars=2000
                ),
            )
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                acknowledged.append(submission)
        votes.vote(store, token=tokens[0], item=first.id, choice="d'accord", browser_id=f"writer-{index}")

    started = time.perf_counter()
    with ThreadPoolExecutor(writers) as pool:
        list(pool.map(writer, range(writers)))
    wall = time.perf_counter() - started
    with store.reading():
        stored = {c.id for c in store.contributions.in_cafe(cafe.id)}
        supports = store.contributions.get(first.id).supports
    ordered = sorted(latencies)
    result = {
        "writes": len(acknowledged),
        "wall_s": round(wall, 2),
        "writes_per_s": round(len(acknowledged) / wall),
        "p50_ms": round(1000 * statistics.median(ordered), 1),
        "p95_ms": round(1000 * ordered[int(0.95 * len(ordered)) - 1], 1),
        "lost_writes": len(set(acknowledged) - stored),
        "supports_counted": supports,
        "supports_expected": writers,
    }
    store.engine.dispose()
    return result


def main() -> None:
    parser = bench_parser(__doc__, "storage_writers")
    parser.add_argument("--writers", type=int, default=100)
    parser.add_argument("--each", type=int, default=10)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        results["sqlite"] = run(f"sqlite:///{folder}/writers.sqlite3", args.writers, args.each)
        print("sqlite", json.dumps(results["sqlite"]), flush=True)
    schema = f"bench_{secrets.token_hex(4)}"
    admin = create_engine(POSTGRES)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - a benchmark reports what it could not measure
        print(f"postgresql skipped: {exc}")
    else:
        # Enough pooled connections for 100 threads would be unrealistic: the pool (5+10) queues them,
        # as it would in one app instance.
        results["postgresql"] = run(f"{POSTGRES}?options=-csearch_path%3D{schema}", args.writers, args.each)
        print("postgresql", json.dumps(results["postgresql"]), flush=True)
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    args.out.parent.mkdir(exist_ok=True)
    write_results(args.out, results)


if __name__ == "__main__":
    main()
