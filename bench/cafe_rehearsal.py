"""The café rehearsal at full size: 50 phones and 4 captains on one server, the round changing mid-way.

The real app on 127.0.0.1 (SQLite file). 4 captains type bursts in headless Chromium (no pause between
sentences); 50 phones (HTTP clients with their own cookies, 10 tables) each send `--ideas` ideas,
the last one double-tapped; half-way the organiser opens round 2. A phone refused because the
question changed reads the new question and sends again, as the page asks. Reported: submit → thank-
you at the server (Server-Timing of the POST and of the redirected page) p50/p95; and, from the
database: lost (acknowledged, not stored), duplicated, merged (stored text nobody sent) and misfiled
(stored under another round than the question on the author's screen) — all must be 0.

Then the round edges: 4 captains send bursts of ten sentences at 0 ms while the organiser closes and
reopens rounds (`--cycles` times); lost, merged and misfiled must be 0, and the boxes must close and
open again within 2 s (p95) of each round change.

    .venv/bin/python -m bench.cafe_rehearsal [--phones 50] [--ideas 3]
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.common import bench_parser, median_ms, open_cafe, p95_ms, server_cost, write_results
from bench.resident_page import CHROMIUM_ARGS, HttpPhone
from facilitation.services import cafes
from tests.serving import start_app, stop_app

ROOT = Path(__file__).resolve().parent.parent

TIME_LIMIT_S = 300
SECOND_QUESTION = "Et pour l'an prochain ?"
BOX_FRAME = 'iframe[src*="capture_box"]'
# Recorded in each captain's page: every change of the box's state, with the browser's clock.
BOX_WATCH = """() => {
  window.__boxLog = [];
  let last = null;
  setInterval(() => {
    const frame = document.querySelector('iframe[src*="capture_box"]');
    const box = frame && frame.contentDocument && frame.contentDocument.getElementById('box');
    if (!box) return;
    if (box.disabled !== last) { last = box.disabled; window.__boxLog.push([Date.now() / 1000, last]); }
  }, 20);
}"""


def _captains(
    base: str,
    codes: list[str],
    sentences: dict[str, str],
    typed_before: threading.Event,
    switched: threading.Event,
) -> None:
    """Four laptops typing bursts before and after the switch (Playwright, this thread only)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        home = browser.new_page()
        home.goto(base)  # Streamlit issue #9992: a fresh server's first visit is the home page
        home.get_by_text("Café concertation").first.wait_for(timeout=60_000)
        pages = []
        for code in codes:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            page.goto(f"{base}/capitaine?code={code}")
            pages.append(page)
        for part in ("avant", "après"):
            if part == "après":
                time.sleep(3)  # the last entries of round 1 reach the server
                typed_before.set()
                switched.wait(TIME_LIMIT_S)
                for page in pages:  # a captain types once their screen shows the new question
                    page.get_by_text(SECOND_QUESTION).first.wait_for(timeout=60_000)
            for number, page in enumerate(pages, start=1):
                field = page.frame_locator(BOX_FRAME).locator("#box")
                field.wait_for(timeout=60_000)
                field.click()
                for i in range(3):
                    text = f"Capitaine {number}, {part}, phrase {i}"
                    page.keyboard.type(text)  # no pause between keys or sentences
                    page.keyboard.press("Enter")
                    sentences[text] = part
        time.sleep(3)  # the last entries reach the server
        browser.close()


def _p95(values: list[float]) -> float | None:
    ordered = sorted(values)
    return round(ordered[max(0, int(0.95 * len(ordered)) - 1)], 2) if ordered else None


def round_edges(cycles: int = 6, captains: int = 4) -> dict:
    """Captains send bursts of ten sentences at 0 ms while the organiser closes and reopens rounds.

    Every sentence a captain entered (Enter pressed while the box was open) must be stored once, under
    the round open when it was stored, or kept in the captain's box as a draft (refused because the
    round closed on its way): lost = entered - stored - kept. Each round change is timed from the
    organiser's click to each box closing or opening (seen in the page, every 20 ms)."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/edges.sqlite3"
        store, cafe = open_cafe(url, tables=captains)
        rounds = [cafes.open_round_of(store, cafe.id)]
        rounds += [
            cafes.add_round(store, cafe.id, question=f"Question {n} ?", planned_minutes=30)
            for n in range(2, cycles + 2)
        ]
        tables = cafes.list_tables(store, cafe.id)
        base, server = start_app(url, Path(folder) / "server.log")
        entered: list[str] = []
        changes: list[tuple[float, bool]] = []  # (time, box should now be disabled)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            home = browser.new_page()
            home.goto(base)
            home.get_by_text("Café concertation").first.wait_for(timeout=60_000)
            pages = []
            for table in tables:
                page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
                page.goto(f"{base}/capitaine?code={table.code}")
                page.frame_locator(BOX_FRAME).locator("#box").wait_for(timeout=60_000)
                page.evaluate(BOX_WATCH)
                pages.append(page)
            for cycle in range(cycles):
                closer = threading.Timer(
                    2.0 + 0.8 * cycle,
                    lambda r=rounds[cycle]: (
                        changes.append((time.time(), True)),
                        cafes.close_round(store, cafe.id, r.id),
                    ),
                )
                closer.start()  # the organiser closes the round while the captains type
                fields = [page.frame_locator(BOX_FRAME).locator("#box") for page in pages]
                for field in fields:
                    draft = field.input_value() if field.is_enabled() else ""
                    if draft:  # a draft offered again (maybe cut mid-word): the captain sends it knowingly
                        field.press("Enter")
                        if draft not in entered:
                            entered.append(draft)
                for i in range(10):  # the captains' bursts, interleaved, each at 0 ms
                    for number, (page, field) in enumerate(zip(pages, fields, strict=True), start=1):
                        if field.is_disabled():
                            continue
                        text = f"Capitaine {number}, tour {cycle + 1}, phrase {i}"
                        field.focus()
                        page.keyboard.type(text)
                        if field.is_disabled():
                            continue  # the box closed: what is typed stays in it, nothing is entered
                        page.keyboard.press("Enter")
                        entered.append(text)
                closer.join()
                time.sleep(2.5)
                changes.append((time.time(), False))
                cafes.open_round(store, cafe.id, rounds[cycle + 1].id)
                time.sleep(2.5)
            time.sleep(3)  # the last acknowledgements
            logs = [page.evaluate("() => window.__boxLog") for page in pages]
            kept = [page.frame_locator(BOX_FRAME).locator("#box").input_value() for page in pages] + [
                text
                for page in pages
                for text in page.frame_locator(BOX_FRAME)
                .locator("#drafts li")
                .evaluate_all("items => items.map(i => i.textContent)")
            ]
            browser.close()
        stop_app(server)
        with store.reading():
            stored = store.contributions.in_cafe(cafe.id)
            by_id = {r.id: r for r in store.cafes.rounds(cafe.id)}
        store.engine.dispose()
    counts = Counter(c.text for c in stored)
    kept_text = "\n".join(kept)
    delays: dict[bool, list[float]] = {True: [], False: []}
    for at, disabled in changes:
        for log in logs:
            seen = next((t for t, state in log if t >= at - 0.05 and state == disabled), None)
            delays[disabled].append(max(0.0, seen - at) if seen is not None else float("inf"))
    return {
        "captains": captains,
        "round_changes": len(changes),
        "sentences_entered": len(entered),
        "stored": len(stored),
        "kept_as_drafts": sum(1 for text in entered if text not in counts and text in kept_text),
        "lost": sorted(text for text in entered if text not in counts and text not in kept_text),
        "duplicated": sum(n - 1 for n in counts.values() if n > 1),
        "merged_or_unknown": sum(1 for text in counts if text not in set(entered)),
        "misfiled": sum(
            1
            for c in stored
            if not (
                by_id[c.round_id].opened_at <= c.created_at
                and (by_id[c.round_id].closed_at is None or c.created_at <= by_id[c.round_id].closed_at)
            )
        ),
        "box_close_p95_s": _p95(delays[True]),
        "box_close_max_s": round(max(delays[True]), 2),
        "box_reopen_p95_s": _p95(delays[False]),
        "box_reopen_max_s": round(max(delays[False]), 2),
    }


def main() -> None:
    parser = bench_parser(__doc__, "cafe_rehearsal")
    parser.add_argument("--phones", type=int, default=50)
    parser.add_argument("--ideas", type=int, default=3)
    parser.add_argument("--cycles", type=int, default=6, help="round changes under captains' bursts")
    args = parser.parse_args()
    edges = round_edges(args.cycles)
    print(json.dumps({"round_edges": edges}, ensure_ascii=False), flush=True)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/rehearsal.sqlite3"
        store, cafe = open_cafe(url)
        first = cafes.open_round_of(store, cafe.id)
        second = cafes.add_round(store, cafe.id, question=SECOND_QUESTION, planned_minutes=30)
        tables = cafes.list_tables(store, cafe.id)
        # All phones come from 127.0.0.1 here: give them a café's worth of per-address room.
        base, server = start_app(
            url, Path(folder) / "server.log", CAFE_RATE_PER_TABLE="1000", CAFE_RATE_PER_PHONE="60"
        )
        links = [cafes.join_link(store, cafe.id, t.number, base) for t in tables]
        sent: dict[str, str] = {}  # text -> round id of the form it was accepted from
        latencies: list[float] = []
        failures: list[str] = []
        lock = threading.Lock()
        switched, typed_before = threading.Event(), threading.Event()
        half = threading.Barrier(args.phones + 1)

        def phone(i: int) -> None:
            try:
                device = HttpPhone(links[i % len(links)])
                for n in range(args.ideas):
                    if n == args.ideas // 2:
                        half.wait(TIME_LIMIT_S)  # everyone is mid-café when the round changes
                        switched.wait(TIME_LIMIT_S)
                    text = f"Téléphone {i}, idée {n}"
                    for _ in range(2):  # a refusal for a changed question: read it, send again
                        form = device.form(text)
                        try:
                            seconds = device.send(form)
                        except RuntimeError:
                            if "La question a changé" not in device.page.text:
                                raise
                            continue
                        if n == args.ideas - 1:
                            device.client.post(device.link, data=form)  # a double tap
                        with lock:
                            sent[text] = form["tour"]
                            latencies.append(seconds)
                        break
            except Exception as exc:  # noqa: BLE001 - counted and reported
                with lock:
                    failures.append(f"{type(exc).__name__}: {exc}")
                half.abort()

        captain_sentences: dict[str, str] = {}
        captains = threading.Thread(
            target=_captains,
            args=(base, [t.code for t in tables[:4]], captain_sentences, typed_before, switched),
            daemon=True,
        )
        with server_cost(server.pid) as cost:
            captains.start()
            with ThreadPoolExecutor(max_workers=args.phones) as pool:
                futures = [pool.submit(phone, i) for i in range(args.phones)]
                half.wait(TIME_LIMIT_S)
                typed_before.wait(TIME_LIMIT_S)
                cafes.open_round(store, cafe.id, second.id)  # the organiser moves on
                switched.set()
                for future in futures:
                    future.result()
            captains.join(TIME_LIMIT_S)
        stop_app(server)
        with store.reading():
            stored = store.contributions.in_cafe(cafe.id)
        store.engine.dispose()
    counts = Counter(c.text for c in stored)
    by_text = {c.text: c for c in stored}
    # The round on each author's screen: the form's for phones, before or after the switch for captains.
    seen = sent | {
        text: first.id if part == "avant" else second.id for text, part in captain_sentences.items()
    }
    misfiled = sum(
        1 for text, round_id in seen.items() if text in by_text and by_text[text].round_id != round_id
    )
    known = set(seen)
    ordered = sorted(latencies)
    result = {
        "phones": args.phones,
        "captains": 4,
        "phone_ideas_acknowledged": len(sent),
        "captain_sentences_typed": len(captain_sentences),
        **cost.fields(),
        "server_p50_ms": median_ms(ordered),
        "server_p95_ms": p95_ms(ordered),
        "lost": sorted(text for text in known if text not in counts),
        "duplicated": sum(n - 1 for n in counts.values() if n > 1),
        "merged_or_unknown": sum(1 for text in counts if text not in known),
        "misfiled": misfiled,
        "failures": failures[:5],
        "round_edges": edges,
    }
    print(json.dumps(result, ensure_ascii=False), flush=True)
    args.out.parent.mkdir(exist_ok=True)
    write_results(args.out, result)


if __name__ == "__main__":
    main()
