"""Topic grouping speed and memory, each measurement in a fresh process (2 cores).

- load: import of the grouping code, then spaCy's French model, then the sentence encoder, timed
  apart (what every fresh process pays before its first grouping);
- warm: one process groups 300 texts once (warm-up), then groups 300 other texts twice: the first
  time their sentence vectors are computed (uncached), the second time they come from the cache —
  what a facilitator waits for in a running app when re-running a harvest;
- harvest: a SQLite file holding n contributions in 20 cafés; a fresh process runs the harvest use
  case over all 20 cafés (a cross-café harvest) with nothing cached, then another fresh process runs
  it again with the vectors the first one stored (the re-run case);
- cli: `python -m facilitation topics` on a new n-row CSV file (nothing cached), progress bar on.
Wall time and the child's own peak resident memory (`wait4`) are measured from outside.

Texts: SIB-200 French and the resident set, paired at random into distinct texts for large n.

    .venv/bin/python -m bench.topics_speed [--n 20000] [--out bench/results/topics_speed.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def corpus(n: int, seed: int = 0) -> list[str]:
    from bench.topics_quality import residents, sib200

    base = sib200()[0] + residents()[0]
    if n <= len(base):
        return random.Random(seed).sample(base, n)
    rng = random.Random(seed)
    texts: set[str] = set()
    while len(texts) < n:
        texts.add(f"{rng.choice(base)} {rng.choice(base)}")
    return sorted(texts)


def child_load() -> dict:
    started = time.perf_counter()
    from facilitation.adapters.topics import BertopicGrouper  # noqa: F401
    from facilitation.adapters.topics.embeddings import load_sentence_encoder, load_spacy_french

    imported = time.perf_counter()
    load_spacy_french()
    spacy_loaded = time.perf_counter()
    load_sentence_encoder()
    done = time.perf_counter()
    return {
        "import_s": imported - started,
        "spacy_load_s": spacy_loaded - imported,
        "encoder_load_s": done - spacy_loaded,
    }


def child_warm(n: int) -> dict:
    from facilitation.adapters.topics import BertopicGrouper
    from facilitation.adapters.topics.embeddings import MemoryVectorCache

    grouper, cache = BertopicGrouper(), MemoryVectorCache()
    grouper.group(corpus(n, seed=1), cache=cache)
    texts = corpus(n, seed=2)
    start = time.perf_counter()
    grouper.group(texts, cache=cache)
    uncached = time.perf_counter()
    grouping = grouper.group(texts, cache=cache)
    cached = time.perf_counter()
    return {"uncached_s": uncached - start, "cached_s": cached - uncached, "topics": len(grouping.topics)}


def child_harvest(database: str) -> dict:
    started = time.perf_counter()
    from facilitation.adapters.storage import open_store
    from facilitation.adapters.topics import BertopicGrouper
    from facilitation.services import harvest

    store = open_store(f"sqlite:///{database}")
    grouper = BertopicGrouper()
    scope = harvest.scope_of([cafe.id for cafe in harvest.find_cafes(store)])
    ready = time.perf_counter()
    version = harvest.run_harvest(store, grouper, scope, afresh=True)
    done = time.perf_counter()
    return {"setup_s": ready - started, "harvest_s": done - ready, "topics": len(version.topics)}


def fill_database(path: Path, n: int) -> None:
    """n contributions spread over 20 cafés, through the real schema."""
    from bench.common import fill_cafes
    from facilitation.adapters.storage import open_store

    fill_cafes(open_store(f"sqlite:///{path}"), corpus(n, seed=3))


def run_child(arguments: list[str], label: dict) -> dict:
    before = time.perf_counter()
    process = subprocess.Popen(arguments, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)  # this child's own peak memory
    wall = time.perf_counter() - before
    if status != 0:
        raise SystemExit(f"benchmark child failed: {label}")
    lines = output.strip().splitlines()
    inner = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    row = (
        label
        | {"process_wall_s": round(wall, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024)}
        | {key: round(value, 2) if isinstance(value, float) else value for key, value in inner.items()}
    )
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    # Not bench.common's parser: the children time the imports, and bench.common imports the app.
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "topics_speed.json")
    parser.add_argument("--child", choices=("load", "warm", "harvest"))
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--database")
    args = parser.parse_args()
    if args.child:
        found = {
            "load": child_load,
            "warm": lambda: child_warm(args.n),
            "harvest": lambda: child_harvest(args.database),
        }[args.child]()
        print(json.dumps(found))
        return
    me = [sys.executable, "-m", "bench.topics_speed"]
    rows = [run_child([*me, "--child", "load"], {"mode": "load"})]
    rows.append(run_child([*me, "--child", "warm", "--n", "300"], {"mode": "warm", "n": 300}))
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "cafes.sqlite"
        fill_database(database, args.n)
        for cache in ("uncached", "cached"):
            rows.append(
                run_child(
                    [*me, "--child", "harvest", "--database", str(database)],
                    {"mode": "harvest", "n": args.n, "vectors": cache},
                )
            )
        source, out = Path(folder) / "new.csv", Path(folder) / "out.csv"
        with source.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["n", "texte"])
            writer.writerows(enumerate(corpus(args.n, seed=4)))
        command = [sys.executable, "-m", "facilitation", "topics", str(source), "--text-column", "texte"]
        rows.append(run_child([*command, "--out", str(out)], {"mode": "cli topics", "n": args.n}))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # Here, not at the top: the child processes import this file and must not load facilitation.
    from bench.common import write_results

    write_results(args.out, rows)


if __name__ == "__main__":
    main()
