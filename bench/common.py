"""What several benchmarks share: a ready café on a fresh database, a server process's costs."""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from facilitation.adapters.storage import open_store
from facilitation.adapters.storage.schema import contributions
from facilitation.domain.access import new_id
from facilitation.services import cafes

ROOT = Path(__file__).resolve().parent.parent


def cafe_with_tables(store, tables: int, *, held_on: date | None = None, named: bool = False):
    """A café « Café de mesure » in Lyon with tables numbered 1 to `tables` (« Table des N » when
    `named`), no round yet."""
    cafe = cafes.create_cafe(
        store,
        cafes.CafeDetails(
            title="Café de mesure", held_on=held_on or date.today(), theme="autre", commune="Lyon"
        ),
    )
    for number in range(1, tables + 1):
        cafes.add_table(store, cafe.id, number=number, name=f"Table des {number}" if named else "")
    return cafe


def open_cafe(url: str, tables: int = 10):
    """A migrated store and a café with numbered tables and one open round; returns (store, café)."""
    store = open_store(url)
    cafe = cafe_with_tables(store, tables)
    question = cafes.add_round(store, cafe.id, question="Qu'aimeriez-vous changer ?", planned_minutes=30)
    cafes.open_round(store, cafe.id, question.id)
    return store, cafe


def proc_stats(pid: int) -> tuple[float, int]:
    """CPU seconds used and peak resident memory (MiB) of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    peak = next(
        line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("VmHWM")
    )
    return cpu, int(peak.split()[1]) // 1024


@dataclass
class ServerCost:
    """What a block of a bench cost: wall seconds, and the server's CPU seconds and peak memory (MiB)."""

    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_mb: int = 0

    def fields(self) -> dict[str, float]:
        """The figures under the names every bench's results file gives them."""
        return {"wall_s": self.wall_s, "server_cpu_s": self.cpu_s, "server_peak_mb": self.peak_mb}


@contextmanager
def server_cost(pid: int) -> Iterator[ServerCost]:
    """Measure the block's cost to the server process `pid`; the figures are filled in once it ends."""
    cost = ServerCost()
    cpu_before, _ = proc_stats(pid)
    started = time.perf_counter()
    yield cost
    cost.wall_s = round(time.perf_counter() - started, 1)
    cpu_after, cost.peak_mb = proc_stats(pid)
    cost.cpu_s = round(cpu_after - cpu_before, 1)


def fill_cafes(store, texts: list[str], *, cafe_count: int = 20) -> None:
    """The texts as contributions spread over `cafe_count` weekly cafés (one table, one round each),
    through the real schema; bulk-inserted, since thousands of use-case calls would time the setup."""
    communes = random.Random(7)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    for number in range(cafe_count):
        cafe = cafes.create_cafe(
            store,
            cafes.CafeDetails(
                title=f"Café {number}",
                held_on=date(2026, 1, 5) + timedelta(days=7 * number),
                theme="autre",
                commune=communes.choice(["Lyon", "Villeurbanne", "Vénissieux"]),
            ),
        )
        table = cafes.add_table(store, cafe.id, number=1)
        question = cafes.add_round(store, cafe.id, question="Une idée ?", planned_minutes=30)
        for i, text in enumerate(texts[number::cafe_count]):
            rows.append(
                {
                    "id": new_id(),
                    "cafe_id": cafe.id,
                    "round_id": question.id,
                    "table_id": table.id,
                    "text": text,
                    "source": "capitaine",
                    "created_at": start + timedelta(seconds=i),
                }
            )
    with store.engine.begin() as connection:
        for offset in range(0, len(rows), 5000):
            connection.execute(insert(contributions), rows[offset : offset + 5000])


def median_ms(seconds: list[float]) -> float | None:
    """The median of durations given in seconds, in milliseconds, or None."""
    return round(statistics.median(seconds) * 1000, 1) if seconds else None


def p95_ms(seconds: list[float]) -> float | None:
    """The 95th percentile of durations given in seconds, in milliseconds (nearest rank), or None."""
    ordered = sorted(seconds)
    return round(ordered[max(0, int(0.95 * len(ordered)) - 1)] * 1000, 1) if ordered else None


def machine() -> str:
    """« 2 vCPU AMD EPYC, 24 Gio, Python 3.11 »: the machine a result was measured on."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "",
    )
    memory_kib = int(Path("/proc/meminfo").read_text().split()[1])  # MemTotal, first line
    python = ".".join(str(part) for part in sys.version_info[:2])
    return f"{os.cpu_count()} vCPU {cpu}".strip() + f", {round(memory_kib / 2**20)} Gio, Python {python}"


def provenance() -> dict[str, str]:
    """Machine, date and commit of a measure: every row of bench/results/*.json carries them, and the
    README's tables show them (bench/readme_tables.py)."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = ""
    return {"machine": machine(), "date": date.today().isoformat(), "commit": commit}


def write_results(path: Path, results: dict | list, *, indent: int = 1) -> None:
    """Write a bench's results as JSON stamped with `provenance()`: each item of a list, else the object."""
    stamp = provenance()
    if isinstance(results, list):
        results = [row | stamp if isinstance(row, dict) else row for row in results]
    else:
        results = results | stamp
    path.write_text(json.dumps(results, indent=indent, ensure_ascii=False) + "\n", encoding="utf-8")


def bench_parser(doc: str, results_name: str, *, compares: bool = False) -> argparse.ArgumentParser:
    """A bench's command line: described by the first line of its docstring, with --out, the
    results file, bench/results/<results_name>.json by default (what readme_tables reads), and with
    `compares`, --compare-with: another checkout measured the same way (see `checkouts`)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / f"{results_name}.json")
    if compares:
        parser.add_argument("--compare-with", type=Path, help="another checkout, measured the same way")
    return parser


def checkouts(args: argparse.Namespace) -> list[Path]:
    """The checkouts a comparing bench measures: this one, then --compare-with's when given."""
    return [ROOT] + ([args.compare_with.resolve()] if args.compare_with else [])
