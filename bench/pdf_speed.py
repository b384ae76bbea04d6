"""Synthesis PDF build time for a 500-contribution café (in process, after one warm-up build).

.venv/bin/python -m bench.pdf_speed [--contributions 500] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.common import cafe_with_tables, write_results
from exports.pdf.synthesis import synthesis_pdf
from facilitation.adapters.storage import open_store
from facilitation.adapters.topics import BertopicGrouper
from facilitation.domain.access import new_id
from facilitation.domain.model import Source
from facilitation.services import cafes, harvest, synthesis
from facilitation.services.contributions import Submission, submit_contribution
from facilitation.services.demo import resident_ideas

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contributions", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{folder}/bench.sqlite3")
        cafe = cafe_with_tables(store, 8, held_on=date(2026, 11, 26))
        round_ = cafes.add_round(
            store, cafe.id, question="Qu'est-ce qui compte pour vous ?", planned_minutes=30
        )
        cafes.open_round(store, cafe.id, round_.id)
        ideas = [i["text"] for i in resident_ideas()]
        for i in range(args.contributions):
            submit_contribution(
                store,
                cafe_id=cafe.id,
                table_number=1 + i % 8,
                submission=Submission(
                    text=f"{ideas[i % len(ideas)]} ({i})", submission_id=new_id(), max_chars=2000
                ),
                source=Source.CAPTAIN,
            )
        scope = harvest.scope_of([cafe.id])
        version = harvest.run_harvest(store, BertopicGrouper(), scope)
        harvest.set_kept(store, scope, [t.key for t in version.topics])
        synthesis_pdf(synthesis.cafe_synthesis(store, cafe.id))  # warm-up: fonts registered once
        timings, size = [], 0
        for _ in range(args.runs):
            start = time.perf_counter()
            data = synthesis_pdf(synthesis.cafe_synthesis(store, cafe.id))
            timings.append(time.perf_counter() - start)
            size = len(data)
    result = {
        "contributions": args.contributions,
        "topics": len(version.topics),
        "runs": args.runs,
        "median_s": round(statistics.median(timings), 3),
        "max_s": round(max(timings), 3),
        "pdf_kb": size // 1024,
    }
    print(json.dumps(result))
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    write_results(ROOT / "bench" / "results" / "pdf_speed.json", result)


if __name__ == "__main__":
    main()
