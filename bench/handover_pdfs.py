"""Handover PDFs of a 30-table café after round 1 (~8 ideas a table), as `handover --round 1` writes
them: one read of every table, then one one-page PDF each (in process, after one warm-up run).

.venv/bin/python -m bench.handover_pdfs [--tables 30] [--ideas 8] [--runs 5]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from pypdf import PdfReader

from bench.common import cafe_with_tables, median_ms, p95_ms, write_results
from exports.documents import all_handovers, table_handover
from exports.pdf.handover import handover_pdf
from facilitation.adapters.storage import open_store
from facilitation.domain.access import new_id
from facilitation.domain.model import Source
from facilitation.services import cafes, contributions, handover, votes
from facilitation.services.contributions import Submission, submit_contribution
from facilitation.services.demo import resident_ideas

ROOT = Path(__file__).resolve().parent.parent


def build_cafe(store, tables: int, ideas: int):
    """A café with `tables` tables whose round 1 holds about `ideas` ideas each (captains' and phones',
    some supported, some counted by hands), closed, and round 2 open."""
    draw = random.Random(23)
    cafe = cafe_with_tables(store, tables, held_on=date(2026, 11, 26), named=True)
    first = cafes.add_round(
        store, cafe.id, question="Qu'est-ce qui compte pour vous ici ?", planned_minutes=20
    )
    second = cafes.add_round(store, cafe.id, question="Que feriez-vous en premier ?", planned_minutes=20)
    cafes.open_round(store, cafe.id, first.id)
    texts = [i["text"] for i in resident_ideas()]
    for number in range(1, tables + 1):
        token = cafes.join_link(store, cafe.id, number, "http://x").split("/j/")[1]
        for i in range(ideas + draw.randint(-2, 2)):
            text = f"{draw.choice(texts)} (table {number}, idée {i})"
            if i % 3 == 0:  # a phone's idea, with a phone number to mask now and then
                text += " — rappelez-moi au 06 12 34 56 78" if i % 6 == 0 else ""
                idea = contributions.resident_submit(
                    store,
                    token=token,
                    submission=contributions.Submission(text=text, submission_id=new_id(), max_chars=2000),
                    browser_id=f"p{i}",
                ).contribution
                for phone in range(draw.randint(0, 4)):
                    votes.vote(store, token=token, item=idea.id, choice="d'accord", browser_id=f"s{phone}")
            else:
                idea = submit_contribution(
                    store,
                    cafe_id=cafe.id,
                    table_number=number,
                    submission=Submission(text=text, submission_id=new_id(), max_chars=2000),
                    source=Source.CAPTAIN,
                ).contribution
                if i % 4 == 1:
                    votes.record_hands(
                        store,
                        cafe_id=cafe.id,
                        table_number=number,
                        contribution_id=idea.id,
                        agree=draw.randint(0, 8),
                        disagree=draw.randint(0, 3),
                        unsure=0,
                    )
    cafes.open_round(store, cafe.id, second.id)  # closes round 1
    return cafe


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=30)
    parser.add_argument("--ideas", type=int, default=8)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{folder}/bench.sqlite3")
        began = time.perf_counter()
        cafe = build_cafe(store, args.tables, args.ideas)
        fill_s = time.perf_counter() - began
        all_handovers(store, cafe.id, 1)  # warm-up: fonts registered, modules imported
        runs, reads, per_table = [], [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            written = all_handovers(store, cafe.id, 1)
            runs.append(time.perf_counter() - start)
            start = time.perf_counter()
            briefings = handover.handovers(store, cafe.id, 1)
            reads.append(time.perf_counter() - start)
            for briefing in briefings:
                start = time.perf_counter()
                handover_pdf(briefing)
                per_table.append(time.perf_counter() - start)
        sizes = [len(content) for _, content in written]
        pages = {len(PdfReader(io.BytesIO(content)).pages) for _, content in written}
        ideas = [len(b.ideas) for b in briefings]
        # The captain's button builds one table's PDF (its own read included).
        single = []
        for number in range(1, min(args.tables, 10) + 1):
            start = time.perf_counter()
            table_handover(store, cafe.id, number, 1)
            single.append(time.perf_counter() - start)
        store.engine.dispose()
    result = {
        "tables": args.tables,
        "ideas": sum(ideas),
        "ideas_per_table": [min(ideas), max(ideas)],
        "runs": args.runs,
        "fill_s": round(fill_s, 1),
        "all_tables_median_s": round(statistics.median(runs), 3),
        "all_tables_max_s": round(max(runs), 3),
        "read_median_ms": median_ms(reads),
        "pdf_per_table_median_ms": median_ms(per_table),
        "pdf_per_table_p95_ms": p95_ms(per_table),
        "one_table_with_its_read_median_ms": median_ms(single),
        "pages_per_pdf": sorted(pages),
        "pdf_kb_median": statistics.median(sizes) // 1024,
    }
    print(json.dumps(result))
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    write_results(ROOT / "bench" / "results" / "handover_pdfs.json", result)


if __name__ == "__main__":
    main()
