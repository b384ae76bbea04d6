"""50 phones refreshing their table while 4 captains write, on SQLite: the read path's latency,
before and after the unit of work, in one run.

Each phone reads what the resident page reads on each refresh, every `--refresh` seconds (its
table's last 20 ideas, its supports and votes, the plenary's themes: `votes.phone_view`, one
transaction since the use case became the unit; four calls before); each captain submits a
contribution through the real use case, pausing `--pause` seconds between two. Both run as threads
of one process, as in the web server. The same scenario runs in a child process per code version:
the current tree and a temporary git worktree of `--before` (default 7df023f, the last commit before
the use case became the unit: flat `facilitation/` folder, a transaction per call). Writes
`bench/results/phones_and_captains.json`.

    .venv/bin/python -m bench.phones_and_captains [--seconds 20] [--before 7df023f]
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
PHONE_IDEAS = 20  # what a phone page shows of its table (web/resident.py)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


class _Api:
    """The same scenario on either layout of the code: the layered one (facilitation.domain,
    services, adapters) and the flat one of the commits before it, whose use cases took their form
    fields as keywords and whose phone page read its table, supports, votes and themes in four calls."""

    def __init__(self) -> None:
        try:
            from facilitation.adapters.storage import open_store
            from facilitation.domain.access import new_id
            from facilitation.domain.model import Source
            from facilitation.services import cafes, contributions, votes
        except ImportError:  # the flat layout
            from facilitation.access import new_id
            from facilitation.storage import open_store

            from facilitation import cafes, contributions, votes
            from facilitation.domain import Source
        self.cafes, self.contributions, self.votes = cafes, contributions, votes
        self.new_id, self.captain_source = new_id, Source.CAPTAIN
        self.store = open_store(f"sqlite:///{tempfile.mkdtemp(prefix='bench-phones-')}/cafe.sqlite3")

    def create_cafe(self, **details):
        if hasattr(self.cafes, "CafeDetails"):
            return self.cafes.create_cafe(self.store, self.cafes.CafeDetails(**details))
        return self.cafes.create_cafe(self.store, **details)

    def phone_refresh(self, token: str, browser: str) -> None:
        """What the phone page reads on each refresh, as that version's page reads it."""
        if hasattr(self.votes, "phone_view"):
            self.votes.phone_view(self.store, token, browser, latest=PHONE_IDEAS)
            return
        context = self.contributions.join_table(self.store, token, latest=PHONE_IDEAS)
        self.contributions.supported_here(self.store, context, browser)
        self.votes.votes_here(self.store, context.cafe.id, browser)
        if context.cafe.plenary_opened_at is not None and not context.cafe.is_closed:
            self.votes.plenary_themes(self.store, context.cafe.id)

    def captain_submit(self, cafe_id: str, table_number: int, text: str) -> None:
        form = {"text": text, "submission_id": self.new_id(), "max_chars": 2000}
        if hasattr(self.contributions, "Submission"):
            form = {"submission": self.contributions.Submission(**form)}
        self.contributions.submit_contribution(
            self.store, cafe_id=cafe_id, table_number=table_number, source=self.captain_source, **form
        )


def scenario(code: Path, phones: int, captains: int, seconds: float, refresh: float, pause: float) -> dict:
    """Run the scenario on the code in `code` (imported from there) and a fresh SQLite file."""
    sys.path.insert(0, str(code))
    api = _Api()
    store, cafes, contributions = api.store, api.cafes, api.contributions
    cafe = api.create_cafe(title="Café de mesure", held_on=date.today(), theme="autre", commune="Lyon")
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
                api.phone_refresh(token, browser)
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
                api.captain_submit(cafe.id, 1 + index, f"Idée {count} de la table {1 + index}")
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
    parser.add_argument("--before", default="7df023f", help="the commit measured as « before »")
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
