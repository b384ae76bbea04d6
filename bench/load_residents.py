"""N resident phones at once on the real join page of a running app (loopback only, bounded).

Starts `streamlit run` on 127.0.0.1 with a fresh SQLite file, opens N headless Chromium contexts
(phone viewport) on the tables' join links, and has each send `--submits` ideas. Reports the
submit→thank-you latency (p50/p95), the server's CPU time and peak memory, and lost writes
(acknowledged in the browser but missing from the database).

    .venv/bin/python -m bench.load_residents [--sizes 5,20,50] [--submits 2]
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import bench_parser, open_cafe, server_cost, write_results
from facilitation.services import cafes
from tests.serving import start_app

ROOT = Path(__file__).resolve().parent.parent

TIME_LIMIT_S = 600  # the whole run stops by itself
ARRIVAL_SPACING_S = 0.3  # phones arrive over a few seconds, as people scan the QR code


async def _resident(
    browser,
    url: str,
    delay: float,
    submits: int,
    latencies: list[float],
    acknowledged: list[str],
    failures: list[str],
) -> None:
    """One phone: arrives after `delay` seconds (people do not all scan at once), sends its ideas."""
    await asyncio.sleep(delay)
    context = await browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="fr-FR"
    )
    page = await context.new_page()
    try:
        await page.goto(url, timeout=120_000)
        field = page.get_by_label("Votre idée")
        for i in range(submits):
            text = f"Idée {os.urandom(4).hex()} {i}"
            await field.fill(text, timeout=120_000)
            start = time.perf_counter()
            await page.get_by_role("button", name="Envoyer").click(timeout=120_000)
            # Acknowledged = the thank-you is shown and the field was emptied, which only a stored
            # submit does (a thank-you left from the previous send does not count).
            await page.get_by_text("Merci !").first.wait_for(timeout=120_000)
            await page.wait_for_function(
                "() => { const field = document.querySelector('textarea');"
                " return field !== null && field.value === ''; }",
                timeout=120_000,
            )
            latencies.append(time.perf_counter() - start)
            acknowledged.append(text)
    except Exception as exc:  # noqa: BLE001 - reported with what the page showed, not raised
        shown = await page.locator(".notice.error").all_inner_texts()
        failures.append(f"{type(exc).__name__}: {shown[:1] or 'pas de message affiché'}")
    await context.close()


async def _run_size(
    base: str, links: list[str], n: int, submits: int
) -> tuple[list[float], list[str], list[str]]:
    from playwright.async_api import async_playwright

    latencies: list[float] = []
    acknowledged: list[str] = []
    failures: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        await asyncio.wait_for(
            asyncio.gather(
                *(
                    _resident(
                        browser,
                        links[i % len(links)],
                        ARRIVAL_SPACING_S * i,
                        submits,
                        latencies,
                        acknowledged,
                        failures,
                    )
                    for i in range(n)
                )
            ),
            TIME_LIMIT_S,
        )
        await browser.close()
    return latencies, acknowledged, failures


def main() -> None:
    parser = bench_parser(__doc__, "load_residents")
    parser.add_argument("--sizes", default="5,20,50")
    parser.add_argument("--submits", type=int, default=2)
    args = parser.parse_args()
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/load.sqlite3"
            store, cafe = open_cafe(url)
            base, server = start_app(
                url, Path(folder) / "streamlit.log", CAFE_RATE_PER_TABLE="1000", CAFE_REFRESH_SECONDS="3"
            )
            links = [cafes.join_link(store, cafe.id, t, base) for t in range(1, 11)]
            with server_cost(server.pid) as cost:
                latencies, acknowledged, failures = asyncio.run(_run_size(base, links, n, args.submits))
            server.terminate()
            server.wait(timeout=20)
            with store.reading():
                stored = {c.text for c in store.contributions.in_cafe(cafe.id)}
            ordered = sorted(latencies)
            rows.append(
                {
                    "residents": n,
                    "submits": len(acknowledged),
                    **cost.fields(),
                    "p50_s": round(statistics.median(ordered), 2),
                    "p95_s": round(ordered[max(0, int(0.95 * len(ordered)) - 1)], 2),
                    "lost_writes": len([t for t in acknowledged if t not in stored]),
                    "stored": len(stored),
                    "not_acknowledged": n * args.submits - len(acknowledged),
                    "failures": failures[:5],
                }
            )
            print(json.dumps(rows[-1]), flush=True)
            store.engine.dispose()
    args.out.parent.mkdir(exist_ok=True)
    write_results(args.out, rows)


if __name__ == "__main__":
    main()
