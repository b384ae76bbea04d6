"""Topic grouping speed and memory, each measurement in a fresh process (2 cores).

- warm: one process groups 300 texts once (warm-up: models loaded, code paths compiled), then times
  a second grouping of 300 other texts: what a facilitator waits for in a running app;
- cold: a fresh process imports, loads the models and groups n texts (20,000 = years of cafés);
  wall time and peak resident memory of the whole process are measured from outside.

Texts: SIB-200 French and the resident set, paired at random into distinct texts for large n.

    .venv/bin/python -m bench.topics_speed [--cold 1000,20000] [--out bench/results/topics_speed.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
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


def child(mode: str, n: int) -> None:
    started = time.perf_counter()
    from facilitation.topics import BertopicGrouper

    grouper = BertopicGrouper()
    imported = time.perf_counter()
    if mode == "warm":
        grouper.group(corpus(n, seed=1))
        start = time.perf_counter()
        grouping = grouper.group(corpus(n, seed=2))
    else:
        start = time.perf_counter()
        grouping = grouper.group(corpus(n))
    done = time.perf_counter()
    print(
        json.dumps({"import_s": imported - started, "group_s": done - start, "topics": len(grouping.topics)})
    )


def measure(mode: str, n: int) -> dict:
    before = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.topics_speed", "--child", mode, "--n", str(n)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)  # this child's own peak memory
    wall = time.perf_counter() - before
    if status != 0:
        raise SystemExit(f"benchmark child failed ({mode}, n={n})")
    inner = json.loads(output.strip().splitlines()[-1])
    row = {
        "mode": mode,
        "n": n,
        "process_wall_s": round(wall, 2),
        "group_s": round(inner["group_s"], 2),
        "import_s": round(inner["import_s"], 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "topics": inner["topics"],
    }
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=("warm", "cold"))
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--cold", default="300,1000,20000")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "topics_speed.json")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.n)
        return
    rows = [measure("warm", 300)] + [measure("cold", int(n)) for n in args.cold.split(",")]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
