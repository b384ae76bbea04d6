"""What several benchmarks share: a ready café on a fresh database, a server process's costs."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from facilitation import cafes
from facilitation.storage import open_store


def open_cafe(url: str, tables: int = 10):
    """A migrated store and a café with numbered tables and one open round; returns (store, café)."""
    store = open_store(url)
    cafe = cafes.create_cafe(
        store, title="Café de mesure", held_on=date.today(), theme="autre", commune="Lyon"
    )
    for number in range(1, tables + 1):
        cafes.add_table(store, cafe.id, number=number)
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
