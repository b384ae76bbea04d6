"""50 phones refreshing their table while 4 captains write, on SQLite: the read path's latency,
before and after the unit of work, in one run.

Each phone polls what the resident page's `/j/<token>/etat` loads (`contributions.join_table` and
`supported_here`) every `--refresh` seconds; each captain submits a contribution through the real
use case, pausing `--pause` seconds between two. Both run as threads of one process, as in the web
server. The same scenario runs in a child process per code version: the current tree and a
temporary git worktree of `--before` (default 57e51f4, the last commit with one transaction per
store method, every read beginning with BEGIN IMMEDIATE). Writes `bench/results/phones_and_captains.json`.

    .venv/bin/python -m bench.phones_and_captains [--seconds 20] [--before 57e51f4]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLES = 10


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def scenario(code: Path, phones: int, captains: int, seconds: float, refresh: float, pause: float) -> dict:
    """Run the scenario on the code in `code` (imported from there) and a fresh SQLite file."""
    sys.path.insert(0, str(code))
    from facilitation.adapters.storage import open_store
    from facilitation.domain.access import new_id
    from facilitation.domain.model import Source
    from facilitation.services import cafes, contributions

    folder = tempfile.mkdtemp(prefix="bench-phones-")
    store = open_store(f"sqlite:///{folder}/cafe.sqlite3")
    cafe = cafes.create_cafe(
        store, cafes.CafeDetails(title="Café de mesure", held_on=date.today(), theme="autre", commune="Lyon")
    )
    for number in range(1, TABLES + 1):
        cafes.add_table(store, cafe.id, number=number)
    question = cafes.add_round(store, cafe.id, question="Qu'aimeriez-vous changer ?", planned_minutes=30)
    cafes.open_round(store, cafe.id, question.id)
    tokens = [cafes.join_link(store, cafe.id, t, "http://x").split("/j/")[1] for t in range(1, TABLES + 1)]

    reads: list[float] = []
    writes: list[float] = []
    errors: list[str] = []
    stop = time.monotonic() + seconds

    def phone(index: int) -> None:
        token, browser = tokens[index % TABLES], f"telephone-{index}"
        next_at = time.monotonic() + random.Random(index).uniform(0, refresh)  # phones arrive spread
        while next_at < stop:
            time.sleep(max(0.0, next_at - time.monotonic()))
            started = time.perf_counter()
            try:
                context = contributions.join_table(store, token)
                contributions.supported_here(store, context, browser)
            except Exception as exc:  # noqa: BLE001 — counted and reported, the bench goes on
                errors.append(type(exc).__name__)
            reads.append(time.perf_counter() - started)
            next_at += refresh

    def captain(index: int) -> None:
        count = 0
        while time.monotonic() < stop:
            count += 1
            started = time.perf_counter()
            try:
                contributions.submit_contribution(
                    store,
                    cafe_id=cafe.id,
                    table_number=1 + index,
                    submission=contributions.Submission(
                        text=f"Idée {count} de la table {1 + index}", submission_id=new_id(), max_chars=2000
                    ),
                    source=Source.CAPTAIN,
                )
            except Exception as exc:  # noqa: BLE001
                errors.append(type(exc).__name__)
            writes.append(time.perf_counter() - started)
            time.sleep(pause)

    threads = [threading.Thread(target=phone, args=(i,)) for i in range(phones)]
    threads += [threading.Thread(target=captain, args=(i,)) for i in range(captains)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = len(contributions.table_context(store, cafe.id, 1).contributions)
    store.engine.dispose()
    return {
        "reads": len(reads),
        "read_p50_ms": round(1000 * statistics.median(reads), 1),
        "read_p95_ms": round(1000 * _percentile(reads, 0.95), 1),
        "read_max_ms": round(1000 * max(reads), 1),
        "writes": len(writes),
        "write_p50_ms": round(1000 * statistics.median(writes), 1),
        "write_p95_ms": round(1000 * _percentile(writes, 0.95), 1),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "table_1_contributions": stored,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=50)
    parser.add_argument("--captains", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--refresh", type=float, default=3.0, help="seconds between two refreshes of a phone")
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between two submits of a captain")
    parser.add_argument("--before", default="57e51f4", help="the commit measured as « before »")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)  # run the scenario on this tree
    args = parser.parse_args()
    shape = (args.phones, args.captains, args.seconds, args.refresh, args.pause)
    if args.child:
        print(json.dumps(scenario(args.child, *shape)))
        return

    def measure(code: Path) -> dict:
        command = [sys.executable, str(Path(__file__).resolve()), "--child", str(code)]
        command += ["--phones", str(args.phones), "--captains", str(args.captains)]
        command += [
            "--seconds",
            str(args.seconds),
            "--refresh",
            str(args.refresh),
            "--pause",
            str(args.pause),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=code)
        return json.loads(done.stdout.strip().splitlines()[-1])

    with tempfile.TemporaryDirectory(prefix="bench-before-") as folder:
        before_tree = Path(folder) / "tree"
        git = ["git", "-C", str(ROOT)]
        subprocess.run([*git, "worktree", "add", "--detach", str(before_tree), args.before], check=True)
        try:
            before = measure(before_tree)
        finally:
            subprocess.run([*git, "worktree", "remove", "--force", str(before_tree)], check=True)
    after = measure(ROOT)
    current = subprocess.run(
        [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    result = {
        "scenario": {
            "phones": args.phones,
            "captains": args.captains,
            "seconds": args.seconds,
            "refresh_s": args.refresh,
            "captain_pause_s": args.pause,
            "database": "SQLite file (WAL, synchronous=FULL)",
        },
        "before": {"commit": args.before, **before},
        "after": {"commit": current, **after},
    }
    out = ROOT / "bench" / "results" / "phones_and_captains.json"
    # Here, not at the top: the child processes import this file and must not load facilitation.
    from bench.common import write_results

    write_results(out, result, indent=2)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
