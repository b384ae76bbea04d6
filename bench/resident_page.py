"""The residents' page: first load on a slow phone network, and 50 phones sending at once.

First load: a real app on 127.0.0.1, headless Chromium (Debian's) with a phone viewport, throttled
through the DevTools protocol to Slow 3G (400 kbit/s each way, 400 ms round trip). Measured: bytes
transferred until the field is usable (HTTP bodies + WebSocket frames) and the time from navigation
until the « Votre idée » field is visible and enabled and the page's files have loaded (the `load`
event: style sheet, script, icon). `--compare-with DIR` measures another
checkout the same way, side by side (for example the version before the HTML page):

    git worktree add /tmp/cafe-before 96ed6ae && ln -s "$PWD/.venv" /tmp/cafe-before/.venv
    .venv/bin/python -m bench.resident_page --compare-with /tmp/cafe-before

Fifty phones, with the default settings: 50 HTTP clients (one thread each, their own cookies, all
from 127.0.0.1 like a café behind one address, 5 a table), each opens its table's page,
sends `--submits` ideas through the form, and taps « Envoyer » twice on the last one (the same drawn
form posted twice). Reported: submit → thank-you at the server (the POST's and the redirected
page's Server-Timing, summed), p50/p95; lost (acknowledged but not stored), duplicated; the
server's CPU seconds and peak memory (from /proc). Loopback only, bounded in count and time.
"""

from __future__ import annotations

import json
import random
import re
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from pathlib import Path

from bench.common import bench_parser, checkouts, median_ms, open_cafe, p95_ms, server_cost, write_results
from facilitation.services import cafes
from tests.serving import start_app, stop_app

ROOT = Path(__file__).resolve().parent.parent

SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}
TIME_LIMIT_S = 300
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def let_server_migrate(base: str) -> None:
    """A first resident request makes the server open (and migrate) its database: an older checkout
    must do so before this one adds its own migrations."""
    import httpx

    httpx.get(f"{base}/j/inconnu", timeout=60)


def flood_table(store, cafe, ideas: int, chars: int, table: int = 1) -> None:
    """`ideas` contributions of `chars` characters at one table's open round, through the use case."""
    from facilitation.domain.access import new_id
    from facilitation.domain.model import Source
    from facilitation.services.contributions import Submission, submit_contribution

    letters = "abcdefghijklmnopqrstuvwxyzéèàç     "
    for i in range(ideas):
        # Letters and spaces drawn at random: text that compresses about as badly as real ideas.
        draw = random.Random(i)
        filler = "".join(draw.choice(letters) for _ in range(chars - 9))
        submit_contribution(
            store,
            cafe_id=cafe.id,
            table_number=table,
            submission=Submission(text=f"Idée {i:03d} " + filler, submission_id=new_id(), max_chars=chars),
            source=Source.CAPTAIN,
        )


def first_load(root: Path, throttled: bool, flood: int = 0, flood_chars: int = 2000) -> dict:
    """Bytes and seconds until a phone can type its idea, on a fresh server and a fresh browser;
    with `flood`, its table first holds that many ideas of `flood_chars` characters."""
    import httpx
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        # The server first: it creates its own schema (another checkout may be older than this one).
        base, server = start_app(f"sqlite:///{folder}/bench.sqlite3", Path(folder) / "server.log", root=root)
        let_server_migrate(base)
        store, cafe = open_cafe(f"sqlite:///{folder}/bench.sqlite3")
        flood_table(store, cafe, flood, flood_chars)
        link = cafes.join_link(store, cafe.id, 1, base)
        if not (root / "serve.py").exists():  # the first version's link shape
            link = link.replace("/j/", "/?t=")
        state_bytes = None
        if flood:
            with httpx.Client(timeout=60) as phone:
                phone.get(link)
                state_bytes = len(phone.get(link + "/etat").content)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                warm = browser.new_page()  # the server's first page is not the phone's problem
                warm.goto(link)
                warm.get_by_label("Votre idée").wait_for(timeout=60_000)
                warm.close()
                context = browser.new_context(
                    viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="fr-FR"
                )
                page = context.new_page()
                session = context.new_cdp_session(page)
                session.send("Network.enable")
                session.send("Network.setCacheDisabled", {"cacheDisabled": True})
                if throttled:
                    session.send("Network.emulateNetworkConditions", SLOW_3G)
                received = Counter()
                session.on("Network.loadingFinished", lambda e: received.update(http=e["encodedDataLength"]))
                session.on(
                    "Network.webSocketFrameReceived",
                    lambda e: received.update(websocket=len(e["response"]["payloadData"])),
                )
                started = time.perf_counter()
                page.goto(link, wait_until="commit", timeout=120_000)
                page.get_by_label("Votre idée").wait_for(state="visible", timeout=120_000)
                # Usable: the field is drawn, enabled, and the page's own files (style, script) are in.
                page.wait_for_load_state("load", timeout=120_000)
                page.wait_for_function(
                    "() => { const f = [...document.querySelectorAll('textarea')]"
                    ".find(t => t.offsetParent); return f && !f.disabled; }",
                    timeout=120_000,
                )
                usable_s = time.perf_counter() - started
                browser.close()
        finally:
            stop_app(server)
            store.engine.dispose()
    measured = {
        "version": root.name if root != ROOT else "courante",
        "network": "Slow 3G (400 kbit/s, 400 ms)" if throttled else "loopback",
        "bytes_until_usable": received["http"] + received["websocket"],
        "websocket_bytes": received["websocket"],
        "seconds_until_usable": round(usable_s, 2),
    }
    if flood:
        measured |= {"table_ideas": flood, "idea_chars": flood_chars, "state_bytes": state_bytes}
    return measured


class HttpPhone:
    """One phone without JavaScript: a cookie jar and the forms it was shown."""

    def __init__(self, link: str, timeout: float = 60) -> None:
        import httpx

        self.client = httpx.Client(timeout=timeout)
        self.link = link
        self.page = self.client.get(link)

    def form(self, text: str) -> dict[str, str]:
        idea_form = self.page.text.split('id="idea-form"', 1)[1].split("</form>", 1)[0]
        fields = dict(re.findall(r'name="(sid|nonce|tour)"[^>]*value="([^"]*)"', idea_form))
        return {"texte": text, **{k: unescape(v) for k, v in fields.items()}}

    def send(self, form: dict[str, str]) -> float:
        """Post the form, follow the redirect; the server's own time for both, in seconds."""
        posted = self.client.post(self.link, data=form)
        self.page = (
            self.client.get(posted.url.join(posted.headers["location"]))
            if posted.status_code == 303
            else posted
        )
        if "Merci ! Votre idée a bien été envoyée." not in self.page.text:
            raise RuntimeError(f"pas de merci (HTTP {posted.status_code})")
        return sum(_server_ms(r) for r in (posted, self.page)) / 1000


def _server_ms(response) -> float:
    found = re.search(r"dur=([0-9.]+)", response.headers.get("server-timing", ""))
    return float(found.group(1)) if found else 0.0


def fifty_phones(phones: int, submits: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        store, cafe = open_cafe(url)
        # The default settings: 5 phones a table (10 tables), all behind one address (127.0.0.1).
        base, server = start_app(url, Path(folder) / "server.log")
        links = [cafes.join_link(store, cafe.id, t, base) for t in range(1, 11)]
        latencies: list[float] = []
        acknowledged: list[str] = []
        failures: list[str] = []
        lock = threading.Lock()
        deadline = time.monotonic() + TIME_LIMIT_S

        def phone(i: int) -> None:
            try:
                device = HttpPhone(links[i % len(links)])
                for n in range(submits):
                    if time.monotonic() > deadline:
                        return
                    text = f"Idée {i}-{n} du téléphone {i}"
                    form = device.form(text)
                    seconds = device.send(form)
                    if n == submits - 1:  # the double tap: the same drawn form posted again
                        device.client.post(device.link, data=form)
                    with lock:
                        latencies.append(seconds)
                        acknowledged.append(text)
            except Exception as exc:  # noqa: BLE001 - counted and reported, not raised
                with lock:
                    failures.append(f"{type(exc).__name__}: {exc}")

        with server_cost(server.pid) as cost, ThreadPoolExecutor(max_workers=phones) as pool:
            list(pool.map(phone, range(phones)))
        stop_app(server)
        with store.reading():
            stored = Counter(c.text for c in store.contributions.in_cafe(cafe.id))
        store.engine.dispose()
    ordered = sorted(latencies)
    return {
        "phones": phones,
        "acknowledged": len(acknowledged),
        **cost.fields(),
        "server_p50_ms": median_ms(ordered),
        "server_p95_ms": p95_ms(ordered),
        "lost": sum(1 for text in acknowledged if text not in stored),
        "duplicated": sum(count - 1 for count in stored.values() if count > 1),
        "failures": failures[:5],
    }


def main() -> None:
    parser = bench_parser(__doc__, "resident_page", compares=True)
    parser.add_argument("--phones", type=int, default=50)
    parser.add_argument("--submits", type=int, default=3)
    parser.add_argument(
        "--phones-only", action="store_true", help="measure the phones again, keep the first loads of --out"
    )
    args = parser.parse_args()
    roots = checkouts(args)
    results = {"first_load": [], "phones": None}
    if args.phones_only:
        results["first_load"] = json.loads(args.out.read_text(encoding="utf-8"))["first_load"]
        roots = []
    for root in roots:
        for throttled in (False, True):
            results["first_load"].append(first_load(root, throttled))
            print(json.dumps(results["first_load"][-1], ensure_ascii=False), flush=True)
    results["phones"] = fifty_phones(args.phones, args.submits)
    print(json.dumps(results["phones"], ensure_ascii=False), flush=True)
    args.out.parent.mkdir(exist_ok=True)
    write_results(args.out, results)


if __name__ == "__main__":
    main()
