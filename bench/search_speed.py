"""Library search over 100,000 contributions, on a SQLite file and on PostgreSQL.

Fills one database with `--rows` contributions (French sentences from SIB-200 and the resident
set, each with a random suffix so that no two are equal) spread over 20 cafés, through the real
schema and its search index, then times `library_search.search` (the library's use case: query, filters,
ranking, highlighting) for a few queries: median and worst of 5 runs each, after one warm-up.
PostgreSQL: TEST_POSTGRES_URL or the local server, in a fresh schema dropped afterwards.

    .venv/bin/python -m bench.search_speed [--rows 100000]
"""

from __future__ import annotations

import csv
import json
import os
import random
import secrets
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.common import bench_parser, fill_cafes, median_ms, write_results
from facilitation.adapters.storage import open_store
from facilitation.services import harvest, library_search

ROOT = Path(__file__).resolve().parent.parent

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
QUERIES = ["ascenseurs", "agees", "ECLAIRAGE escalier", "chauffage froid", "bus", "zzzquelconque"]


def _sentences() -> list[str]:
    found = []
    for split in ("train", "dev", "test"):
        with (ROOT / "bench" / "data" / "sib200-fra" / f"{split}.tsv").open(encoding="utf-8") as file:
            found += [row["text"] for row in csv.DictReader(file, delimiter="\t")]
    with (ROOT / "facilitation" / "data" / "resident_ideas_fr.csv").open(encoding="utf-8") as file:
        found += [row["text"] for row in csv.DictReader(file)]
    return found


def _fill(store, rows: int) -> None:
    generator = random.Random(7)
    sentences = _sentences()
    # A random suffix each, so that no two contributions are equal.
    fill_cafes(store, [f"{generator.choice(sentences)} ({i})" for i in range(rows)])


def run(database_url: str, rows: int) -> dict:
    store = open_store(database_url)
    started = time.perf_counter()
    _fill(store, rows)
    filled_s = time.perf_counter() - started
    timings = {}
    for query in QUERIES:
        library_search.search(store, query)  # warm-up
        runs = []
        for _ in range(5):
            begin = time.perf_counter()
            hits = library_search.search(store, query)
            runs.append(time.perf_counter() - begin)
        timings[query] = {
            "hits": len(hits),
            "median_ms": median_ms(runs),
            "max_ms": round(max(runs) * 1000, 1),
        }
    begin = time.perf_counter()
    filtered = library_search.search(
        store, "ascenseur", harvest.CafeFilter(date_from=date(2026, 3, 1), place="Vénissieux")
    )
    timings["ascenseur (lieu + dates)"] = {
        "hits": len(filtered),
        "median_ms": round((time.perf_counter() - begin) * 1000, 1),
    }
    store.engine.dispose()
    return {
        "database": database_url.split(":")[0],
        "rows": rows,
        "fill_s": round(filled_s, 1),
        "queries": timings,
    }


def main() -> None:
    parser = bench_parser(__doc__, "search_speed")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(run(f"sqlite:///{folder}/search.sqlite3", args.rows))
        print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    schema = f"bench_{secrets.token_hex(4)}"
    admin = create_engine(POSTGRES)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        separator = "&" if "?" in POSTGRES else "?"
        results.append(run(f"{POSTGRES}{separator}options=-csearch_path%3D{schema}", args.rows))
        print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    args.out.parent.mkdir(exist_ok=True)
    write_results(args.out, results)


if __name__ == "__main__":
    main()
