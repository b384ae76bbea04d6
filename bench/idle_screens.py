"""What the Streamlit screens of a café cost the server, and how fast they follow a new round.

The real app on 127.0.0.1 (SQLite file), once with Streamlit's garbage collection after every script
run (`runner.postScriptGC`, Streamlit's default) and once without (the project's setting), in one
run. Each time, headless Chromium opens the organiser's « Animer » page, the wall and `--captains`
captain screens on an open round; then, nobody touching anything for `--idle` seconds, the server
process's CPU use is read from /proc; then the organiser opens `--rounds` new rounds one after the
other, and each screen's delay to show the new question is noted (MutationObserver in the page,
from the moment the round is stored). Writes `bench/results/idle_screens.json`.

    .venv/bin/python -m bench.idle_screens [--captains 8] [--idle 30] [--rounds 4]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench.common import proc_stats, write_results
from bench.resident_page import CHROMIUM_ARGS
from facilitation.adapters.storage import open_store
from facilitation.domain.access import hash_password
from facilitation.services import cafes
from tests.screens import LAPTOP, seen_at, sign_in_organiser, watch
from tests.serving import start_app, stop_app

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "mesure-des-ecrans"


def scenario(browser, post_script_gc: bool, captains: int, idle: float, rounds: int) -> dict:
    """Serve the app with or without the post-run collection; measure idle CPU and round following."""
    folder = Path(tempfile.mkdtemp(prefix="bench-screens-"))
    url = f"sqlite:///{folder / 'cafe.sqlite3'}"
    store = open_store(url)
    cafe = cafes.create_cafe(
        store, cafes.CafeDetails(title="Café de mesure", held_on=date.today(), theme="autre", commune="Lyon")
    )
    for number in range(1, captains + 1):
        cafes.add_table(store, cafe.id, number=number)
    questions = [f"Question {position} : qu'aimeriez-vous changer ?" for position in range(1, rounds + 2)]
    for question in questions:
        cafes.add_round(store, cafe.id, question=question, planned_minutes=30)
    round_ids = [r.id for r in cafes.list_rounds(store, cafe.id)]
    cafes.open_round(store, cafe.id, round_ids[0])
    base, process = start_app(
        url,
        folder / "streamlit.log",
        streamlit_flags=("--runner.postScriptGC", str(post_script_gc).lower()),
        CAFE_REFRESH_SECONDS="3",
        CAFE_ORGANISER_PASSWORD_HASH=hash_password(PASSWORD),
    )
    contexts = []
    try:
        screens = {}
        first = browser.new_context(**LAPTOP)
        contexts.append(first)
        organiser = first.new_page()
        organiser.goto(base)  # Streamlit's first visit of a fresh server must be the home page
        organiser.get_by_text("Café concertation").first.wait_for(timeout=60_000)
        sign_in_organiser(organiser, base, f"animer?cafe={cafe.id}", PASSWORD)
        screens["animer"] = organiser
        wall_context = browser.new_context(**LAPTOP)
        contexts.append(wall_context)
        screens["mur"] = wall_context.new_page()
        sign_in_organiser(screens["mur"], base, f"mur?cafe={cafe.id}", PASSWORD)
        for table in cafes.list_tables(store, cafe.id):
            context = browser.new_context(**LAPTOP)
            contexts.append(context)
            screens[f"capitaine {table.number}"] = page = context.new_page()
            page.goto(f"{base}/capitaine?code={table.code}", wait_until="commit", timeout=120_000)
        never_loaded = []  # a screen that never showed the open question: counted, the bench goes on
        for name, page in screens.items():
            try:
                page.get_by_text(questions[0]).first.wait_for(timeout=120_000)
            except PlaywrightTimeout:
                never_loaded.append(name)
                page.screenshot(path=str(folder / f"never-loaded-{name.replace(' ', '-')}.png"))
        if never_loaded:
            print(f"never loaded: {never_loaded}; screenshots and server log in {folder}", file=sys.stderr)
        time.sleep(5)  # the first runs are over
        cpu_before, _ = proc_stats(process.pid)
        time.sleep(idle)
        cpu_after, peak_mib = proc_stats(process.pid)

        follow: list[float] = []
        missed = 0
        for position in range(1, rounds + 1):
            # « Animer » lists every question: there, the sign of the new round is its countdown.
            signs = {name: questions[position] for name in screens}
            signs["animer"] = f"Temps restant — tour {position + 1}"
            for name, page in screens.items():
                watch(page, signs[name])
            cafes.close_round(store, cafe.id, round_ids[position - 1])
            opened = cafes.open_round(store, cafe.id, round_ids[position]).opened_at.timestamp()
            pending = dict(screens)
            deadline = time.monotonic() + 30
            while pending and time.monotonic() < deadline:
                for name, page in list(pending.items()):
                    seen = seen_at(page, signs[name])
                    if seen is not None:
                        follow.append(max(0.0, seen - opened))
                        del pending[name]
                time.sleep(0.2)
            missed += len(pending)
            time.sleep(5)
        return {
            "post_script_gc": post_script_gc,
            "screens": len(screens),
            "idle_cpu_cores": round((cpu_after - cpu_before) / idle, 3),
            "server_peak_rss_mib": peak_mib,
            "follow_p50_s": round(statistics.median(follow), 2) if follow else None,
            "follow_max_s": round(max(follow), 2) if follow else None,
            "follow_missed_in_30_s": missed,
            "never_loaded_in_120_s": never_loaded,
        }
    finally:
        for context in contexts:
            context.close()
        stop_app(process)
        store.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--captains", type=int, default=8)
    parser.add_argument("--idle", type=float, default=30.0, help="seconds with nobody touching anything")
    parser.add_argument("--rounds", type=int, default=4, help="new rounds opened, one after the other")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            runs = [scenario(browser, gc, args.captains, args.idle, args.rounds) for gc in (True, False)]
        finally:
            browser.close()
    result = {
        "scenario": {"captains": args.captains, "idle_s": args.idle, "rounds": args.rounds, "refresh_s": 3},
        "runs": runs,
    }
    out = ROOT / "bench" / "results" / "idle_screens.json"
    write_results(out, result, indent=2)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
